// Loading questionnaire definitions: every problem is reported with its error
// id, JSON path, item and (for expressions) position.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/file.hpp"
#include "questionnaires/messages.hpp"
#include "questionnaires/questionnaire.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::form_with;
using sipas::test::Json;
using sipas::test::problems_of;
using sipas::test::text;

Json likert(const std::string& id) {
  return {{"id", id}, {"type", "likert"}, {"text", text(id)}, {"scale", "sat5"}};
}

// The single problem of `form`; fails the test if there is not exactly one.
Problem only_problem(const Json& form) {
  auto problems = problems_of(form);
  EXPECT_EQ(problems.size(), 1u);
  if (problems.size() != 1) {
    for (const auto& p : problems)
      ADD_FAILURE() << p.describe("test.json");
  }
  return problems.empty() ? Problem{} : problems[0];
}

TEST(LoaderTest, MinimalFormLoads) {
  auto q = sipas::test::load(form_with(Json::array({likert("a")})));
  EXPECT_EQ(q.id(), "test");
  ASSERT_EQ(q.items().size(), 1u);
  EXPECT_EQ(q.items()[0].scale->choices.size(), 5u);
  EXPECT_EQ(q.items()[0].text.in(0), "a (vi)");
  EXPECT_EQ(q.items()[0].text.in(1), "a");
}

TEST(LoaderTest, InvalidJsonNamesLineAndColumn) {
  try {
    load_questionnaire("{\n  \"id\": \"x\",\n  oops\n}", "broken.json");
    FAIL();
  } catch (const DefinitionError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].id, "questionnaire.invalid_json");
    EXPECT_THAT(e.problems()[0].message, ::testing::HasSubstr("line 3, column 3"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("broken.json"));
  }
}

TEST(LoaderTest, MissingFileIsAnIoError) {
  try {
    load_questionnaire_file("/nonexistent/form.json");
    FAIL();
  } catch (const sipas::Error& e) {
    EXPECT_EQ(e.id(), "io.not_found");
  }
}

TEST(LoaderTest, RequiredTopLevelFields) {
  for (const char* field : {"format", "id", "version", "sections"}) {
    Json form = form_with(Json::array({likert("a")}));
    form.erase(field);
    auto problems = problems_of(form);
    ASSERT_FALSE(problems.empty()) << field;
    EXPECT_EQ(problems[0].id, "questionnaire.missing_field") << field;
    EXPECT_EQ(problems[0].path, std::string("/") + field);
  }
  Json form = form_with(Json::array({likert("a")}));
  form["format"] = "sipas-questionnaire/2";
  EXPECT_EQ(only_problem(form).id, "questionnaire.unsupported_format");
}

TEST(LoaderTest, MisspelledFieldIsNotIgnored) {
  Json item = likert("a");
  item["relevent"] = "1 = 1";
  auto p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.unknown_field");
  EXPECT_EQ(p.path, "/sections/0/items/0/relevent");
  EXPECT_EQ(p.item, "a");
}

TEST(LoaderTest, EveryTextNeedsEveryLanguage) {
  Json item = likert("a");
  item["text"] = {{"vi", "Câu hỏi"}};
  auto p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.missing_translation");
  EXPECT_EQ(p.path, "/sections/0/items/0/text");
  EXPECT_THAT(p.message, ::testing::HasSubstr("'en'"));

  item["text"] = {{"vi", "Câu hỏi"}, {"en", "Question"}, {"fr", "Question"}};
  p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.unknown_language");
  EXPECT_EQ(p.path, "/sections/0/items/0/text/fr");
}

TEST(LoaderTest, IdsAreUniqueAcrossItemsRowsAndSections) {
  Json matrix = {{"id", "m"},
                 {"type", "matrix"},
                 {"text", text("m")},
                 {"scale", "sat5"},
                 {"rows", Json::array({{{"id", "a"}, {"text", text("row")}}})}};
  auto p = only_problem(form_with(Json::array({likert("a"), matrix})));
  EXPECT_EQ(p.id, "questionnaire.duplicate_id");
  EXPECT_EQ(p.path, "/sections/0/items/1/rows/0/id");
  EXPECT_EQ(only_problem(form_with(Json::array({likert("s")}))).id, "questionnaire.duplicate_id");
  EXPECT_EQ(only_problem(form_with(Json::array({likert("1a")}))).id, "questionnaire.invalid_id");
}

TEST(LoaderTest, ItemTypesAndScales) {
  Json item = likert("a");
  item["type"] = "slider";
  EXPECT_EQ(only_problem(form_with(Json::array({item}))).id, "questionnaire.unknown_type");
  item = likert("a");
  item["scale"] = "agree7";
  auto p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.unknown_scale");
  EXPECT_EQ(p.path, "/sections/0/items/0/scale");

  Json single = {{"id", "c"},
                 {"type", "single"},
                 {"text", text("c")},
                 {"choices", Json::array({{{"code", 1}, {"label", text("x")}},
                                          {{"code", 1}, {"label", text("y")}}})}};
  p = only_problem(form_with(Json::array({single})));
  EXPECT_EQ(p.id, "questionnaire.duplicate_code");
  EXPECT_EQ(p.path, "/sections/0/items/0/choices/1/code");

  single["choices"] = Json::array({{{"code", 1}, {"label", text("only")}}});
  EXPECT_EQ(only_problem(form_with(Json::array({single}))).id, "questionnaire.invalid_choices");

  single["choices"] =
      Json::array({{{"code", 1.5}, {"label", text("x")}}, {{"code", 2}, {"label", text("y")}}});
  EXPECT_EQ(only_problem(form_with(Json::array({single}))).id, "questionnaire.invalid_code");
}

TEST(LoaderTest, LikertPointsAndAnchorsBuildTheScale) {
  Json item = {{"id", "a"},
               {"type", "likert"},
               {"text", text("a")},
               {"points", 7},
               {"anchors",
                {{"low", text("Hoàn toàn không đồng ý", "Strongly disagree")},
                 {"high", text("Hoàn toàn đồng ý", "Strongly agree")}}}};
  auto q = sipas::test::load(form_with(Json::array({item})));
  const auto& scale = *q.items()[0].scale;
  ASSERT_EQ(scale.choices.size(), 7u);
  EXPECT_EQ(scale.choices.front().code.number, 1);
  EXPECT_EQ(scale.choices.back().code.number, 7);
  EXPECT_EQ(scale.choices.back().label.in(1), "Strongly agree");
  EXPECT_EQ(scale.choices[3].label.in(0), "4");

  item.erase("points");  // 5 by default
  EXPECT_EQ(sipas::test::load(form_with(Json::array({item}))).items()[0].scale->choices.size(), 5u);
  item["points"] = 1;
  EXPECT_EQ(only_problem(form_with(Json::array({item}))).id, "questionnaire.invalid_points");
}

TEST(LoaderTest, ExcludedCodesMustBeOnTheScale) {
  Json form = form_with(Json::array({likert("a")}));
  form["scales"]["sat5"]["excluded_codes"] = {9};
  auto p = only_problem(form);
  EXPECT_EQ(p.id, "questionnaire.unknown_code");
  EXPECT_EQ(p.path, "/scales/sat5/excluded_codes/0");
}

TEST(LoaderTest, ConstraintNeedsAMessage) {
  Json item = {{"id", "n"}, {"type", "integer"}, {"text", text("n")}, {"constraint", ". > 0"}};
  auto p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.missing_field");
  EXPECT_EQ(p.path, "/sections/0/items/0/constraint_message");
}

TEST(LoaderTest, ExpressionErrorNamesItemFieldAndCharacterPosition) {
  Json item = likert("b");
  // A value is missing at the end, character 28 (byte 31: "Hà Nội" takes 9 bytes
  // for 6 characters).
  item["relevant"] = "${a} = 'Hà Nội' and (${a} >";
  auto p = only_problem(form_with(Json::array({likert("a"), item})));
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.item, "b");
  EXPECT_EQ(p.path, "/sections/0/items/1/relevant");
  EXPECT_EQ(p.column, 28u);  // the end: a value is missing after '>'
  EXPECT_THAT(
      p.describe("test.json"),
      ::testing::HasSubstr("test.json: item 'b': /sections/0/items/1/relevant, position 28"));
}

TEST(LoaderTest, UnknownReferencesAndCodes) {
  Json item = likert("b");
  item["relevant"] = "${nope} = 1";
  auto p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.expression_error");
  EXPECT_EQ(p.column, 1u);
  EXPECT_THAT(p.message, ::testing::HasSubstr("unknown item ${nope}"));

  item["relevant"] = "selected(${a}, 7)";
  p = only_problem(form_with(Json::array({likert("a"), item})));
  EXPECT_THAT(p.message, ::testing::HasSubstr("'7' is not a choice of a"));
  EXPECT_EQ(p.column, 16u);

  item.erase("relevant");
  item["text"] = text("Đánh giá ${unit}", "Rate the unit");
  p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.unknown_reference");
  EXPECT_EQ(p.path, "/sections/0/items/0/text/vi");
}

TEST(LoaderTest, ScoringMustNameDeclaredElementsAndScaleCodes) {
  Json form = form_with(Json::array({likert("a")}));
  form["scoring"] = {{"elements", Json::array({{{"id", "E1"}, {"label", text("E1")}}})}};
  form["sections"][0]["items"][0]["scoring"] = {{"element", "E9"}, {"satisfied_codes", {4, 5}}};
  auto problems = problems_of(form);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].id, "questionnaire.unknown_element");
  EXPECT_EQ(problems[1].id, "questionnaire.empty_element");  // nothing feeds E1 now

  form["sections"][0]["items"][0]["scoring"] = {{"element", "E1"}, {"satisfied_codes", {4, 6}}};
  auto p = only_problem(form);
  EXPECT_EQ(p.id, "questionnaire.unknown_code");
  EXPECT_EQ(p.path, "/sections/0/items/0/scoring/satisfied_codes/1");

  form["sections"][0]["items"][0]["scoring"] = {{"element", "E1"}};
  EXPECT_EQ(only_problem(form).id, "questionnaire.missing_field");

  form["sections"][0]["items"][0]["scoring"] = {{"element", "E1"}, {"satisfied_codes", {4, 5}}};
  EXPECT_TRUE(problems_of(form).empty());
}

TEST(LoaderTest, OverallMethodIsCheckedAgainstTheElements) {
  Json form = form_with(Json::array({likert("a"), likert("b")}));
  form["scoring"] = {
      {"elements",
       Json::array({{{"id", "E1"}, {"label", text("E1")}}, {{"id", "E2"}, {"label", text("E2")}}})},
      {"overall", {{"method", "weighted"}, {"weights", {{"E1", 0.5}, {"E2", 0.4}}}}}};
  form["sections"][0]["items"][0]["scoring"] = {{"element", "E1"}, {"satisfied_codes", {4, 5}}};
  form["sections"][0]["items"][1]["scoring"] = {{"element", "E2"}, {"satisfied_codes", {4, 5}}};
  auto p = only_problem(form);
  EXPECT_EQ(p.id, "questionnaire.invalid_weight");
  EXPECT_THAT(p.message, ::testing::HasSubstr("not 1"));

  form["scoring"]["overall"] = {{"method", "item"}, {"item", "zz"}};
  EXPECT_EQ(only_problem(form).id, "questionnaire.invalid_method");
  form["scoring"]["overall"] = {{"method", "median"}};
  EXPECT_EQ(only_problem(form).id, "questionnaire.invalid_method");
  form["scoring"]["overall"] = {{"method", "mean_of_elements"}, {"elements", {"E1", "E3"}}};
  EXPECT_EQ(only_problem(form).id, "questionnaire.unknown_element");
  form["scoring"]["overall"] = {{"method", "item"}, {"item", "b"}};
  EXPECT_TRUE(problems_of(form).empty());
}

TEST(LoaderTest, PlaceholderItemsMustBeExplainedInNotes) {
  Json item = likert("a");
  item["status"] = "placeholder";
  auto p = only_problem(form_with(Json::array({item})));
  EXPECT_EQ(p.id, "questionnaire.placeholder_without_note");
  Json form = form_with(Json::array({item}));
  form["notes"] = Json::array({{{"item", "a"}, {"text", "wording to be confirmed"}}});
  EXPECT_TRUE(problems_of(form).empty());
}

TEST(LoaderTest, OtherLanguagesMustBringTheirMessages) {
  Json form = form_with(Json::array({likert("a")}));
  form["languages"] = {"vi", "en", "km"};
  for (auto* text_field :
       {&form["title"], &form["sections"][0]["title"], &form["sections"][0]["items"][0]["text"]}) {
    (*text_field)["km"] = "ខ្មែរ";
  }
  for (auto& choice : form["scales"]["sat5"]["choices"])
    choice["label"]["km"] = "ខ្មែរ";
  auto p = only_problem(form);
  EXPECT_EQ(p.id, "questionnaire.missing_translation");
  EXPECT_EQ(p.path, "/messages/km");
  // Every key the library asks for, as message_keys() lists them.
  Json messages;
  for (std::string_view key : message_keys())
    messages[std::string(key)] = "km: " + std::string(key);
  const std::string last(message_keys().back());
  Json short_of_one = messages;
  short_of_one.erase(last);
  form["messages"] = {{"km", short_of_one}};
  EXPECT_THAT(only_problem(form).message, ::testing::HasSubstr("message '" + last + "'"));
  form["messages"] = {{"km", messages}};
  auto q = sipas::test::load(form);
  EXPECT_EQ(q.message(2, "required_missing"), "km: required_missing");
  EXPECT_EQ(q.message(2, last), "km: " + last);
  EXPECT_EQ(q.message(0, "required_missing"), "Vui lòng trả lời câu hỏi này.");
}

TEST(LoaderTest, EveryProblemIsReportedAtOnce) {
  Json bad_type = likert("b");
  bad_type["type"] = "slider";
  Json bad_text = likert("c");
  bad_text["text"] = {{"vi", "chỉ tiếng Việt"}};
  Json bad_expression = likert("d");
  bad_expression["relevant"] = "${a} =";
  auto problems =
      problems_of(form_with(Json::array({likert("a"), bad_type, bad_text, bad_expression})));
  std::vector<std::string> ids;
  for (const auto& p : problems)
    ids.push_back(p.id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("questionnaire.unknown_type",
                                                   "questionnaire.missing_translation",
                                                   "questionnaire.expression_error"));
}

TEST(LoaderTest, MatrixRowsInheritTheScaleAndRequired) {
  Json matrix = {
      {"id", "m"},
      {"type", "matrix"},
      {"text", text("m")},
      {"scale", "sat5"},
      {"required", true},
      {"rows", Json::array({{{"id", "m_1"}, {"text", text("r1")}},
                            {{"id", "m_2"}, {"text", text("r2")}, {"required", false}}})}};
  auto q = sipas::test::load(form_with(Json::array({matrix})));
  const Item* row1 = q.find("m_1");
  const Item* row2 = q.find("m_2");
  ASSERT_TRUE(row1 && row2);
  EXPECT_TRUE(row1->is_matrix_row());
  EXPECT_EQ(row1->parent, q.find("m")->slot);
  EXPECT_EQ(row1->scale, q.find("m")->scale);
  EXPECT_TRUE(row1->required);
  EXPECT_FALSE(row2->required);
  EXPECT_FALSE(q.find("m")->answerable());
}

}  // namespace
