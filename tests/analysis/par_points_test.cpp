// PAR survey points per assessed unit, checked by hand.

#include "analysis/par_points.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/error.hpp"

namespace {

using namespace sipas::analysis;

const char* scheme_text = R"({
  "format": "sipas-par-survey/1",
  "unit_column": "unit", "group_column": "group",
  "conversion": {"method": "linear", "low": 1, "high": 5},
  "excluded_codes": [9],
  "criteria": [
    {"id": "A1", "label": "Directing PAR", "max_points": 4, "items": ["p1"]},
    {"id": "A2", "label": "Institutions", "max_points": 2, "items": ["p2", "p3"], "groups": ["leader"]}
  ]})";

TEST(ParPointsTest, PointsAreMaxTimesTheNormalizedScore) {
  auto scheme = parse_par_scheme(scheme_text, "scheme.json");
  // Unit u: leaders answer p1 = 5, 3 and citizens 1, 9 (9 = don't know).
  Table data = Table::from_columns(
      "answers.csv", {{"unit", {"u", "u", "u", "u", "v", "v"}},
                      {"group", {"leader", "leader", "citizen", "citizen", "leader", "leader"}},
                      {"p1", {"5", "3", "1", "9", "2", "2"}},
                      {"p2", {"5", "5", "1", "1", "1", "3"}},
                      {"p3", {"4", "2", "", "", "5", "5"}}});
  LinearizationEngine engine(Design::build(data, DesignColumns{}));
  auto result = par_points(engine, data, scheme, 0.95);
  auto find = [&](const std::string& unit, const std::string& criterion) {
    for (const auto& e : result.criteria) {
      if (e.variable == criterion && e.domain[0].second == unit) return e;
    }
    throw std::runtime_error("missing");
  };
  // u, A1: leaders (5, 3) -> mean score (0.5 + 1)/2... (5-1)/4 = 1, (3-1)/4 = 0.5 -> 0.75;
  // citizens: 1 -> 0 (9 left out) -> 0. Groups equal: 0.375 × 4 = 1.5 points.
  EXPECT_NEAR(find("u", "A1").estimate, 1.5, 1e-12);
  // u, A2 (leaders only): p2 (1 + 1)/2 = 1, p3 (0.75 + 0.25)/2 = 0.5 -> 0.75 × 2 = 1.5.
  EXPECT_NEAR(find("u", "A2").estimate, 1.5, 1e-12);
  // v: A1 = 0.25 × 4 = 1; A2: p2 (0 + 0.5)/2 = 0.25, p3 = 1 -> 0.625 × 2 = 1.25.
  EXPECT_NEAR(find("v", "A1").estimate, 1.0, 1e-12);
  EXPECT_NEAR(find("v", "A2").estimate, 1.25, 1e-12);
  ASSERT_EQ(result.ranking.size(), 2u);
  EXPECT_EQ(result.ranking[0].unit, "u");
  EXPECT_EQ(result.ranking[0].rank, 1);
  EXPECT_NEAR(result.ranking[0].points.estimate, 3.0, 1e-12);
  EXPECT_NEAR(result.ranking[0].max_points, 6, 1e-12);
  EXPECT_EQ(result.ranking[1].rank, 2);
}

TEST(ParPointsTest, StandardErrorOfADomainMeanByHand) {
  const char* one =
      R"({"format": "sipas-par-survey/1", "unit_column": "unit", "group_column": "group",
    "criteria": [{"id": "A1", "max_points": 4, "items": ["p1"]}]})";
  auto scheme = parse_par_scheme(one, "one.json");
  Table data = Table::from_columns("answers.csv", {{"unit", {"u", "u", "u", "v", "v", "v"}},
                                                   {"group", {"g", "g", "g", "g", "g", "g"}},
                                                   {"p1", {"5", "4", "2", "1", "2", "2"}}});
  LinearizationEngine engine(Design::build(data, DesignColumns{}));
  auto result = par_points(engine, data, scheme, 0.95);
  // Unit u: scores 1, 0.75, 0.25, mean 2/3. SRS without fpc (R: id = ~1):
  // var = n/(n-1) Σ_D (y - ȳ_D)² / n_D² with n = 6, n_D = 3.
  double ss = std::pow(1 - 2.0 / 3, 2) + std::pow(0.75 - 2.0 / 3, 2) + std::pow(0.25 - 2.0 / 3, 2);
  double se = 4 * std::sqrt(6.0 / 5 * ss / 9);
  const auto& u = result.criteria[0];
  EXPECT_EQ(u.domain[0].second, "u");
  EXPECT_NEAR(u.estimate, 4 * 2.0 / 3, 1e-12);
  EXPECT_NEAR(u.se, se, 1e-12);
  // The units differ by 8/3 - 1 = 1.67 points with an SE of the difference
  // that the t interval (df = 5) does not exclude? Check the rule itself:
  const auto& first = result.ranking[0];
  const auto& second = result.ranking[1];
  EXPECT_EQ(first.unit, "u");
  bool listed = !first.indistinguishable_from.empty();
  EXPECT_EQ(listed, !second.indistinguishable_from.empty());  // the relation is symmetric
}

TEST(ParPointsTest, IdenticalUnitsAreIndistinguishableAndShareARank) {
  const char* one =
      R"({"format": "sipas-par-survey/1", "unit_column": "unit", "group_column": "group",
    "criteria": [{"id": "A1", "max_points": 4, "items": ["p1"]}]})";
  auto scheme = parse_par_scheme(one, "one.json");
  Table data =
      Table::from_columns("answers.csv", {{"unit", {"a", "a", "a", "b", "b", "b", "c", "c", "c"}},
                                          {"group", {"g", "g", "g", "g", "g", "g", "g", "g", "g"}},
                                          {"p1", {"5", "3", "4", "5", "3", "4", "1", "1", "1"}}});
  LinearizationEngine engine(Design::build(data, DesignColumns{}));
  auto result = par_points(engine, data, scheme, 0.95);
  ASSERT_EQ(result.ranking.size(), 3u);
  EXPECT_EQ(result.ranking[0].rank, 1);
  EXPECT_EQ(result.ranking[1].rank, 1);  // a and b tie at 2 decimals
  EXPECT_EQ(result.ranking[2].rank, 3);
  EXPECT_THAT(result.ranking[0].indistinguishable_from,
              ::testing::Contains(result.ranking[1].unit));
  // c scores 0 with no spread; a and b are far above it.
  EXPECT_THAT(result.ranking[2].indistinguishable_from, ::testing::IsEmpty());
}

TEST(ParPointsTest, BadSchemesNameTheField) {
  try {
    parse_par_scheme(
        R"({"format": "sipas-par-survey/1", "criteria": [{"id": "A1", "max_points": 0, "items": ["p"]}]})",
        "bad.json");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("bad.json: /criteria/0/max_points"));
  }
  EXPECT_THROW(parse_par_scheme(R"({"format": "x"})", "bad.json"), AnalysisError);
  EXPECT_THROW(parse_par_scheme("[1", "bad.json"), AnalysisError);
}

// A number past a double's range is nlohmann's out_of_range, not a parse_error.
TEST(ParPointsTest, ANumberBeyondADoubleIsInvalidJson) {
  try {
    parse_par_scheme(R"({"format": "sipas-par-survey/1", "criteria": 1e400})", "bad.json");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "scheme.invalid");
    EXPECT_EQ(std::string(e.what()), "bad.json: not valid JSON (number overflow parsing '1e400')");
  }
}

TEST(ParPointsTest, FieldsOfTheWrongTypeAreSchemeErrors) {
  // Named by their path, never a JSON library type error (which the command
  // line reports as an internal error).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("conversion": {"method": "linear", "low": "1"})",
       "bad.json: /conversion/low: must be a number"},
      {R"("unit_column": 3)", "bad.json: /unit_column: must be a column name"},
      {R"("conversion": {"method": "linear", "scale": 5})",
       "bad.json: /conversion/scale: unknown field"},
      {R"("excluded_codes": 9)", "bad.json: /excluded_codes: must be an array of codes"},
      {R"("group_weights": {"hdnd": "1"})",
       "bad.json: /group_weights/hdnd: must be a number >= 0"}};
  for (const auto& [field, message] : cases) {
    const std::string text = R"({"format": "sipas-par-survey/1", )" + field +
                             R"(, "criteria": [{"id": "A1", "max_points": 1, "items": ["p"]}]})";
    try {
      parse_par_scheme(text, "bad.json");
      FAIL() << field;
    } catch (const AnalysisError& e) {
      EXPECT_EQ(e.id(), "scheme.invalid");
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
  try {
    parse_par_scheme(
        R"({"format": "sipas-par-survey/1", "criteria": [{"id": "A1", "max_points": 1, "items": [2]}]})",
        "bad.json");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(std::string(e.what()), "bad.json: /criteria/0/items: must be item ids");
  }
}

}  // namespace
