#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/estimate.hpp"
#include "analysis/estimators.hpp"

namespace sipas::analysis {

// How a quantile is read off the weighted empirical CDF F (R's svyquantile
// qrule). Math (the default): the smallest value x with F(x) >= p. School:
// the same, but the midpoint of x and the next value when F(x) = p exactly.
// Hf7: R's weighted Hyndman-Fan type 7, linear interpolation between the
// sorted values at the points (0, W_1, ..., W_{n-1}) / W_{n-1}, where W_k is
// the cumulative weight of the k smallest values.
enum class QuantileRule { Math, School, Hf7 };
std::optional<QuantileRule> quantile_rule_from_string(const std::string& name);
std::string to_string(QuantileRule rule);

struct QuantileResult {
  // estimate: the quantile; ci_low/ci_high: the Woodruff interval; se: as R,
  // (ci_high - ci_low) / (2 t(1 - alpha/2, df)); df: the design degrees of
  // freedom over the rows used; statistic "quantile", ci_method "woodruff".
  Estimate estimate;
};

// The p-th quantile of y (0 <= p <= 1) with a Woodruff confidence interval,
// as R's svyquantile on a survey.design2 with its defaults (qrule = "math",
// interval.type = "mean", df = degf(design)). The interval: the confidence
// interval of svymean(1[y <= q]) with its linearized SE and t(df), mapped back
// through the same rule; a bound of that interval outside [0, 1] gives NaN, as
// in R. Missing values (NaN) are left out; a domain is estimated on the whole
// design (rows outside get weight 0). Throws AnalysisError for p outside
// [0, 1], a level outside (0, 1), or no row with a value and a weight.
QuantileResult quantile(const Design& design, const std::vector<double>& y, double p,
                        double level = 0.95, const RowMask& domain = {},
                        QuantileRule rule = QuantileRule::Math);

// The rule alone: the p-th quantile of the values x with weights w (rows with
// a missing value or weight 0 are left out). Throws AnalysisError as above.
double weighted_quantile(const std::vector<double>& x, const std::vector<double>& w, double p,
                         QuantileRule rule = QuantileRule::Math);

}  // namespace sipas::analysis
