#include "analysis/setup.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/error.hpp"
#include "analysis/replicate.hpp"
#include "io/sha256.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;

bool is_replicated(const AnalysisRequest& r) {
  return r.replicates || !r.repweights_prefix.empty();
}

// The design's columns as used: with --weights-file the weights are the
// file's (w_eligible for the steps re-done here; `weight` beside replicates).
DesignColumns design_columns(const AnalysisRequest& r) {
  DesignColumns columns = r.design;
  if (r.weights_file)
    columns.weights =
        is_replicated(r) ? (r.design.weights.empty() ? "weight" : r.design.weights) : "w_eligible";
  return columns;
}

}  // namespace

AnalysisPlan plan_analysis(const AnalysisRequest& r) {
  if (r.replicates && !r.repweights_prefix.empty()) {
    throw AnalysisError("analysis.conflicting_options",
                        "give `replicates` or `repweights_prefix`, not both");
  }
  if (r.rscales && r.repweights_prefix.empty()) {
    throw AnalysisError(
        "analysis.conflicting_options",
        "`rscales` goes with `repweights_prefix` (built replicates know their own)");
  }
  const bool replicated = is_replicated(r);
  const bool joined = r.weights_file.has_value();
  if (joined && r.replicates) {
    throw AnalysisError("analysis.unsupported",
                        "replicates built here would not adjust for nonresponse again: give sipas "
                        "weights `replicates`, then `repweights_prefix` with `weights_file`");
  }
  if (joined && !replicated && !r.design.weights.empty()) {
    throw AnalysisError("analysis.conflicting_options",
                        "`weights_file` gives the weights (w_eligible, then the weighting "
                        "classes and the calibration): leave out `design.weights`");
  }
  if (replicated && r.margins) {
    throw AnalysisError(
        "analysis.unsupported",
        "calibration with replicate weights (recalibrating every replicate) is not supported; "
        "calibrate with the linearization design (leave out `replicates`/`repweights_prefix`)");
  }
  AnalysisPlan plan;
  ColumnsRead& read = plan.read;
  for (const auto* names : {&r.design.clusters, &r.design.fpc, &r.by})
    read.names.insert(names->begin(), names->end());
  read.names.insert(r.design.strata);
  read.names.emplace(channel_column);
  if (joined) {
    read.names.insert(r.weights_id);
    read.names.emplace(review_column);
  } else {
    read.names.insert(r.design.weights);
    read.prefix = r.repweights_prefix;
  }
  for (const auto& s : r.statistics) {
    read.names.insert(s.variable);
    read.names.insert(s.denominator);
  }
  for (const auto& scale : r.scales)
    read.names.insert(scale.items.begin(), scale.items.end());
  if (r.margins) {
    plan.margins = load_margins(*r.margins);
    for (const auto& m : plan.margins)
      read.names.insert(m.variable);
  }
  return plan;
}

AnalysisSetup setup_analysis(const AnalysisRequest& r, const AnalysisPlan& plan) {
  AnalysisSetup s;
  s.replicated = is_replicated(r);
  s.joined = r.weights_file.has_value();
  s.columns = design_columns(r);
  // The rows in the canonical order, the design's columns first, so that no
  // estimate depends on the order of the file's rows (analysis/README.md,
  // "Row order").
  std::vector<std::string> leading = {r.design.strata};
  leading.insert(leading.end(), r.design.clusters.begin(), r.design.clusters.end());
  DesignColumns loaded = s.columns;
  if (s.joined) loaded.weights.clear();  // not in the data: joined below
  s.data = leave_out_open_link(Table::load_if(r.data, plan.read), loaded, r.include_open_link,
                               s.open_link);
  if (s.joined) s.data = join_weights(s.data, {*r.weights_file, r.weights_id}, &s.join);
  s.data = s.data.canonical(leading);
  s.design = Design::build(s.data, s.columns);
  if (s.joined && !s.replicated) s.design = nonresponse_calibration(s.design, s.data);
  if (r.margins) {
    CalibrationOptions options;
    options.method = r.calfun;
    if (r.bounds && options.method != CalibrationOptions::Linear) {
      throw AnalysisError("analysis.invalid_option", "`bounds` applies to `calfun` linear");
    }
    options.bounds = r.bounds;
    CalibrationReport report;
    s.design = calibrate(s.design, s.data, plan.margins, options, &report);
    s.calibration = {
        {"method", to_string(r.calfun)},
        {"margins",
         {{"file", r.margins->filename().string()}, {"sha256", io::sha256_file(*r.margins)}}},
        {"iterations", report.iterations},
        {"weight_min", report.min_weight},
        {"weight_max", report.max_weight},
        {"g_min", report.min_g},
        {"g_max", report.max_g},
        {"max_margin_error", report.max_margin_error}};
    if (r.bounds) s.calibration["bounds"] = {r.bounds->first, r.bounds->second};
  }
  if (s.joined) {
    const JoinReport& join = s.join;
    s.nonresponse = {
        {"weights_file", join.file},
        {"sha256", join.sha256},
        {"respondents", join.respondents},
        {"rejected_rows", join.rejected},
        {"columns", join.columns},
        {"class_column", "weighting_class"},
        {"classes", join.classes},
        {"calibrated", join.calibrated},
        {"variance", s.replicated ? "replicate weights adjusted again in every replicate"
                                  : "the adjustment as a calibration step: "
                                    "post-stratification on the weighting classes"}};
    // The steps re-done here give weights.csv's weight (to the calibration's
    // convergence): else the variance would be of other weights.
    if (!s.replicated)
      s.nonresponse["max_weight_difference"] = check_final_weights(s.design, s.data, 1e-6);
  }
  return s;
}

EngineSetup make_engine(const AnalysisRequest& r, const AnalysisSetup& s) {
  EngineSetup out;
  if (r.replicates) {
    ReplicateDesign replicates = build_replicates(s.design, *r.replicates, r.seed);
    replicates.mse = r.mse;
    out.replicates = {
        {"type", to_string(*r.replicates)}, {"replicates", replicates.count()}, {"mse", r.mse}};
    if (r.replicates->kind == ReplicateMethod::Kind::Bootstrap) out.replicates["seed"] = r.seed;
    out.engine = std::make_unique<ReplicateEngine>(std::move(replicates));
  } else if (!r.repweights_prefix.empty()) {
    const ReplicateType type = r.reptype.value_or(ReplicateType::Other);
    auto replicates = ReplicateDesign::from_columns(s.data, s.columns.weights, r.repweights_prefix,
                                                    type, r.repscale, r.rscales, r.mse);
    out.replicates = {{"type", to_string(type)},
                      {"columns", r.repweights_prefix},
                      {"replicates", replicates.count()},
                      {"scale", replicates.scale},
                      {"mse", r.mse}};
    out.engine = std::make_unique<ReplicateEngine>(std::move(replicates));
  } else {
    out.engine = std::make_unique<LinearizationEngine>(s.design);
  }
  return out;
}

CodedRatio coded_mean(const Table& data, const StatisticRequest& s) {
  const Column& c = data.column(s.variable);
  if (s.kind == StatisticRequest::Kind::Mean && !c.numeric())
    data.numbers(s.variable);  // throws data.not_numeric, naming the line
  const std::size_t levels = c.levels().size();
  CodedRatio r{&c, std::vector<double>(levels), std::vector<double>(levels)};
  for (std::size_t l = 0; l < levels; ++l) {
    const std::string& text = c.levels()[l];
    double y;
    if (s.kind == StatisticRequest::Kind::Mean) {
      y = c.numbers_of_level(l);
    } else {
      y = text.empty() ? std::nan("")
                       : (std::find(s.codes.begin(), s.codes.end(), text) != s.codes.end() ? 1 : 0);
    }
    r.numerator[l] = y;
    r.denominator[l] = std::isnan(y) ? std::nan("") : 1;
  }
  return r;
}

std::string variable_label(const StatisticRequest& s) {
  if (s.kind != StatisticRequest::Kind::Proportion) return s.variable;
  std::string codes;
  for (const auto& c : s.codes)
    codes += (codes.empty() ? "" : ",") + c;
  return s.variable + "=" + codes;
}

}  // namespace sipas::analysis
