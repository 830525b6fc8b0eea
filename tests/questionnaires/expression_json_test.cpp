// The skip logic exported as JSON for the web form's script
// (expression_json.hpp): every op of the language, typed codes, the evaluation
// order and limits of the items, on hand-made forms and on the SIPAS form.

#include "questionnaires/expression_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;

Json items_for_ops() {
  Json numbers = Json::array({{{"code", 1}, {"label", text("one")}},
                              {{"code", 2}, {"label", text("two")}},
                              {{"code", 3}, {"label", text("three")}}});
  Json letters =
      Json::array({{{"code", "a"}, {"label", text("a")}}, {{"code", "b"}, {"label", text("b")}}});
  return Json::array({
      {{"id", "n"}, {"type", "integer"}, {"text", text("n")}, {"min", 0}, {"max", 99}},
      {{"id", "t"}, {"type", "text"}, {"text", text("t")}, {"max_length", 20}},
      {{"id", "ch"}, {"type", "single"}, {"text", text("ch")}, {"choices", numbers}},
      {{"id", "m"},
       {"type", "multiple"},
       {"text", text("m")},
       {"choices", letters},
       {"min_selections", 1},
       {"max_selections", 2}},
      {{"id", "d"}, {"type", "date"}, {"text", text("d")}, {"min", "2024-01-01"}},
      {{"id", "c"}, {"type", "calculate"}, {"calculation", "${n} * 2"}},
      {{"id", "x"}, {"type", "text"}, {"text", text("x")}, {"relevant", "true()"}},
  });
}

// The JSON of expression `text`, compiled as the relevance of an item of the
// form above.
Json exported(const std::string& expression) {
  Json items = items_for_ops();
  items[6]["relevant"] = expression;
  auto q = sipas::test::load(sipas::test::form_with(items));
  return expression_to_json(q, *q.find("x")->relevant);
}

Json ref(const std::string& id) {
  return {{"op", "ref"}, {"item", id}};
}
Json num(double v) {
  return {{"op", "number"}, {"value", v}};
}
Json str(const std::string& v) {
  return {{"op", "string"}, {"value", v}};
}
Json call(const std::string& op, Json args) {
  return {{"op", op}, {"args", std::move(args)}};
}

TEST(ExpressionJson, LiteralsAndReferences) {
  EXPECT_EQ(exported("2.5"), num(2.5));
  EXPECT_EQ(exported("'a b'"), str("a b"));
  EXPECT_EQ(exported("\"<b>\""), str("<b>"));
  EXPECT_EQ(exported("${t}"), ref("t"));
  EXPECT_EQ(exported("true()"), Json({{"op", "true"}}));
  EXPECT_EQ(exported("false()"), Json({{"op", "false"}}));
  EXPECT_EQ(exported("${c}"), ref("c"));
}

TEST(ExpressionJson, OperatorsKeepPrecedenceAndOperandOrder) {
  EXPECT_EQ(
      exported("${n} = 2 and ${t} != 'a' or not(${ch} >= 3)"),
      call("or", {call("and", {call("eq", {ref("n"), num(2)}), call("ne", {ref("t"), str("a")})}),
                  call("not", {call("ge", {ref("ch"), num(3)})})}));
  EXPECT_EQ(exported("1 - 2 - 3"), call("sub", {call("sub", {num(1), num(2)}), num(3)}));
  EXPECT_EQ(
      exported("${n} + 2 * 3 div 4 mod 5"),
      call("add", {ref("n"),
                   call("mod", {call("div", {call("mul", {num(2), num(3)}), num(4)}), num(5)})}));
  EXPECT_EQ(exported("-${n} < 1"), call("lt", {call("neg", {ref("n")}), num(1)}));
  EXPECT_EQ(exported("${n} <= 1"), call("le", {ref("n"), num(1)}));
  EXPECT_EQ(exported("${n} > 1"), call("gt", {ref("n"), num(1)}));
}

TEST(ExpressionJson, Functions) {
  EXPECT_EQ(exported("if(${n}, 'y', 'z')"), call("if", {ref("n"), str("y"), str("z")}));
  EXPECT_EQ(exported("coalesce(${t}, 'none')"), call("coalesce", {ref("t"), str("none")}));
  EXPECT_EQ(exported("int(${n})"), call("int", {ref("n")}));
  EXPECT_EQ(exported("abs(${n})"), call("abs", {ref("n")}));
  EXPECT_EQ(exported("round(${n}, 1)"), call("round", {ref("n"), num(1)}));
  // round(x) is round(x, 0): a client always gets two arguments.
  EXPECT_EQ(exported("round(${n})"), call("round", {ref("n"), num(0)}));
  EXPECT_EQ(exported("string-length(${t})"), call("string-length", {ref("t")}));
  EXPECT_EQ(exported("count-selected(${m})"), call("count-selected", {ref("m")}));
}

TEST(ExpressionJson, SelectedOnAMultipleChoiceCarriesTheTypedCode) {
  EXPECT_EQ(exported("selected(${m}, 'b')"),
            Json({{"op", "selected"}, {"args", {ref("m")}}, {"code", "b"}}));
}

TEST(ExpressionJson, SelectedOnASingleChoiceComparesWithTheCodeValue) {
  // '2' written as a string names the integer code 2: the literal is a number.
  EXPECT_EQ(exported("selected(${ch}, '2')"), call("selected-value", {ref("ch"), num(2)}));
}

TEST(ExpressionJson, RegexHidesItsPattern) {
  EXPECT_EQ(exported("regex(${t}, '[0-9]+')"), call("regex", {ref("t")}));
}

TEST(ExpressionJson, FormLogicListsSectionsItemsAndLimits) {
  auto q = sipas::test::load(sipas::test::form_with(items_for_ops()));
  Json logic = form_logic_to_json(q);
  EXPECT_EQ(logic["questionnaire"], "test");
  EXPECT_EQ(logic["version"], "1");
  ASSERT_EQ(logic["sections"].size(), 1u);
  EXPECT_EQ(logic["sections"][0], Json({{"id", "s"}}));
  std::map<std::string, Json> by_id;
  for (const auto& item : logic["items"])
    by_id[item["id"]] = item;
  EXPECT_EQ(by_id["n"],
            Json({{"id", "n"}, {"type", "integer"}, {"section", "s"}, {"min", 0}, {"max", 99}}));
  EXPECT_EQ(by_id["t"]["max_length"], 20);
  EXPECT_EQ(by_id["ch"]["codes"], Json({1, 2, 3}));
  EXPECT_EQ(by_id["m"]["codes"], Json({"a", "b"}));
  EXPECT_EQ(by_id["m"]["min_selections"], 1);
  EXPECT_EQ(by_id["m"]["max_selections"], 2);
  EXPECT_EQ(by_id["d"]["min"], "2024-01-01");
  EXPECT_FALSE(by_id["d"].contains("max"));
  EXPECT_EQ(by_id["c"]["calculation"], call("mul", {ref("n"), num(2)}));
  EXPECT_EQ(by_id["c"]["depends"], Json({"n"}));
}

TEST(ExpressionJson, SipasFormLogicIsInEvaluationOrderWithSectionAndRowConditions) {
  auto q = load_questionnaire_file(sipas::test::source_dir() +
                                   "/questionnaires/forms/sipas-citizen.json");
  Json logic = form_logic_to_json(q);
  ASSERT_EQ(logic["items"].size(), q.items().size());

  std::set<std::string> seen;
  std::map<std::string, Json> by_id;
  for (const auto& item : logic["items"]) {
    for (const auto& dep : item.value("depends", Json::array())) {
      EXPECT_TRUE(seen.count(dep.get<std::string>())) << item["id"] << " is listed before " << dep;
    }
    seen.insert(item["id"].get<std::string>());
    by_id[item["id"]] = item;
  }

  Json section_c;
  for (const auto& s : logic["sections"]) {
    if (s["id"] == "C") section_c = s;
  }
  EXPECT_EQ(section_c["relevant"], call("eq", {ref("q8_4"), num(1)}));
  EXPECT_EQ(section_c["depends"], Json({"q8_4"}));
  EXPECT_EQ(by_id["a_ethnic_other"]["relevant"], call("eq", {ref("a_ethnic"), num(2)}));
  EXPECT_EQ(by_id["a_ethnic_other"]["required"], true);
  EXPECT_EQ(by_id["a_sex"]["codes"], Json({1, 2}));
  EXPECT_EQ(by_id["q9_32"]["parent"], "q9");
  EXPECT_EQ(by_id["q9_32"]["type"], "likert");
  EXPECT_EQ(by_id["q9_32"]["relevant"],
            call("or", {call("eq", {ref("q8_5"), num(1)}), call("eq", {ref("q8_7"), num(1)})}));
  EXPECT_EQ(by_id["q9_32"]["codes"], Json({1, 2, 3, 4, 5, 9}));
  EXPECT_EQ(by_id["q9"]["type"], "matrix");
  EXPECT_FALSE(by_id["q9"].contains("codes"));
  EXPECT_EQ(by_id["a_field"]["depends"], Json({"q8_4"}));
}

TEST(ResponseJson, ResponseToJsonIsDeclaredWithTheResponse) {
  auto q = sipas::test::load(sipas::test::form_with(items_for_ops()));
  Response r = Response::empty_for(q);
  r.questionnaire = "test";
  r.version = "1";
  r.language = "vi";
  r.submission_id = "abc";
  r.set(q, "n", RawAnswer::of_integer(4));
  r.set(q, "t", RawAnswer::of_string("<\"x\">"));
  r.set(q, "m", RawAnswer::of_codes({RawCode{RawCode::Kind::String, 0, "b"}}));
  auto json = Json::parse(response_to_json(q, r));
  EXPECT_EQ(json, Json({{"questionnaire", "test"},
                        {"version", "1"},
                        {"language", "vi"},
                        {"submission_id", "abc"},
                        {"answers", {{"n", 4}, {"t", "<\"x\">"}, {"m", {"b"}}}}}));
  Response back = parse_response(q, json.dump());
  EXPECT_EQ(back.answers[q.find("n")->slot].integer, 4);
  EXPECT_EQ(back.answers[q.find("m")->slot].codes.at(0).text, "b");
}

}  // namespace
