// The work of one validation is bounded (FORMAT.md, "Responses"): a response
// whose answers make the questionnaire's expressions run past
// ValidationOptions::max_steps fails with response.too_complex, and the
// responses to the shipped forms stay far below the default.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/regex.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;
using sipas::test::text;

// `calls` regex() calls on `.`, joined by `and`: each is charged in full
// whether or not an earlier one failed, since all of them match.
std::string regex_chain(std::string_view pattern, int calls) {
  std::string out;
  for (int i = 0; i < calls; ++i) {
    if (i) out += " and ";
    out += "regex(., '" + std::string(pattern) + "')";
  }
  return out;
}

// Five long-text items whose constraint matches Vietnamese letters 40 times.
Json letters_form() {
  Json items = Json::array();
  for (int i = 0; i < 5; ++i) {
    std::string id = "t" + std::to_string(i);
    items.push_back({{"id", id},
                     {"type", "long_text"},
                     {"text", text(id)},
                     {"max_length", 20000},
                     {"constraint", regex_chain("[\\p{L} ]*", 40)},
                     {"constraint_message", text("letters only")}});
  }
  return sipas::test::form_with(items);
}

Response letters_response(const Questionnaire& q, std::size_t words) {
  std::string answer;
  for (std::size_t i = 0; i < words; ++i)
    answer += "chữ ";
  Json answers = Json::object();
  for (int i = 0; i < 5; ++i)
    answers["t" + std::to_string(i)] = answer;
  return sipas::test::response_for(q, answers);
}

TEST(ValidationBudgetTest, AResponseThatTakesTooMuchWorkIsRefused) {
  Questionnaire q = sipas::test::load(letters_form());
  Validator validator(q);
  try {
    validator.validate(letters_response(q, 4000));
    FAIL() << "validated";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.too_complex");
    EXPECT_EQ(std::string(e.what()),
              "the response takes too much work to check: the questionnaire's expressions need "
              "more than 20000000 steps for these answers (reached at item 't0')");
  }
  EXPECT_GT(validator.steps(), ValidationOptions::default_max_steps);

  // The same Validator checks the next response afresh.
  const auto& result = validator.validate(letters_response(q, 10));
  EXPECT_TRUE(result.ok());
  EXPECT_LT(validator.steps(), ValidationOptions::default_max_steps);
}

// Whatever the questionnaire's expressions read, long strings are paid for:
// string-length() of a long answer, 200 times in each of ten calculations, is
// as bounded as a regex.
TEST(ValidationBudgetTest, ReadingALongAnswerManyTimesIsCounted) {
  std::string calls;
  for (int i = 0; i < 200; ++i)
    calls += (i ? " + " : "") + std::string("string-length(${t})");
  Json items = Json::array({
      {{"id", "t"}, {"type", "long_text"}, {"text", text("t")}, {"max_length", 100000}},
  });
  for (int i = 0; i < 10; ++i)
    items.push_back(
        {{"id", "c" + std::to_string(i)}, {"type", "calculate"}, {"calculation", calls}});
  Questionnaire q = sipas::test::load(sipas::test::form_with(items));
  try {
    validate(q, sipas::test::response_for(q, {{"t", std::string(90000, 'x')}}));
    FAIL() << "validated";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.too_complex");
    EXPECT_THAT(e.what(), ::testing::EndsWith("(reached at item 'c1')"));
  }
  EXPECT_TRUE(validate(q, sipas::test::response_for(q, {{"t", std::string(1000, 'x')}})).ok());
}

TEST(ValidationBudgetTest, TheBudgetIsAnOption) {
  Questionnaire q = sipas::test::load(letters_form());
  Response response = letters_response(q, 4000);
  ValidationOptions options;
  options.max_steps = 100'000'000'000;
  Validator validator(q, options);
  EXPECT_TRUE(validator.validate(response).ok());
  EXPECT_GT(validator.steps(), ValidationOptions::default_max_steps);

  options.max_steps = 10;
  try {
    validate(q, letters_response(q, 1), options);
    FAIL() << "validated";
  } catch (const ResponseError& e) {
    EXPECT_EQ(e.id(), "response.too_complex");
    EXPECT_THAT(e.what(), ::testing::HasSubstr("more than 10 steps"));
  }
}

// The steps one validation takes: StepBudget::node_steps per node, one per
// byte of a string read, and for a regex() its worst case, subject bytes (+1)
// times the pattern's instructions, charged before it runs.
TEST(ValidationBudgetTest, StepsAreCountedAsDocumented) {
  Json items = Json::array({
      {{"id", "t"},
       {"type", "text"},
       {"text", text("t")},
       {"constraint", "regex(., 'a*')"},
       {"constraint_message", text("a")}},
  });
  Questionnaire q = sipas::test::load(sipas::test::form_with(items));
  Validator validator(q);
  ASSERT_TRUE(validator.validate(sipas::test::response_for(q, {{"t", "a"}})).ok());
  // Two nodes, the byte of `.`, and 2 x the pattern's instructions.
  const std::uint64_t nodes = 2 * StepBudget::node_steps;
  const std::uint64_t instructions = CompiledRegex::compile("a*")->instructions();
  EXPECT_EQ(validator.steps(), nodes + 1 + 2 * instructions);
  ASSERT_TRUE(validator.validate(sipas::test::response_for(q, {{"t", "aaaa"}})).ok());
  EXPECT_EQ(validator.steps(), nodes + 4 + 5 * instructions);
}

// Every response to a shipped form, even with every text answered at its
// maximum length, takes less than 1 % of the default budget.
class ShippedFormBudgetTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ShippedFormBudgetTest, ResponsesStayFarBelowTheBudget) {
  const auto* file = find_standard_file(GetParam());
  ASSERT_NE(file, nullptr);
  Questionnaire q = load_questionnaire(file->content, GetParam());
  const std::uint64_t margin = ValidationOptions::default_max_steps / 100;
  Validator validator(q);
  std::uint64_t most = 0;
  for (Response& r : generate_valid_responses(q, 200, 20240601)) {
    ASSERT_TRUE(validator.validate(r).ok());
    most = std::max(most, validator.steps());
    // The same answers with every text item answered as long as it allows, in
    // three-byte Vietnamese letters (some answers are now errors; the work of
    // checking them is what is counted).
    for (const Item& item : q.items()) {
      if (item.type == ItemType::Text || item.type == ItemType::LongText) {
        std::string longest;
        for (std::size_t i = 0; i < item.max_length; ++i)
          longest += "ộ";
        r.answers[item.slot] = RawAnswer::of_string(longest);
      }
    }
    validator.validate(r);
    most = std::max(most, validator.steps());
  }
  RecordProperty("most_steps", std::to_string(most));
  EXPECT_LT(most, margin) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Forms, ShippedFormBudgetTest,
                         ::testing::Values("forms/sipas-citizen.json", "forms/par-officials.json",
                                           "forms/sipas-short.json",
                                           "examples/example-questionnaire.json"));

}  // namespace
