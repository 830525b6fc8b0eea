// The standard instruments in questionnaires/forms: the checks of
// shared/docs/instruments.md §4, and the example responses.

#include "questionnaires/standard_forms.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>

#include "io/file.hpp"
#include "questionnaires/validation.hpp"
#include "tests/support/forms.hpp"

namespace {

using namespace sipas::questionnaires;
using sipas::test::Json;

const std::vector<std::string> standard_forms = {"sipas-citizen", "par-officials", "sipas-short"};

std::string form_path(const std::string& name) {
  return sipas::test::source_dir() + "/questionnaires/forms/" + name + ".json";
}

Questionnaire load_form(const std::string& name) {
  return load_questionnaire_file(form_path(name));
}

std::vector<std::string> row_elements(const Questionnaire& q, const std::string& matrix) {
  std::vector<std::string> out;
  for (auto slot : q.find(matrix)->rows) {
    const auto& row = q.items()[slot];
    out.push_back(row.scoring ? row.scoring->element : "");
  }
  return out;
}

class StandardFormTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StandardFormTest, LoadsInVietnameseAndEnglish) {
  auto q = load_form(GetParam());
  EXPECT_EQ(q.id(), GetParam());
  EXPECT_THAT(q.languages(), ::testing::ElementsAre("vi", "en"));
}

TEST_P(StandardFormTest, EveryItemHasBothLanguagesAndAStatus) {
  auto q = load_form(GetParam());
  for (const auto& item : q.items()) {
    if (item.type == ItemType::Calculate) continue;
    ASSERT_EQ(item.text.by_language.size(), 2u) << item.id;
    EXPECT_FALSE(item.text.in(0).empty()) << item.id;
    EXPECT_FALSE(item.text.in(1).empty()) << item.id;
    EXPECT_NE(item.text.in(0), item.text.in(1)) << item.id << " is not translated";
    EXPECT_NE(item.status, Status::Unspecified) << item.id << " has no status";
  }
}

TEST_P(StandardFormTest, PlaceholderItemsAreListedInTheNotes) {
  auto q = load_form(GetParam());
  for (const auto& item : q.items()) {
    if (item.status != Status::Placeholder) continue;
    bool listed = false;
    for (const auto& note : q.notes())
      listed |= note.item == item.id;
    EXPECT_TRUE(listed) << item.id;
  }
}

TEST_P(StandardFormTest, EveryScoredItemIsOnAScaleWithItsCodes) {
  auto q = load_form(GetParam());
  std::size_t scored = 0;
  for (const auto& item : q.items()) {
    if (!item.scoring || item.scoring->element.empty()) continue;
    ++scored;
    ASSERT_TRUE(item.scale) << item.id;
    EXPECT_TRUE(item.type == ItemType::Likert || item.type == ItemType::Single) << item.id;
    EXPECT_NE(q.scoring().find_element(item.scoring->element), nullptr) << item.id;
    ASSERT_FALSE(item.scoring->satisfied.empty()) << item.id;
    for (auto choice : item.scoring->satisfied) {
      EXPECT_LT(choice, item.scale->choices.size()) << item.id;
    }
  }
  EXPECT_GT(scored, 0u);
  ASSERT_TRUE(q.scoring().overall.has_value()) << "the overall rule must be written down";
}

TEST_P(StandardFormTest, EmbeddedCopyIsTheFileInTheTree) {
  const auto* embedded = find_standard_file("forms/" + GetParam() + ".json");
  ASSERT_NE(embedded, nullptr);
  EXPECT_EQ(embedded->content, sipas::io::read_file(form_path(GetParam()), 1 << 24));
}

INSTANTIATE_TEST_SUITE_P(Forms, StandardFormTest, ::testing::ValuesIn(standard_forms));

TEST(SipasCitizenFormTest, RowCountsAndElementsMatchTheInstrument) {
  auto q = load_form("sipas-citizen");
  EXPECT_EQ(q.find("q1")->rows.size(), 8u);
  EXPECT_EQ(q.find("q8")->rows.size(), 7u);
  EXPECT_EQ(q.find("q10")->rows.size(), 10u);
  ASSERT_EQ(q.find("q9")->rows.size(), 33u);
  // Elements in blocks of 2, 2, 8, 2, 4, 4, 5, 3 and 3 rows (instruments.md §4).
  std::vector<std::pair<std::string, int>> blocks;
  for (const auto& element : row_elements(q, "q9")) {
    if (blocks.empty() || blocks.back().first != element) blocks.emplace_back(element, 0);
    ++blocks.back().second;
  }
  std::vector<std::pair<std::string, int>> expected = {{"P1", 2}, {"P2", 2}, {"P3", 8},
                                                       {"P4", 2}, {"E1", 4}, {"E2", 4},
                                                       {"E3", 5}, {"E4", 3}, {"E5", 3}};
  EXPECT_EQ(blocks, expected);
  for (auto slot : q.find("q9")->rows) {
    const auto& row = q.items()[slot];
    std::vector<std::int64_t> codes;
    for (auto c : row.scoring->satisfied)
      codes.push_back(row.scale->choices[c].code.number);
    EXPECT_THAT(codes, ::testing::UnorderedElementsAre(4, 5)) << row.id;
  }
  // 33 satisfaction statements + 8 policy-interest rows + 10 expectation rows = 51 indicators.
  EXPECT_EQ(q.find("q9")->rows.size() + q.find("q1")->rows.size() + q.find("q10")->rows.size(),
            51u);
  // The printed form shows the satisfaction scale from 5 down to 1.
  EXPECT_TRUE(q.find("q9")->scale->descending);
}

TEST(SipasCitizenFormTest, FeedbackHandlingOnlyForThoseWhoGaveFeedback) {
  auto q = load_form("sipas-citizen");
  for (const char* id : {"q9_32", "q9_33"}) {
    ASSERT_TRUE(q.find(id)->relevant.has_value()) << id;
    EXPECT_NE(q.find(id)->relevant->text().find("q8_5"), std::string::npos) << id;
  }
  EXPECT_FALSE(q.find("q9_31")->relevant.has_value());
}

TEST(SipasCitizenFormTest, OverallIndexIsNotAssumedToBeTheMeanOfTheServiceElements) {
  // Published SIPAS 2023 (domain.md §1.4): E1..E5 and the overall index.
  const double elements[] = {83.00, 83.02, 83.12, 83.03, 82.27};
  const double published_overall = 82.66;
  double mean = std::accumulate(std::begin(elements), std::end(elements), 0.0) / 5;
  EXPECT_NEAR(mean, 82.888, 1e-9);
  EXPECT_GT(std::fabs(mean - published_overall), 0.2);
  // So the form must say how the overall index is formed, and it must not be
  // the plain mean of the five service elements.
  auto q = load_form("sipas-citizen");
  ASSERT_TRUE(q.scoring().overall.has_value());
  const auto& overall = *q.scoring().overall;
  bool only_service = overall.method == Overall::Method::MeanOfElements &&
                      overall.elements == std::vector<std::string>{"E1", "E2", "E3", "E4", "E5"};
  EXPECT_FALSE(only_service);
  ASSERT_EQ(q.scoring().groups.size(), 2u);
}

TEST(ParOfficialsFormTest, PointsAddUpToTheSurveyShareOfThePar) {
  auto q = load_form("par-officials");
  ASSERT_TRUE(q.scoring().points.has_value());
  double sum = 0;
  std::map<std::string, double> per_area;
  for (const auto& item : q.items()) {
    if (item.scoring && item.scoring->max_points) {
      sum += *item.scoring->max_points;
      per_area[item.scoring->element] += *item.scoring->max_points;
    }
  }
  for (const auto& e : q.scoring().points->external) {
    sum += e.max_points;
    per_area[e.element] += e.max_points;
  }
  EXPECT_DOUBLE_EQ(q.scoring().points->total, 32.0);  // provinces, decision 876
  EXPECT_NEAR(sum, 32.0, 1e-12);
  EXPECT_EQ(per_area.size(), 8u);  // the eight PAR areas
  // The unit being rated comes from the invitation.
  EXPECT_TRUE(q.find("target_unit")->preload_invitation);
  EXPECT_TRUE(q.find("respondent_group")->preload_invitation);
  // "Don't know" (9) is a valid answer excluded from every denominator.
  const auto& scale = *q.find("p1_1")->scale;
  ASSERT_TRUE(scale.find(9).has_value());
  EXPECT_TRUE(scale.is_excluded(*scale.find(9)));
}

TEST(ParOfficialsFormTest, AFormWhosePointsDoNotAddUpIsRejected) {
  auto doc = Json::parse(sipas::io::read_file(form_path("par-officials"), 1 << 24));
  auto& row = doc["sections"][1]["items"][0]["rows"][0];
  ASSERT_TRUE(row["scoring"].contains("max_points"));
  row["scoring"]["max_points"] = 2.5;
  auto problems = sipas::test::problems_of(doc);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "questionnaire.points_total_mismatch");
  EXPECT_NE(problems[0].message.find("32.5"), std::string::npos) << problems[0].message;
}

TEST(SipasShortFormTest, NineStatementsOnThreeElements) {
  auto q = load_form("sipas-short");
  std::map<std::string, int> per_element;
  for (const auto& item : q.items()) {
    if (item.scoring && !item.scoring->element.empty()) ++per_element[item.scoring->element];
  }
  EXPECT_THAT(per_element,
              ::testing::ElementsAre(::testing::Pair("E3", 3), ::testing::Pair("E4", 2),
                                     ::testing::Pair("E5", 4)));
}

// The example responses: valid ones pass, invalid ones fail with the problems
// they were written to have.
struct ExampleCase {
  std::string form;
  std::string response;
  std::vector<std::pair<std::string, std::string>> expected;  // (item, id); empty: valid
};

class ExampleResponseTest : public ::testing::TestWithParam<ExampleCase> {};

TEST_P(ExampleResponseTest, ValidatesAsExpected) {
  const auto& c = GetParam();
  auto q = c.form.starts_with("examples/")
               ? load_questionnaire_file(sipas::test::source_dir() + "/questionnaires/" + c.form)
               : load_form(c.form);
  auto text = sipas::io::read_file(
      sipas::test::source_dir() + "/questionnaires/examples/responses/" + c.response, 1 << 20);
  auto result = validate(q, parse_response(q, text));
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& issue : result.issues)
    got.emplace_back(issue.item, issue.id);
  EXPECT_EQ(got, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExampleResponseTest,
    ::testing::Values(ExampleCase{"sipas-citizen", "sipas-citizen-1.json", {}},
                      ExampleCase{"sipas-citizen", "sipas-citizen-2.json", {}},
                      ExampleCase{"sipas-citizen",
                                  "sipas-citizen-invalid.json",
                                  {{"a_sex", "response.required_missing"},
                                   {"a_age", "response.wrong_type"},
                                   {"a_ethnic_other", "response.too_long"},
                                   {"a_field", "response.not_relevant"},
                                   {"q9_05", "response.unknown_code"},
                                   {"q99", "response.unknown_item"}}},
                      ExampleCase{"par-officials", "par-officials-1.json", {}},
                      ExampleCase{"par-officials",
                                  "par-officials-invalid.json",
                                  {{"p2_1", "response.unknown_code"},
                                   {"p3_2", "response.required_missing"},
                                   {"p7_1", "response.required_missing"}}},
                      ExampleCase{"examples/example-questionnaire.json", "example-1.json", {}}));

}  // namespace
