// Escaping of text, attributes and script data for the server's pages and the
// report (io/html_escape.hpp).

#include "io/html_escape.hpp"

#include <gtest/gtest.h>

#include "io/utf8.hpp"

namespace {

using namespace sipas::io;

TEST(EscapeHtml, EscapesMarkupAndBothQuotes) {
  EXPECT_EQ(escape_html("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("Hà Nội — 5 > 3"), "Hà Nội — 5 &gt; 3");
  EXPECT_EQ(escape_html(""), "");
}

TEST(EscapeHtml, KeepsLineBreaksAndDropsOtherControls) {
  EXPECT_EQ(escape_html(std::string("a\tb\nc\r\nd\x01\x7f", 11) + std::string(1, '\0') + "e"),
            "a\tb\nc\r\nde");
}

TEST(EscapeHtml, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(escape_html("a\xFF<b"), "a\xEF\xBF\xBD&lt;b");
  EXPECT_EQ(escape_html("\xC3"), "\xEF\xBF\xBD");  // truncated
  for (std::string bad : {"\xED\xA0\x80z", "\xC0\xAFz", "\xF4\x90\x80\x80z", "\x80\x80z"}) {
    auto out = escape_html(bad);
    EXPECT_TRUE(sipas::io::is_valid_utf8(out)) << bad;
    EXPECT_EQ(out.back(), 'z');
    EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
  }
}

TEST(EscapeHtml, AppendsToAnExistingString) {
  std::string out = "<p>";
  append_html(out, "a&b");
  EXPECT_EQ(out, "<p>a&amp;b");
}

TEST(EscapeScriptJson, NoTagCanCloseTheScriptElement) {
  EXPECT_EQ(escape_script_json(R"({"a":"</script><!--&"})"),
            R"({"a":"\u003c/script\u003e\u003c!--\u0026"})");
}

TEST(EscapeHtml, KeepsTheMarkupAndTheBytesValidInTheReport) {
  EXPECT_EQ(escape_html("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(escape_html("Đông Anh"), "Đông Anh");
  EXPECT_EQ(escape_html(std::string("a\xFF") + "b"),
            "a\xEF\xBF\xBD"
            "b");                                                  // invalid byte
  EXPECT_EQ(escape_html(std::string("a\x01\tb\n", 5)), "a\tb\n");  // C0 control dropped
}

}  // namespace
