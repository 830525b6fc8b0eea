// Ranks of the areas' EBLUPs and their intervals by parametric bootstrap
// (analysis/README.md, "Ranks"): replicate populations drawn from the fitted
// model, the model fitted again on each, and the areas ranked on the
// "pseudo-true" values θ̂_i − (θ̂*_i − θ*_i).

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>

#include "analysis/error.hpp"
#include "analysis/small_area.hpp"

namespace sipas::analysis {
namespace {

// The k-th smallest of the replicate ranks with k = ⌈B p⌉ (R's quantile
// type 1, the inverse of the empirical CDF), so a bound is a rank that some
// replicate gave. The slack keeps B p = 25.000000000000004 at 25.
std::size_t rank_quantile(std::vector<std::uint32_t>& ranks, double p) {
  const auto b = static_cast<double>(ranks.size());
  auto k = static_cast<std::size_t>(std::ceil(b * p - 1e-9));
  k = std::clamp<std::size_t>(k, 1, ranks.size());
  std::nth_element(ranks.begin(), ranks.begin() + static_cast<std::ptrdiff_t>(k - 1), ranks.end());
  return ranks[k - 1];
}

}  // namespace

double standard_normal(io::Rng& rng) {
  // (k + 1/2) 2⁻⁵³ for the top 53 bits k: strictly inside (0, 1).
  const double u = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
  return boost::math::quantile(boost::math::normal_distribution<double>(), u);
}

std::vector<std::size_t> rank_values(const Eigen::VectorXd& values, bool lower_is_better) {
  const auto m = static_cast<std::size_t>(values.size());
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  auto better = [&](std::size_t a, std::size_t b) {
    const auto i = static_cast<Eigen::Index>(a), j = static_cast<Eigen::Index>(b);
    return lower_is_better ? values[i] < values[j] : values[i] > values[j];
  };
  std::stable_sort(order.begin(), order.end(), better);
  std::vector<std::size_t> rank(m);
  for (std::size_t k = 0; k < m; ++k) {
    const bool tied = k > 0 && !better(order[k - 1], order[k]);
    rank[order[k]] = tied ? rank[order[k - 1]] : k + 1;
  }
  return rank;
}

AreaRanks bootstrap_ranks(const AreaData& data, const FayHerriotFit& fit,
                          const FayHerriotOptions& fit_options, const RankOptions& options) {
  if (!(options.level > 0 && options.level < 1)) {
    throw AnalysisError("small_area.invalid_option",
                        "the level of the rank intervals must be between 0 and 1, e.g. 0.95");
  }
  if (options.replicates == 0) {
    throw AnalysisError("small_area.invalid_option", "rank intervals need at least one replicate");
  }
  const Eigen::Index m = data.direct.size();
  const auto areas = static_cast<std::size_t>(m);
  AreaRanks out;
  out.rank = rank_values(fit.eblup, options.lower_is_better);
  out.replicates = options.replicates;
  out.mse_boot = Eigen::VectorXd::Zero(m);

  // Two streams: the model's draws, and the keys that put exactly equal
  // pseudo-true values in random order (they arise when σ̂²_v = 0 and areas
  // share their covariates: such areas cannot be told apart, and their
  // intervals should say so).
  io::Rng draws = io::Rng::stream(options.seed, "small-area replicates");
  io::Rng ties = io::Rng::stream(options.seed, "small-area ties");
  const double sd_v = std::sqrt(fit.sigma2_v);
  const Eigen::ArrayXd sd_e = data.variance.array().sqrt();

  std::vector<std::vector<std::uint32_t>> replicate_ranks(areas);
  for (auto& r : replicate_ranks)
    r.reserve(options.replicates);
  Eigen::VectorXd theta(m), y(m);
  std::vector<std::size_t> order(areas);
  std::vector<std::uint64_t> key(areas);
  for (std::size_t b = 0; b < options.replicates;) {
    for (Eigen::Index i = 0; i < m; ++i)
      theta[i] = fit.synthetic[i] + sd_v * standard_normal(draws);
    for (Eigen::Index i = 0; i < m; ++i)
      y[i] = theta[i] + sd_e[i] * standard_normal(draws);
    const FayHerriotFit replicate =
        fit_fay_herriot_unchecked(y, data.variance, data.x, fit_options);
    if (!replicate.converged) {
      // As sae's bootstrap does: a replicate whose fit does not settle is
      // drawn again (and counted).
      if (++out.redrawn > options.replicates) {
        throw AnalysisError("small_area.not_converged",
                            "the fit did not settle in more bootstrap replicates than B = " +
                                std::to_string(options.replicates));
      }
      continue;
    }
    const Eigen::VectorXd error = replicate.eblup - theta;
    out.mse_boot += error.cwiseAbs2();
    const Eigen::VectorXd pseudo = fit.eblup - error;
    std::iota(order.begin(), order.end(), 0);
    for (auto& k : key)
      k = ties.next();
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t c) {
      const double va = pseudo[static_cast<Eigen::Index>(a)];
      const double vc = pseudo[static_cast<Eigen::Index>(c)];
      if (va != vc) return options.lower_is_better ? va < vc : va > vc;
      return key[a] < key[c];
    });
    for (std::size_t k = 0; k < areas; ++k)
      replicate_ranks[order[k]].push_back(static_cast<std::uint32_t>(k + 1));
    ++b;
  }
  out.mse_boot /= static_cast<double>(options.replicates);

  const double alpha = (1 - options.level) / 2;
  out.low.resize(areas);
  out.high.resize(areas);
  for (std::size_t i = 0; i < areas; ++i) {
    out.low[i] = rank_quantile(replicate_ranks[i], alpha);
    out.high[i] = rank_quantile(replicate_ranks[i], 1 - alpha);
  }
  return out;
}

}  // namespace sipas::analysis
