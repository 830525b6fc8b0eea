// The maximum-entropy (conditional Poisson) πps design: against enumeration of
// every sample, against R's sampling package (tests/reference/
// max_entropy_reference.json, made by max_entropy_reference.R), and by
// simulation.

#include "sampling/max_entropy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <string>

#include "io/file.hpp"
#include "sampling/error.hpp"
#include "sampling/selection.hpp"

namespace {

using namespace sipas::sampling;
using Json = nlohmann::json;
using sipas::io::Rng;

const Json& reference() {
  static const Json doc = Json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/tests/reference/max_entropy_reference.json", 1 << 24));
  return doc;
}

// The π of a CPS design by brute force: P(s) ∝ ∏_{i∈s} w_i over every subset
// of size m (bit masks), π_i = Σ_{s∋i} P(s).
std::vector<double> enumerate_inclusion(const std::vector<double>& odds, int m) {
  const int n = static_cast<int>(odds.size());
  std::vector<double> pi(odds.size(), 0.0);
  double total = 0;
  for (unsigned s = 0; s < (1u << n); ++s) {
    if (std::popcount(s) != m) continue;
    double p = 1;
    for (int i = 0; i < n; ++i)
      if (s & (1u << i)) p *= odds[i];
    total += p;
    for (int i = 0; i < n; ++i)
      if (s & (1u << i)) pi[i] += p;
  }
  for (auto& p : pi)
    p /= total;
  return pi;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

std::string error_id(const std::function<void()>& f) {
  try {
    f();
  } catch (const SamplingError& e) {
    return e.id();
  }
  return "no error";
}

TEST(MaxEntropyTest, InclusionProbabilitiesMatchEnumeration) {
  const std::vector<double> odds = {0.2, 5, 1, 0.05, 3, 0.7, 12, 0.4, 1.5, 0.01};
  for (int m = 1; m <= static_cast<int>(odds.size()); ++m) {
    auto got = conditional_poisson_inclusion(odds, static_cast<std::size_t>(m));
    auto want = enumerate_inclusion(odds, m);
    EXPECT_LT(max_abs_difference(got, want), 1e-14) << "m = " << m;
    EXPECT_NEAR(std::accumulate(got.begin(), got.end(), 0.0), m, 1e-12) << "m = " << m;
  }
  EXPECT_THAT(conditional_poisson_inclusion(odds, 0), ::testing::Each(0.0));
}

TEST(MaxEntropyTest, InclusionProbabilitiesOfGivenOddsMatchR) {
  // R: UPMEpikfromq(UPMEqfromw(some_odds, m)), for 9 of 30 and 92 of 300 schools.
  for (const char* name : {"small", "commune"}) {
    const auto& record = reference()[name];
    std::vector<double> odds, want;
    for (const auto& [cds, w] : record["some_odds"]["value"].items()) {
      odds.push_back(w.get<double>());
      want.push_back(record["pi_of_some_odds"]["value"][cds].get<double>());
    }
    auto got = conditional_poisson_inclusion(odds, record["m"]["value"].get<std::size_t>());
    EXPECT_LT(max_abs_difference(got, want), 1e-12) << name;
  }
}

TEST(MaxEntropyTest, WorkingOddsMatchRAndGiveTheTargets) {
  // R's fixed point (UPMEpiktildefrompik) and this one reach the same odds up
  // to a common factor, so both are compared after dividing by their
  // geometric mean.
  auto normalised = [](std::vector<double> w) {
    double log_mean = 0;
    for (double x : w)
      log_mean += std::log(x) / static_cast<double>(w.size());
    for (double& x : w)
      x /= std::exp(log_mean);
    return w;
  };
  for (const char* name : {"small", "commune"}) {
    const auto& record = reference()[name];
    std::vector<double> pi, r_odds;
    for (const auto& [cds, w] : record["odds"]["value"].items()) {
      r_odds.push_back(w.get<double>());
      pi.push_back(record["pik"]["value"][cds].get<double>());
    }
    auto odds = max_entropy_working_odds(pi);
    const auto m = record["m"]["value"].get<std::size_t>();
    EXPECT_LT(max_abs_difference(conditional_poisson_inclusion(odds, m), pi), max_entropy_tolerance)
        << name;
    auto ours = normalised(odds), theirs = normalised(r_odds);
    for (std::size_t i = 0; i < ours.size(); ++i)
      EXPECT_NEAR(ours[i], theirs[i], 1e-9 * theirs[i]) << name << " unit " << i;
  }
}

TEST(MaxEntropyTest, SmallFramesWhoseUnitsCompeteConverge) {
  // Newton's step on the diagonal overshoots on these; the line search
  // brings each to its targets.
  const std::vector<std::vector<double>> cases = {
      {0.99, 0.99, 0.02},
      {0.01, 0.01, 0.98},
      {0.3, 0.7},
      {0.00016762563061915699, 0.99983237436938088},
      {0.999999, 0.5, 0.5, 0.000001},
      {0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.18},
      {0.999, 0.999, 0.999, 0.001, 0.001, 0.001, 0.5, 0.5}};
  for (const auto& pi : cases) {
    auto odds = max_entropy_working_odds(pi);
    const auto m =
        static_cast<std::size_t>(std::llround(std::accumulate(pi.begin(), pi.end(), 0.0)));
    EXPECT_LT(max_abs_difference(conditional_poisson_inclusion(odds, m), pi), max_entropy_tolerance)
        << pi.size() << " units, m = " << m;
  }
}

TEST(MaxEntropyTest, ProbabilitiesThatAreNoDesignAreErrors) {
  EXPECT_EQ(error_id([] {
              max_entropy_working_odds(std::vector<double>{0.5, 0.7});
            }),
            "selection.not_whole");
  EXPECT_EQ(error_id([] {
              max_entropy_working_odds(std::vector<double>{0.5, 1, 0.5});
            }),
            "selection.invalid_probability");
  EXPECT_EQ(error_id([] {
              MaxEntropyDesign(std::vector<double>{0.4, 0.4, 1});
            }),
            "selection.not_whole");
  EXPECT_EQ(error_id([] {
              conditional_poisson_inclusion(std::vector<double>{1, 2}, 3);
            }),
            "selection.too_many");
}

// Sizes of a small frame where n = 30 and n = 70 of 90 make a few units
// certain: 3 large ones among sizes 1..29 repeating.
std::vector<double> frame_sizes() {
  std::vector<double> sizes;
  for (int i = 0; i < 90; ++i)
    sizes.push_back(i % 30 == 0 ? 400 : 1 + (i * 7) % 29);
  return sizes;
}

class MaxEntropySimulationTest : public ::testing::TestWithParam<int> {};

TEST_P(MaxEntropySimulationTest, InclusionFrequenciesMatchPi) {
  // n = 30 of 90 (a third), and n = 70, where the 20 units left out are drawn.
  const std::int64_t n = GetParam();
  const auto pi = pps_inclusion_probabilities(frame_sizes(), n);
  const auto certain = std::count(pi.begin(), pi.end(), 1.0);
  ASSERT_GT(certain, 0);
  const MaxEntropyDesign design(pi);
  ASSERT_EQ(design.size(), static_cast<std::size_t>(n));
  const int draws = 10000;
  std::vector<int> hits(pi.size(), 0);
  for (int d = 0; d < draws; ++d) {
    Rng rng = Rng::stream(20240601, "max-entropy " + std::to_string(d));
    auto chosen = design.draw(rng);
    ASSERT_EQ(chosen.size(), static_cast<std::size_t>(n)) << "draw " << d;
    ASSERT_TRUE(std::is_sorted(chosen.begin(), chosen.end()));
    ASSERT_EQ(std::set<std::size_t>(chosen.begin(), chosen.end()).size(), chosen.size());
    for (auto i : chosen)
      ++hits[i];
  }
  // Binomial tolerance: |hits − draws π| within 4.5 standard errors
  // √(draws π (1 − π)) for every unit. The largest of 90 such |z| exceeds 4.5
  // with probability below 1e-3 (the seeds are fixed, so the test is
  // deterministic); certain units must be drawn every time.
  double worst = 0;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (pi[i] >= 1) {
      EXPECT_EQ(hits[i], draws) << "certain unit " << i;
      continue;
    }
    const double se = std::sqrt(draws * pi[i] * (1 - pi[i]));
    worst = std::max(worst, std::fabs(hits[i] - draws * pi[i]) / se);
  }
  EXPECT_LT(worst, 4.5);
}

INSTANTIATE_TEST_SUITE_P(Sizes, MaxEntropySimulationTest, ::testing::Values(30, 70),
                         [](const auto& param_info) {
                           return "n" + std::to_string(param_info.param);
                         });

TEST(MaxEntropyTest, SameSeedSameSample) {
  const auto pi = pps_inclusion_probabilities(frame_sizes(), 30);
  Rng a(77), b(77), c(78);
  const auto first = pps_max_entropy(a, pi);
  EXPECT_EQ(first, pps_max_entropy(b, pi));
  EXPECT_NE(first, pps_max_entropy(c, pi));
}

}  // namespace
