// Hostile input: expressions, questionnaires and responses built to exhaust
// the stack, memory or time. Each must end in a clear error (or a correct
// result), never in a crash or a hang. The suite runs under AddressSanitizer
// and UndefinedBehaviorSanitizer, which turn a stack overflow or an overflowed
// buffer into a failure.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "io/utf8.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/expression.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::form_with;
using sipas::test::Json;
using sipas::test::problems_of;
using sipas::test::text;
using ::testing::AnyOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;

constexpr std::size_t ten_megabytes = 10 * 1024 * 1024;

// One number item "x" in slot 0.
class OneSymbol : public SymbolTable {
 public:
  std::optional<Symbol> lookup(std::string_view id) const override {
    if (id != "x") return std::nullopt;
    Symbol s;
    s.slot = 0;
    s.kind = Symbol::Kind::Number;
    return s;
  }
};

ExpressionError compile_error(const std::string& text) {
  OneSymbol symbols;
  try {
    Expression::compile(text, symbols, true);
  } catch (const ExpressionError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an ExpressionError for an expression of " << text.size() << " bytes";
  return {"(compiled)", std::string::npos};
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i)
    out += piece;
  return out;
}

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

Json integer_item(const std::string& id) {
  return {{"id", id}, {"type", "integer"}, {"text", text("Question " + id)}};
}

Json text_item(const std::string& id) {
  return {{"id", id}, {"type", "text"}, {"text", text("Text " + id)}};
}

// The single problem of a definition (a failure when there is not exactly one).
Problem only_problem(const Json& form) {
  auto problems = problems_of(form);
  EXPECT_EQ(problems.size(), 1u);
  if (problems.size() != 1) {
    for (const auto& p : problems)
      ADD_FAILURE() << "problem: " << p.describe("test.json");
  }
  return problems.empty() ? Problem{} : problems.front();
}

// `form` dumped, with the string "@@" (quotes included) replaced by `raw`:
// lets a test put into a document JSON that nlohmann::json could not copy or
// dump without recursing (100,000 nested arrays).
std::string splice(const Json& form, const std::string& raw) {
  std::string doc = form.dump();
  auto at = doc.find("\"@@\"");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) doc.replace(at, 4, raw);
  return doc;
}

std::vector<Problem> load_problems(const std::string& json_text) {
  try {
    load_questionnaire(json_text, "hostile.json");
  } catch (const DefinitionError& e) {
    EXPECT_FALSE(e.problems().empty());
    return e.problems();
  }
  ADD_FAILURE() << "the questionnaire loaded";
  return {};
}

std::vector<std::string> issue_ids(const ValidationResult& result) {
  std::vector<std::string> ids;
  for (const auto& issue : result.issues)
    ids.push_back(issue.item + ":" + issue.id);
  return ids;
}

// Response tests share a form with text items, regex constraints, a number
// and a choice with string codes.
class HostileInputTest : public ::testing::Test {
 protected:
  HostileInputTest() : q_(sipas::test::load(form())) {}

  static Json form() {
    Json t = text_item("t");
    Json lt = {{"id", "lt"}, {"type", "long_text"}, {"text", text("Long")}};
    Json p = text_item("p");
    p["constraint"] = "regex(., '(a+)+b')";
    p["constraint_message"] = text("bad pattern");
    Json p2 = text_item("p2");
    p2["constraint"] = "regex(., '(a+)+[bc]')";
    p2["constraint_message"] = text("bad pattern 2");
    Json n = integer_item("n");
    Json c = {{"id", "c"},
              {"type", "single"},
              {"text", text("Choice")},
              {"choices", Json::array({{{"code", "a"}, {"label", text("A")}},
                                       {{"code", "b"}, {"label", text("B")}}})}};
    return form_with(Json::array({t, lt, p, p2, n, c}));
  }

  ValidationResult check(const Json& answers) {
    return validate(q_, sipas::test::response_for(q_, answers));
  }

  Questionnaire q_;
};

// ------------------------------------------------------------------ expressions

TEST_F(HostileInputTest, HundredThousandNestedParenthesesFailCleanly) {
  std::string text = std::string(100000, '(') + "1" + std::string(100000, ')');
  ExpressionError e = compile_error(text);
  // The length limit is checked before anything is parsed.
  EXPECT_THAT(e.message, HasSubstr("longer than 8192 bytes"));
  EXPECT_EQ(e.offset, 0u);
}

TEST_F(HostileInputTest, NestedParenthesesWithinTheLengthLimitAreNestedTooDeeply) {
  std::string text = std::string(4000, '(') + "1" + std::string(4000, ')');
  ASSERT_LE(text.size(), Expression::max_length);
  ExpressionError e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("nested too deeply"));
  EXPECT_EQ(e.offset, 64u);  // the parenthesis that opens one level too many
}

TEST_F(HostileInputTest, ModestNestingCompiles) {
  OneSymbol symbols;
  std::string text = std::string(40, '(') + "${x} + 1" + std::string(40, ')');
  Expression e = Expression::compile(text, symbols, false);
  std::vector<Value> values = {Value::of_number(2)};
  EXPECT_EQ(e.evaluate(Environment{values, {}}).number, 3);
}

TEST_F(HostileInputTest, NestedFunctionCallsAreNestedTooDeeply) {
  std::string text = repeat("not(", 1500) + "1" + std::string(1500, ')');
  ASSERT_LE(text.size(), Expression::max_length);
  ExpressionError e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("nested too deeply"));

  text = repeat("if(1, 2, ", 800) + "3" + std::string(800, ')');
  ASSERT_LE(text.size(), Expression::max_length);
  e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("nested too deeply"));
}

TEST_F(HostileInputTest, HundredThousandUnaryMinusesFailCleanly) {
  std::string text = std::string(100000, '-') + "1";
  ExpressionError e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("longer than 8192 bytes"));
  EXPECT_EQ(e.offset, 0u);
}

TEST_F(HostileInputTest, UnaryMinusesWithinTheLengthLimitAreNestedTooDeeply) {
  std::string text = std::string(5000, '-') + "1";
  ExpressionError e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("nested too deeply"));
  EXPECT_EQ(e.offset, 63u);
}

TEST_F(HostileInputTest, LongLeftAssociativeChainIsTooDeep) {
  for (const char* op : {"+", " and ", "*", " = ", " < "}) {
    std::string text = "1" + repeat(std::string(op) + "1", 300);
    ASSERT_LE(text.size(), Expression::max_length) << op;
    ExpressionError e = compile_error(text);
    EXPECT_THAT(e.message, HasSubstr("too deep")) << op;
    EXPECT_THAT(e.message, ::testing::Not(HasSubstr("nested too deeply"))) << op;
    EXPECT_LE(e.offset, text.size()) << op;
    EXPECT_GT(e.offset, 0u) << op;
  }
}

TEST_F(HostileInputTest, ChainAtTheTreeDepthLimitCompilesAndEvaluates) {
  OneSymbol symbols;
  // 255 additions: a tree 256 deep, the most allowed.
  std::string text = "${x}" + repeat("+1", 255);
  Expression e = Expression::compile(text, symbols, false);
  std::vector<Value> values = {Value::of_number(1)};
  EXPECT_EQ(e.evaluate(Environment{values, {}}).number, 256);
  // One more is one too many.
  EXPECT_THAT(compile_error(text + "+1").message, HasSubstr("too deep"));
}

TEST_F(HostileInputTest, ExpressionLongerThanTheLimit) {
  std::string text = "1" + repeat("+1", 5000);
  ASSERT_GT(text.size(), Expression::max_length);
  ExpressionError e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("longer than 8192 bytes"));
  EXPECT_EQ(e.offset, 0u);
}

TEST_F(HostileInputTest, ExpressionOfExactlyTheLimitCompiles) {
  OneSymbol symbols;
  std::string text = "'" + std::string(Expression::max_length - 2, 'x') + "'";
  ASSERT_EQ(text.size(), Expression::max_length);
  Expression e = Expression::compile(text, symbols, false);
  std::vector<Value> values(1);
  Value v = e.evaluate(Environment{values, {}});
  ASSERT_EQ(v.kind, Value::Kind::String);
  EXPECT_EQ(v.string.size(), Expression::max_length - 2);
  EXPECT_THAT(compile_error(text + " ").message, HasSubstr("longer than"));
}

TEST_F(HostileInputTest, TenMegabyteStringLiteral) {
  std::string text = "'" + std::string(ten_megabytes, 'a') + "' = ${x}";
  ExpressionError e = compile_error(text);
  EXPECT_THAT(e.message, HasSubstr("longer than 8192 bytes"));
  EXPECT_LT(e.message.size(), 200u);  // the message does not echo the text
  EXPECT_EQ(e.offset, 0u);
}

TEST_F(HostileInputTest, TenMegabyteExpressionInAQuestionnaire) {
  Json item = integer_item("q");
  item["relevant"] = "'" + std::string(ten_megabytes, 'a') + "' = 'a'";
  Problem p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.item, "q");
  EXPECT_EQ(p.path, "/sections/0/items/0/relevant");
  EXPECT_THAT(p.message, HasSubstr("longer than"));
  EXPECT_EQ(p.column, 1u);
}

TEST_F(HostileInputTest, HundredThousandParenthesesInAQuestionnaire) {
  Json item = integer_item("q");
  item["constraint"] = std::string(100000, '(') + ". > 1" + std::string(100000, ')');
  item["constraint_message"] = text("too small");
  Problem p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.item, "q");
  EXPECT_EQ(p.path, "/sections/0/items/0/constraint");
}

TEST_F(HostileInputTest, ControlAndInvalidBytesInAnExpression) {
  ExpressionError e = compile_error(std::string("1 = \x01", 5));
  EXPECT_THAT(e.message, HasSubstr("\\x01"));
  EXPECT_EQ(e.offset, 4u);
  e = compile_error(std::string("1 = 1\0", 6));
  EXPECT_THAT(e.message, HasSubstr("\\x00"));
  EXPECT_EQ(e.offset, 5u);
  e = compile_error("\xc3");
  EXPECT_THAT(e.message, HasSubstr("\\xc3"));
  EXPECT_EQ(e.offset, 0u);
  // Invalid UTF-8 inside a string literal is just bytes.
  OneSymbol symbols;
  Expression ok = Expression::compile("string-length('ab\xff')", symbols, false);
  std::vector<Value> values(1);
  EXPECT_EQ(ok.evaluate(Environment{values, {}}).number, 3);
}

TEST_F(HostileInputTest, NumberLiteralTooLargeForADouble) {
  ExpressionError e = compile_error("1 + " + std::string(400, '9'));
  EXPECT_THAT(e.message, HasSubstr("invalid number"));
  EXPECT_EQ(e.offset, 4u);
}

// ------------------------------------------------------------------ questionnaires

TEST_F(HostileInputTest, TenMegabyteTextInAQuestionnaire) {
  Json item = integer_item("q");
  item["text"]["en"] = std::string(ten_megabytes, 'x');
  auto form = form_with(Json::array({item}));
  Problem p = only_problem(form);
  EXPECT_EQ(p.id, "questionnaire.text_too_long");
  EXPECT_EQ(p.item, "q");
  EXPECT_EQ(p.path, "/sections/0/items/0/text/en");
  EXPECT_LT(p.message.size(), 200u);
  try {
    sipas::test::load(form);
    FAIL() << "loaded";
  } catch (const DefinitionError& e) {
    EXPECT_EQ(e.id(), "questionnaire.text_too_long");
    EXPECT_LT(std::string(e.what()).size(), 1000u);
  }
}

TEST_F(HostileInputTest, TenMegabyteIdInAQuestionnaire) {
  Json item = integer_item(std::string(ten_megabytes, 'q'));
  Problem p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.invalid_id");
  EXPECT_EQ(p.path, "/sections/0/items/0/id");
  EXPECT_LT(p.message.size(), 300u);
}

TEST_F(HostileInputTest, DeeplyNestedArraysAsAQuestionnaire) {
  auto problems = load_problems(nested_arrays(100000));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.too_deep");
  EXPECT_THAT(problems[0].message, HasSubstr("more than 64 levels"));
  // Shallow, it is just not an object.
  problems = load_problems("[[1]]");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.not_an_object");
}

TEST_F(HostileInputTest, DeeplyNestedObjectsAsAQuestionnaire) {
  std::string doc = repeat("{\"a\":", 100000) + "1" + std::string(100000, '}');
  auto problems = load_problems(doc);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.too_deep");
}

TEST_F(HostileInputTest, UnclosedNestedArraysAsAQuestionnaire) {
  auto problems = load_problems(std::string(100000, '['));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.too_deep");
  problems = load_problems("[[[");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.invalid_json");
}

// Nested arrays where the loader expects a text, a list of choices, a code, an
// expression, a scale, messages, notes or scoring: the loader copies and prints
// such values, which would recurse 100,000 deep.
TEST_F(HostileInputTest, DeeplyNestedArraysInEveryKindOfField) {
  const std::string nested = nested_arrays(100000);
  auto with_item = [](const std::string& key) {
    Json item = {{"id", "q"}, {"type", "single"}, {"text", text("Q")}, {"scale", "sat5"}};
    if (key == "choices") item.erase("scale");
    item[key] = "@@";
    return form_with(Json::array({item}));
  };
  auto with_form = [](const std::function<void(Json&)>& change) {
    Json form = form_with(Json::array({integer_item("q")}));
    change(form);
    return form;
  };
  std::vector<std::pair<std::string, Json>> cases = {
      {"title", with_form([](Json& f) { f["title"] = "@@"; })},
      {"title/en", with_form([](Json& f) { f["title"]["en"] = "@@"; })},
      {"intro", with_form([](Json& f) { f["intro"] = "@@"; })},
      {"languages", with_form([](Json& f) { f["languages"] = "@@"; })},
      {"items", with_form([](Json& f) { f["sections"][0]["items"] = "@@"; })},
      {"item", with_form([](Json& f) { f["sections"][0]["items"][0] = "@@"; })},
      {"section title", with_form([](Json& f) { f["sections"][0]["title"] = "@@"; })},
      {"scale choices", with_form([](Json& f) { f["scales"]["sat5"]["choices"] = "@@"; })},
      {"choice label",
       with_form([](Json& f) { f["scales"]["sat5"]["choices"][0]["label"] = "@@"; })},
      {"code", with_form([](Json& f) { f["scales"]["sat5"]["choices"][0]["code"] = "@@"; })},
      {"excluded code",
       with_form([](Json& f) { f["scales"]["sat5"]["excluded_codes"] = Json::array({"@@"}); })},
      {"display", with_form([](Json& f) { f["scales"]["sat5"]["display"] = "@@"; })},
      {"messages", with_form([](Json& f) { f["messages"] = "@@"; })},
      {"notes", with_form([](Json& f) { f["notes"] = "@@"; })},
      {"scoring", with_form([](Json& f) { f["scoring"] = "@@"; })},
      {"item text", with_item("text")},
      {"choices", with_item("choices")},
      {"scale", with_item("scale")},
      {"relevant", with_item("relevant")},
      {"required", with_item("required")},
      {"hint", with_item("hint")},
      {"scoring of an item", with_item("scoring")},
      {"unknown field", with_item("unknown")},
  };
  for (const auto& [name, form] : cases) {
    SCOPED_TRACE(name);
    auto problems = load_problems(splice(form, nested));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].id, "questionnaire.too_deep");
  }
}

TEST_F(HostileInputTest, NestingUpToTheLimitIsParsed) {
  // An unknown field of an item sits 5 levels deep (/sections/0/items/0/x), so
  // 60 nested arrays in it reach depth 64, the most allowed.
  Json item = integer_item("q");
  item["x"] = "@@";
  auto form = form_with(Json::array({item}));
  auto problems = load_problems(splice(form, nested_arrays(60)));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.unknown_field");
  EXPECT_EQ(problems[0].path, "/sections/0/items/0/x");
  problems = load_problems(splice(form, nested_arrays(61)));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.too_deep");
}

TEST_F(HostileInputTest, UnknownReferenceInRelevant) {
  Json b = integer_item("b");
  b["relevant"] = "${a} = 1 and ${nope} = 2";
  Problem p = only_problem(form_with(Json::array({integer_item("a"), b})));
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.item, "b");
  EXPECT_EQ(p.path, "/sections/0/items/1/relevant");
  EXPECT_THAT(p.path, EndsWith("/relevant"));
  EXPECT_EQ(p.column, 14u);  // 1-based: ${nope} starts at byte 13
  EXPECT_THAT(p.message, HasSubstr("unknown item ${nope}"));
  EXPECT_THAT(p.describe("f.json"), HasSubstr("position 14"));
}

TEST_F(HostileInputTest, ExpressionErrorColumnCountsCharacters) {
  Json b = text_item("b");
  b["relevant"] = "'Hà Nội' = ${nope}";  // ${nope} is at byte 14, character 12
  Problem p = only_problem(form_with(Json::array({b})));
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.column, 12u);
}

TEST_F(HostileInputTest, UnknownReferencesInEveryExpressionField) {
  Json items = Json::array();
  Json r = integer_item("r");
  r["required"] = "${nope1} = 1";
  Json c = integer_item("c");
  c["constraint"] = ". > ${nope2}";
  c["constraint_message"] = text("no");
  Json k = {{"id", "k"}, {"type", "calculate"}, {"calculation", "${nope3} + 1"}};
  Json mx = {
      {"id", "mx"},
      {"type", "matrix"},
      {"text", text("Matrix")},
      {"scale", "sat5"},
      {"rows",
       Json::array({{{"id", "row1"}, {"text", text("Row 1")}},
                    {{"id", "row2"}, {"text", text("Row 2")}, {"relevant", "${nope4} = 1"}}})}};
  Json form = form_with(Json::array({r, c, k, mx}));
  form["sections"][0]["relevant"] = "${nope5} = 1";
  auto problems = problems_of(form);
  std::vector<std::string> seen;
  for (const auto& p : problems) {
    EXPECT_EQ(p.id, "questionnaire.expression_error");
    seen.push_back(p.item + " " + p.path);
  }
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre(
                        "r /sections/0/items/0/required", "c /sections/0/items/1/constraint",
                        "k /sections/0/items/2/calculation",
                        "row2 /sections/0/items/3/rows/1/relevant", "s /sections/0/relevant"));
}

TEST_F(HostileInputTest, RelevanceCycleBetweenTwoItems) {
  Json a = integer_item("a");
  a["relevant"] = "${b} = 1";
  Json b = integer_item("b");
  b["relevant"] = "${a} = 1";
  Problem p = only_problem(form_with(Json::array({a, b})));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message, AnyOf(HasSubstr("a -> b -> a"), HasSubstr("b -> a -> b")));
  EXPECT_THAT(p.item, AnyOf("a", "b"));
  EXPECT_THAT(p.path, AnyOf("/sections/0/items/0", "/sections/0/items/1"));
}

TEST_F(HostileInputTest, CalculationCycle) {
  Json x = {{"id", "x"}, {"type", "calculate"}, {"calculation", "${y} + 1"}};
  Json y = {{"id", "y"}, {"type", "calculate"}, {"calculation", "${x} + 1"}};
  Problem p = only_problem(form_with(Json::array({x, y})));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message, AnyOf(HasSubstr("x -> y -> x"), HasSubstr("y -> x -> y")));
}

TEST_F(HostileInputTest, CycleThroughACalculationAndARelevance) {
  Json q = integer_item("q");
  q["relevant"] = "${x} > 0";
  Json x = {{"id", "x"}, {"type", "calculate"}, {"calculation", "${q} * 2"}};
  Problem p = only_problem(form_with(Json::array({q, x})));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message, AnyOf(HasSubstr("q -> x -> q"), HasSubstr("x -> q -> x")));
}

TEST_F(HostileInputTest, SelfReferencingRelevance) {
  Json a = integer_item("a");
  a["relevant"] = "${a} = 1";
  Problem p = only_problem(form_with(Json::array({a})));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_EQ(p.item, "a");
  EXPECT_THAT(p.message, HasSubstr("a -> a"));
}

TEST_F(HostileInputTest, SelfReferencingCalculation) {
  Json x = {{"id", "x"}, {"type", "calculate"}, {"calculation", "coalesce(${x}, 0) + 1"}};
  Problem p = only_problem(form_with(Json::array({x})));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message, HasSubstr("x -> x"));
}

TEST_F(HostileInputTest, SectionRelevanceOnItsOwnItemIsACycle) {
  Json form = form_with(Json::array({integer_item("a")}));
  form["sections"][0]["relevant"] = "${a} = 1";
  Problem p = only_problem(form);
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message, HasSubstr("a -> a"));
}

TEST_F(HostileInputTest, LongerCycleIsReportedOnce) {
  Json items = Json::array();
  for (int i = 0; i < 50; ++i) {
    Json item = integer_item("c" + std::to_string(i));
    item["relevant"] = "${c" + std::to_string((i + 1) % 50) + "} = 1";
    items.push_back(item);
  }
  Problem p = only_problem(form_with(items));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message, HasSubstr("c0 -> c1 -> c2"));
  EXPECT_THAT(p.message, HasSubstr("c49 -> c0"));
}

TEST_F(HostileInputTest, ConstraintsRequiredAndDiamondsAreNotCycles) {
  Json a = integer_item("a");
  a["constraint"] = ". > 0 and ${a} < 100";
  a["constraint_message"] = text("range");
  a["required"] = "${a} = ''";
  Json b = integer_item("b");
  b["relevant"] = "${a} > 1";
  Json c = integer_item("c");
  c["relevant"] = "${a} > 2";
  Json d = integer_item("d");
  d["relevant"] = "${b} > 0 and ${c} > 0";
  auto q = sipas::test::load(form_with(Json::array({d, a, b, c})));
  const auto& order = q.evaluation_order();
  ASSERT_EQ(order.size(), 4u);
  auto position = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), q.find(id)->slot) - order.begin();
  };
  EXPECT_LT(position("a"), position("b"));
  EXPECT_LT(position("a"), position("c"));
  EXPECT_LT(position("b"), position("d"));
  EXPECT_LT(position("c"), position("d"));
  auto result = validate(q, sipas::test::response_for(q, {{"a", 5}, {"b", 1}, {"c", 1}, {"d", 1}}));
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(issue_ids(result));
}

TEST_F(HostileInputTest, LongChainOfItemsEachRelevantOnThePreviousOne) {
  constexpr int n = 5000;
  Json items = Json::array();
  for (int i = 0; i < n; ++i) {
    Json item = integer_item("i" + std::to_string(i));
    if (i > 0) item["relevant"] = "${i" + std::to_string(i - 1) + "} = 1";
    items.push_back(item);
  }
  auto q = sipas::test::load(form_with(items));
  ASSERT_EQ(q.items().size(), static_cast<std::size_t>(n));
  const auto& order = q.evaluation_order();
  ASSERT_EQ(order.size(), static_cast<std::size_t>(n));
  std::vector<std::size_t> position(n);
  for (std::size_t k = 0; k < order.size(); ++k)
    position[order[k]] = k;
  for (int i = 1; i < n; ++i)
    ASSERT_LT(position[i - 1], position[i]) << i;

  Validator validator(q);
  Json answers = Json::object();
  for (int i = 0; i < n; ++i)
    answers["i" + std::to_string(i)] = 1;
  EXPECT_TRUE(validator.validate(sipas::test::response_for(q, answers)).ok());

  // Break the chain in the middle: the rest becomes irrelevant.
  Json broken = Json::object();
  for (int i = 0; i <= 2500; ++i)
    broken["i" + std::to_string(i)] = i == 2500 ? 2 : 1;
  auto response = sipas::test::response_for(q, broken);
  EXPECT_TRUE(validator.validate(response).ok());
  EXPECT_TRUE(validator.relevant(q.find("i2500")->slot));
  EXPECT_FALSE(validator.relevant(q.find("i2501")->slot));
  EXPECT_FALSE(validator.relevant(q.find("i4999")->slot));
  broken["i2501"] = 1;
  const auto& result = validator.validate(sipas::test::response_for(q, broken));
  EXPECT_THAT(issue_ids(result), ::testing::ElementsAre("i2501:response.not_relevant"));
}

TEST_F(HostileInputTest, LongChainOfItemsEachRelevantOnTheNextOne) {
  // The first item depends, through 4,999 others, on the last: a dependency
  // search that recursed would go 5,000 deep.
  constexpr int n = 5000;
  Json items = Json::array();
  for (int i = 0; i < n; ++i) {
    Json item = integer_item("i" + std::to_string(i));
    if (i + 1 < n) item["relevant"] = "${i" + std::to_string(i + 1) + "} = 1";
    items.push_back(item);
  }
  auto q = sipas::test::load(form_with(items));
  const auto& order = q.evaluation_order();
  ASSERT_EQ(order.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(order.front(), static_cast<std::uint32_t>(n - 1));
  EXPECT_EQ(order.back(), 0u);
  Json answers = Json::object();
  for (int i = 0; i < n; ++i)
    answers["i" + std::to_string(i)] = 1;
  EXPECT_TRUE(validate(q, sipas::test::response_for(q, answers)).ok());
  answers["i4999"] = 7;  // every other item becomes irrelevant
  auto result = validate(q, sipas::test::response_for(q, answers));
  EXPECT_EQ(result.issues.size(), Validator::max_issues + 1);
  EXPECT_EQ(result.issues.front().id, "response.not_relevant");
  EXPECT_EQ(result.issues.back().id, "response.too_many_errors");
}

TEST_F(HostileInputTest, LongChainWithACycleAtTheEnd) {
  constexpr int n = 5000;
  Json items = Json::array();
  for (int i = 0; i < n; ++i) {
    Json item = integer_item("i" + std::to_string(i));
    item["relevant"] = "${i" + std::to_string(i + 1 < n ? i + 1 : n - 2) + "} = 1";
    items.push_back(item);
  }
  Problem p = only_problem(form_with(items));
  EXPECT_EQ(p.id, "questionnaire.cycle");
  EXPECT_THAT(p.message,
              AnyOf(HasSubstr("i4998 -> i4999 -> i4998"), HasSubstr("i4999 -> i4998 -> i4999")));
  EXPECT_LT(p.message.size(), 200u);  // the cycle, not the whole chain
}

// ------------------------------------------------------------------ responses

TEST_F(HostileInputTest, TenMegabyteTextAnswer) {
  auto result = check({{"t", std::string(ten_megabytes, 'x')}});
  EXPECT_THAT(issue_ids(result), ::testing::ElementsAre("t:response.too_long"));
  EXPECT_LT(result.issues[0].message.size(), 200u);
  // A long text allows more, but not ten megabytes of Vietnamese either.
  std::string vietnamese;
  while (vietnamese.size() < ten_megabytes)
    vietnamese += "Hà Nội ";
  result = check({{"lt", vietnamese}, {"t", "ok"}});
  EXPECT_THAT(issue_ids(result), ::testing::ElementsAre("lt:response.too_long"));
}

TEST_F(HostileInputTest, DeeplyNestedArraysAsAResponse) {
  try {
    parse_response(q_, nested_arrays(100000));
    FAIL() << "parsed";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.malformed");
  }
}

TEST_F(HostileInputTest, DeeplyNestedArraysInsideAResponse) {
  const std::string nested = nested_arrays(100000);
  // As an answer: a wrong type, reported like any other.
  std::string doc = R"({"questionnaire": "test", "version": "1", "language": "en", "answers": )"
                    R"({"t": )" +
                    nested + R"(, "n": )" + nested + "}}";
  Response r = parse_response(q_, doc);
  auto result = validate(q_, r);
  EXPECT_THAT(issue_ids(result),
              ::testing::ElementsAre("t:response.wrong_type", "n:response.wrong_type"));
  // As the answers, or as a field that must be a string.
  for (const std::string& bad :
       {R"({"answers": )" + nested + "}", R"({"questionnaire": )" + nested + R"(, "answers": {}})",
        R"({"language": )" + nested + R"(, "answers": {}})"}) {
    try {
      parse_response(q_, bad);
      ADD_FAILURE() << "parsed";
    } catch (const ResponseError& e) {
      EXPECT_EQ(e.id(), "response.malformed");
    }
  }
  // Ignored metadata is ignored however deep it is.
  r = parse_response(q_, R"({"meta": )" + nested + R"(, "answers": {"t": "ok"}})");
  EXPECT_TRUE(validate(q_, r).ok());
}

TEST_F(HostileInputTest, UnclosedNestedArraysAsAResponse) {
  try {
    parse_response(q_, R"({"answers": {"t": )" + std::string(100000, '['));
    FAIL() << "parsed";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.malformed");
  }
}

// A number past a double's range is an out_of_range error in nlohmann, not a
// parse_error: it escaped both readers as an untyped exception.
TEST_F(HostileInputTest, ANumberBeyondADoubleIsInvalidJson) {
  auto problems = load_problems(R"({"format": "sipas-questionnaire/1", "id": 1e400})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.invalid_json");
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("1e400"));
  try {
    parse_response(q_, R"({"answers": {"n": 184467440731e3081615}})");
    FAIL() << "parsed";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.malformed");
    EXPECT_EQ(std::string(e.what()),
              "not valid JSON: number overflow parsing '184467440731e3081615'");
  }
}

TEST_F(HostileInputTest, InvalidUtf8InATextAnswer) {
  for (const std::string& bad : {std::string("ab\xff"
                                             "cd"),
                                 std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                 std::string("H\xe1\xbb"), std::string("ok\x80")}) {
    Response r = Response::empty_for(q_);
    r.set(q_, "t", RawAnswer::of_string(bad));
    r.set(q_, "p", RawAnswer::of_string(bad));  // has a regex constraint
    auto result = validate(q_, r);
    EXPECT_THAT(issue_ids(result),
                ::testing::ElementsAre("t:response.invalid_utf8", "p:response.invalid_utf8"));
  }
}

TEST_F(HostileInputTest, InvalidUtf8InAResponseDocument) {
  std::string doc =
      "{\"answers\": {\"t\": \"ab\xff"
      "cd\"}}";
  try {
    parse_response(q_, doc);
    FAIL() << "parsed";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.malformed");
  }
  doc = "{\"answers\": {\"\xc3\": 1}}";
  EXPECT_THROW(parse_response(q_, doc), ResponseError);
}

TEST_F(HostileInputTest, InvalidUtf8InAQuestionnaireDocument) {
  std::string doc = sipas::test::form_with(Json::array({text_item("t")})).dump();
  auto at = doc.find("Text t");
  ASSERT_NE(at, std::string::npos);
  doc.replace(at, 1, "\xff");
  auto problems = load_problems(doc);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.invalid_json");
}

TEST_F(HostileInputTest, InvalidUtf8InAnUnknownItemId) {
  Response r = Response::empty_for(q_);
  r.set(q_, std::string(70, 'x') + "\xe1\xbb\x99", RawAnswer::of_integer(1));
  auto result = validate(q_, r);
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(result.issues[0].id, "response.unknown_item");
  EXPECT_LE(result.issues[0].item.size(), 64u);
}

TEST_F(HostileInputTest, CatastrophicRegexInAConstraint) {
  const std::string forty(40, 'a');
  EXPECT_THAT(issue_ids(check({{"p", forty}})),
              ::testing::ElementsAre("p:response.constraint_failed"));
  EXPECT_TRUE(check({{"p", forty + "b"}}).ok());
  EXPECT_THAT(issue_ids(check({{"p2", forty}})),
              ::testing::ElementsAre("p2:response.constraint_failed"));
  EXPECT_THAT(issue_ids(check({{"p2", forty + "!"}})),
              ::testing::ElementsAre("p2:response.constraint_failed"));
  EXPECT_TRUE(check({{"p2", forty + "c"}}).ok());
  auto result = check({{"p", forty}});
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(result.issues[0].message, "bad pattern");
}

TEST_F(HostileInputTest, CatastrophicRegexInAnExpression) {
  OneSymbol symbols;
  std::vector<Value> values(1);
  const std::string forty(40, 'a');
  Expression e = Expression::compile("regex('" + forty + "', '(a+)+b')", symbols, false);
  EXPECT_FALSE(e.holds(Environment{values, {}}));
  e = Expression::compile("regex('" + forty + "b', '(a+)+b')", symbols, false);
  EXPECT_TRUE(e.holds(Environment{values, {}}));
  e = Expression::compile("regex(., '(a|aa)+$')", symbols, true);
  EXPECT_FALSE(e.holds(Environment{values, Value::of_string(forty + "!")}));
  EXPECT_TRUE(e.holds(Environment{values, Value::of_string(forty)}));
}

TEST_F(HostileInputTest, MillionUnknownAnswerIds) {
  Response r = Response::empty_for(q_);
  r.unknown_items.reserve(1000000);
  for (int i = 0; i < 1000000; ++i)
    r.unknown_items.push_back("x" + std::to_string(i));
  r.set(q_, "t", RawAnswer::of_string("fine"));
  Validator validator(q_);
  const auto& result = validator.validate(r);
  ASSERT_EQ(result.issues.size(), Validator::max_issues + 1);
  for (std::size_t i = 0; i < Validator::max_issues; ++i) {
    ASSERT_EQ(result.issues[i].id, "response.unknown_item") << i;
  }
  EXPECT_EQ(result.issues.front().item, "x0");
  EXPECT_EQ(result.issues[Validator::max_issues - 1].item, "x999");
  EXPECT_EQ(result.issues.back().id, "response.too_many_errors");
  EXPECT_EQ(result.issues.back().item, "");
  EXPECT_THAT(result.issues.back().message, HasSubstr("1000"));

  // The same validator starts afresh on the next response.
  Response clean = Response::empty_for(q_);
  clean.set(q_, "t", RawAnswer::of_string("fine"));
  EXPECT_TRUE(validator.validate(clean).ok());
}

TEST_F(HostileInputTest, ManyUnknownAnswerIdsInADocument) {
  Json answers = Json::object();
  for (int i = 0; i < 5000; ++i)
    answers["x" + std::to_string(i)] = i;
  auto result = check(answers);
  ASSERT_EQ(result.issues.size(), Validator::max_issues + 1);
  EXPECT_EQ(result.issues.front().id, "response.unknown_item");
  EXPECT_EQ(result.issues.back().id, "response.too_many_errors");
}

TEST_F(HostileInputTest, TooManyErrorsAfterItemErrors) {
  // Item problems first, then unknown ids: still capped, the form's items kept.
  Response r = Response::empty_for(q_);
  r.set(q_, "n", RawAnswer::of_string("not a number"));
  for (int i = 0; i < 2000; ++i)
    r.unknown_items.push_back("u" + std::to_string(i));
  auto result = validate(q_, r);
  ASSERT_EQ(result.issues.size(), Validator::max_issues + 1);
  EXPECT_EQ(result.issues.front().item, "n");
  EXPECT_EQ(result.issues.front().id, "response.wrong_type");
  EXPECT_EQ(result.issues[1].item, "u0");
  EXPECT_EQ(result.issues.back().id, "response.too_many_errors");
}

// Messages quote parts of hostile values, shortened; the cut must not split a
// character, or the message is not valid UTF-8 and cannot be written as JSON.
TEST_F(HostileInputTest, ShortenedEchoesInResponseIssuesStayValidUtf8) {
  const std::string cut_through = std::string(63, 'x') + "ộ" + std::string(20, 'y');
  Json doc = {{"questionnaire", cut_through},
              {"version", "1"},
              {"language", std::string(15, 'v') + "ộ"},
              {"answers", {{cut_through, 1}, {"c", cut_through}}}};
  auto result = validate(q_, parse_response(q_, doc.dump()));
  std::vector<std::string> ids;
  for (const auto& issue : result.issues) {
    ids.push_back(issue.id);
    EXPECT_TRUE(sipas::io::is_valid_utf8(issue.item)) << issue.id;
    EXPECT_TRUE(sipas::io::is_valid_utf8(issue.message)) << issue.id << ": " << issue.message;
    EXPECT_NO_THROW((void)Json({{"item", issue.item}, {"message", issue.message}}).dump());
  }
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre(
                       "response.unknown_language", "response.questionnaire_mismatch",
                       "response.unknown_code", "response.unknown_item"));
  auto unknown = std::find_if(result.issues.begin(), result.issues.end(),
                              [](const auto& i) { return i.id == "response.unknown_item"; });
  ASSERT_NE(unknown, result.issues.end());
  EXPECT_EQ(unknown->item, std::string(63, 'x'));
}

TEST_F(HostileInputTest, ShortenedEchoesInProblemsStayValidUtf8) {
  Json bad_id = integer_item(std::string(79, 'x') + "ộ");
  Json bad_type = {{"id", "t"}, {"type", std::string(39, 'x') + "ộ"}, {"text", text("T")}};
  Json bad_date = {
      {"id", "d"}, {"type", "date"}, {"text", text("D")}, {"min", std::string(39, 'x') + "ộ"}};
  auto problems = problems_of(form_with(Json::array({bad_id, bad_type, bad_date})));
  std::vector<std::string> ids;
  for (const auto& p : problems) {
    ids.push_back(p.id);
    EXPECT_TRUE(sipas::io::is_valid_utf8(p.message)) << p.id << ": " << p.message;
  }
  EXPECT_THAT(
      ids, ::testing::UnorderedElementsAre("questionnaire.invalid_id", "questionnaire.unknown_type",
                                           "questionnaire.invalid_date"));
}

}  // namespace
