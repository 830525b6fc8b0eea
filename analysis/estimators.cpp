#include "analysis/estimators.hpp"

#include <cmath>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

// Rows with a value, in the domain, with a weight.
RowMask used_rows(const Design& design, const std::vector<double>& y, const std::vector<double>* z,
                  const RowMask& domain) {
  RowMask used(design.rows());
  for (std::size_t i = 0; i < design.rows(); ++i) {
    used[i] = (domain.empty() || domain[i]) && !std::isnan(y[i]) && (!z || !std::isnan((*z)[i]));
  }
  return used;
}

void check_size(const Design& design, const std::vector<double>& y) {
  if (y.size() != design.rows()) {
    throw AnalysisError("analysis.size_mismatch", "a variable has " + std::to_string(y.size()) +
                                                      " values but the design has " +
                                                      std::to_string(design.rows()) + " rows");
  }
}

// Counts and the weight sum over the used rows.
void count(const Design& design, const RowMask& used, Estimate& e) {
  e.n = 0;
  e.weighted_n = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    e.n += 1;
    e.weighted_n += design.weights()[static_cast<Eigen::Index>(i)];
  }
}

double variance_of(const Design& design, const Eigen::VectorXd& influence) {
  Eigen::MatrixXd x = influence;
  return design.variance_diagonal(x)[0];
}

}  // namespace

double weighted_variance(const Design& design, const std::vector<double>& y, const RowMask& used) {
  double sw = 0, swy = 0, n = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    const double w = design.weights()[static_cast<Eigen::Index>(i)];
    sw += w;
    swy += w * y[i];
    n += 1;
  }
  const double ybar = swy / sw;
  double ss = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    ss += design.weights()[static_cast<Eigen::Index>(i)] * (y[i] - ybar) * (y[i] - ybar);
  }
  return ss / sw * n / (n - 1);
}

// Σ w y; influence w y (svytotal.survey.design2).
Linearized total(const Design& design, const std::vector<double>& y, const RowMask& domain) {
  check_size(design, y);
  Linearized out;
  Estimate& e = out.estimate;
  e.statistic = "total";
  auto used = used_rows(design, y, nullptr, domain);
  count(design, used, e);
  out.influence = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(design.rows()));
  double t = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    const auto k = static_cast<Eigen::Index>(i);
    out.influence[k] = design.weights()[k] * y[i];
    t += out.influence[k];
  }
  e.estimate = t;
  const double v = variance_of(design, out.influence);
  e.se = std::sqrt(v);
  e.df = design.degrees_of_freedom(used_rows(design, y, nullptr, {}));
  if (e.n > 1) {
    const double s2 = weighted_variance(design, y, used);
    const double N = e.weighted_n;
    e.deff = v / (s2 * N * N * (N - e.n) / (N * e.n));
    e.deff_replace = v / (s2 * N * N / e.n);
  }
  return out;
}

// Hájek mean Σwy/Σw; influence w (y - ȳ)/Σw (svymean.survey.design2).
Linearized mean(const Design& design, const std::vector<double>& y, const RowMask& domain) {
  check_size(design, y);
  Linearized out;
  Estimate& e = out.estimate;
  e.statistic = "mean";
  auto used = used_rows(design, y, nullptr, domain);
  count(design, used, e);
  out.influence = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(design.rows()));
  if (e.weighted_n <= 0) {
    throw AnalysisError("analysis.empty_domain",
                        "no row with a value and a positive weight to estimate a mean");
  }
  double swy = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (used[i]) swy += design.weights()[static_cast<Eigen::Index>(i)] * y[i];
  }
  const double ybar = swy / e.weighted_n;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    const auto k = static_cast<Eigen::Index>(i);
    out.influence[k] = design.weights()[k] * (y[i] - ybar) / e.weighted_n;
  }
  e.estimate = ybar;
  const double v = variance_of(design, out.influence);
  e.se = std::sqrt(v);
  e.df = design.degrees_of_freedom(used_rows(design, y, nullptr, {}));
  if (e.n > 1) {
    const double s2 = weighted_variance(design, y, used);
    if (e.weighted_n >= e.n) e.deff = v / (s2 * (e.weighted_n - e.n) / (e.weighted_n * e.n));
    e.deff_replace = v / (s2 / e.n);
  }
  return out;
}

// R = Σwy/Σwz; influence w (y - R z)/Σwz (svyratio.survey.design2).
Linearized ratio(const Design& design, const std::vector<double>& y, const std::vector<double>& z,
                 const RowMask& domain) {
  check_size(design, y);
  check_size(design, z);
  Linearized out;
  Estimate& e = out.estimate;
  e.statistic = "ratio";
  auto used = used_rows(design, y, &z, domain);
  count(design, used, e);
  double swy = 0, swz = 0;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    const double w = design.weights()[static_cast<Eigen::Index>(i)];
    swy += w * y[i];
    swz += w * z[i];
  }
  if (swz == 0)
    throw AnalysisError("analysis.zero_denominator", "the denominator's weighted total is 0");
  const double r = swy / swz;
  out.influence = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(design.rows()));
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) continue;
    const auto k = static_cast<Eigen::Index>(i);
    out.influence[k] = design.weights()[k] * (y[i] - r * z[i]) / swz;
  }
  e.estimate = r;
  e.se = std::sqrt(variance_of(design, out.influence));
  e.df = design.degrees_of_freedom(used_rows(design, y, nullptr, {}));
  return out;
}

}  // namespace sipas::analysis
