#include "io/number_text.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "io/rng.hpp"

namespace {

using sipas::io::fixed_decimal;
using sipas::io::shortest_decimal;

TEST(NumberTextTest, ShortestDecimal) {
  EXPECT_EQ(shortest_decimal(0.1), "0.1");
  EXPECT_EQ(shortest_decimal(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(shortest_decimal(100), "100");
  EXPECT_EQ(shortest_decimal(-2.5), "-2.5");
  EXPECT_EQ(shortest_decimal(1e-7), "1e-07");
  EXPECT_EQ(shortest_decimal(1e21), "1e+21");
  EXPECT_EQ(shortest_decimal(0.0), "0");
  EXPECT_EQ(shortest_decimal(-0.0), "-0");
  EXPECT_EQ(shortest_decimal(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(shortest_decimal(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(shortest_decimal(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(shortest_decimal(-std::numeric_limits<double>::denorm_min()), "-5e-324");
}

TEST(NumberTextTest, ShortestDecimalReadsBackToTheSameDouble) {
  sipas::io::Rng rng(19);
  for (int i = 0; i < 10000; ++i) {
    const double x = (rng.uniform() - 0.5) * std::pow(10.0, rng.below(40) - 20.0);
    const std::string text = shortest_decimal(x);
    double back = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), back);
    ASSERT_EQ(ec, std::errc()) << text;
    ASSERT_EQ(end, text.data() + text.size()) << text;
    ASSERT_EQ(back, x) << text;
  }
}

TEST(NumberTextTest, FixedDecimal) {
  EXPECT_EQ(fixed_decimal(2.5, 2), "2.50");
  EXPECT_EQ(fixed_decimal(1234.5678, 0), "1235");
  EXPECT_EQ(fixed_decimal(1234.5678, 1), "1234.6");
  EXPECT_EQ(fixed_decimal(-0.001, 2), "-0.00");
  EXPECT_EQ(fixed_decimal(1e-7, 3), "0.000");
  EXPECT_EQ(fixed_decimal(1e21, 0), "1000000000000000000000");
  // Rounded from the double's exact value: 2.675 is 2.67499999...
  EXPECT_EQ(fixed_decimal(2.675, 2), "2.67");
  EXPECT_EQ(fixed_decimal(std::numeric_limits<double>::quiet_NaN(), 2), "nan");
  EXPECT_EQ(fixed_decimal(-std::numeric_limits<double>::infinity(), 2), "-inf");
}

TEST(NumberTextTest, FixedDecimalFitsEveryDoubleUpTo89Decimals) {
  const double largest = std::numeric_limits<double>::max();
  EXPECT_EQ(fixed_decimal(-largest, 89).size(), 400u);
  EXPECT_EQ(fixed_decimal(-largest, 90), "");
}

// The same text as printf's "%.*f" in the C locale, ties included.
TEST(NumberTextTest, FixedDecimalAgreesWithPrintf) {
  sipas::io::Rng rng(2025);
  char buffer[512];
  for (int i = 0; i < 10000; ++i) {
    const double x = i % 2 == 0 ? (rng.uniform() - 0.5) * std::pow(10.0, rng.below(16) - 4.0)
                                : static_cast<double>(rng.below(4000)) / 8 - 250;  // exact ties
    const int decimals = static_cast<int>(rng.below(6));
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
    ASSERT_EQ(fixed_decimal(x, decimals), buffer) << x << " " << decimals;
  }
}

}  // namespace
