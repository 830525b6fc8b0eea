#include "io/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using sipas::io::is_valid_utf8;
using sipas::io::utf8_column;
using sipas::io::utf8_length;

TEST(Utf8Test, CountsCharactersNotBytes) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("Hà Nội"), 6u);  // 9 bytes
  EXPECT_EQ(std::string("Hà Nội").size(), 9u);
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80"), 1u);  // U+1F600, four bytes
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("ab\xFF"));
  EXPECT_TRUE(is_valid_utf8("Người dân"));
  EXPECT_FALSE(utf8_length("a\x80").has_value());
}

TEST(Utf8Test, ColumnsCountCharacters) {
  std::string text = "Hà x";
  EXPECT_EQ(utf8_column(text, 0), 1u);
  EXPECT_EQ(utf8_column(text, 1), 2u);  // 'à' starts at byte 1
  EXPECT_EQ(utf8_column(text, 3), 3u);  // ' ' is byte 3, the third character
  EXPECT_EQ(utf8_column(text, 4), 4u);
  EXPECT_EQ(utf8_column(text, 100), 5u);  // past the end: clamped
}

// is_valid_utf8 has its own fast scanner; utf8_length decodes with Boost.
// They must agree on every input.
TEST(Utf8Test, FastValidationAgreesWithTheDecoder) {
  auto agree = [](const std::string& s) { return is_valid_utf8(s) == utf8_length(s).has_value(); };
  for (unsigned a = 0; a < 256; ++a) {
    for (unsigned b = 0; b < 256; ++b) {
      std::string s{static_cast<char>(a), static_cast<char>(b)};
      ASSERT_TRUE(agree(s)) << std::hex << a << " " << b;
      ASSERT_TRUE(agree(s.substr(0, 1)));
    }
  }
  // Lead bytes of 3- and 4-byte forms with the boundary values after them.
  const std::vector<unsigned> next = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                      0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF4, 0xFF};
  for (unsigned lead = 0xC0; lead < 256; ++lead) {
    for (unsigned b : next) {
      for (unsigned c : next) {
        for (unsigned d : next) {
          std::string s{static_cast<char>(lead), static_cast<char>(b), static_cast<char>(c),
                        static_cast<char>(d)};
          ASSERT_TRUE(agree(s)) << std::hex << lead << " " << b << " " << c << " " << d;
          ASSERT_TRUE(agree(s.substr(0, 3)));
        }
      }
    }
  }
  // Random mixtures long enough to take the 16-byte ASCII path, and to have a
  // sequence straddle its chunks.
  const std::vector<std::string> pieces = {
      "a",    "Hà Nội ",  "0123456789abcdef", "\xF0\x9F\x98\x80", "\xED\x9F\xBF", "\x80",
      "\xC3", "\xE1\xBB", "\xF4\x90",         "\xC0\xAF",         "\xED\xA0\x80", "\xFF",
      "ễ"};
  std::uint64_t seed = 12345;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    int count = static_cast<int>(seed % 12);
    for (int i = 0; i < count; ++i) {
      seed = seed * 6364136223846793005u + 1442695040888963407u;
      const auto& piece = pieces[(seed >> 33) % pieces.size()];
      // Mostly valid pieces, so that an invalid one is often deep inside.
      s += (seed >> 20) % 4 == 0 ? piece : pieces[(seed >> 40) % 3];
    }
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    ASSERT_TRUE(agree(s)) << round;
  }
}

}  // namespace
