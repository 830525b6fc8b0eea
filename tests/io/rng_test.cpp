#include "io/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using sipas::io::Rng;

// Reference outputs of xoshiro256** seeded by SplitMix64, from an independent
// implementation of the published algorithms (Python, arbitrary-precision ints).
TEST(RngTest, MatchesTheReferenceAlgorithm) {
  Rng a(42);
  EXPECT_EQ(a.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(a.next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(a.next(), 0xae17533239e499a1ULL);
  Rng b(0);
  EXPECT_EQ(b.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(b.next(), 0xbf6e1f784956452aULL);
  Rng c(42);
  EXPECT_DOUBLE_EQ(c.uniform(), 0.08386297105988216);
}

TEST(RngTest, StreamsDependOnTheirName) {
  Rng a = Rng::stream(7, "stratum A");
  Rng a_again = Rng::stream(7, "stratum A");
  Rng b = Rng::stream(7, "stratum B");
  auto first = a.next();
  EXPECT_EQ(first, a_again.next());
  EXPECT_NE(first, b.next());
}

TEST(RngTest, BelowIsUniform) {
  // Chi-square over 7 cells (6 degrees of freedom): the 99.99th percentile is 27.86.
  Rng rng(2024);
  const int draws = 70000;
  std::vector<int> counts(7);
  for (int i = 0; i < draws; ++i) {
    auto v = rng.below(7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  double chi2 = 0;
  for (int c : counts)
    chi2 += std::pow(c - draws / 7.0, 2) / (draws / 7.0);
  EXPECT_LT(chi2, 27.86);
}

TEST(RngTest, UniformIsInTheUnitInterval) {
  Rng rng(1);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  // Mean of 100,000 uniforms: sd 0.000913; allow 5 sd.
  EXPECT_NEAR(sum / 100000, 0.5, 0.0046);
}

}  // namespace
