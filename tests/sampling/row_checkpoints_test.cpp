// Where every K-th row starts, with memory bounded by thinning.

#include "sampling/row_checkpoints.hpp"

#include <gtest/gtest.h>

namespace {

using sipas::io::CsvPosition;
using sipas::sampling::RowCheckpoints;

// Row r "starts" at byte 100 r + 7 on line 2 r + 2: easy to check by hand.
CsvPosition where(std::uint64_t row) {
  return {100 * row + 7, static_cast<std::size_t>(2 * row + 2), static_cast<std::size_t>(row + 1)};
}

TEST(RowCheckpointsTest, EverySixteenthRowUntilFull) {
  RowCheckpoints checkpoints;
  for (std::uint64_t row = 0; row < 1000; ++row) {
    if (checkpoints.due(row)) checkpoints.add(row, where(row));
  }
  EXPECT_EQ(checkpoints.interval(), 16u);
  EXPECT_EQ(checkpoints.size(), 63u);  // rows 0, 16, ..., 992
  EXPECT_EQ(checkpoints.base(37), 32u);
  EXPECT_EQ(checkpoints.at(37), (CsvPosition{3207, 66, 33}));
  EXPECT_EQ(checkpoints.at(0), (CsvPosition{7, 2, 1}));
  EXPECT_EQ(checkpoints.at(999), (CsvPosition{99207, 1986, 993}));
}

TEST(RowCheckpointsTest, ThinningDoublesTheInterval) {
  RowCheckpoints checkpoints(4);
  for (std::uint64_t row = 0; row < 300; ++row) {
    if (checkpoints.due(row)) checkpoints.add(row, where(row));
  }
  // Rows 0, 16, 32, 48 fill it; at 64 it keeps 0, 32 and goes on every 32nd:
  // 0, 32, 64, 96; at 128 every 64th: 0, 64, 128, 192; at 256 every 128th:
  // 0, 128, 256.
  EXPECT_EQ(checkpoints.interval(), 128u);
  EXPECT_EQ(checkpoints.size(), 3u);
  EXPECT_EQ(checkpoints.at(255), (CsvPosition{12807, 258, 129}));
  EXPECT_EQ(checkpoints.at(299), (CsvPosition{25607, 514, 257}));
  EXPECT_EQ(checkpoints.at(5), (CsvPosition{7, 2, 1}));
  EXPECT_THROW(checkpoints.at(384), std::out_of_range);
}

}  // namespace
