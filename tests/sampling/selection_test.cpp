#include "sampling/selection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "sampling/error.hpp"
#include "sampling/max_entropy.hpp"

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
  const int method = GetParam();
  double z = max_abs_z(pi, 20000, [&](Rng& rng) {
    auto chosen = method == 1   ? pps_sampford(rng, pi)
                  : method == 2 ? pps_max_entropy(rng, pi)
                                : pps_systematic(rng, pi);
    EXPECT_EQ(chosen.size(), 6u);
    EXPECT_EQ(std::set<std::size_t>(chosen.begin(), chosen.end()).size(), chosen.size());
    return chosen;
  });
  EXPECT_LT(z, z_bound);
}

INSTANTIATE_TEST_SUITE_P(Methods, PpsMethodTest, ::testing::Values(0, 1, 2),
                         [](const auto& param_info) {
                           return param_info.param == 0   ? "Systematic"
                                  : param_info.param == 1 ? "Sampford"
                                                          : "MaxEntropy";
                         });

TEST(SelectionTest, SampfordAcceptanceMatchesEnumeration) {
  // Every ordered sequence of m = 3 draws from 6 units: the first with
  // probability π_i/3, the others with π_i/(1-π_i) / Σ π_j/(1-π_j); the sum
  // over the sequences with 3 distinct units.
  const std::vector<double> pi = {0.1, 0.3, 0.45, 0.6, 0.7, 0.85};
  double lambda = 0;
  for (double p : pi)
    lambda += p / (1 - p);
  double accepted = 0;
  for (std::size_t a = 0; a < pi.size(); ++a) {
    for (std::size_t b = 0; b < pi.size(); ++b) {
      for (std::size_t c = 0; c < pi.size(); ++c) {
        if (a == b || b == c || a == c) continue;
        accepted += pi[a] / 3 * (pi[b] / (1 - pi[b]) / lambda) * (pi[c] / (1 - pi[c]) / lambda);
      }
    }
  }
  auto got = sampford_acceptance(pi);
  EXPECT_EQ(got.kind, SampfordAcceptance::Kind::Exact);
  EXPECT_NEAR(got.value, accepted, 1e-15);
  // Certain units and units of size 0 take no part.
  std::vector<double> more = pi;
  more.insert(more.begin() + 2, 1.0);
  more.push_back(0.0);
  EXPECT_NEAR(sampford_acceptance(more).value, accepted, 1e-15);
  EXPECT_EQ(sampford_acceptance(std::vector<double>{0.5, 0.5, 1}).value, 1);
}

TEST(SelectionTest, SampfordAcceptanceBoundAndApproximation) {
  // 100 of 300 equal units: the bound for equal probabilities is the exact
  // value, ∏_{j<99} (1 − j/300) ≈ 8e-9, far below 0.001.
  std::vector<double> sizes(300, 1.0);
  auto a = sampford_acceptance(pps_inclusion_probabilities(sizes, 100));
  EXPECT_EQ(a.kind, SampfordAcceptance::Kind::UpperBound);
  double equal = 1;
  for (int j = 1; j < 99; ++j)
    equal *= 1 - j / 300.0;
  EXPECT_NEAR(a.value, equal, 1e-12 * equal);
  // 80 of 1,000,000 (N m above 2^26): the Poisson approximation, against the
  // exact value for equal probabilities.
  std::vector<double> big(1000000, 1.0);
  a = sampford_acceptance(pps_inclusion_probabilities(big, 80));
  EXPECT_EQ(a.kind, SampfordAcceptance::Kind::Approximate);
  equal = 1;
  for (int j = 1; j < 80; ++j)
    equal *= 1 - j / 1e6;
  EXPECT_NEAR(a.value, equal, 1e-5);
}

TEST(SelectionTest, PpsChoosesSampfordWhereItFinishes) {
  std::vector<double> sizes = {1, 2, 3, 4, 50, 60, 100, 7, 9, 12, 15, 20, 25, 5, 8};
  auto choice = choose_pps_algorithm(pps_inclusion_probabilities(sizes, 6));
  EXPECT_EQ(choice.algorithm, PpsAlgorithm::Sampford);
  EXPECT_GT(choice.sampford.value, min_sampford_acceptance);
  // A commune's list of 300 people, 100 drawn: the maximum-entropy design.
  std::vector<double> people(300);
  for (std::size_t i = 0; i < people.size(); ++i)
    people[i] = 1 + static_cast<double>(i % 7);
  auto pi = pps_inclusion_probabilities(people, 100);
  choice = choose_pps_algorithm(pi);
  EXPECT_EQ(choice.algorithm, PpsAlgorithm::MaxEntropy);
  EXPECT_LT(choice.sampford.value, min_sampford_acceptance);
  Rng rng(9);
  auto draw = pps_fixed_size(rng, pi);
  EXPECT_EQ(draw.choice.algorithm, PpsAlgorithm::MaxEntropy);
  EXPECT_EQ(draw.chosen.size(), 100u);
  EXPECT_EQ(to_string(PpsAlgorithm::MaxEntropy), "maximum-entropy");
  EXPECT_EQ(to_string(PpsAlgorithm::Sampford), "sampford");
}

TEST(SelectionTest, PpsTooLargeForEitherAlgorithmIsATypedError) {
  // 50,000 of 100,000: Sampford's would never finish, and the maximum-entropy
  // design would take N min(m, N − m) = 5e9 steps a pass.
  std::vector<double> sizes(100000, 1.0);
  auto pi = pps_inclusion_probabilities(sizes, 50000);
  try {
    choose_pps_algorithm(pi);
    FAIL();
  } catch (const SamplingError& e) {
    EXPECT_EQ(e.id(), "selection.pps_too_large");
    EXPECT_THAT(e.what(), ::testing::HasSubstr("pps-systematic"));
  }
}

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
