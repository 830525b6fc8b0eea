#include "analysis/response_rates.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace sipas::analysis {
namespace {

TEST(FieldworkRatesTest, RatesPerGroupAndPooledOverall) {
  // 30 of 40 and 5 of 10: the whole survey is 35/50 = 0.7, not the mean of
  // 0.75 and 0.5.
  auto rates = fieldwork_rates({{"A", 40, 36, 30}, {"B", 10, 6, 5}});
  ASSERT_EQ(rates.size(), 3u);
  EXPECT_DOUBLE_EQ(rates[0].response_rate, 0.75);
  EXPECT_DOUBLE_EQ(rates[0].open_rate, 0.9);
  EXPECT_DOUBLE_EQ(rates[1].response_rate, 0.5);
  EXPECT_EQ(rates[2].group, "");
  EXPECT_EQ(rates[2].invited, 50);
  EXPECT_DOUBLE_EQ(rates[2].response_rate, 0.7);
}

TEST(FieldworkRatesTest, NoInvitationsGiveNaNAndBadCountsThrow) {
  auto rates = fieldwork_rates({{"A", 0, 0, 0}});
  EXPECT_TRUE(std::isnan(rates[0].response_rate));
  EXPECT_THROW(fieldwork_rates({{"A", 3, 1, 4}}), std::invalid_argument);
  EXPECT_THROW(fieldwork_rates({{"A", 3, -1, 0}}), std::invalid_argument);
}

}  // namespace
}  // namespace sipas::analysis
