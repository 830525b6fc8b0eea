// Quantiles with Woodruff intervals (R: svyquantile.survey.design, qs,
// qrule_math, qrule_school, qrule_hf7 and woodruffCI in survey 4.1).

#include "analysis/quantile.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/error.hpp"
#include "analysis/intervals.hpp"

namespace sipas::analysis {
namespace {

// The values a rule reads: rows with a value and a nonzero weight, sorted by
// value (stable, so ties keep their row order, as R's order()). Sums are
// accumulated in long double and rounded, as R's sum() and cumsum() do, so
// the knife-edge comparison F(x) = p is decided as in R.
struct Sorted {
  std::vector<double> x;
  std::vector<double> cumw;  // cumulative weight of x[0..k]
  double total = 0;          // the weights summed in row order (R's sum(w))
};

Sorted sort_values(std::vector<double> x, std::vector<double> w) {
  long double total = 0;
  for (double v : w)
    total += v;
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  Sorted s;
  s.total = static_cast<double>(total);
  s.x.reserve(x.size());
  s.cumw.reserve(x.size());
  long double cumulative = 0;
  for (std::size_t k : order) {
    s.x.push_back(x[k]);
    cumulative += w[k];
    s.cumw.push_back(static_cast<double>(cumulative));
  }
  return s;
}

// qrule_math / qrule_school: the last position with cumulative weight <= p W
// (R's qs); its value when F there is exactly p (school: the midpoint with the
// next value), else the next value. When no position qualifies (p below the
// weight share of the smallest value) the answer is the smallest value; R's
// qs takes position 1 there and so returns the second smallest (see
// README.md).
double rule_math(const Sorted& s, double p, bool school) {
  const std::size_t n = s.x.size();
  const double target = p * s.total;
  std::size_t pos = n;
  // A backward scan, not a binary search: with negative (calibrated) weights
  // the cumulative weights need not be monotone, and R takes the last match.
  for (std::size_t k = n; k-- > 0;) {
    if (s.cumw[k] <= target) {
      pos = k;
      break;
    }
  }
  if (pos == n) return s.x[0];
  const std::size_t next = pos + 1 < n ? pos + 1 : pos;
  const double below = p - s.cumw[pos] / s.total;
  if (below == 0) return school ? (s.x[pos] + s.x[next]) / 2 : s.x[pos];
  return s.x[next];
}

// R's mean(): a long double sum, refined by a second pass.
double r_mean(const std::vector<double>& v, std::size_t from, std::size_t to) {
  const auto count = static_cast<long double>(to - from);
  long double sum = 0;
  for (std::size_t k = from; k < to; ++k)
    sum += v[k];
  long double m = sum / count;
  long double correction = 0;
  for (std::size_t k = from; k < to; ++k)
    correction += v[k] - m;
  m += correction / count;
  return static_cast<double>(m);
}

// qrule_hf7: approx(pk, x, p, rule = 2) with pk = (0, W_1, ..., W_{n-1}) /
// W_{n-1}. approx() first orders the points by pk and averages x over equal
// pk (only possible with negative or negligible weights).
double rule_hf7(const Sorted& s, double p) {
  const std::size_t n = s.x.size();
  if (n == 1) return s.x[0];  // R: approx() fails with one point
  std::vector<double> pk(n);
  pk[0] = 0;
  for (std::size_t k = 1; k < n; ++k)
    pk[k] = s.cumw[k - 1] / s.cumw[n - 2];
  std::vector<double> xs = s.x;
  if (!std::is_sorted(pk.begin(), pk.end())) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return pk[a] < pk[b]; });
    std::vector<double> pk_sorted(n), x_sorted(n);
    for (std::size_t k = 0; k < n; ++k) {
      pk_sorted[k] = pk[order[k]];
      x_sorted[k] = xs[order[k]];
    }
    pk = std::move(pk_sorted);
    xs = std::move(x_sorted);
  }
  std::vector<double> px, py;
  for (std::size_t k = 0; k < n;) {
    std::size_t end = k + 1;
    while (end < n && pk[end] == pk[k])
      ++end;
    px.push_back(pk[k]);
    py.push_back(end == k + 1 ? xs[k] : r_mean(xs, k, end));
    k = end;
  }
  // R's approx1(), linear, rule = 2.
  const std::size_t m = px.size();
  if (m == 1) return py[0];
  if (p < px[0]) return py[0];
  if (p > px[m - 1]) return py[m - 1];
  std::size_t i = 0, j = m - 1;
  while (i < j - 1) {
    const std::size_t mid = (i + j) / 2;
    if (p < px[mid])
      j = mid;
    else
      i = mid;
  }
  if (p == px[j]) return py[j];
  if (p == px[i]) return py[i];
  return py[i] + (py[j] - py[i]) * ((p - px[i]) / (px[j] - px[i]));
}

double apply_rule(const Sorted& s, double p, QuantileRule rule) {
  switch (rule) {
    case QuantileRule::Math:
      return rule_math(s, p, false);
    case QuantileRule::School:
      return rule_math(s, p, true);
    case QuantileRule::Hf7:
      return rule_hf7(s, p);
  }
  return not_available;
}

void check_probability(double p) {
  if (!(p >= 0 && p <= 1)) {
    throw AnalysisError("analysis.invalid_quantile",
                        "a quantile must be between 0 and 1 (e.g. 0.5 for the median); " +
                            std::to_string(p) + " given");
  }
}

[[noreturn]] void throw_no_values() {
  throw AnalysisError("analysis.empty_domain",
                      "no row with a value and a nonzero weight to estimate a quantile");
}

}  // namespace

std::optional<QuantileRule> quantile_rule_from_string(const std::string& name) {
  if (name == "math") return QuantileRule::Math;
  if (name == "school") return QuantileRule::School;
  if (name == "hf7") return QuantileRule::Hf7;
  return std::nullopt;
}

std::string to_string(QuantileRule rule) {
  switch (rule) {
    case QuantileRule::Math:
      return "math";
    case QuantileRule::School:
      return "school";
    case QuantileRule::Hf7:
      return "hf7";
  }
  return "";
}

double weighted_quantile(const std::vector<double>& x, const std::vector<double>& w, double p,
                         QuantileRule rule) {
  if (x.size() != w.size()) {
    throw AnalysisError("analysis.size_mismatch", std::to_string(x.size()) + " values but " +
                                                      std::to_string(w.size()) + " weights");
  }
  check_probability(p);
  std::vector<double> values, weights;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(w[i]) || w[i] == 0) continue;
    values.push_back(x[i]);
    weights.push_back(w[i]);
  }
  if (values.empty()) throw_no_values();
  return apply_rule(sort_values(std::move(values), std::move(weights)), p, rule);
}

QuantileResult quantile(const Design& design, const std::vector<double>& y, double p, double level,
                        const RowMask& domain, QuantileRule rule) {
  const std::size_t rows = design.rows();
  if (y.size() != rows || (!domain.empty() && domain.size() != rows)) {
    throw AnalysisError("analysis.size_mismatch",
                        "a variable has " + std::to_string(y.size()) + " values (domain " +
                            std::to_string(domain.size()) + ") but the design has " +
                            std::to_string(rows) + " rows");
  }
  check_probability(p);
  if (!(level > 0 && level < 1)) {
    throw AnalysisError("analysis.invalid_level", "`level` must be between 0 and 1 (e.g. 0.95)");
  }

  QuantileResult out;
  Estimate& e = out.estimate;
  e.statistic = "quantile";
  e.ci_method = "woodruff";
  RowMask used(rows);
  std::vector<double> values, weights;
  for (std::size_t i = 0; i < rows; ++i) {
    used[i] = (domain.empty() || domain[i]) && !std::isnan(y[i]);
    if (!used[i]) continue;
    const double w = design.weights()[static_cast<Eigen::Index>(i)];
    e.n += 1;
    e.weighted_n += w;
    if (w == 0) continue;
    values.push_back(y[i]);
    weights.push_back(w);
  }
  if (values.empty()) throw_no_values();
  const Sorted sorted = sort_values(std::move(values), std::move(weights));
  const double q = apply_rule(sorted, p, rule);
  e.estimate = q;
  e.df = design.degrees_of_freedom(used);

  // Woodruff: a Wald interval for F(q) = mean of 1[y <= q] (R: confint of
  // svymean with df), read back through the rule.
  std::vector<double> below(rows, not_available);
  for (std::size_t i = 0; i < rows; ++i) {
    if (used[i]) below[i] = y[i] <= q ? 1 : 0;
  }
  const Estimate cdf = mean(design, below, used).estimate;
  const double alpha = 1 - level;
  const double a = (1 - (1 - alpha)) / 2;  // R's tconfint: (1 - level) / 2
  const double cdf_low = cdf.estimate + cdf.se * t_quantile(a, e.df);
  const double cdf_high = cdf.estimate + cdf.se * t_quantile(1 - a, e.df);
  e.ci_low = std::isnan(cdf_low) || cdf_low < 0 ? not_available : apply_rule(sorted, cdf_low, rule);
  e.ci_high =
      std::isnan(cdf_high) || cdf_high > 1 ? not_available : apply_rule(sorted, cdf_high, rule);
  e.se = (e.ci_high - e.ci_low) / (2 * t_quantile(1 - alpha / 2, e.df));
  return out;
}

}  // namespace sipas::analysis
