// The response rates and the weighting steps in the methods section, from
// weights.json (`sipas weights`), and how the variance took the nonresponse
// adjustment in, from results.json's design. Formulas: analysis/README.md,
// "Nonresponse adjustment".

#include <cmath>

#include "reports/report_page.hpp"

namespace sipas::reports::page {
namespace {

constexpr int rate_decimals = 1;
constexpr int weight_decimals = 3;  // as the calibration's weight range

std::string words(std::string_view text) {
  return io::escape_html(std::string(text));
}

std::string rate(const Page& p, double share) {
  return io::escape_html(
      format_percent(std::isfinite(share) ? share * 100 : absent, rate_decimals, p.language));
}

std::string count(const Page& p, std::int64_t n) {
  return io::escape_html(p.count(static_cast<double>(n)));
}

// The rule's factor limit as the user wrote it: 2, or 1.5.
std::string factor(const Page& p, double x) {
  return format_number(x, x == std::round(x) ? 0 : 2, p.language);
}

std::vector<std::string> rate_row(const Page& p, const std::string& label,
                                  const ResponseRateRow& r) {
  return {io::escape_html(label), count(p, r.respondents), count(p, r.nonrespondents),
          count(p, r.ineligible), count(p, r.unknown),     rate(p, r.e),
          rate(p, r.rr1),         rate(p, r.rr3)};
}

std::string rates_table(const Page& p, const WeightsSummary& weights) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : weights.strata)
    rows.push_back(rate_row(p, s.stratum, s));
  rows.push_back(rate_row(p, std::string(p.w.total), weights.overall));
  const auto& w = p.w;
  return "<h3>" + words(w.aapor_rates) + "</h3>" +
         table({words(w.stratum), words(w.aapor_respondents), words(w.aapor_nonrespondents),
                words(w.aapor_ineligible), words(w.aapor_unknown), "e", "RR1", "RR3"},
               rows, {"name", "num", "num", "num opt", "num opt", "num opt", "num", "num"},
               "aapor-table") +
         note(w.aapor_note);
}

std::string_view step_description(const Page& p, const std::string& column) {
  if (column == "w_design") return p.w.step_design;
  if (column == "w_eligible") return p.w.step_eligible;
  if (column == "w_nonresponse") return p.w.step_nonresponse;
  if (column == "w_calibrated") return p.w.step_calibrated;
  return "";
}

std::string steps_table(const Page& p, const WeightsSummary& weights) {
  auto number = [&](double x) {
    return io::escape_html(format_number(x, weight_decimals, p.language));
  };
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : weights.steps) {
    rows.push_back({"<code>" + io::escape_html(s.column) + "</code>",
                    words(step_description(p, s.column)), count(p, s.n), number(s.min),
                    number(s.max), number(s.cv), number(s.deff_kish)});
  }
  const auto& w = p.w;
  return "<h3>" + words(w.weighting_steps) + "</h3>" +
         table({words(w.step), words(w.step_description), "n", words(w.weight_min),
                words(w.weight_max), "CV", "1 + CV²"},
               rows, {"name", "", "num opt", "num", "num", "num", "num"}, "weighting-steps-table") +
         note(w.steps_note);
}

std::string collapses(const Page& p, const WeightsSummary& weights) {
  if (weights.collapsed.empty()) return words(p.w.none);
  // The reason is the file's English text, shown as it is: it is data.
  std::string out = "<ul class=\"collapses\">";
  for (const auto& c : weights.collapsed)
    out += "<li>" + io::escape_html(fill(p.w.collapse_item, {c.label, c.into, c.reason})) + "</li>";
  return out + "</ul>";
}

std::string classes_facts(const Page& p, const WeightsSummary& weights) {
  std::string columns;
  for (const auto& c : weights.class_columns)
    columns += (columns.empty() ? "" : ", ") + c;
  Facts facts;
  facts.add(p.w.weighting_classes,
            "<span class=\"weighting-classes\">" +
                io::escape_html(fill(p.w.classes_on,
                                     {p.count(static_cast<double>(weights.classes)), columns})) +
                "</span>");
  if (std::isfinite(weights.min_respondents)) {
    const std::string least = p.count(weights.min_respondents);
    facts.add(p.w.class_rule, io::escape_html(std::isfinite(weights.max_factor)
                                                  ? fill(p.w.class_rule_text,
                                                         {least, factor(p, weights.max_factor)})
                                                  : fill(p.w.class_rule_no_factor, {least})));
  }
  facts.add(p.w.classes_collapsed, collapses(p, weights));
  facts.add(p.w.weights_calibration,
            io::escape_html(weights.calibration_method.empty()
                                ? std::string(p.w.no_calibration)
                                : calibration_method_text(p, weights.calibration_method)));
  if (weights.replicates) {
    facts.add(p.w.weights_replicates,
              io::escape_html(fill(p.w.replicates_count, {weights.replicates->type,
                                                          p.count(weights.replicates->count)})));
  }
  return facts.take();
}

}  // namespace

std::string weighting_methods(const Page& p) {
  if (!p.in.weights) return "";
  const WeightsSummary& weights = *p.in.weights;
  std::string out;
  if (weights.has_rates) out += rates_table(p, weights);
  return out + steps_table(p, weights) + classes_facts(p, weights);
}

std::string nonresponse_variance(const Page& p) {
  const DesignSummary& d = p.in.results.design;
  if (d.nonresponse) {
    // The analysis read the weights with their classes: the linearized
    // variance treats the adjustment as a calibration step.
    const NonresponseDesignSummary& n = *d.nonresponse;
    std::string out =
        "<span class=\"variance-nonresponse\">" +
        io::escape_html(fill(p.w.variance_nonresponse,
                             {n.calibrated ? std::string(p.w.then_calibration) : std::string()})) +
        "</span>";
    if (!n.weights_file.empty()) {
      out += " " + io::escape_html(fill(p.w.weights_file_detail,
                                        {n.weights_file, n.class_column, p.count(n.classes)}));
      if (!n.sha256.empty())
        out += " <span class=\"hash\">SHA-256 " + io::escape_html(n.sha256) + "</span>";
    }
    return out;
  }
  if (d.kind == "replicate" && p.in.weights && p.in.weights->replicates) {
    const bool calibrated = !p.in.weights->calibration_method.empty();
    return "<span class=\"variance-nonresponse\">" +
           io::escape_html(
               fill(p.w.variance_replicates_adjusted,
                    {calibrated ? std::string(p.w.replicate_calibration) : std::string()})) +
           "</span>";
  }
  return "";
}

}  // namespace sipas::reports::page
