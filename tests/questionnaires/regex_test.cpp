// regex() through RE2 (FORMAT.md, "Patterns"): the patterns that made a
// backtracking engine take exponential time give the right answer on long
// subjects; what RE2 does not accept is refused when the questionnaire loads,
// naming the item; Vietnamese text matches by character; each pattern of a
// questionnaire is compiled once.

#include "questionnaires/regex.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "questionnaires/error.hpp"
#include "questionnaires/expression.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NoSymbols : public SymbolTable {
 public:
  std::optional<Symbol> lookup(std::string_view) const override { return std::nullopt; }
};

// Whether `subject` matches `pattern`, through regex(., 'pattern') as a
// constraint evaluates it.
bool matches(const std::string& pattern, const std::string& subject) {
  NoSymbols symbols;
  Expression e = Expression::compile("regex(., '" + pattern + "')", symbols, true);
  return e.holds(Environment{{}, Value::of_string(subject)});
}

std::string times(std::string_view piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += piece;
  return out;
}

// A backtracking engine tries exponentially many ways to split the subject
// before it fails (or gives up, and with a limit, answers "no match" where
// there is one). RE2 answers in one pass over the subject.
TEST(RegexTest, CatastrophicPatternsOnLongSubjectsGiveTheRightAnswer) {
  const std::size_t n = 100000;
  const std::string a(n, 'a'), x(n, 'x');
  EXPECT_TRUE(matches("(a+)+$", a));
  EXPECT_FALSE(matches("(a+)+$", a + "!"));
  EXPECT_FALSE(matches("(a+)+b", a));
  EXPECT_TRUE(matches("(a+)+b", a + "b"));
  EXPECT_FALSE(matches("(a|aa)*c", a));
  EXPECT_TRUE(matches("(a|aa)*c", a + "c"));  // PCRE2, out of its limits, said no
  EXPECT_FALSE(matches("(x+x+)+y", x));
  EXPECT_TRUE(matches("(x+x+)+y", x + "y"));
  EXPECT_FALSE(matches("((a*)*)*b", a));
  EXPECT_TRUE(matches("((a*)*)*", a));
  EXPECT_TRUE(matches("(.*a){12}", a));
  EXPECT_FALSE(matches("(.*a){12}", a + "!"));
  EXPECT_TRUE(matches("(\\w+\\s?)*$", times("word ", n / 5)));  // so did PCRE2 here
  EXPECT_FALSE(matches("(\\w+\\s?)*$", times("word ", n / 5) + "!"));
  EXPECT_TRUE(matches("(\\p{L}+\\s?)*\\d", times("chữ ", n / 5) + "7"));
  EXPECT_FALSE(matches("(\\p{L}+\\s?)*\\d", times("chữ ", n / 5) + "!"));
}

TEST(RegexTest, MatchesTheWholeSubject) {
  EXPECT_TRUE(matches("a|ab", "ab"));
  EXPECT_FALSE(matches("a|ab", "xab"));
  EXPECT_FALSE(matches("b", "abc"));
  EXPECT_FALSE(matches("a$", "a\n"));      // $ is the end of the text, not of a line
  EXPECT_FALSE(matches(".*", "a\nb"));     // . stops at a newline ...
  EXPECT_TRUE(matches("(?s).*", "a\nb"));  // ... unless (?s) says otherwise
  EXPECT_TRUE(matches("a*", ""));
}

// UTF-8 mode: a character is a code point, \p{...} classes are Unicode's, and
// (?i) folds Vietnamese letters; \d, \w, \s and \b stay ASCII, as with PCRE2.
TEST(RegexTest, VietnameseText) {
  const std::string name = "Nguyễn Thị Hồng Hạnh";
  EXPECT_TRUE(matches("[\\p{L} ]+", name));
  EXPECT_FALSE(matches("[\\p{L} ]+", name + "1"));
  EXPECT_TRUE(matches("\\p{Lu}\\p{Ll}+( \\p{Lu}\\p{Ll}+)*", name));
  EXPECT_TRUE(matches("\\p{Lu}\\p{Ll}", "Đà"));
  EXPECT_TRUE(matches("(?i)nguyễn", "NGUYỄN"));
  EXPECT_TRUE(matches("[\\x{00C0}-\\x{1EF9}a-zA-Z ]+", name));
  EXPECT_TRUE(matches(".{6}", "Hà Nội"));  // 6 characters, 9 bytes
  EXPECT_FALSE(matches(".{9}", "Hà Nội"));
  EXPECT_FALSE(matches("H.", "Ha\xcc\x80"));  // a + combining grave: two code points
  EXPECT_FALSE(matches("\\w+", name));
  EXPECT_FALSE(matches("\\d", "٣"));  // an Arabic-Indic digit
}

TEST(RegexTest, TextThatIsNotUtf8NeverMatches) {
  EXPECT_FALSE(matches("(?s).*", "ok\x80"));
  EXPECT_FALSE(matches("\\C*", "\xff"));
  EXPECT_TRUE(matches("\\C*", "ok"));
}

struct Refusal {
  std::string pattern;
  std::string message;  // after "invalid pattern in regex(): "
};

class RegexRefusalTest : public ::testing::TestWithParam<Refusal> {};

// A pattern RE2 does not accept is a load error naming the item, the field and
// the position of the part refused, with the other problems of the file.
TEST_P(RegexRefusalTest, IsALoadErrorNamingTheItem) {
  const auto& c = GetParam();
  Json form = sipas::test::form_with(Json::array({
      {{"id", "code"},
       {"type", "text"},
       {"text", text("Code")},
       {"constraint", "regex(., '" + c.pattern + "')"},
       {"constraint_message", text("Bad code")}},
      {{"id", "other"}, {"type", "text"}, {"text", text("Other")}, {"relevant", "${nowhere} = 1"}},
  }));
  auto problems = sipas::test::problems_of(form);
  ASSERT_EQ(problems.size(), 2u);
  const Problem& p = problems[0];
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.item, "code");
  EXPECT_EQ(p.path, "/sections/0/items/0/constraint");
  EXPECT_EQ(p.message, "invalid pattern in regex(): " + c.message);
  EXPECT_EQ(problems[1].item, "other");
  try {
    sipas::test::load(form);
  } catch (const DefinitionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("test.json: item 'code': /sections/0/items/0/constraint, "
                                    "position "));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, RegexRefusalTest,
    ::testing::Values(
        Refusal{"(a)\\1", "back-references are not supported (invalid escape sequence: \\1)"},
        Refusal{"(?=a)a", "look-ahead is not supported (invalid perl operator: (?=)"},
        Refusal{"a(?!b)", "look-ahead is not supported (invalid perl operator: (?!)"},
        Refusal{"(?<=a)b", "look-behind is not supported (invalid perl operator: (?<)"},
        Refusal{"(?<!a)b", "look-behind is not supported (invalid perl operator: (?<)"},
        Refusal{"(?<year>[0-9]{4})",
                "a named group is written (?P<name>...) (invalid perl operator: (?<)"},
        Refusal{"(?>a+)b", "atomic groups are not supported (invalid perl operator: (?>)"},
        Refusal{"a++b",
                "possessive and doubled quantifiers are not supported (bad repetition operator: "
                "++)"},
        Refusal{"[0-9]{1,1001}",
                "a count in {n,m} is at most 1000 (invalid repetition size: {1,1001})"},
        Refusal{"[\\p{L} ]{2,100}",
                "the pattern is too large once compiled; check a length with string-length() "
                "rather than with a large count such as [\\p{L} ]{2,100} (pattern too large - "
                "compile failed)"},
        Refusal{"\\Z", "invalid escape sequence: \\Z"},
        Refusal{"(?x) a b", "invalid perl operator: (?x"}));

TEST(RegexTest, RefusalPointsAtThePartRefused) {
  NoSymbols symbols;
  //                             0123456789012345678
  const std::string expression = "regex(., 'ab(?=c)')";
  try {
    Expression::compile(expression, symbols, true);
    FAIL() << "compiled";
  } catch (const ExpressionError& e) {
    EXPECT_EQ(e.offset, 12u);
    EXPECT_EQ(expression.substr(e.offset, 3), "(?=");
  }
}

TEST(RegexTest, EachPatternOfAQuestionnaireIsCompiledOnce) {
  RegexCache cache;
  auto first = cache.compile("[0-9]{10}");
  EXPECT_EQ(cache.compile("[0-9]{10}"), first);
  EXPECT_NE(cache.compile("[0-9]{9}"), first);
}

TEST(RegexTest, AQuestionnaireHasAtMostSoManyPatterns) {
  Json items = Json::array();
  for (std::size_t i = 0; i <= RegexCache::max_patterns; ++i) {
    std::string id = "t" + std::to_string(i);
    items.push_back({{"id", id},
                     {"type", "text"},
                     {"text", text(id)},
                     {"constraint", "regex(., '" + std::to_string(i) + "') or regex(., '0')"},
                     {"constraint_message", text("bad")}});
  }
  auto problems = sipas::test::problems_of(sipas::test::form_with(items));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].item, "t256");
  EXPECT_EQ(problems[0].message,
            "invalid pattern in regex(): a questionnaire has at most 256 different regex() "
            "patterns");
}

// A constraint on each of 15 long answers: the issue's submission, answered
// correctly and within the validation budget.
TEST(RegexTest, FifteenCatastrophicConstraintsOnLongAnswers) {
  Json items = Json::array();
  Json pass = Json::object(), fail = Json::object();
  for (int i = 0; i < 15; ++i) {
    std::string id = "t" + std::to_string(i);
    items.push_back({{"id", id},
                     {"type", "long_text"},
                     {"text", text(id)},
                     {"max_length", 16000},
                     {"constraint", "regex(., '(a|aa)*c') and regex(., '(a+)+c')"},
                     {"constraint_message", text("bad")}});
    pass[id] = std::string(15999, 'a') + "c";
    fail[id] = std::string(15999, 'a') + "!";
  }
  Questionnaire q = sipas::test::load(sipas::test::form_with(items));
  EXPECT_TRUE(validate(q, sipas::test::response_for(q, pass)).ok());
  auto result = validate(q, sipas::test::response_for(q, fail));
  ASSERT_EQ(result.issues.size(), 15u);
  for (const auto& issue : result.issues)
    EXPECT_EQ(issue.id, "response.constraint_failed");
}

}  // namespace
