// Response validation: a good and a bad case for every rule of FORMAT.md
// ("Responses"), on a questionnaire that uses every item type.

#include "questionnaires/validation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "questionnaires/item_scores.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;
using ::testing::ElementsAre;
using ::testing::Pair;

Json letters() {
  Json choices = Json::array();
  for (const char* code : {"a", "b", "c", "d"}) {
    choices.push_back({{"code", code}, {"label", text(code)}});
  }
  return choices;
}

Json all_types_form() {
  Json items = Json::array({
      {{"id", "c"},
       {"type", "single"},
       {"text", text("Choice")},
       {"required", true},
       {"choices", Json::array({{{"code", 1}, {"label", text("one")}},
                                {{"code", 2}, {"label", text("two")}},
                                {{"code", 3}, {"label", text("other")}}})}},
      {{"id", "other"},
       {"type", "text"},
       {"text", text("Other")},
       {"relevant", "${c} = 3"},
       {"required", true}},
      {{"id", "m"},
       {"type", "multiple"},
       {"text", text("Multiple")},
       {"choices", letters()},
       {"min_selections", 1},
       {"max_selections", 2}},
      {{"id", "follow"},
       {"type", "single"},
       {"text", text("Follow-up on a")},
       {"relevant", "selected(${m}, 'a')"},
       {"scale", "sat5"}},
      {{"id", "l"}, {"type", "likert"}, {"text", text("Likert")}, {"scale", "sat5"}},
      {{"id", "r"}, {"type", "rating"}, {"text", text("Rating")}, {"min", 1}, {"max", 10}},
      {{"id", "age"},
       {"type", "integer"},
       {"text", text("Age")},
       {"min", 18},
       {"max", 120},
       {"constraint", ". != 99"},
       {"constraint_message", text("Tuổi 99 không được nhận", "Age 99 is not accepted")}},
      {{"id", "kids"},
       {"type", "integer"},
       {"text", text("Children")},
       {"required", "${age} >= 30"}},
      {{"id", "d"}, {"type", "decimal"}, {"text", text("Decimal")}, {"min", 0}, {"max", 1.5}},
      {{"id", "when"},
       {"type", "date"},
       {"text", text("Date")},
       {"min", "2024-01-01"},
       {"max", "2024-12-31"}},
      {{"id", "t"}, {"type", "text"}, {"text", text("Text")}, {"max_length", 5}},
      {{"id", "lt"}, {"type", "long_text"}, {"text", text("Long text")}},
      {{"id", "n"}, {"type", "note"}, {"text", text("A note")}},
      {{"id", "mx"},
       {"type", "matrix"},
       {"text", text("Matrix")},
       {"scale", "sat5"},
       {"required", true},
       {"rows", Json::array({{{"id", "mx_1"}, {"text", text("Row 1")}},
                             {{"id", "mx_2"}, {"text", text("Row 2")}}})}},
      {{"id", "months"}, {"type", "calculate"}, {"calculation", "${age} * 12"}},
      {{"id", "senior"},
       {"type", "single"},
       {"text", text("Senior question")},
       {"relevant", "${months} > 720"},
       {"scale", "sat5"}},
  });
  return sipas::test::form_with(items);
}

Json good_answers() {
  return {{"c", 1},       {"m", {"a", "b"}}, {"follow", 4}, {"l", 5},
          {"r", 7},       {"age", 25},       {"d", 0.5},    {"when", "2024-06-30"},
          {"t", "Hà Nộ"}, {"lt", "ok"},      {"mx_1", 4},   {"mx_2", 2}};
}

class ValidationTest : public ::testing::Test {
 protected:
  ValidationTest() : q_(sipas::test::load(all_types_form())) {}

  // Every (item, error id) pair reported for `answers`.
  std::vector<std::pair<std::string, std::string>> issues(const Json& answers,
                                                          const std::string& language = "en") {
    auto response = sipas::test::response_for(q_, answers, language);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& issue : validate(q_, response).issues)
      out.emplace_back(issue.item, issue.id);
    return out;
  }

  // The good response with one answer replaced (or removed with null).
  std::vector<std::pair<std::string, std::string>> with(const std::string& item, Json value) {
    Json answers = good_answers();
    if (value.is_null()) {
      answers.erase(item);
    } else {
      answers[item] = std::move(value);
    }
    return issues(answers);
  }

  Questionnaire q_;
};

TEST_F(ValidationTest, CompleteResponseIsValid) {
  EXPECT_THAT(issues(good_answers()), ElementsAre());
}

TEST_F(ValidationTest, RequiredItemMustBeAnswered) {
  EXPECT_THAT(with("c", nullptr), ElementsAre(Pair("c", "response.required_missing")));
  EXPECT_THAT(with("mx_2", nullptr), ElementsAre(Pair("mx_2", "response.required_missing")));
}

TEST_F(ValidationTest, RequiredOnlyWhereRelevant) {
  // "other" is required but hidden unless c = 3.
  EXPECT_THAT(with("c", 1), ElementsAre());
  EXPECT_THAT(with("c", 3), ElementsAre(Pair("other", "response.required_missing")));
  Json answers = good_answers();
  answers["c"] = 3;
  answers["other"] = "khác";
  EXPECT_THAT(issues(answers), ElementsAre());
}

TEST_F(ValidationTest, ConditionalRequired) {
  EXPECT_THAT(with("age", 25), ElementsAre());
  EXPECT_THAT(with("age", 30), ElementsAre(Pair("kids", "response.required_missing")));
  Json answers = good_answers();
  answers["age"] = 30;
  answers["kids"] = 2;
  EXPECT_THAT(issues(answers), ElementsAre());
}

TEST_F(ValidationTest, AnswerToIrrelevantItemIsAnError) {
  EXPECT_THAT(with("other", "x"), ElementsAre(Pair("other", "response.not_relevant")));
  // follow is relevant only when 'a' is selected.
  Json answers = good_answers();
  answers["m"] = {"b"};
  EXPECT_THAT(issues(answers), ElementsAre(Pair("follow", "response.not_relevant")));
  answers.erase("follow");
  EXPECT_THAT(issues(answers), ElementsAre());
}

TEST_F(ValidationTest, CalculationFeedsRelevance) {
  // months = age * 12; senior is relevant when months > 720, i.e. age > 60.
  EXPECT_THAT(with("senior", 3), ElementsAre(Pair("senior", "response.not_relevant")));
  Json answers = good_answers();
  answers["age"] = 61;
  answers["kids"] = 1;
  answers["senior"] = 3;
  EXPECT_THAT(issues(answers), ElementsAre());
}

TEST_F(ValidationTest, WrongTypes) {
  EXPECT_THAT(with("c", "1"), ElementsAre(Pair("c", "response.wrong_type")));
  EXPECT_THAT(with("c", true), ElementsAre(Pair("c", "response.wrong_type")));
  EXPECT_THAT(with("m", "a"), ElementsAre(Pair("m", "response.wrong_type")));
  EXPECT_THAT(with("m", {1}), ElementsAre(Pair("m", "response.wrong_type")));
  EXPECT_THAT(with("age", "25"), ElementsAre(Pair("age", "response.wrong_type")));
  EXPECT_THAT(with("age", 25.5), ElementsAre(Pair("age", "response.wrong_type")));
  EXPECT_THAT(with("age", 25.0), ElementsAre());  // an integral number is an integer
  EXPECT_THAT(with("d", "0.5"), ElementsAre(Pair("d", "response.wrong_type")));
  EXPECT_THAT(with("when", 20240630), ElementsAre(Pair("when", "response.wrong_type")));
  EXPECT_THAT(with("t", 12), ElementsAre(Pair("t", "response.wrong_type")));
  EXPECT_THAT(with("lt", Json::object()), ElementsAre(Pair("lt", "response.wrong_type")));
}

TEST_F(ValidationTest, UnknownCodes) {
  EXPECT_THAT(with("c", 4), ElementsAre(Pair("c", "response.unknown_code")));
  EXPECT_THAT(with("l", 0), ElementsAre(Pair("l", "response.unknown_code")));
  EXPECT_THAT(with("mx_1", 6), ElementsAre(Pair("mx_1", "response.unknown_code")));
  EXPECT_THAT(with("m", {"a", "z"}), ElementsAre(Pair("m", "response.unknown_code")));
}

TEST_F(ValidationTest, SelectionsWithinBounds) {
  EXPECT_THAT(with("m", Json::array()), ElementsAre(Pair("m", "response.too_few_selections")));
  EXPECT_THAT(with("m", {"a", "b", "c"}), ElementsAre(Pair("m", "response.too_many_selections")));
  EXPECT_THAT(with("m", {"a", "a"}), ElementsAre(Pair("m", "response.duplicate_selection")));
  EXPECT_THAT(with("m", {"a"}), ElementsAre());
}

TEST_F(ValidationTest, NumbersAndDatesWithinRange) {
  EXPECT_THAT(with("age", 17), ElementsAre(Pair("age", "response.out_of_range")));
  EXPECT_THAT(with("age", 121), ElementsAre(Pair("age", "response.out_of_range")));
  EXPECT_THAT(with("age", 18), ElementsAre());
  EXPECT_THAT(with("r", 11), ElementsAre(Pair("r", "response.out_of_range")));
  EXPECT_THAT(with("r", 0), ElementsAre(Pair("r", "response.out_of_range")));
  EXPECT_THAT(with("d", 1.6), ElementsAre(Pair("d", "response.out_of_range")));
  EXPECT_THAT(with("d", 1.5), ElementsAre());
  EXPECT_THAT(with("when", "2023-12-31"), ElementsAre(Pair("when", "response.out_of_range")));
  EXPECT_THAT(with("when", "2025-01-01"), ElementsAre(Pair("when", "response.out_of_range")));
  EXPECT_THAT(with("when", "2024-01-01"), ElementsAre());
}

TEST_F(ValidationTest, DatesMustExist) {
  EXPECT_THAT(with("when", "2024-02-30"), ElementsAre(Pair("when", "response.invalid_date")));
  EXPECT_THAT(with("when", "2024-2-3"), ElementsAre(Pair("when", "response.invalid_date")));
  EXPECT_THAT(with("when", "2024-02-29"), ElementsAre());  // a leap year
}

TEST_F(ValidationTest, TextLengthCountsCharacters) {
  EXPECT_THAT(with("t", "Hà Nộ"), ElementsAre());  // 5 characters, 8 bytes
  EXPECT_THAT(with("t", "Hà Nội"), ElementsAre(Pair("t", "response.too_long")));
  EXPECT_THAT(with("lt", std::string(5000, 'x')), ElementsAre());
  EXPECT_THAT(with("lt", std::string(5001, 'x')), ElementsAre(Pair("lt", "response.too_long")));
}

TEST_F(ValidationTest, InvalidUtf8IsRejected) {
  auto response = sipas::test::response_for(q_, good_answers());
  response.set(q_, "t", RawAnswer::of_string("a\xff"));
  auto result = validate(q_, response);
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(result.issues[0].item, "t");
  EXPECT_EQ(result.issues[0].id, "response.invalid_utf8");
}

TEST_F(ValidationTest, ConstraintUsesTheFormsMessageInTheRespondentsLanguage) {
  Json answers = good_answers();
  answers["age"] = 99;
  answers["kids"] = 1;
  auto en = validate(q_, sipas::test::response_for(q_, answers, "en"));
  auto vi = validate(q_, sipas::test::response_for(q_, answers, "vi"));
  ASSERT_EQ(en.issues.size(), 1u);
  ASSERT_EQ(vi.issues.size(), 1u);
  EXPECT_EQ(en.issues[0].id, "response.constraint_failed");
  EXPECT_EQ(en.issues[0].message, "Age 99 is not accepted");
  EXPECT_EQ(vi.issues[0].message, "Tuổi 99 không được nhận");
}

TEST_F(ValidationTest, BuiltInMessagesFollowTheLanguage) {
  Json answers = good_answers();
  answers.erase("c");
  auto en = validate(q_, sipas::test::response_for(q_, answers, "en"));
  auto vi = validate(q_, sipas::test::response_for(q_, answers, "vi"));
  EXPECT_EQ(en.issues.at(0).message, "Please answer this question.");
  EXPECT_EQ(vi.issues.at(0).message, "Vui lòng trả lời câu hỏi này.");
  answers = good_answers();
  answers["age"] = 10;
  EXPECT_EQ(validate(q_, sipas::test::response_for(q_, answers, "vi")).issues.at(0).message,
            "Giá trị phải lớn hơn hoặc bằng 18.");
}

TEST_F(ValidationTest, UnknownAndUnanswerableItems) {
  EXPECT_THAT(with("zzz", 1), ElementsAre(Pair("zzz", "response.unknown_item")));
  EXPECT_THAT(with("n", "x"), ElementsAre(Pair("n", "response.not_answerable")));
  EXPECT_THAT(with("mx", 3), ElementsAre(Pair("mx", "response.not_answerable")));
  EXPECT_THAT(with("months", 3), ElementsAre(Pair("months", "response.not_answerable")));
}

// Section ids share the namespace of item ids but are not items: an answer
// named after one is an unknown item (it used to index past the items).
TEST_F(ValidationTest, AnAnswerNamedAfterASectionIsAnUnknownItem) {
  EXPECT_EQ(q_.find("s"), nullptr);
  EXPECT_THAT(with("s", 1), ElementsAre(Pair("s", "response.unknown_item")));
}

TEST_F(ValidationTest, ResponseForAnotherQuestionnaire) {
  Json doc = {{"questionnaire", "test"}, {"version", "2"}, {"answers", good_answers()}};
  auto result = validate(q_, parse_response(q_, doc.dump()));
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(result.issues[0].id, "response.questionnaire_mismatch");
  EXPECT_EQ(result.issues[0].item, "");
}

TEST_F(ValidationTest, UnknownLanguageIsReportedInTheDefaultLanguage) {
  auto result = validate(q_, sipas::test::response_for(q_, good_answers(), "fr"));
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(result.issues[0].id, "response.unknown_language");
  EXPECT_EQ(result.issues[0].message, "Phiếu không có ngôn ngữ 'fr'.");
}

TEST_F(ValidationTest, EveryErrorAtOnceInFormOrder) {
  Json answers = good_answers();
  answers.erase("c");          // required
  answers["zzz"] = 1;          // unknown
  answers["t"] = "too long!";  // over 5
  answers["m"] = {"q"};        // unknown code
  answers["when"] = "2024-13-01";
  EXPECT_THAT(issues(answers),
              ElementsAre(Pair("c", "response.required_missing"),
                          Pair("m", "response.unknown_code"), Pair("when", "response.invalid_date"),
                          Pair("t", "response.too_long"), Pair("zzz", "response.unknown_item")));
}

TEST_F(ValidationTest, ValidatorCanBeReused) {
  Validator validator(q_);
  Json bad = good_answers();
  bad["c"] = 9;
  auto bad_response = sipas::test::response_for(q_, bad);
  auto good_response = sipas::test::response_for(q_, good_answers());
  EXPECT_FALSE(validator.validate(bad_response).ok());
  EXPECT_TRUE(validator.validate(good_response).ok());
  EXPECT_EQ(validator.values()[q_.find("age")->slot].number, 25);
  EXPECT_EQ(validator.values()[q_.find("months")->slot].number, 300);
  EXPECT_FALSE(validator.validate(bad_response).ok());
}

TEST(ValidationRelevanceTest, SectionAndMatrixConditionsHideTheirItems) {
  Json form = sipas::test::form_with(
      Json::array({{{"id", "gave_feedback"},
                    {"type", "single"},
                    {"text", text("Gave feedback?")},
                    {"required", true},
                    {"choices", Json::array({{{"code", 1}, {"label", text("yes")}},
                                             {{"code", 2}, {"label", text("no")}}})}},
                   {{"id", "fb"},
                    {"type", "matrix"},
                    {"text", text("Feedback handling")},
                    {"scale", "sat5"},
                    {"required", true},
                    {"relevant", "${gave_feedback} = 1"},
                    {"rows", Json::array({{{"id", "fb_1"}, {"text", text("Handled")}}})}}}));
  form["sections"].push_back(
      {{"id", "late"},
       {"title", text("Late")},
       {"relevant", "${gave_feedback} = 2"},
       {"items",
        Json::array(
            {{{"id", "why"}, {"type", "text"}, {"text", text("Why not?")}, {"required", true}}})}});
  auto q = sipas::test::load(form);
  auto check = [&](Json answers) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& i : validate(q, sipas::test::response_for(q, answers)).issues) {
      out.emplace_back(i.item, i.id);
    }
    return out;
  };
  EXPECT_THAT(check({{"gave_feedback", 1}, {"fb_1", 4}}), ElementsAre());
  EXPECT_THAT(check({{"gave_feedback", 1}}),
              ElementsAre(Pair("fb_1", "response.required_missing")));
  EXPECT_THAT(check({{"gave_feedback", 2}, {"fb_1", 4}, {"why", "x"}}),
              ElementsAre(Pair("fb_1", "response.not_relevant")));
  EXPECT_THAT(check({{"gave_feedback", 2}}), ElementsAre(Pair("why", "response.required_missing")));
  EXPECT_THAT(check({{"gave_feedback", 1}, {"fb_1", 4}, {"why", "x"}}),
              ElementsAre(Pair("why", "response.not_relevant")));
}

TEST(ItemScoresTest, OutcomesFollowTheScoringMap) {
  Json scale = {{"choices", Json::array()}, {"excluded_codes", {9}}};
  for (int code : {1, 2, 3, 4, 5, 9}) {
    scale["choices"].push_back({{"code", code}, {"label", text("c" + std::to_string(code))}});
  }
  Json form = sipas::test::form_with(Json::array({{{"id", "mx"},
                                                   {"type", "matrix"},
                                                   {"text", text("Rate")},
                                                   {"scale", "q6"},
                                                   {"rows", Json::array()}}}));
  for (const char* row : {"r1", "r2", "r3", "r4"}) {
    form["sections"][0]["items"][0]["rows"].push_back(
        {{"id", row},
         {"text", text(row)},
         {"scoring", {{"element", "E1"}, {"satisfied_codes", {4, 5}}, {"excluded_codes", {3}}}}});
  }
  form["scales"]["q6"] = scale;
  form["scoring"] = {{"elements", Json::array({{{"id", "E1"}, {"label", text("Element")}}})}};
  auto q = sipas::test::load(form);
  Validator validator(q);
  auto response = sipas::test::response_for(q, {{"r1", 5}, {"r2", 2}, {"r3", 9}});
  ASSERT_TRUE(validator.validate(response).ok());
  auto scores = score_items(q, validator);
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_EQ(scores[0].outcome, ItemOutcome::Satisfied);
  EXPECT_EQ(scores[1].outcome, ItemOutcome::NotSatisfied);
  EXPECT_EQ(scores[2].outcome, ItemOutcome::Excluded);  // the scale's "don't know"
  EXPECT_EQ(scores[3].outcome, ItemOutcome::Missing);
  auto response2 = sipas::test::response_for(q, {{"r1", 3}});
  ASSERT_TRUE(validator.validate(response2).ok());
  EXPECT_EQ(score_items(q, validator)[0].outcome,
            ItemOutcome::Excluded);  // the item's own exclusion
}

}  // namespace

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;

TEST(ValidationCascadeTest, OneWrongAnswerDoesNotCascadeIntoTheItemsItControls) {
  auto q = sipas::test::load(all_types_form());
  Json answers = good_answers();
  answers["m"] = {"a", "zz"};  // invalid: whether "follow" applies cannot be decided
  answers["c"] = "x";          // invalid: whether "other" applies cannot be decided
  auto result = validate(q, sipas::test::response_for(q, answers));
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& i : result.issues)
    got.emplace_back(i.item, i.id);
  EXPECT_THAT(got, ::testing::ElementsAre(::testing::Pair("c", "response.wrong_type"),
                                          ::testing::Pair("m", "response.unknown_code")));
  // The answer to the undecided item is still checked on its own terms.
  answers["follow"] = 42;
  result = validate(q, sipas::test::response_for(q, answers));
  ASSERT_EQ(result.issues.size(), 3u);
  EXPECT_EQ(result.issues[2].item, "follow");
  EXPECT_EQ(result.issues[2].id, "response.unknown_code");
}

}  // namespace
