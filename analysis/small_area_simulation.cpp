// The coverage study of small_area_simulation.hpp.

#include "analysis/small_area_simulation.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

struct Tally {
  std::vector<double> eblup_hits, direct_hits, mse_sum, error2_sum, direct_error2_sum;
  explicit Tally(std::size_t m)
      : eblup_hits(m), direct_hits(m), mse_sum(m), error2_sum(m), direct_error2_sum(m) {}
};

CoverageGroup summarise(const Tally& t, std::size_t from, std::size_t to, double reps) {
  CoverageGroup g;
  const auto n = static_cast<double>(to - from);
  for (std::size_t i = from; i < to; ++i) {
    g.eblup_coverage += t.eblup_hits[i] / reps / n;
    g.direct_coverage += t.direct_hits[i] / reps / n;
    g.mse_ratio += t.mse_sum[i] / t.error2_sum[i] / n;
    g.empirical_mse += t.error2_sum[i] / reps / n;
    g.direct_mse += t.direct_error2_sum[i] / reps / n;
  }
  return g;
}

}  // namespace

CoverageResult simulate_coverage(const CoverageStudy& study) {
  const std::size_t m = study.areas;
  if (m < 4 || study.repetitions == 0 || !(study.d_low > 0) || !(study.d_high >= study.d_low) ||
      !(study.sigma2_v >= 0) || !(study.level > 0 && study.level < 1)) {
    throw AnalysisError("small_area.invalid_option",
                        "a coverage study needs at least 4 areas, a repetition, 0 < d_low <= "
                        "d_high, sigma2_v >= 0 and a level in (0, 1)");
  }
  const auto mi = static_cast<Eigen::Index>(m);
  io::Rng design = io::Rng::stream(study.seed, "coverage design");
  io::Rng draws = io::Rng::stream(study.seed, "coverage draws");

  // The fixed part: D_i increasing over the areas, x_i drawn once.
  AreaData data;
  data.variance.resize(mi);
  data.x.resize(mi, 2);
  for (Eigen::Index i = 0; i < mi; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(m - 1);
    data.variance[i] = study.d_low * std::pow(study.d_high / study.d_low, t);
    data.x(i, 0) = 1;
    data.x(i, 1) = standard_normal(design);
    data.areas.push_back(std::to_string(i + 1));
  }
  const Eigen::VectorXd mean = study.beta0 + study.beta1 * data.x.col(1).array();
  FayHerriotOptions options;
  options.method = study.method;
  RankOptions rank_options;
  rank_options.replicates = study.rank_replicates;
  rank_options.level = study.level;

  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), (1 + study.level) / 2);
  const double sd_v = std::sqrt(study.sigma2_v);
  Tally tally(m);
  CoverageResult out;
  out.group_size = std::max<std::size_t>(1, m / 10);
  double rank_hits = 0, rank_width = 0, kept = 0;
  Eigen::VectorXd theta(mi);
  data.direct.resize(mi);
  for (std::size_t rep = 0; rep < study.repetitions; ++rep) {
    for (Eigen::Index i = 0; i < mi; ++i)
      theta[i] = mean[i] + sd_v * standard_normal(draws);
    for (Eigen::Index i = 0; i < mi; ++i)
      data.direct[i] = theta[i] + std::sqrt(data.variance[i]) * standard_normal(draws);
    const FayHerriotFit fit =
        fit_fay_herriot_unchecked(data.direct, data.variance, data.x, options);
    if (!fit.converged) {
      ++out.not_converged;
      continue;
    }
    kept += 1;
    if (fit.truncated) ++out.truncated;
    out.mean_sigma2_v += fit.sigma2_v;
    for (std::size_t k = 0; k < m; ++k) {
      const auto i = static_cast<Eigen::Index>(k);
      const double error = fit.eblup[i] - theta[i];
      const double direct_error = data.direct[i] - theta[i];
      if (std::fabs(error) <= z * std::sqrt(fit.mse[i])) tally.eblup_hits[k] += 1;
      if (std::fabs(direct_error) <= z * std::sqrt(data.variance[i])) tally.direct_hits[k] += 1;
      tally.mse_sum[k] += fit.mse[i];
      tally.error2_sum[k] += error * error;
      tally.direct_error2_sum[k] += direct_error * direct_error;
    }
    if (study.rank_replicates > 0) {
      rank_options.seed = study.seed ^ (rep + 1);
      const AreaRanks ranks = bootstrap_ranks(data, fit, options, rank_options);
      const std::vector<std::size_t> truth = rank_values(theta, false);
      for (std::size_t k = 0; k < m; ++k) {
        if (ranks.low[k] <= truth[k] && truth[k] <= ranks.high[k]) rank_hits += 1;
        rank_width += static_cast<double>(ranks.high[k] - ranks.low[k]);
      }
    }
  }
  if (kept == 0) {
    throw AnalysisError("small_area.not_converged", "no repetition of the study converged");
  }
  out.mean_sigma2_v /= kept;
  out.all = summarise(tally, 0, m, kept);
  out.smallest_d = summarise(tally, 0, out.group_size, kept);
  out.largest_d = summarise(tally, m - out.group_size, m, kept);
  if (study.rank_replicates > 0) {
    out.rank_coverage = rank_hits / (kept * static_cast<double>(m));
    out.rank_width = rank_width / (kept * static_cast<double>(m));
  }
  return out;
}

}  // namespace sipas::analysis
