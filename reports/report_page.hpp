#pragma once

// What the report's sections share: the inputs, the words of the language,
// and lookups of estimates and labels. Internal to reports/report*.cpp.

#include <map>
#include <string>
#include <vector>

#include "io/html_escape.hpp"
#include "reports/html_format.hpp"
#include "reports/report.hpp"
#include "reports/report_words.hpp"

namespace sipas::reports::page {

using Domain = std::vector<std::pair<std::string, std::string>>;

// One unit of the ranking.
struct RankedUnit {
  std::string level;  // the domain level (the unit's code in the data)
  std::string label;  // its name when the PAR index file gives one
  const ResultEstimate* overall = nullptr;
  int rank = 0;  // 0: not ranked (no estimate)
};

class Page {
 public:
  Page(const ReportInputs& inputs, const ReportOptions& options);

  const ReportInputs& in;
  const ReportOptions& options;
  const Language language;
  const ReportWords& w;
  std::string level_text;                // "95" for a 95% level
  std::string unit_column;               // empty: no unit domains
  std::vector<std::string> element_ids;  // element_index variables, in results order
  std::vector<std::string> group_ids;
  std::vector<RankedUnit> units;  // best first

  // The estimate of `statistic` for `variable` in `domain`, or nullptr.
  const ResultEstimate* find(const std::string& statistic, const std::string& variable,
                             const Domain& domain = {}) const;
  const ResultEstimate* overall(const Domain& domain = {}) const;

  std::string element_label(const std::string& id) const;
  std::string group_label(const std::string& id) const;
  std::string item_label(const std::string& id) const;
  std::string unit_label(const std::string& level) const;
  // A questionnaire text in the report's language (else its first language).
  std::string text(const questionnaires::Text& t) const;

  // Numbers as printed.
  std::string index(double x) const { return format_number(x, index_decimals, language); }
  std::string interval(const ResultEstimate& e) const {
    return format_interval(e.ci_low, e.ci_high, index_decimals, language);
  }
  std::string count(double x) const { return format_count(x, language); }
  // An estimate as the publishing rule lets it be printed: the suppressed
  // mark in place of a suppressed value, the caution mark after a value to
  // use with caution.
  std::string shown(const ResultEstimate* e) const {
    if (!e) return missing_value_text;
    if (e->suppressed()) return std::string(w.suppressed_mark);
    std::string text = index(e->estimate);
    if (e->caution()) text += " " + std::string(w.caution_mark);
    return text;
  }
  // What a chart draws of an estimate: nothing when it is suppressed.
  static double charted(const ResultEstimate* e) {
    return e && !e->suppressed() ? e->estimate : absent;
  }
  std::string ci_short() const { return fill(w.ci_short, {level_text}); }

 private:
  std::map<std::pair<std::string, std::string>, std::vector<const ResultEstimate*>> by_key_;
  std::map<std::string, std::string> unit_names_;
};

// A section: <section id=...><h2>title</h2>body</section>.
std::string section(const std::string& id, std::string_view title, const std::string& body);
// <p class="note">text</p>, escaped.
std::string note(std::string_view text);
// A table inside a horizontally scrolling wrapper; `header` and `rows` are
// HTML, the first cell of a row its header. `columns` gives each column's
// classes: "num" (right-aligned figures), "opt" (left out on a phone),
// "name" (not wrapped), "flags" (wide enough for notes).
std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& columns, const std::string& css_class = "");
// A chart's data table folded under "show the numbers".
std::string details(std::string_view summary, const std::string& content);

// The methods' facts: a <dl> of terms (escaped here) and values (HTML).
class Facts {
 public:
  void add(std::string_view term, const std::string& value_html) {
    html_ += "<div><dt>";
    io::append_html(html_, term);
    html_ += "</dt><dd>" + value_html + "</dd></div>";
  }
  bool empty() const { return html_.empty(); }
  std::string take() { return "<dl class=\"methods\">" + html_ + "</dl>"; }

 private:
  std::string html_;
};

std::string headline_section(const Page& p);
std::string elements_section(const Page& p);
std::string ranking_section(const Page& p);
std::string profiles_section(const Page& p);
std::string rates_section(const Page& p);
std::string answers_section(const Page& p);
std::string par_section(const Page& p);
std::string methods_section(const Page& p);
// "raking" -> the method in the report's words (unknown methods as they are).
std::string calibration_method_text(const Page& p, const std::string& method);
// From the sample's design record (inputs.sample_design), "" without it:
// the frame, the strata, the selection (one line, or one item per stage),
// the sample's size, the seed and the generator, and the strata table.
std::string sample_design_methods(const Page& p);
// From weights.json (inputs.weights), "" without it: the AAPOR response
// rates by stratum, the weighting steps with their spreads, the classes and
// their collapsing, the calibration and the replicates.
std::string weighting_methods(const Page& p);
// How the variance takes the nonresponse adjustment in (HTML), "" when
// neither results.json's design.nonresponse nor replicates adjusted again
// (weights.json) say so.
std::string nonresponse_variance(const Page& p);
// From compare.json (inputs.compare), "" without it: each unit against the
// province (or the pairs) and against last year, with the marks of
// significance and how last year's figure was found.
std::string comparisons_section(const Page& p);
// From the small-area estimates (inputs.small_area), "" without them: the
// direct estimate beside the EBLUP, γ, rank and rank interval, by rank.
std::string small_areas_section(const Page& p);
// The comparisons' tests and adjustment, the small-area model, its fit, the
// residual check, the MSE and the rank intervals; "" without either input.
std::string comparisons_methods(const Page& p);
// The scales' quality (results.json "scales"), "" when there are none.
std::string scales_table(const Page& p);
std::string_view report_css();

}  // namespace sipas::reports::page
