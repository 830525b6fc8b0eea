// weights.csv, the weights report and the printed summary of `sipas weights`.

#include "analysis/nonresponse_output.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "analysis/error.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/number_text.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;
using Index = Eigen::Index;

Json number_or_null(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

std::string fixed(double x, int decimals) {
  if (!std::isfinite(x)) return x > 0 ? "inf" : "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

std::string padded(const std::string& text, std::size_t width, bool right) {
  if (text.size() >= width) return text;
  const std::string pad(width - text.size(), ' ');
  return right ? pad + text : text + pad;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string calibration_method(CalibrationOptions::Method method) {
  switch (method) {
    case CalibrationOptions::PostStratify:
      return "poststratify";
    case CalibrationOptions::Raking:
      return "raking";
    case CalibrationOptions::Linear:
      break;
  }
  return "linear";
}

std::string rule_text(const NonresponseOptions& o) {
  std::string text = "at least " + std::to_string(o.min_respondents) + " respondents";
  if (std::isfinite(o.max_factor))
    text += " and a factor of at most " + io::shortest_decimal(o.max_factor);
  return text;
}

// AAPOR's outcome rates from unweighted counts (Standard Definitions, 10th
// edition, 2023): I respondents, N eligible nonrespondents, X ineligible, U
// unknown eligibility. Each rate is NaN where its denominator is 0.
struct DispositionCounts {
  std::size_t i = 0, n = 0, x = 0, u = 0;

  void add(Disposition d) {
    switch (d) {
      case Disposition::Respondent:
        ++i;
        break;
      case Disposition::Nonrespondent:
        ++n;
        break;
      case Disposition::Ineligible:
        ++x;
        break;
      case Disposition::Unknown:
        ++u;
        break;
    }
  }
  static double ratio(std::size_t num, double den) {
    return den > 0 ? static_cast<double>(num) / den : std::numeric_limits<double>::quiet_NaN();
  }
  // The eligible share among the cases whose eligibility is known.
  double e() const { return ratio(i + n, static_cast<double>(i + n + x)); }
  double rr1() const { return ratio(i, static_cast<double>(i + n + u)); }
  // The share e of the unknowns counted as eligible; no e, no RR3.
  double rr3() const {
    const double share = e();
    return std::isnan(share)
               ? share
               : ratio(i, static_cast<double>(i + n) + share * static_cast<double>(u));
  }
};

constexpr const char* rates_definition =
    "AAPOR Standard Definitions (10th edition, 2023), unweighted counts of the fielded cases (main "
    "units and activated reserves): I respondents, N eligible nonrespondents (refusals, "
    "non-contacts, others), X ineligible, U unknown eligibility; e = (I + N) / (I + N + X), the "
    "eligible share among cases of known eligibility; RR1 = I / (I + N + U), every unknown "
    "counted as eligible; RR3 = I / (I + N + e U), the share e of the unknowns counted as "
    "eligible; null where a denominator is 0";

Json rates_json(const DispositionCounts& c) {
  return {{"respondents", c.i},
          {"nonrespondents", c.n},
          {"ineligible", c.x},
          {"unknown", c.u},
          {"e", number_or_null(c.e())},
          {"rr1", number_or_null(c.rr1())},
          {"rr3", number_or_null(c.rr3())}};
}

DispositionCounts overall_counts(const FieldworkSample& sample) {
  DispositionCounts all;
  for (auto d : sample.disposition)
    all.add(d);
  return all;
}

// By stratum in order of first appearance in the file, then overall.
Json response_rates(const FieldworkSample& sample) {
  const Column& stratum = sample.data.column(sample.columns.stratum);
  std::vector<std::string> order;
  std::map<std::string, DispositionCounts> counts;
  for (std::size_t row = 0; row < sample.disposition.size(); ++row) {
    const std::string s = stratum.text(row);
    if (!counts.count(s)) order.push_back(s);
    counts[s].add(sample.disposition[row]);
  }
  Json by_stratum = Json::array();
  for (const auto& s : order) {
    Json row = {{"stratum", s}};
    row.update(rates_json(counts[s]));
    by_stratum.push_back(row);
  }
  return {{"by_stratum", by_stratum},
          {"overall", rates_json(overall_counts(sample))},
          {"definitions", rates_definition}};
}

}  // namespace

void write_weights_csv(const std::filesystem::path& path, const FieldworkSample& sample,
                       const WeightingResult& result, const WeightsCsvOptions& options) {
  const Table& data = sample.data;
  std::vector<const Column*> carried;
  for (const auto& name : options.carry) {
    if (!data.has(name)) {
      throw AnalysisError(
          "weights.missing_column",
          data.source() + ":1: no column '" + name +
              "' to carry (`carry`; columns: " + io::list_columns(data.file_columns()) + ")");
    }
    carried.push_back(&data.column(name));
  }
  const Column& id = data.column(sample.columns.id);
  std::vector<std::string> header = {"id"};
  for (const auto& name : result.step_names)
    header.push_back(name);
  header.push_back("weight");
  header.push_back("weighting_class");
  for (const auto& name : options.carry)
    header.push_back(name);
  const Index replicates = result.replicate_weights.cols();
  for (Index r = 0; r < replicates; ++r)
    header.push_back(options.replicate_prefix + std::to_string(r + 1));

  io::CsvWriterOptions csv;
  csv.neutralise_formulas = options.neutralise_formulas;
  io::CsvWriter writer(path, csv);
  std::vector<std::string_view> views(header.begin(), header.end());
  writer.write_row(views);
  std::vector<std::string> cells;
  for (std::size_t k = 0; k < result.respondents.size(); ++k) {
    const std::size_t row = result.respondents[k];
    const auto i = static_cast<Index>(k);
    cells.clear();
    cells.push_back(id.text(row));
    for (Index s = 0; s < result.steps.cols(); ++s)
      cells.push_back(io::shortest_decimal(result.steps(i, s)));
    cells.push_back(io::shortest_decimal(result.weight[i]));
    cells.push_back(result.classes[result.respondent_class[k]].label);
    for (const Column* c : carried)
      cells.push_back(c->text(row));
    for (Index r = 0; r < replicates; ++r)
      cells.push_back(io::shortest_decimal(result.replicate_weights(i, r)));
    views.assign(cells.begin(), cells.end());
    writer.write_row(views);
  }
  writer.commit();
}

Json weights_report(const FieldworkSample& sample, const WeightingResult& result,
                    const NonresponseOptions& options) {
  Json report;
  report["format"] = "sipas-weights/1";
  report["disposition_column"] = sample.columns.disposition;
  Json cases = {{"rows", sample.rows_read},
                {"fielded", sample.disposition.size()},
                {"reserves_not_activated", sample.reserves_left_out}};
  for (std::size_t d = 0; d < 4; ++d)
    cases[std::string(to_string(static_cast<Disposition>(d)))] = result.counts[d];
  report["cases"] = cases;
  Json substitutions = Json::array();
  for (const auto& s : sample.substitutions) {
    substitutions.push_back(
        {{"group", s.group}, {"main", s.main}, {"activated", s.activated}, {"factor", s.factor}});
  }
  report["substitutions"] = substitutions;
  report["response_rates"] = response_rates(sample);

  Json classes = Json::array();
  for (const auto& c : result.classes) {
    classes.push_back({{"label", c.label},
                       {"members", c.members},
                       {"respondents", c.respondents},
                       {"nonrespondents", c.nonrespondents},
                       {"ineligible", c.ineligible},
                       {"unknown", c.unknown},
                       {"sum_respondents", c.sum_respondents},
                       {"sum_nonrespondents", c.sum_nonrespondents},
                       {"sum_ineligible", c.sum_ineligible},
                       {"sum_unknown", c.sum_unknown},
                       {"eligibility_factor", c.eligibility_factor},
                       {"nonresponse_factor", number_or_null(c.nonresponse_factor)},
                       {"meets_rule", c.meets_rule}});
  }
  Json collapsed = Json::array();
  for (const auto& c : result.collapsed) {
    collapsed.push_back({{"class", c.label},
                         {"into", c.into},
                         {"respondents", c.respondents},
                         {"factor", number_or_null(c.factor)},
                         {"reason", c.reason}});
  }
  report["classes"] = {
      {"columns", result.class_columns},
      {"rule",
       {{"min_respondents", options.min_respondents},
        {"max_factor", number_or_null(options.max_factor)},
        {"collapse", options.collapse},
        {"text",
         "a class fails with no respondent, with fewer respondents than min_respondents or with a "
         "nonresponse factor (R + N) / R above max_factor; the failing class with the fewest "
         "respondents (the first in class order on a tie) joins the neighbouring class, previous "
         "or next in class order, whose weighted response rate R / (R + N) is closer to its own "
         "(on a tie or an undefined rate the one with fewer respondents, then the previous one), "
         "until every class passes or one is left"}}},
      {"final", classes},
      {"collapsed", collapsed}};

  Json steps = Json::array();
  for (const auto& s : result.spreads) {
    steps.push_back({{"column", s.column},
                     {"n", s.n},
                     {"sum", s.sum},
                     {"min", s.min},
                     {"max", s.max},
                     {"mean", s.mean},
                     {"cv", s.cv},
                     {"deff_kish", s.deff}});
  }
  report["steps"] = steps;
  report["final_column"] = result.step_names.back();
  if (result.calibration) {
    const auto& c = *result.calibration;
    Json cal = {{"method", calibration_method(options.calibration.method)},
                {"iterations", c.iterations},
                {"min_g", c.min_g},
                {"max_g", c.max_g},
                {"min_weight", c.min_weight},
                {"max_weight", c.max_weight},
                {"max_margin_error", c.max_margin_error}};
    if (options.calibration.bounds) {
      cal["bounds"] = {options.calibration.bounds->first, options.calibration.bounds->second};
    }
    report["calibration"] = cal;
  } else {
    report["calibration"] = nullptr;
  }
  if (options.replicates) {
    std::vector<double> rscales(result.rscales.data(),
                                result.rscales.data() + result.rscales.size());
    Json rep = {{"type", to_string(result.replicate_type)},
                {"reptype", reptype_option(result.replicate_type)},
                {"count", result.replicate_weights.cols()},
                {"scale", result.scale},
                {"rscales", rscales},
                {"readjusted", "eligibility, nonresponse classes (the full sample's)" +
                                   std::string(options.margins.empty() ? "" : ", calibration")}};
    if (options.replicates->kind == ReplicateRequest::Kind::Bootstrap)
      rep["seed"] = options.replicates->seed;
    report["replicates"] = rep;
  } else {
    report["replicates"] = nullptr;
  }
  return report;
}

std::string weights_summary(const FieldworkSample& sample, const WeightingResult& result,
                            const NonresponseOptions& options) {
  std::ostringstream out;
  const auto count = [&](Disposition d) { return result.counts[static_cast<std::size_t>(d)]; };
  out << count(Disposition::Respondent) << " respondents of " << sample.disposition.size()
      << " fielded cases (" << count(Disposition::Nonrespondent) << " nonrespondents, "
      << count(Disposition::Ineligible) << " ineligible, " << count(Disposition::Unknown)
      << " of unknown eligibility)";
  if (sample.reserves_left_out) {
    out << "; " << sample.reserves_left_out << " reserve"
        << (sample.reserves_left_out == 1 ? "" : "s") << " never activated, not in the sample";
  }
  out << "\n";
  const DispositionCounts all = overall_counts(sample);
  out << "AAPOR response rates: RR1 " << fixed(100 * all.rr1(), 2) << "%, RR3 "
      << fixed(100 * all.rr3(), 2) << "% (e = " << fixed(all.e(), 4)
      << ", the eligible share of known eligibility)\n";
  for (const auto& s : sample.substitutions) {
    out << "reserves: " << s.activated << " activated beside " << s.main << " main units in "
        << s.group << ": design weights x " << fixed(s.factor, 5) << " (m/(m+k))\n";
  }
  out << "classes (" << join(result.class_columns, ", ") << "): " << result.classes.size()
      << (result.collapsed.empty() ? "" : " after collapsing") << "; rule: " << rule_text(options)
      << (options.collapse ? "" : " (not collapsed: `collapse=false`)") << "\n";
  for (const auto& c : result.collapsed)
    out << "  collapsed " << c.label << " into " << c.into << ": " << c.reason << "\n";
  std::size_t width = 5;
  for (const auto& c : result.classes)
    width = std::max(width, c.label.size());
  out << "  " << padded("class", width, false) << "  resp  nonresp  inelig  unknown  eligibility"
      << "  nonresponse\n";
  for (const auto& c : result.classes) {
    out << "  " << padded(c.label, width, false) << padded(std::to_string(c.respondents), 6, true)
        << padded(std::to_string(c.nonrespondents), 9, true)
        << padded(std::to_string(c.ineligible), 8, true)
        << padded(std::to_string(c.unknown), 9, true)
        << padded(fixed(c.eligibility_factor, 4), 13, true)
        << padded(fixed(c.nonresponse_factor, 4), 13, true)
        << (c.meets_rule ? "" : "  (fails the rule)") << "\n";
  }
  out << "step over the respondents: min, max, CV, Kish's 1 + CV^2\n";
  for (const auto& s : result.spreads) {
    out << "  " << padded(s.column, 14, false) << padded(fixed(s.min, 4), 12, true)
        << padded(fixed(s.max, 4), 12, true) << padded(fixed(s.cv, 4), 9, true)
        << padded(fixed(s.deff, 4), 9, true) << "   sum " << fixed(s.sum, 2) << "\n";
  }
  if (result.calibration) {
    out << "calibration (" << calibration_method(options.calibration.method)
        << "): " << result.calibration->iterations << " iteration"
        << (result.calibration->iterations == 1 ? "" : "s") << ", g from "
        << fixed(result.calibration->min_g, 4) << " to " << fixed(result.calibration->max_g, 4)
        << "\n";
  }
  return out.str();
}

}  // namespace sipas::analysis
