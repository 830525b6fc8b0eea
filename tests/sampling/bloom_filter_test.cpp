// The duplicate-id filter: no id seen twice ever passes unnoticed, and ids
// seen once mostly do.

#include "sampling/bloom_filter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>

namespace {

using sipas::sampling::BloomFilter;

TEST(BloomFilterTest, AnIdSeenBeforeIsAlwaysReported) {
  BloomFilter filter(0);  // the smallest filter: 2^19 bits
  EXPECT_EQ(filter.bits(), std::uint64_t{1} << 19);
  for (int i = 0; i < 50000; ++i)
    filter.insert("P01-D02-C03-" + std::to_string(i));
  for (int i = 0; i < 50000; ++i)
    EXPECT_TRUE(filter.insert("P01-D02-C03-" + std::to_string(i))) << i;
}

TEST(BloomFilterTest, FalsePositivesAsTheSizeLets) {
  // 100,000 ids in 2^19 bits, 6 bits each: a plain Bloom filter would answer
  // "maybe seen" for a new id with probability about (1 - e^(-6 n / m))^6 on
  // average over the filling, here at most 0.11 at the end. Blocking adds a
  // little; far above means the bits are not spread, far below that they are
  // not all set.
  BloomFilter filter(0);
  const int n = 100000;
  int maybe = 0;
  for (int i = 0; i < n; ++i)
    maybe += filter.insert("id-" + std::to_string(i));
  const double full = std::pow(1 - std::exp(-6.0 * n / static_cast<double>(filter.bits())), 6);
  EXPECT_GT(maybe, 0);
  EXPECT_LT(maybe, n * 2 * full);
  // A filter sized for a 100 MB frame keeps false positives rare.
  BloomFilter big(100'000'000);
  EXPECT_EQ(big.bits(), std::uint64_t{1} << 28);
  int rare = 0;
  for (int i = 0; i < n; ++i)
    rare += big.insert("id-" + std::to_string(i));
  EXPECT_LE(rare, 1);
}

TEST(BloomFilterTest, SizeIsCappedAndMovesKeepTheBits) {
  BloomFilter capped(std::uint64_t{1} << 40);
  EXPECT_EQ(capped.bits(), std::uint64_t{1} << 29);  // 64 MiB
  BloomFilter filter(0);
  filter.insert("a");
  BloomFilter moved(std::move(filter));
  EXPECT_TRUE(moved.insert("a"));
  BloomFilter assigned(0);
  assigned = std::move(moved);
  EXPECT_TRUE(assigned.insert("a"));
  EXPECT_EQ(assigned.hash("a"), BloomFilter::hash("a"));
}

}  // namespace
