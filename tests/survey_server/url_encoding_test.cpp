// Percent-decoding and application/x-www-form-urlencoded parsing
// (url_encoding.hpp): order and repeats kept, '+' as space only in forms,
// strict %XX and UTF-8, and the bound on the number of fields.

#include "survey_server/url_encoding.hpp"
#include "io/percent_encoding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace {

using namespace sipas::survey_server;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string error_id(const std::function<void()>& f) {
  try {
    f();
  } catch (const FormError& e) {
    return e.id();
  }
  return "no error";
}

TEST(PercentDecode, DecodesEscapesAndKeepsPlus) {
  EXPECT_EQ(percent_decode("a%20b+c"), "a b+c");
  EXPECT_EQ(percent_decode("H%C3%A0%20N%E1%BB%99i"), "Hà Nội");
  EXPECT_EQ(percent_decode("%c3%a9"), "é");  // lowercase hex
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("%25"), "%");
}

TEST(PercentDecode, RejectsIncompleteOrNonHexEscapes) {
  for (const char* bad : {"%", "%2", "a%G1", "abc%2x", "%%41"}) {
    EXPECT_EQ(error_id([&] { percent_decode(bad); }), "form.malformed") << bad;
  }
  try {
    percent_decode("abc%2x");
    FAIL();
  } catch (const FormError& e) {
    EXPECT_STREQ(e.what(), "'%' at byte 3 is not followed by two hex digits");
  }
}

TEST(PercentDecode, RejectsBytesThatAreNotUtf8) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a
  // surrogate, and a code point above U+10FFFF.
  for (const char* bad : {"%FF", "%C3%28", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "ok%E1%BB"}) {
    EXPECT_EQ(error_id([&] { percent_decode(bad); }), "form.malformed") << bad;
  }
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(sipas::io::percent_encode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(sipas::io::percent_encode("a b/?&=#+%\"<"), "a%20b%2F%3F%26%3D%23%2B%25%22%3C");
  EXPECT_EQ(sipas::io::percent_encode("Hà"), "H%C3%A0");
}

TEST(PercentEncode, RoundTripsThroughDecodeAndFormParsing) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"a", " ", "+", "&", "=", "%", "ạ", "€", "😀", "\n", "?"};
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int k = 0; k < 8; ++k)
      text += pieces[rng() % pieces.size()];
    EXPECT_EQ(percent_decode(sipas::io::percent_encode(text)), text);
    auto fields =
        parse_urlencoded(sipas::io::percent_encode(text) + "=" + sipas::io::percent_encode(text));
    ASSERT_EQ(fields.size(), 1u);
    EXPECT_EQ(fields[0].first, text);
    EXPECT_EQ(fields[0].second, text);
  }
}

TEST(ParseUrlencoded, KeepsOrderAndRepeatedNames) {
  EXPECT_THAT(parse_urlencoded("b=2&a=1&b=3"),
              ElementsAre(Pair("b", "2"), Pair("a", "1"), Pair("b", "3")));
}

TEST(ParseUrlencoded, PlusIsASpaceAndEscapedPlusIsAPlus) {
  EXPECT_THAT(parse_urlencoded("q=a+b%2Bc&n+1=x"),
              ElementsAre(Pair("q", "a b+c"), Pair("n 1", "x")));
}

TEST(ParseUrlencoded, SkipsEmptyPiecesAndReadsBareNames) {
  EXPECT_THAT(parse_urlencoded("&&a&b=&=c&"),
              ElementsAre(Pair("a", ""), Pair("b", ""), Pair("", "c")));
  EXPECT_THAT(parse_urlencoded("a=b=c"), ElementsAre(Pair("a", "b=c")));
  EXPECT_TRUE(parse_urlencoded("").empty());
}

TEST(ParseUrlencoded, RejectsBadEscapesInNamesAndValues) {
  EXPECT_EQ(error_id([] { parse_urlencoded("a%zz=1"); }), "form.malformed");
  EXPECT_EQ(error_id([] { parse_urlencoded("a=1&b=%C3"); }), "form.malformed");
}

TEST(ParseUrlencoded, BoundsTheNumberOfFields) {
  EXPECT_EQ(parse_urlencoded("a=1&b=2", 2).size(), 2u);
  EXPECT_EQ(parse_urlencoded("a=1&&&b=2&", 2).size(), 2u);  // empty pieces do not count
  EXPECT_EQ(error_id([] { parse_urlencoded("a=1&b=2&c=3", 2); }), "form.too_many_fields");
  try {
    parse_urlencoded(std::string(5000, '&') + "a&b&c", 2);
    FAIL();
  } catch (const FormError& e) {
    EXPECT_THAT(e.what(), HasSubstr("more than 2 fields"));
  }
}

TEST(FindField, ReturnsTheFirstValue) {
  auto fields = parse_urlencoded("t=abc&lang=en&t=def");
  EXPECT_EQ(find_field(fields, "t"), "abc");
  EXPECT_EQ(find_field(fields, "lang"), "en");
  EXPECT_EQ(find_field(fields, "x"), std::nullopt);
}

}  // namespace
