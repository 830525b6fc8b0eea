// Ranks of the small areas' EBLUPs and their bootstrap intervals on cases
// whose answer is known (areas far apart, areas drowned in sampling noise,
// areas tied), and a small run of the coverage study of
// bench/small_area_coverage.cpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analysis/error.hpp"
#include "analysis/small_area.hpp"
#include "analysis/small_area_simulation.hpp"

namespace {

using namespace sipas::analysis;

// Areas far apart with tiny sampling variances: the order is certain.
TEST(SmallAreaRanks, AreasFarApartHaveIntervalsOfWidthZero) {
  AreaData d;
  const int m = 12;
  d.direct = Eigen::VectorXd::LinSpaced(m, 10, 120);
  d.variance = Eigen::VectorXd::Constant(m, 1e-6);
  d.x = Eigen::MatrixXd::Ones(m, 1);
  for (int i = 0; i < m; ++i)
    d.areas.push_back("a" + std::to_string(i));
  const FayHerriotFit fit = fit_fay_herriot(d);
  RankOptions o;
  o.replicates = 200;
  const AreaRanks r = bootstrap_ranks(d, fit, {}, o);
  for (int i = 0; i < m; ++i) {
    const auto k = static_cast<std::size_t>(i);
    EXPECT_EQ(r.rank[k], static_cast<std::size_t>(m - i));  // highest first
    EXPECT_EQ(r.low[k], r.rank[k]);
    EXPECT_EQ(r.high[k], r.rank[k]);
  }
  o.lower_is_better = true;
  const AreaRanks up = bootstrap_ranks(d, fit, {}, o);
  EXPECT_EQ(up.rank[0], 1u);
  EXPECT_EQ(up.low[m - 1], static_cast<std::size_t>(m));
}

// Every sampling variance huge beside the spread of the areas: the ranks are
// mostly noise, and the intervals say so.
TEST(SmallAreaRanks, HugeVariancesGiveWideIntervals) {
  AreaData d;
  const int m = 20;
  d.direct = Eigen::VectorXd::LinSpaced(m, 0, 80);  // spread a little more than D explains
  d.variance = Eigen::VectorXd::Constant(m, 400);
  d.x = Eigen::MatrixXd::Ones(m, 1);
  for (int i = 0; i < m; ++i)
    d.areas.push_back("a" + std::to_string(i));
  const FayHerriotFit fit = fit_fay_herriot(d);
  ASSERT_GT(fit.sigma2_v, 0);
  RankOptions o;
  o.replicates = 300;
  const AreaRanks r = bootstrap_ranks(d, fit, {}, o);
  double width = 0;
  for (int i = 0; i < m; ++i)
    width += static_cast<double>(r.high[static_cast<std::size_t>(i)] -
                                 r.low[static_cast<std::size_t>(i)]);
  EXPECT_GT(width / m, m / 2.0) << "sigma2_v " << fit.sigma2_v;
  // Same seed, same intervals; another seed, other draws.
  const AreaRanks again = bootstrap_ranks(d, fit, {}, o);
  EXPECT_EQ(again.low, r.low);
  EXPECT_EQ(again.high, r.high);
  EXPECT_EQ(again.mse_boot, r.mse_boot);
  o.seed = 2;
  EXPECT_NE(bootstrap_ranks(d, fit, {}, o).mse_boot, r.mse_boot);
}

// σ̂²_v = 0 and an intercept only: every EBLUP is the same, and so is every
// pseudo-true value; the areas cannot be told apart, so every interval spans
// (nearly) all ranks.
TEST(SmallAreaRanks, TiedAreasGetIntervalsOverTheirTie) {
  AreaData d;
  d.direct = Eigen::VectorXd::LinSpaced(10, 1, 1.09);
  d.variance = Eigen::VectorXd::Constant(10, 1);
  d.x = Eigen::MatrixXd::Ones(10, 1);
  for (int i = 0; i < 10; ++i)
    d.areas.push_back(std::to_string(i));
  const FayHerriotFit fit = fit_fay_herriot(d);
  ASSERT_TRUE(fit.truncated);
  const AreaRanks r = bootstrap_ranks(d, fit, {}, {});
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r.rank[i], 1u);  // equal EBLUPs share the better rank
    EXPECT_EQ(r.low[i], 1u);
    EXPECT_EQ(r.high[i], 10u);
  }
}

TEST(SmallAreaRanks, EqualValuesShareTheBetterRank) {
  EXPECT_EQ(rank_values(Eigen::Vector4d(3, 5, 5, 1), false),
            (std::vector<std::size_t>{3, 1, 1, 4}));
  EXPECT_EQ(rank_values(Eigen::Vector4d(3, 5, 5, 1), true), (std::vector<std::size_t>{2, 3, 3, 1}));
}

TEST(SmallAreaRanks, LevelMustBeAProbability) {
  AreaData d;
  d.direct = Eigen::Vector3d(1, 2, 4);
  d.variance = Eigen::Vector3d::Constant(0.5);
  d.x = Eigen::MatrixXd::Ones(3, 1);
  RankOptions o;
  o.level = 1;
  try {
    bootstrap_ranks(d, fit_fay_herriot(d), {}, o);
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "small_area.invalid_option");
  }
}

// A small version of bench/small_area_coverage.cpp: 30 areas, 200 samples.
// The intervals EBLUP ± 1.96 √mse cover a little less than 95 % with this few
// areas (0.925 in 4,000 samples of this design, 0.91 for the areas of
// largest D: bench/RESULTS.md), as the literature reports for Prasad–Rao
// intervals (Chatterjee, Lahiri and Li 2008); the direct intervals are
// exact. The band says "near the level", the MSE ratio "unbiased".
TEST(SmallAreaCoverage, NominalIntervalsCoverNearTheirLevel) {
  CoverageStudy study;
  study.areas = 30;
  study.repetitions = 200;
  const CoverageResult r = simulate_coverage(study);
  EXPECT_EQ(r.not_converged, 0u);
  EXPECT_GE(r.all.eblup_coverage, 0.90);
  EXPECT_LE(r.all.eblup_coverage, 0.97);
  EXPECT_GE(r.all.direct_coverage, 0.93);
  EXPECT_LE(r.all.direct_coverage, 0.97);
  EXPECT_GT(r.all.mse_ratio, 0.9);
  EXPECT_LT(r.all.mse_ratio, 1.1);
  // The EBLUP is more precise than the direct estimate, most of all where D is large.
  EXPECT_LT(r.all.empirical_mse, r.all.direct_mse);
  EXPECT_LT(r.largest_d.empirical_mse / r.largest_d.direct_mse,
            r.smallest_d.empirical_mse / r.smallest_d.direct_mse);
}

}  // namespace
