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

namespace sipas::analysis {
namespace {

using Index = Eigen::Index;

constexpr auto respondent = static_cast<std::size_t>(Disposition::Respondent);
constexpr auto nonrespondent = static_cast<std::size_t>(Disposition::Nonrespondent);
constexpr auto ineligible = static_cast<std::size_t>(Disposition::Ineligible);
constexpr auto unknown = static_cast<std::size_t>(Disposition::Unknown);

std::string number(double x) {
  std::ostringstream out;
  out.precision(6);
  out << x;
  return out.str();
}

std::string at(const Table& t, std::size_t row) {
  return t.source() + ":" + std::to_string(t.line_of(row));
}

// ---- classes -----------------------------------------------------------------------------------

// The classes of the fielded cases before collapsing: each case's class, and
// the classes' labels in class order (column by column; a column whose values
// are all numbers in numeric order, others in byte order).
struct RawClasses {
  std::vector<std::uint32_t> of_case;
  std::vector<std::string> labels;
  std::vector<std::size_t> first_row;  // of each class, for messages
};

RawClasses raw_classes(const Table& data, const std::vector<std::string>& columns) {
  std::vector<const Column*> cs;
  for (const auto& name : columns) {
    if (!data.has(name)) {
      std::string names;
      for (const auto& n : data.names())
        names += (names.empty() ? "" : ", ") + n;
      throw AnalysisError("weights.missing_column",
                          data.source() + ":1: no column '" + name +
                              "' (a class column, --classes; columns: " + names + ")");
    }
    cs.push_back(&data.column(name));
  }
  const std::size_t n = data.rows();
  // Distinct tuples of codes, in order of first appearance.
  std::vector<std::vector<std::uint32_t>> tuples;
  std::map<std::vector<std::uint32_t>, std::uint32_t> index;
  RawClasses out;
  std::vector<std::uint32_t> first_order(n);
  std::vector<std::size_t> first_row;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint32_t> key;
    for (std::size_t k = 0; k < cs.size(); ++k) {
      if (cs[k]->is_missing(i)) {
        throw AnalysisError("weights.missing_value",
                            at(data, i) + ": column '" + columns[k] +
                                "' is empty; every fielded case needs a weighting class");
      }
      key.push_back(cs[k]->code(i));
    }
    auto [it, fresh] = index.try_emplace(key, static_cast<std::uint32_t>(tuples.size()));
    if (fresh) {
      tuples.push_back(key);
      first_row.push_back(i);
    }
    first_order[i] = it->second;
  }
  // Sort the tuples.
  std::vector<bool> numeric;
  for (const Column* c : cs)
    numeric.push_back(c->numeric());
  std::vector<std::uint32_t> order(tuples.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    for (std::size_t k = 0; k < cs.size(); ++k) {
      const std::uint32_t ca = tuples[a][k], cb = tuples[b][k];
      if (ca == cb) continue;
      if (numeric[k]) {
        const double x = cs[k]->numbers_of_level(ca), y = cs[k]->numbers_of_level(cb);
        if (x != y) return x < y;
      }
      const std::string& x = cs[k]->levels()[ca];
      const std::string& y = cs[k]->levels()[cb];
      if (x != y) return x < y;
    }
    return false;
  });
  std::vector<std::uint32_t> rank(tuples.size());
  for (std::size_t j = 0; j < order.size(); ++j) {
    rank[order[j]] = static_cast<std::uint32_t>(j);
    std::string label;
    for (std::size_t k = 0; k < cs.size(); ++k)
      label += (k ? "|" : "") + cs[k]->levels()[tuples[order[j]][k]];
    out.labels.push_back(std::move(label));
    out.first_row.push_back(first_row[order[j]]);
  }
  out.of_case.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    out.of_case[i] = rank[first_order[i]];
  return out;
}

// Counts and design-weight sums of a set of raw classes.
struct GroupStats {
  std::size_t count[4] = {0, 0, 0, 0};
  double sum[4] = {0, 0, 0, 0};
  double factor() const {
    const double eligible = sum[respondent] + sum[nonrespondent];
    if (eligible == 0) return 1;
    return eligible / sum[respondent];  // infinity without respondents
  }
  std::optional<double> rate() const {
    const double eligible = sum[respondent] + sum[nonrespondent];
    if (eligible == 0) return std::nullopt;
    return sum[respondent] / eligible;
  }
};

struct Group {
  std::vector<std::uint32_t> members;  // raw classes, in order
  GroupStats stats;
};

std::string label_of(const Group& g, const RawClasses& raw) {
  std::string out;
  for (auto m : g.members)
    out += (out.empty() ? "" : " + ") + raw.labels[m];
  return out;
}

// Why a class fails the rule, or nullopt.
std::optional<std::string> failure(const GroupStats& s, const NonresponseOptions& o) {
  const std::size_t r = s.count[respondent];
  if (r == 0) return "no respondent";
  if (r < o.min_respondents) {
    return std::to_string(r) + " respondents, fewer than " + std::to_string(o.min_respondents);
  }
  if (s.factor() > o.max_factor) {
    return "adjustment factor " + number(s.factor()) + ", above " + number(o.max_factor);
  }
  return std::nullopt;
}

// The neighbour (previous or next in class order) that class k joins: the one
// with the closer weighted response rate; on a tie or an undefined rate the
// one with fewer respondents; then the previous one.
std::size_t neighbour(const std::vector<Group>& groups, std::size_t k) {
  if (k == 0) return 1;
  if (k + 1 == groups.size()) return k - 1;
  const GroupStats& self = groups[k].stats;
  const GroupStats& before = groups[k - 1].stats;
  const GroupStats& after = groups[k + 1].stats;
  const auto rate = self.rate(), rate_before = before.rate(), rate_after = after.rate();
  if (rate && rate_before && rate_after) {
    const double d_before = std::fabs(*rate - *rate_before);
    const double d_after = std::fabs(*rate - *rate_after);
    if (d_before != d_after) return d_after < d_before ? k + 1 : k - 1;
  }
  return after.count[respondent] < before.count[respondent] ? k + 1 : k - 1;
}

struct Collapsing {
  std::vector<Group> groups;
  std::vector<CollapsedClass> collapsed;
};

Collapsing collapse(const RawClasses& raw, const std::vector<Disposition>& disposition,
                    const Eigen::VectorXd& w, const NonresponseOptions& o) {
  std::vector<GroupStats> stats(raw.labels.size());
  for (std::size_t i = 0; i < raw.of_case.size(); ++i) {
    auto& s = stats[raw.of_case[i]];
    const auto d = static_cast<std::size_t>(disposition[i]);
    ++s.count[d];
    s.sum[d] += w[static_cast<Index>(i)];
  }
  Collapsing out;
  for (std::uint32_t c = 0; c < raw.labels.size(); ++c)
    out.groups.push_back({{c}, stats[c]});
  if (!o.collapse) return out;
  auto& groups = out.groups;
  while (groups.size() > 1) {
    // The failing class with the fewest respondents, the first on a tie.
    std::optional<std::size_t> worst;
    for (std::size_t k = 0; k < groups.size(); ++k) {
      if (!failure(groups[k].stats, o)) continue;
      if (!worst || groups[k].stats.count[respondent] < groups[*worst].stats.count[respondent])
        worst = k;
    }
    if (!worst) break;
    const std::size_t k = *worst, j = neighbour(groups, k);
    out.collapsed.push_back({label_of(groups[k], raw), label_of(groups[j], raw),
                             groups[k].stats.count[respondent], groups[k].stats.factor(),
                             *failure(groups[k].stats, o)});
    const std::size_t a = std::min(k, j), b = std::max(k, j);
    Group& into = groups[a];
    const Group& from = groups[b];
    into.members.insert(into.members.end(), from.members.begin(), from.members.end());
    for (std::size_t d = 0; d < 4; ++d) {
      into.stats.count[d] += from.stats.count[d];
      into.stats.sum[d] += from.stats.sum[d];
    }
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(b));
  }
  return out;
}

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
      throw AnalysisError(where.empty() ? "weights.empty_class" : "weights.replicate_empty_class",
                          head + " has " + std::to_string(ctx.classes[c].nonrespondents) +
                              " eligible nonrespondents and no respondent weight to carry "
                              "theirs" +
                              (where.empty() ? "; let classes collapse (leave out --no-collapse) "
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

std::optional<ReplicateRequest> replicate_request_from_string(const std::string& text) {
  ReplicateRequest r;
  if (text == "jk1") {
    r.kind = ReplicateRequest::Kind::JK1;
    return r;
  }
  if (text == "jkn") {
    r.kind = ReplicateRequest::Kind::JKn;
    return r;
  }
  if (text.rfind("bootstrap", 0) != 0) return std::nullopt;
  r.kind = ReplicateRequest::Kind::Bootstrap;
  if (text == "bootstrap") return r;
  if (text[9] != ':') return std::nullopt;
  const char* begin = text.data() + 10;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(begin, end, r.count);
  if (ec != std::errc() || stop != end || begin == end) return std::nullopt;
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
