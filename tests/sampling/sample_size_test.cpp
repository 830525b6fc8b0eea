#include "sampling/sample_size.hpp"

#include <gtest/gtest.h>

#include "sampling/error.hpp"

namespace {

using namespace sipas::sampling;

// domain.md §5: Slovin check values with e = 5%.
TEST(SampleSizeTest, SlovinMatchesTheGuidanceTable) {
  EXPECT_NEAR(slovin(500, 0.05).exact, 222.2222222, 1e-6);
  EXPECT_EQ(slovin(500, 0.05).n, 223);
  EXPECT_EQ(slovin(1000, 0.05).n, 286);
  EXPECT_EQ(slovin(10000, 0.05).n, 385);
  EXPECT_EQ(slovin(100000, 0.05).n, 399);
}

TEST(SampleSizeTest, CochranStepByStep) {
  ProportionSizeOptions o;
  o.margin = 0.05;
  auto s = size_for_proportion(o);
  // z = 1.959963984540054; n0 = z² · 0.25 / 0.0025 = 384.1458820694124
  EXPECT_NEAR(s.z, 1.959963984540054, 1e-12);
  EXPECT_NEAR(s.n0, 384.1458820694124, 1e-9);
  EXPECT_EQ(s.n, 385);

  o.population = 10000;
  o.design_effect = 1.5;
  o.response_rate = 0.8;
  s = size_for_proportion(o);
  // 576.2188231 / (1 + 575.2188231 / 10000) = 544.8784..., / 0.8 = 681.098...
  EXPECT_NEAR(s.with_deff, 576.2188231041186, 1e-9);
  EXPECT_NEAR(s.with_fpc, 576.2188231041186 / (1 + 575.2188231041186 / 10000), 1e-9);
  EXPECT_NEAR(s.to_draw, s.with_fpc / 0.8, 1e-9);
  EXPECT_EQ(s.n, 682);
}

TEST(SampleSizeTest, NeverMoreThanThePopulation) {
  ProportionSizeOptions o;
  o.margin = 0.01;
  o.population = 50;
  o.response_rate = 0.5;
  EXPECT_EQ(size_for_proportion(o).n, 50);
  EXPECT_EQ(slovin(1, 0.05).n, 1);
}

TEST(SampleSizeTest, ConfidenceLevels) {
  EXPECT_NEAR(normal_quantile_two_sided(0.90), 1.6448536269514722, 1e-12);
  EXPECT_NEAR(normal_quantile_two_sided(0.99), 2.5758293035489004, 1e-12);
}

TEST(SampleSizeTest, InvalidOptionsNameTheOption) {
  ProportionSizeOptions o;
  o.margin = 0;
  try {
    size_for_proportion(o);
    FAIL();
  } catch (const SamplingError& e) {
    EXPECT_EQ(e.id(), "sample_size.invalid_option");
    EXPECT_NE(std::string(e.what()).find("`margin`"), std::string::npos);
  }
  o.margin = 0.05;
  o.response_rate = 1.2;
  EXPECT_THROW(size_for_proportion(o), SamplingError);
  EXPECT_THROW(normal_quantile_two_sided(1), SamplingError);
  EXPECT_THROW(slovin(0, 0.05), SamplingError);
}

TEST(SampleSizeTest, RoundUpForgivesNoiseOnly) {
  EXPECT_EQ(round_up(385.0000000001), 385);
  EXPECT_EQ(round_up(385.001), 386);
  EXPECT_EQ(round_up(384.6), 385);
}

}  // namespace
