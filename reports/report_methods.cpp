// The methods section: the design, weights, calibration, variance method,
// degrees of freedom, sample sizes, intervals and the input files, all read
// from the results file's "design" block; with the sample's design record,
// how the sample was drawn (report_sample_design.cpp); with weights.json, the
// response rates and the weighting steps (report_weighting.cpp).

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "reports/report_page.hpp"

namespace sipas::reports::page {
namespace {

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& part : parts)
    out += (out.empty() ? "" : separator) + part;
  return out;
}

// A small positive number such as a margin error, in scientific notation.
std::string scientific(double x, Language language) {
  if (!std::isfinite(x)) return missing_value_text;
  if (x == 0) return "0";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1e", x);
  std::string text = buffer;
  if (language == Language::Vi) {
    for (char& c : text) {
      if (c == '.') c = ',';
    }
  }
  return text;
}

std::string ci_method(const Page& p, const std::string& method) {
  if (method == "wald") return std::string(p.w.ci_wald);
  if (method == "logit") return std::string(p.w.ci_logit);
  if (method == "xlogit") return std::string(p.w.ci_xlogit);
  if (method == "beta") return std::string(p.w.ci_beta);
  if (method == "woodruff") return std::string(p.w.ci_woodruff);
  return method;
}

std::string role_name(const Page& p, const std::string& role) {
  if (role == "data") return std::string(p.w.role_data);
  if (role == "questionnaire") return std::string(p.w.role_questionnaire);
  if (role == "scheme") return std::string(p.w.role_scheme);
  return role;
}

}  // namespace

std::string calibration_method_text(const Page& p, const std::string& method) {
  if (method == "poststratify") return std::string(p.w.cal_poststratify);
  if (method == "raking") return std::string(p.w.cal_raking);
  if (method == "linear") return std::string(p.w.cal_linear);
  return method;
}

std::string methods_section(const Page& p) {
  const DesignSummary& d = p.in.results.design;
  const Language lang = p.language;
  auto none = io::escape_html(std::string(p.w.none));
  std::string body = "<h3>" + io::escape_html(std::string(p.w.design)) + "</h3>";
  Facts design;
  design.add(p.w.strata,
             d.strata.empty() ? none : "<code>" + io::escape_html(d.strata) + "</code>");
  std::vector<std::string> psu;
  for (const auto& c : d.psu)
    psu.push_back("<code>" + io::escape_html(c) + "</code>");
  design.add(p.w.psu, psu.empty() ? none : join(psu, " → "));
  design.add(p.w.weights, d.weights.empty() ? io::escape_html(std::string(p.w.equal_weights))
                                            : "<code>" + io::escape_html(d.weights) + "</code>");
  std::vector<std::string> fpc;
  for (const auto& c : d.fpc)
    fpc.push_back("<code>" + io::escape_html(c) + "</code>");
  design.add(p.w.fpc, fpc.empty() ? none : join(fpc, ", "));
  if (!d.lonely_psu.empty())
    design.add(p.w.lonely_psu, "<code>" + io::escape_html(d.lonely_psu) + "</code>");
  body += design.take();
  body += sample_design_methods(p);
  body += weighting_methods(p);

  body += "<h3>" + io::escape_html(std::string(p.w.calibration)) + "</h3>";
  Facts cal;
  if (d.calibration) {
    const CalibrationSummary& c = *d.calibration;
    cal.add(p.w.calibration, "<span class=\"calibration-method\">" +
                                 io::escape_html(calibration_method_text(p, c.method)) + "</span>");
    cal.add(p.w.iterations, io::escape_html(p.count(c.iterations)));
    if (!c.margins_file.empty()) {
      cal.add(p.w.margins,
              "<code>" + io::escape_html(c.margins_file) + "</code>" +
                  (c.margins_sha256.empty() ? ""
                                            : " <span class=\"hash\">SHA-256 " +
                                                  io::escape_html(c.margins_sha256) + "</span>"));
    }
    cal.add(p.w.weight_range,
            io::escape_html(format_interval(c.weight_min, c.weight_max, 3, lang)));
    cal.add(p.w.g_range, io::escape_html(format_interval(c.g_min, c.g_max, 3, lang)));
    if (c.bounds) {
      cal.add(p.w.g_bounds,
              io::escape_html(format_interval(c.bounds->first, c.bounds->second, 2, lang)));
    }
    cal.add(p.w.max_margin_error, io::escape_html(scientific(c.max_margin_error, lang)));
  } else {
    cal.add(p.w.calibration, io::escape_html(std::string(p.w.no_calibration)));
  }
  body += cal.take();

  body += "<h3>" + io::escape_html(std::string(p.w.variance)) + "</h3>";
  Facts variance;
  std::string method;
  if (d.replicates) {
    method = fill(p.w.variance_replicate, {d.replicates->type, p.count(d.replicates->replicates)});
    if (d.replicates->mse) method += "; " + std::string(p.w.mse);
  } else {
    method = p.w.variance_linearization;
  }
  variance.add(p.w.variance,
               "<span class=\"variance-method\">" + io::escape_html(method) + "</span>");
  if (const std::string nonresponse = nonresponse_variance(p); !nonresponse.empty())
    variance.add(p.w.nonresponse_in_variance, nonresponse);
  variance.add(p.w.df, "<span class=\"df\">" + io::escape_html(p.count(d.df)) + "</span>");
  std::vector<std::string> methods;
  for (const auto& e : p.in.results.estimates) {
    if (e.statistic.find("index") == std::string::npos || e.ci_method.empty()) continue;
    const std::string text = ci_method(p, e.ci_method);
    if (std::find(methods.begin(), methods.end(), text) == methods.end()) methods.push_back(text);
  }
  variance.add(p.w.ci_methods,
               io::escape_html((methods.empty() ? std::string() : join(methods, "; ") + ", ") +
                               fill(p.w.ci_level, {p.level_text})));
  body += variance.take() + note(p.w.index_definition);

  body += "<h3>" + io::escape_html(std::string(p.w.sample_sizes)) + "</h3>";
  Facts sizes;
  sizes.add(p.w.rows, "<span class=\"rows\">" + io::escape_html(p.count(d.rows)) + "</span>");
  sizes.add(p.w.weight_sum, io::escape_html(format_number(d.weight_sum, 1, lang)));
  if (const ResultEstimate* overall = p.overall()) {
    sizes.add(p.w.overall_n, io::escape_html(p.count(overall->n)));
    sizes.add(p.w.weighted_n, io::escape_html(format_number(overall->weighted_n, 1, lang)));
  }
  body += sizes.take();
  body += scales_table(p);

  if (d.publishing_rule) {
    const PublishingRuleSummary& rule = *d.publishing_rule;
    body += "<h3>" + io::escape_html(std::string(p.w.publishing_rule)) + "</h3>";
    Facts facts;
    std::size_t ok = 0, caution = 0, suppressed = 0;
    for (const auto& e : p.in.results.estimates) {
      ok += e.flag == "ok" ? 1 : 0;
      caution += e.caution() ? 1 : 0;
      suppressed += e.suppressed() ? 1 : 0;
    }
    const std::string thresholds = fill(
        p.w.rule_thresholds, {p.count(rule.min_n), format_number(100 * rule.caution_cv, 1, lang),
                              format_number(100 * rule.suppress_cv, 1, lang)});
    const std::string counts = fill(
        p.w.rule_counts, {std::to_string(ok), std::to_string(caution), std::to_string(suppressed)});
    facts.add(p.w.publishing_rule, "<code class=\"rule-name\">" + io::escape_html(rule.name) +
                                       "</code>: " + io::escape_html(thresholds) +
                                       ". <span class=\"rule-counts\">" + io::escape_html(counts) +
                                       "</span>");
    const std::string& source = lang == Language::Vi ? rule.source.vi : rule.source.en;
    if (!source.empty()) facts.add(p.w.rule_source, io::escape_html(source));
    body += facts.take() + note(p.w.flag_legend);
    if (rule.example) body += note(p.w.rule_example);
  }

  body += comparisons_methods(p);

  if (!d.inputs.empty()) {
    body += "<h3>" + io::escape_html(std::string(p.w.inputs)) + "</h3>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& input : d.inputs) {
      std::string file = "<code>" + io::escape_html(input.file) + "</code>";
      if (!input.id.empty()) {
        file += " (" + io::escape_html(input.id) +
                (input.version.empty() ? "" : " " + io::escape_html(input.version)) + ")";
      }
      rows.push_back({io::escape_html(role_name(p, input.role)), file,
                      "<span class=\"hash\">" + io::escape_html(input.sha256) + "</span>"});
    }
    body += table({"", io::escape_html(std::string(p.w.file)), "SHA-256"}, rows, {"name", "", ""},
                  "inputs-table");
  }
  if (!d.command.empty()) {
    body += "<h3>" + io::escape_html(std::string(p.w.command)) +
            "</h3><pre class=\"command\"><code>" + io::escape_html(d.command) + "</code></pre>";
  }
  return section("methods", p.w.sec_methods, body);
}

}  // namespace sipas::reports::page
