#include "io/utf8.hpp"

#include <gtest/gtest.h>

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

}  // namespace
