// Nonresponse adjustment in steps: eligibility, weighting classes with
// collapsing, calibration, and the same steps inside every replicate.
// Valliant, Dever and Kreuter (2013), "Practical Tools for Designing and
// Weighting Survey Samples", ch. 13 (base weights, unknown eligibility,
// weighting-class nonresponse adjustment), ch. 14 (calibration) and ch. 15
// (replicate variance with the adjustments repeated); Kish (1965, 1992) for
// 1 + CV². Formulas: analysis/README.md, "Nonresponse adjustment".

#include "analysis/nonresponse.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "analysis/error.hpp"
#include "analysis/nonresponse_classes.hpp"

namespace sipas::analysis {
namespace {

using Index = Eigen::Index;
using namespace nonresponse_detail;

// ---- the steps, checked ------------------------------------------------------------------------

// What a class's sums cannot carry, for messages: nullopt when they are fine.
struct StepContext {
  const FieldworkSample& sample;
  const std::vector<std::uint32_t>& class_of;
  const std::vector<WeightingClass>& classes;
  const std::vector<std::size_t>& first_row;  // of each class
};

void check_sums(const ClassSums& sums, const StepContext& ctx, const std::string& where) {
  for (std::size_t c = 0; c < ctx.classes.size(); ++c) {
    const double known =
        sums.sum[respondent][c] + sums.sum[nonrespondent][c] + sums.sum[ineligible][c];
    const std::string head = at(ctx.sample.data, ctx.first_row[c]) + ": " + where + "class '" +
                             ctx.classes[c].label + "'";
    if (known == 0 && sums.sum[unknown][c] > 0) {
      throw AnalysisError(
          where.empty() ? "weights.unknown_eligibility" : "weights.replicate_empty_class",
          head +
              " has only cases of unknown eligibility, whose weight cannot be "
              "shared in the class's known proportions; collapse classes or use "
              "fewer class columns");
    }
    if (sums.sum[respondent][c] == 0 && sums.sum[nonrespondent][c] > 0) {
      throw AnalysisError(
          where.empty() ? "weights.empty_class" : "weights.replicate_empty_class",
          head + " has " + std::to_string(ctx.classes[c].nonrespondents) +
              " eligible nonrespondents and no respondent weight to carry "
              "theirs" +
              (where.empty() ? "; let classes collapse (leave out `collapse=false`) "
                               "or use fewer class columns"
                             : "; the class needs respondents in more PSUs"));
    }
  }
}

struct Steps {
  Eigen::VectorXd eligible, nonresponse;
};

Steps run_steps(const Eigen::VectorXd& w, const StepContext& ctx, const std::string& where) {
  const std::size_t k = ctx.classes.size();
  const auto& disposition = ctx.sample.disposition;
  check_sums(class_sums(w, disposition, ctx.class_of, k), ctx, where);
  Steps s;
  s.eligible = eligibility_step(w, disposition, ctx.class_of, k);
  s.nonresponse = nonresponse_step(s.eligible, disposition, ctx.class_of, k);
  return s;
}

// ---- calibration -------------------------------------------------------------------------------

Eigen::VectorXd calibrate_weights(const Table& data, const Eigen::VectorXd& w,
                                  const NonresponseOptions& o, CalibrationReport* report) {
  // Rows of weight 0 (a PSU a replicate drops) are no part of the calibration.
  std::vector<std::size_t> positive;
  for (Index i = 0; i < w.size(); ++i) {
    if (w[i] > 0) positive.push_back(static_cast<std::size_t>(i));
  }
  const bool all = positive.size() == static_cast<std::size_t>(w.size());
  const Table subset = all ? Table() : data.select_rows(positive);
  const Table& t = all ? data : subset;
  Eigen::VectorXd wp(static_cast<Index>(positive.size()));
  for (std::size_t k = 0; k < positive.size(); ++k)
    wp[static_cast<Index>(k)] = w[static_cast<Index>(positive[k])];
  const Design base = Design::build(t, DesignColumns{}).with_weights(wp);
  const Design calibrated = calibrate(base, t, o.margins, o.calibration, report);
  Eigen::VectorXd out = Eigen::VectorXd::Zero(w.size());
  for (std::size_t k = 0; k < positive.size(); ++k)
    out[static_cast<Index>(positive[k])] = calibrated.weights()[static_cast<Index>(k)];
  return out;
}

// ---- replicates --------------------------------------------------------------------------------

ReplicateDesign replicate_design(const FieldworkSample& sample, const ReplicateRequest& r) {
  DesignColumns columns;
  columns.strata = sample.columns.stratum;
  columns.clusters = {sample.columns.psu};
  columns.lonely_psu = r.lonely_psu;
  const Design design = Design::build(sample.data, columns).with_weights(sample.design_weight);
  switch (r.kind) {
    case ReplicateRequest::Kind::JK1:
      return ReplicateDesign::jk1(design);
    case ReplicateRequest::Kind::JKn:
      return ReplicateDesign::jkn(design);
    case ReplicateRequest::Kind::Bootstrap:
      break;
  }
  return ReplicateDesign::bootstrap(design, r.count, r.seed);
}

Eigen::VectorXd of_rows(const Eigen::VectorXd& w, const std::vector<std::size_t>& rows) {
  Eigen::VectorXd out(static_cast<Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k)
    out[static_cast<Index>(k)] = w[static_cast<Index>(rows[k])];
  return out;
}

void replicate(const FieldworkSample& sample, const NonresponseOptions& o, const StepContext& ctx,
               const Table& respondent_data, WeightingResult& result) {
  const ReplicateDesign design = replicate_design(sample, *o.replicates);
  const Index count = design.count();
  const auto n = static_cast<Index>(sample.data.rows());
  result.replicate_weights.resize(static_cast<Index>(result.respondents.size()), count);
  Eigen::VectorXd w(n);
  for (Index r = 0; r < count; ++r) {
    for (Index i = 0; i < n; ++i)
      w[i] = design.factors(design.psu[static_cast<std::size_t>(i)], r) * design.weights[i];
    const std::string where = "replicate " + std::to_string(r + 1) + ": ";
    const Steps s = run_steps(w, ctx, where);
    Eigen::VectorXd final_weights = of_rows(s.nonresponse, result.respondents);
    if (!o.margins.empty()) {
      try {
        final_weights = calibrate_weights(respondent_data, final_weights, o, nullptr);
      } catch (const AnalysisError& e) {
        throw AnalysisError(e.id(), where + e.what());
      }
    }
    result.replicate_weights.col(r) = final_weights;
  }
  result.replicate_type = design.type;
  result.scale = design.scale;
  result.rscales = design.rscales;
}

}  // namespace

ReplicateRequest parse_replicate_request(std::string_view text) {
  ReplicateRequest r;
  auto parsed = [&]() -> bool {
    if (text == "jk1") {
      r.kind = ReplicateRequest::Kind::JK1;
      return true;
    }
    if (text == "jkn") {
      r.kind = ReplicateRequest::Kind::JKn;
      return true;
    }
    if (!text.starts_with("bootstrap")) return false;
    r.kind = ReplicateRequest::Kind::Bootstrap;
    if (text == "bootstrap") return true;
    if (text[9] != ':') return false;
    const char* begin = text.data() + 10;
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(begin, end, r.count);
    return ec == std::errc() && stop == end && begin != end;
  };
  if (!parsed()) {
    throw AnalysisError("weights.invalid_option",
                        "`replicates` must be jk1, jkn, bootstrap or bootstrap:R");
  }
  return r;
}

ClassSums class_sums(const Eigen::VectorXd& weights, const std::vector<Disposition>& disposition,
                     const std::vector<std::uint32_t>& class_of, std::size_t classes) {
  ClassSums s;
  for (auto& v : s.sum)
    v.assign(classes, 0.0);
  for (std::size_t i = 0; i < class_of.size(); ++i)
    s.sum[static_cast<std::size_t>(disposition[i])][class_of[i]] += weights[static_cast<Index>(i)];
  return s;
}

Eigen::VectorXd eligibility_step(const Eigen::VectorXd& weights,
                                 const std::vector<Disposition>& disposition,
                                 const std::vector<std::uint32_t>& class_of, std::size_t classes) {
  const ClassSums s = class_sums(weights, disposition, class_of, classes);
  std::vector<double> factor(classes, 1.0);
  for (std::size_t c = 0; c < classes; ++c) {
    const double known = s.sum[respondent][c] + s.sum[nonrespondent][c] + s.sum[ineligible][c];
    if (s.sum[unknown][c] > 0 && known > 0) factor[c] = (known + s.sum[unknown][c]) / known;
  }
  Eigen::VectorXd out(weights.size());
  for (std::size_t i = 0; i < class_of.size(); ++i) {
    const auto k = static_cast<Index>(i);
    out[k] = disposition[i] == Disposition::Unknown ? 0 : weights[k] * factor[class_of[i]];
  }
  return out;
}

Eigen::VectorXd nonresponse_step(const Eigen::VectorXd& weights,
                                 const std::vector<Disposition>& disposition,
                                 const std::vector<std::uint32_t>& class_of, std::size_t classes) {
  const ClassSums s = class_sums(weights, disposition, class_of, classes);
  std::vector<double> factor(classes, 1.0);
  for (std::size_t c = 0; c < classes; ++c) {
    const double eligible = s.sum[respondent][c] + s.sum[nonrespondent][c];
    if (eligible > 0 && s.sum[respondent][c] > 0) factor[c] = eligible / s.sum[respondent][c];
  }
  Eigen::VectorXd out(weights.size());
  for (std::size_t i = 0; i < class_of.size(); ++i) {
    const auto k = static_cast<Index>(i);
    switch (disposition[i]) {
      case Disposition::Respondent:
        out[k] = weights[k] * factor[class_of[i]];
        break;
      case Disposition::Ineligible:
        out[k] = weights[k];
        break;
      case Disposition::Nonrespondent:
      case Disposition::Unknown:
        out[k] = 0;
        break;
    }
  }
  return out;
}

WeightSpread spread_of(std::string column, const Eigen::VectorXd& weights) {
  WeightSpread s;
  s.column = std::move(column);
  s.n = static_cast<std::size_t>(weights.size());
  if (s.n == 0) return s;
  s.sum = weights.sum();
  s.min = weights.minCoeff();
  s.max = weights.maxCoeff();
  s.mean = s.sum / static_cast<double>(s.n);
  const double variance = (weights.array() - s.mean).square().mean();  // divisor n (Kish)
  s.cv = std::sqrt(variance) / s.mean;
  s.deff = 1 + s.cv * s.cv;
  return s;
}

WeightingResult adjust_weights(const FieldworkSample& sample, const NonresponseOptions& o) {
  if (!(o.max_factor >= 1)) {
    throw AnalysisError(
        "weights.invalid_option",
        "the largest adjustment factor must be at least 1, not " + number(o.max_factor));
  }
  WeightingResult result;
  result.class_columns =
      o.class_columns.empty() ? std::vector<std::string>{sample.columns.stratum} : o.class_columns;
  for (std::size_t i = 0; i < sample.disposition.size(); ++i) {
    ++result.counts[static_cast<std::size_t>(sample.disposition[i])];
    if (sample.disposition[i] == Disposition::Respondent) result.respondents.push_back(i);
  }
  if (result.respondents.empty()) {
    throw AnalysisError("weights.no_respondents",
                        sample.data.source() + ": no fielded case is a respondent");
  }

  const RawClasses raw = raw_classes(sample.data, result.class_columns);
  Collapsing collapsing = collapse(raw, sample.disposition, sample.design_weight, o);
  result.collapsed = std::move(collapsing.collapsed);
  std::vector<std::uint32_t> group_of_raw(raw.labels.size());
  std::vector<std::size_t> first_row;
  for (std::size_t g = 0; g < collapsing.groups.size(); ++g) {
    const Group& group = collapsing.groups[g];
    WeightingClass c;
    c.label = label_of(group, raw);
    std::size_t first = sample.data.rows();
    for (auto m : group.members) {
      c.members.push_back(raw.labels[m]);
      group_of_raw[m] = static_cast<std::uint32_t>(g);
      first = std::min(first, raw.first_row[m]);
    }
    first_row.push_back(first);
    c.respondents = group.stats.count[respondent];
    c.nonrespondents = group.stats.count[nonrespondent];
    c.ineligible = group.stats.count[ineligible];
    c.unknown = group.stats.count[unknown];
    c.sum_respondents = group.stats.sum[respondent];
    c.sum_nonrespondents = group.stats.sum[nonrespondent];
    c.sum_ineligible = group.stats.sum[ineligible];
    c.sum_unknown = group.stats.sum[unknown];
    const double known = c.sum_respondents + c.sum_nonrespondents + c.sum_ineligible;
    if (c.sum_unknown > 0 && known > 0) c.eligibility_factor = (known + c.sum_unknown) / known;
    c.nonresponse_factor = group.stats.factor();
    c.meets_rule = !failure(group.stats, o);
    result.classes.push_back(std::move(c));
  }
  std::vector<std::uint32_t> class_of(raw.of_case.size());
  for (std::size_t i = 0; i < class_of.size(); ++i)
    class_of[i] = group_of_raw[raw.of_case[i]];

  for (auto row : result.respondents)
    result.respondent_class.push_back(class_of[row]);
  const StepContext ctx{sample, class_of, result.classes, first_row};
  const Steps steps = run_steps(sample.design_weight, ctx, "");
  std::vector<Eigen::VectorXd> columns = {of_rows(sample.design_weight, result.respondents),
                                          of_rows(steps.eligible, result.respondents),
                                          of_rows(steps.nonresponse, result.respondents)};
  result.step_names = {"w_design", "w_eligible", "w_nonresponse"};
  // The respondents' rows, with their lines, for the calibration and its messages.
  Table respondent_data;
  if (!o.margins.empty()) respondent_data = sample.data.select_rows(result.respondents);
  if (!o.margins.empty()) {
    CalibrationReport report;
    columns.push_back(calibrate_weights(respondent_data, columns.back(), o, &report));
    result.step_names.push_back("w_calibrated");
    result.calibration = report;
  }
  result.steps.resize(static_cast<Index>(result.respondents.size()),
                      static_cast<Index>(columns.size()));
  for (std::size_t k = 0; k < columns.size(); ++k) {
    result.steps.col(static_cast<Index>(k)) = columns[k];
    result.spreads.push_back(spread_of(result.step_names[k], columns[k]));
  }
  result.weight = columns.back();
  if (o.replicates) replicate(sample, o, ctx, respondent_data, result);
  return result;
}

}  // namespace sipas::analysis
