// "Sample selection" in the methods section, from the design record of
// `sipas sample` (sample.design.json): the frame, the strata, how the single
// stage or each stage selected (sampling/README.md, "Selection" and
// "Designs"), the sample's size, the seed and the generator, and a table of
// the strata. Everything from the file is escaped; the pps rule and the
// generator are the file's English text, shown as they are.

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "reports/report_page.hpp"

namespace sipas::reports::page {
namespace {

// The strata table shows this many rows, then a note of the rest and their
// range: a national frame has ~700 districts.
constexpr std::size_t max_strata_rows = 40;

// `pattern` (the report's words, escaped here) with "{1}", "{2}", ...
// replaced by `html` as it is.
std::string fill_html(std::string_view pattern, std::initializer_list<std::string> html) {
  std::string out;
  std::size_t literal = 0;
  for (std::size_t i = 0; i + 2 < pattern.size(); ++i) {
    if (pattern[i] != '{' || pattern[i + 2] != '}' || pattern[i + 1] < '1' || pattern[i + 1] > '9')
      continue;
    const auto k = static_cast<std::size_t>(pattern[i + 1] - '1');
    if (k >= html.size()) continue;
    io::append_html(out, pattern.substr(literal, i - literal));
    out += *(html.begin() + k);
    i += 2;
    literal = i + 1;
  }
  io::append_html(out, pattern.substr(literal));
  return out;
}

std::string code(const std::string& text) {
  return "<code>" + io::escape_html(text) + "</code>";
}

std::string words(std::string_view text) {
  return io::escape_html(std::string(text));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts)
    out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

class SampleDesignPage {
 public:
  explicit SampleDesignPage(const Page& p)
      : p_(p), w_(sampling_words(p.language)), d_(*p.in.sample_design) {}

  std::string render() const {
    std::string body = "<h3>" + words(w_.sample_selection) + "</h3>";
    Facts facts;
    facts.add(w_.frame, fill_html(w_.frame_text, {code(d_.frame_file), count(d_.frame_rows)}) +
                            " <span class=\"hash\">SHA-256 " + io::escape_html(d_.frame_sha256) +
                            "</span>");
    facts.add(w_.strata, strata_text());
    facts.add(w_.selection, d_.multi_stage() ? stages_list()
                                             : "<span class=\"sample-selection\">" +
                                                   single_stage_line() + "</span>");
    if (const std::string rule = pps_rule(); !rule.empty())
      facts.add(w_.pps_rule, io::escape_html(rule));
    facts.add(w_.sample_size, "<span class=\"sample-size\">" +
                                  fill_html(w_.sample_text, {count(d_.main), count(d_.reserve)}) +
                                  "</span>");
    facts.add(w_.seed, "<span class=\"seed\">" +
                           fill_html(d_.seed_given ? w_.seed_given : w_.seed_drawn,
                                     {code(std::to_string(d_.seed))}) +
                           "</span>");
    facts.add(w_.generator, io::escape_html(d_.generator));
    if (!d_.command.empty())
      facts.add(w_.command,
                "<code class=\"sample-command\">" + io::escape_html(d_.command) + "</code>");
    return body + facts.take() + strata_table();
  }

 private:
  std::string count(std::int64_t n) const {
    return io::escape_html(p_.count(static_cast<double>(n)));
  }

  // "20" or "20–60".
  std::string range(std::int64_t low, std::int64_t high) const {
    return low == high ? count(low) : count(low) + "–" + count(high);
  }

  std::string_view method_words(const std::string& method) const {
    if (method == "srs") return w_.srs;
    if (method == "systematic") return w_.systematic;
    if (method == "pps") return w_.pps;
    return w_.pps_systematic;  // the parser allows no other
  }

  // The units of a stage in words when the column has a name the report
  // knows, else the column itself.
  std::string unit(const std::string& column, bool many) const {
    const UnitNoun* noun = nullptr;
    if (column == "rows") noun = &w_.people;
    if (column == "province") noun = &w_.province;
    if (column == "district") noun = &w_.district;
    if (column == "commune") noun = &w_.commune;
    if (column == "village") noun = &w_.village;
    if (!noun) return code(column);
    return words(many ? noun->many : noun->one);
  }

  // Which πps algorithm drew the selections; `where` names what a selection
  // was drawn in (strata, or the stage before's units).
  std::string algorithms(const std::map<std::string, std::int64_t>& counts,
                         const std::string& stratum_or_unit) const {
    auto get = [&](const char* name) {
      auto it = counts.find(name);
      return it == counts.end() ? std::int64_t{0} : it->second;
    };
    const std::int64_t sampford = get("sampford"), max_entropy = get("maximum-entropy");
    if (sampford > 0 && max_entropy > 0) {
      const std::string where =
          stratum_or_unit.empty() ? words(sampford == 1 ? w_.strata_noun.one : w_.strata_noun.many)
                                  : unit(stratum_or_unit, sampford != 1);
      return fill_html(w_.pps_mixed, {count(sampford), where, count(max_entropy)});
    }
    if (sampford > 0) return words(w_.sampford);
    if (max_entropy > 0) return words(w_.max_entropy);
    return "";
  }

  std::string strata_text() const {
    if (d_.strata_columns.empty()) return fill_html(w_.no_strata, {count(d_.frame_rows)});
    std::vector<std::string> columns;
    for (const auto& c : d_.strata_columns)
      columns.push_back(code(c));
    return fill_html(w_.strata_text,
                     {join(columns, ", "), count(static_cast<std::int64_t>(d_.strata.size())),
                      count(d_.population())});
  }

  std::string allocation() const {
    const SampleAllocation& a = *d_.allocation;
    const std::string total = count(a.total);
    if (a.method == "given") {
      std::int64_t n = 0;
      for (const auto& s : d_.strata)
        n += s.n;
      return fill_html(w_.alloc_given, {code(a.file), count(n)});
    }
    if (a.method == "power") {
      // q as written: 0.5, not 0.50.
      int decimals = 0;
      while (decimals < 6 && std::abs(a.power_q * std::pow(10.0, decimals) -
                                      std::round(a.power_q * std::pow(10.0, decimals))) > 1e-9)
        ++decimals;
      return fill_html(w_.alloc_power,
                       {total, io::escape_html(format_number(a.power_q, decimals, p_.language))});
    }
    if (a.method == "equal") return fill_html(w_.alloc_equal, {total});
    if (a.method == "neyman") return fill_html(w_.alloc_neyman, {total});
    if (a.method == "optimal") return fill_html(w_.alloc_optimal, {total});
    return fill_html(w_.alloc_proportional, {total});
  }

  // The method within each stratum; the allocation; n and the reserves per
  // stratum.
  std::string single_stage_line() const {
    const bool stratified = !d_.strata_columns.empty();
    std::string method = words(method_words(d_.method));
    if (stratified) method = fill_html(w_.within_strata, {method});
    if (d_.method == "pps") method += " (" + algorithms(d_.pps_algorithms, "") + ")";
    if (!d_.sort_column.empty()) method += ", " + fill_html(w_.sorted_by, {code(d_.sort_column)});
    if (!d_.size_column.empty()) method += ", " + fill_html(w_.size_by, {code(d_.size_column)});
    std::vector<std::string> parts = {method, allocation()};
    auto [n_low, n_high] = std::minmax_element(
        d_.strata.begin(), d_.strata.end(), [](const auto& a, const auto& b) { return a.n < b.n; });
    if (stratified) parts.push_back(fill_html(w_.per_stratum, {range(n_low->n, n_high->n)}));
    auto [r_low, r_high] =
        std::minmax_element(d_.strata.begin(), d_.strata.end(),
                            [](const auto& a, const auto& b) { return a.reserve < b.reserve; });
    if (r_high->reserve == 0) {
      parts.push_back(words(w_.no_reserves));
    } else {
      parts.push_back(fill_html(w_.reserves_per_stratum, {range(r_low->reserve, r_high->reserve)}));
    }
    return join(parts, "; ");
  }

  std::string certainty(const SampleStage& s) const {
    std::vector<std::string> values;
    for (const auto& v : s.certainty_values)
      values.push_back(code(v));
    const std::string rule = code(s.certainty_column) + " = " + join(values, words(w_.or_word));
    return fill_html(w_.certain, {rule, count(s.certain)});
  }

  std::string stage_item(std::size_t k) const {
    const SampleStage& s = d_.stages[k];
    // Stage 1 selects within each stratum; a later one within each unit
    // the stage before selected.
    const std::string parent = k == 0 ? std::string() : d_.stages[k - 1].unit;
    std::vector<std::string> parts = {unit(s.unit, true)};
    std::string method = words(method_words(s.method));
    if (s.method == "pps") {
      if (const std::string used = algorithms(s.pps_algorithms, parent); !used.empty())
        method += " (" + used + ")";
    }
    parts.push_back(method);
    if (!s.rows() && (s.method == "pps" || s.method == "pps-systematic")) {
      parts.push_back(
          fill_html(w_.size_by, {s.size == "rows" ? words(w_.size_rows) : code(s.size)}));
    }
    const std::string n = count(s.n);
    parts.push_back(k == 0 ? fill_html(w_.per_stratum, {n})
                           : fill_html(w_.per_unit, {n, unit(parent, false)}));
    if (s.reserve > 0) {
      parts.push_back(
          k == 0 ? fill_html(w_.reserves_per_stratum, {count(s.reserve)})
                 : fill_html(w_.reserves_per_unit, {count(s.reserve), unit(parent, false)}));
    }
    if (!s.certainty_column.empty()) parts.push_back(certainty(s));
    return "<li>" + fill_html(w_.stage_item, {count(s.stage), join(parts, ", ")}) + "</li>";
  }

  std::string stages_list() const {
    std::string out = "<ol class=\"sample-stages\">";
    for (std::size_t k = 0; k < d_.stages.size(); ++k)
      out += stage_item(k);
    return out + "</ol>";
  }

  // The rule by which pps chose its algorithm, once (every pps stage records
  // the same text).
  std::string pps_rule() const {
    if (!d_.pps_rule.empty()) return d_.pps_rule;
    for (const auto& s : d_.stages) {
      if (!s.pps_rule.empty()) return s.pps_rule;
    }
    return "";
  }

  // Per stratum: the population and the sample (single stage), or each
  // clustering stage's selected and all units.
  std::string strata_table() const {
    if (d_.strata_columns.empty()) return "";
    std::vector<std::string> header = {words(p_.w.stratum), words(w_.population)};
    std::vector<std::string> columns = {"name", "num"};
    std::vector<const SampleStage*> clustering;
    if (!d_.multi_stage()) {
      header.insert(header.end(), {words(w_.main), words(w_.reserves)});
      columns.insert(columns.end(), {"num", "num"});
    }
    for (const auto& s : d_.stages) {
      if (s.rows()) continue;
      clustering.push_back(&s);
      header.push_back(fill_html(w_.stage_units, {unit(s.unit, true)}));
      columns.push_back("num");
    }
    // Each stage's counts by stratum.
    std::vector<std::map<std::string, const SampleStageUnits*>> by_stratum(clustering.size());
    for (std::size_t c = 0; c < clustering.size(); ++c) {
      for (const auto& u : clustering[c]->units)
        by_stratum[c][u.stratum] = &u;
    }
    std::vector<std::vector<std::string>> rows;
    std::int64_t population = 0, main_rows = 0, reserve_rows = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> totals(clustering.size());
    for (std::size_t h = 0; h < d_.strata.size(); ++h) {
      const SampleStratum& s = d_.strata[h];
      population += s.population;
      main_rows += s.n;
      reserve_rows += s.reserve;
      std::vector<std::string> row = {io::escape_html(s.stratum), count(s.population)};
      if (!d_.multi_stage()) row.insert(row.end(), {count(s.n), count(s.reserve)});
      for (std::size_t c = 0; c < clustering.size(); ++c) {
        auto it = by_stratum[c].find(s.stratum);
        if (it == by_stratum[c].end()) {
          row.emplace_back(missing_value_text);
          continue;
        }
        totals[c].first += it->second->selected;
        totals[c].second += it->second->units;
        row.push_back(count(it->second->selected) + " / " + count(it->second->units));
      }
      if (h < max_strata_rows) rows.push_back(row);
    }
    std::vector<std::string> total = {words(p_.w.total), count(population)};
    if (!d_.multi_stage()) total.insert(total.end(), {count(main_rows), count(reserve_rows)});
    for (const auto& [selected, all] : totals)
      total.push_back(count(selected) + " / " + count(all));
    rows.push_back(total);
    std::string out = table(header, rows, columns, "sample-strata-table");
    if (d_.strata.size() > max_strata_rows) {
      auto [low, high] = std::minmax_element(
          d_.strata.begin(), d_.strata.end(),
          [](const auto& a, const auto& b) { return a.population < b.population; });
      out += "<p class=\"note\">" +
             fill_html(w_.strata_more,
                       {count(static_cast<std::int64_t>(d_.strata.size() - max_strata_rows)),
                        count(low->population), count(high->population)}) +
             "</p>";
    }
    return out;
  }

  const Page& p_;
  const SamplingWords& w_;
  const SampleDesignSummary& d_;
};

}  // namespace

std::string sample_design_methods(const Page& p) {
  if (!p.in.sample_design) return "";
  return SampleDesignPage(p).render();
}

}  // namespace sipas::reports::page
