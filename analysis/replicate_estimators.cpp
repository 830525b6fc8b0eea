// Estimators on replicate designs (R: svytotal, svymean and svyratio for a
// svyrep.design, and svrVar for their variance).

#include "analysis/replicate.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

void check_size(const ReplicateDesign& design, std::size_t size, const char* what) {
  if (size != design.rows()) {
    throw AnalysisError("analysis.size_mismatch", std::string(what) + " has " +
                                                      std::to_string(size) +
                                                      " values but the design has " +
                                                      std::to_string(design.rows()) + " rows");
  }
}

// The weighted sums of the columns of X, for the full sample (Xᵀw) and for
// every replicate at once (WᵀX, R × k). X holds the variables and, with
// `count`, a column of ones; rows outside the domain or with a missing value
// are 0.
struct Sums {
  Estimate estimate;
  Eigen::VectorXd full;
  Eigen::MatrixXd replicate;
};

Sums weighted_sums(const ReplicateDesign& design,
                   std::initializer_list<const std::vector<double>*> variables, bool count,
                   const RowMask& domain) {
  design.check();
  for (const auto* v : variables)
    check_size(design, v->size(), "a variable");
  if (!domain.empty()) check_size(design, domain.size(), "the domain");
  const auto n = static_cast<Eigen::Index>(design.rows());
  const auto k = static_cast<Eigen::Index>(variables.size()) + (count ? 1 : 0);
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, k);
  Sums s;
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    if (!domain.empty() && !domain[row]) continue;
    bool missing = false;
    for (const auto* v : variables)
      missing |= std::isnan((*v)[row]);
    if (missing) continue;
    Eigen::Index c = 0;
    for (const auto* v : variables)
      x(i, c++) = (*v)[row];
    if (count) x(i, c) = 1;
    s.estimate.n += 1;
    s.estimate.weighted_n += design.weights[i];
  }
  s.full = x.transpose() * design.weights;
  s.replicate = design.replicate_totals(x);
  s.estimate.df = design.df;
  return s;
}

Replicated finish(const ReplicateDesign& design, Estimate estimate, Eigen::VectorXd replicates) {
  estimate.se = std::sqrt(design.variance(replicates, estimate.estimate));
  return Replicated{std::move(estimate), std::move(replicates)};
}

}  // namespace

void ReplicateDesign::check() const {
  bool consistent = false;
  if (factored()) {
    consistent = psu.size() == rows() && rscales.size() == factors.cols() &&
                 *std::max_element(psu.begin(), psu.end()) < factors.rows();
  } else {
    consistent = replicates.rows() == weights.size() && rscales.size() == replicates.cols();
  }
  if (!consistent) {
    throw AnalysisError("replicate.invalid_design",
                        "the replicate design's weights, replicate weights and rscales differ in "
                        "size");
  }
}

// svrVar: v = scale · Σ_r rscales_r (θ_r − c)², c = θ̂ (mse) or the mean of
// the θ_r with rscales_r > 0.
double ReplicateDesign::variance(const Eigen::VectorXd& theta, double full_estimate) const {
  if (theta.size() != rscales.size()) {
    throw AnalysisError("replicate.invalid_design",
                        std::to_string(theta.size()) + " replicate estimates for " +
                            std::to_string(rscales.size()) + " rscales");
  }
  if (theta.size() == 0) return 0;  // a census: R's selfrep designs have variance 0
  double centre = full_estimate;
  if (!mse) {
    double sum = 0, used = 0;
    for (Eigen::Index r = 0; r < theta.size(); ++r) {
      if (std::isnan(theta[r]) || !(rscales[r] > 0)) continue;
      sum += theta[r];
      used += 1;
    }
    centre = used > 0 ? sum / used : not_available;
  }
  double v = 0;
  bool any = false;
  for (Eigen::Index r = 0; r < theta.size(); ++r) {
    if (std::isnan(theta[r])) continue;  // R's na.action drops NA replicates
    v += (theta[r] - centre) * (theta[r] - centre) * rscales[r];
    any = true;
  }
  return any ? v * scale : not_available;
}

// svytotal.svyrep.design: Σ w y; θ_r = Σ w_r y, all replicates at once.
Replicated total(const ReplicateDesign& design, const std::vector<double>& y,
                 const RowMask& domain) {
  Sums s = weighted_sums(design, {&y}, false, domain);
  s.estimate.statistic = "total";
  s.estimate.estimate = s.full[0];
  return finish(design, std::move(s.estimate), s.replicate.col(0));
}

// svymean.svyrep.design: Σ w y / Σ w; θ_r = Σ w_r y / Σ w_r.
Replicated mean(const ReplicateDesign& design, const std::vector<double>& y,
                const RowMask& domain) {
  Sums s = weighted_sums(design, {&y}, true, domain);
  s.estimate.statistic = "mean";
  if (!(s.full[1] > 0)) {
    throw AnalysisError("analysis.empty_domain",
                        "no row with a value and a positive weight to estimate a mean");
  }
  s.estimate.estimate = s.full[0] / s.full[1];
  return finish(design, std::move(s.estimate),
                s.replicate.col(0).cwiseQuotient(s.replicate.col(1)));
}

// svyratio.svyrep.design: Σ w y / Σ w z; θ_r = Σ w_r y / Σ w_r z.
Replicated ratio(const ReplicateDesign& design, const std::vector<double>& numerator,
                 const std::vector<double>& denominator, const RowMask& domain) {
  Sums s = weighted_sums(design, {&numerator, &denominator}, false, domain);
  s.estimate.statistic = "ratio";
  if (s.full[1] == 0) {
    throw AnalysisError("analysis.zero_denominator", "the denominator's weighted total is 0");
  }
  s.estimate.estimate = s.full[0] / s.full[1];
  return finish(design, std::move(s.estimate),
                s.replicate.col(0).cwiseQuotient(s.replicate.col(1)));
}

}  // namespace sipas::analysis
