#include "sampling/selection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "sampling/error.hpp"

namespace {

using namespace sipas::sampling;

// The largest |z| of the empirical inclusion frequencies against π over
// `draws` seeded draws (units with π of 0 or 1 must be never or always drawn).
template <typename Draw>
double max_abs_z(const std::vector<double>& pi, int draws, Draw draw) {
  std::vector<int> hits(pi.size());
  for (int d = 0; d < draws; ++d) {
    Rng rng = Rng::stream(20240601, "draw " + std::to_string(d));
    for (auto i : draw(rng))
      ++hits[i];
  }
  double worst = 0;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (pi[i] <= 0 || pi[i] >= 1) {
      EXPECT_EQ(hits[i], pi[i] >= 1 ? draws : 0) << "unit " << i;
      continue;
    }
    double sd = std::sqrt(draws * pi[i] * (1 - pi[i]));
    worst = std::max(worst, std::fabs(hits[i] - draws * pi[i]) / sd);
  }
  return worst;
}

// With ~20 units, the largest of 20 |z| exceeds 4.5 with probability < 1e-4.
constexpr double z_bound = 4.5;

TEST(SelectionTest, SrsOrderGivesDistinctPositionsInRandomOrder) {
  Rng rng(5);
  auto order = srs_order(rng, 100, 30);
  ASSERT_EQ(order.size(), 30u);
  std::set<std::uint64_t> distinct(order.begin(), order.end());
  EXPECT_EQ(distinct.size(), 30u);
  EXPECT_LT(*distinct.rbegin(), 100u);
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
  Rng again(5);
  EXPECT_EQ(srs_order(again, 100, 30), order);  // reproducible
  Rng all(1);
  auto everything = srs_order(all, 10, 10);
  std::sort(everything.begin(), everything.end());
  EXPECT_THAT(everything, ::testing::ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  Rng r(1);
  EXPECT_THROW(srs_order(r, 5, 6), SamplingError);
}

TEST(SelectionTest, SrsInclusionFrequenciesMatchNOverN) {
  std::vector<double> pi(20, 6.0 / 20);
  double z = max_abs_z(pi, 20000, [](Rng& rng) {
    auto o = srs_order(rng, 20, 6);
    return std::vector<std::size_t>(o.begin(), o.end());
  });
  EXPECT_LT(z, z_bound);
}

TEST(SelectionTest, ReservesAreUniformOverTheRest) {
  // The 7th to 9th positions of the order (the reserve list) are an SRS of the
  // units not in the main sample: each unit is a reserve with probability 3/20.
  std::vector<double> pi(20, 3.0 / 20);
  double z = max_abs_z(pi, 20000, [](Rng& rng) {
    auto o = srs_order(rng, 20, 9);
    return std::vector<std::size_t>(o.begin() + 6, o.end());
  });
  EXPECT_LT(z, z_bound);
}

TEST(SelectionTest, SystematicPositionsAreEvenlySpaced) {
  Rng rng(3);
  auto p = systematic_positions(rng, 100, 10);
  ASSERT_EQ(p.size(), 10u);
  for (std::size_t j = 1; j < p.size(); ++j)
    EXPECT_EQ(p[j] - p[j - 1], 10u);
  std::vector<double> pi(23, 5.0 / 23);  // a fractional interval of 4.6
  double z = max_abs_z(pi, 20000, [](Rng& r) {
    auto q = systematic_positions(r, 23, 5);
    EXPECT_EQ(std::set<std::uint64_t>(q.begin(), q.end()).size(), 5u);
    return std::vector<std::size_t>(q.begin(), q.end());
  });
  EXPECT_LT(z, z_bound);
}

TEST(SelectionTest, PpsProbabilitiesWithCertaintyUnitsByHand) {
  // Sizes 1, 2, 3, 4, 50, 60, 100 (Σ 220), n = 3: 100 gives 1.36 -> certain;
  // n = 2 over 120: 60 gives 1.0 -> certain; n = 1 over 60: x/60.
  std::vector<double> sizes = {1, 2, 3, 4, 50, 60, 100};
  auto pi = pps_inclusion_probabilities(sizes, 3);
  std::vector<double> expected = {1.0 / 60, 2.0 / 60, 3.0 / 60, 4.0 / 60, 50.0 / 60, 1, 1};
  for (std::size_t i = 0; i < pi.size(); ++i)
    EXPECT_NEAR(pi[i], expected[i], 1e-15) << i;
  EXPECT_NEAR(std::accumulate(pi.begin(), pi.end(), 0.0), 3, 1e-12);
  // n = 4: 100, 60 and 50 are certain, the last draw goes by x/10.
  pi = pps_inclusion_probabilities(sizes, 4);
  expected = {0.1, 0.2, 0.3, 0.4, 1, 1, 1};
  for (std::size_t i = 0; i < pi.size(); ++i)
    EXPECT_NEAR(pi[i], expected[i], 1e-15) << i;
}

TEST(SelectionTest, PpsRejectsImpossibleRequests) {
  std::vector<double> sizes = {1, 0, 2};
  EXPECT_THROW(pps_inclusion_probabilities(sizes, 3), SamplingError);
  std::vector<double> negative = {1, -1, 2};
  EXPECT_THROW(pps_inclusion_probabilities(negative, 1), SamplingError);
}

class PpsMethodTest : public ::testing::TestWithParam<int> {};

TEST_P(PpsMethodTest, InclusionFrequenciesMatchPi) {
  std::vector<double> sizes = {1, 2, 3, 4, 50, 60, 100, 7, 9, 12, 15, 20, 25, 5, 8};
  auto pi = pps_inclusion_probabilities(sizes, 6);
  bool sampford = GetParam() == 1;
  double z = max_abs_z(pi, 20000, [&](Rng& rng) {
    auto chosen = sampford ? pps_sampford(rng, pi) : pps_systematic(rng, pi);
    EXPECT_EQ(chosen.size(), 6u);
    EXPECT_EQ(std::set<std::size_t>(chosen.begin(), chosen.end()).size(), chosen.size());
    return chosen;
  });
  EXPECT_LT(z, z_bound);
}

INSTANTIATE_TEST_SUITE_P(Methods, PpsMethodTest, ::testing::Values(0, 1),
                         [](const auto& param_info) {
                           return param_info.param == 0 ? "Systematic" : "Sampford";
                         });

TEST(SelectionTest, StreamingSystematicPpsMatchesTheVectorForm) {
  std::vector<double> pi = {0.3, 0.5, 1, 0.2, 0.7, 0.3};
  Rng a(11), b(11);
  auto chosen = pps_systematic(a, pi);
  SystematicPps cursor(b);
  std::vector<std::size_t> streamed;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (cursor.take(pi[i])) streamed.push_back(i);
  }
  EXPECT_EQ(chosen, streamed);
  EXPECT_EQ(chosen.size(), 3u);
}

}  // namespace
