// Satisfaction indices from a questionnaire's scoring, checked by hand.

#include "analysis/indices.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "tests/support/forms.hpp"

namespace {

using namespace sipas::analysis;
using sipas::test::Json;
using sipas::test::text;

// Two elements: E1 = items a, b; E2 = item c. sat5 with 9 = don't know
// (excluded); satisfied = 4, 5. Overall: weights E1 0.75, E2 0.25.
sipas::questionnaires::Questionnaire form() {
  Json items = Json::array();
  for (const char* id : {"a", "b", "c"}) {
    items.push_back(
        {{"id", id},
         {"type", "likert"},
         {"text", text(id)},
         {"scale", "q6"},
         {"scoring",
          {{"element", std::string(id) == "c" ? "E2" : "E1"}, {"satisfied_codes", {4, 5}}}}});
  }
  items.push_back({{"id", "want"},
                   {"type", "single"},
                   {"text", text("want")},
                   {"scale", "q6"},
                   {"scoring", {{"expectation_codes", {1, 2}}}}});
  Json f = sipas::test::form_with(items);
  Json scale = {{"choices", Json::array()}, {"excluded_codes", {9}}};
  for (int code : {1, 2, 3, 4, 5, 9})
    scale["choices"].push_back({{"code", code}, {"label", text("c")}});
  f["scales"]["q6"] = scale;
  f["scoring"] = {{"elements", Json::array({{{"id", "E1"}, {"label", text("E1")}},
                                            {{"id", "E2"}, {"label", text("E2")}}})},
                  {"overall", {{"method", "weighted"}, {"weights", {{"E1", 0.75}, {"E2", 0.25}}}}}};
  return sipas::test::load(f);
}

Table data() {
  return Table::from_columns("answers.csv", {{"a", {"5", "4", "2", "1", "5", "3"}},
                                             {"b", {"4", "9", "5", "2", "1", "4"}},
                                             {"c", {"5", "5", "5", "", "1", "2"}},
                                             {"want", {"1", "3", "2", "2", "9", "1"}},
                                             {"unit", {"x", "x", "x", "y", "y", "y"}}});
}

const Estimate& find(const std::vector<Estimate>& all, const std::string& statistic,
                     const std::string& variable, const std::string& unit = "") {
  for (const auto& e : all) {
    bool in_domain =
        unit.empty() ? e.domain.empty() : (!e.domain.empty() && e.domain[0].second == unit);
    if (e.statistic == statistic && e.variable == variable && in_domain) return e;
  }
  throw std::runtime_error("no estimate " + statistic + " " + variable);
}

TEST(SatisfactionIndexTest, ItemsElementsAndOverallByHand) {
  auto q = form();
  auto table = data();
  LinearizationEngine engine(Design::build(table, DesignColumns{}));  // SRS, weights 1, no fpc
  auto all = satisfaction_indices(engine, table, q, domains_of(table, {}), IndexOptions{});
  // a: satisfied 5,4,5 of 6 valid = 50%; b: 4,5,4 of 5 valid (9 excluded) = 60%;
  // c: 5,5,5 of 5 answered = 60%.
  EXPECT_NEAR(find(all, "item_index", "a").estimate, 50, 1e-12);
  EXPECT_NEAR(find(all, "item_index", "b").estimate, 60, 1e-12);
  EXPECT_EQ(find(all, "item_index", "b").n, 5);
  EXPECT_NEAR(find(all, "item_index", "c").estimate, 60, 1e-12);
  EXPECT_NEAR(find(all, "element_index", "E1").estimate, 55, 1e-12);
  EXPECT_NEAR(find(all, "element_index", "E2").estimate, 60, 1e-12);
  EXPECT_NEAR(find(all, "overall_index", "overall").estimate, 0.75 * 55 + 0.25 * 60, 1e-12);
  // want: codes 1, 2 among 5 valid answers (9 excluded): 1, 2, 2, 1 = 80%.
  EXPECT_NEAR(find(all, "expectation_share", "want").estimate, 80, 1e-12);
  // Distribution of a: one 3 of six answers.
  EXPECT_NEAR(find(all, "answer_share", "a=3").estimate, 100.0 / 6, 1e-12);
}

TEST(SatisfactionIndexTest, CompositeStandardErrorLinearizesTheComposite) {
  // With every answer valid, E1 = mean over rows of z_i = (1[a_i sat] + 1[b_i sat]) / 2,
  // so its SE under SRS without fpc is sd(z) / sqrt(n) (R: svymean on id = ~1).
  auto q = form();
  Table table = Table::from_columns("answers.csv", {{"a", {"5", "4", "2", "1", "5", "3", "4"}},
                                                    {"b", {"4", "1", "5", "2", "1", "4", "5"}},
                                                    {"c", {"5", "5", "5", "1", "1", "2", "3"}},
                                                    {"want", {"1", "1", "1", "1", "1", "1", "1"}}});
  LinearizationEngine engine(Design::build(table, DesignColumns{}));
  auto all = satisfaction_indices(engine, table, q, domains_of(table, {}), IndexOptions{});
  std::vector<double> z = {1, 0.5, 0.5, 0, 0.5, 0.5, 1};
  double mean = std::accumulate(z.begin(), z.end(), 0.0) / 7;
  double ss = 0;
  for (double v : z)
    ss += (v - mean) * (v - mean);
  double se = std::sqrt(ss / 6 / 7);
  const auto& e1 = find(all, "element_index", "E1");
  EXPECT_NEAR(e1.estimate, 100 * mean, 1e-12);
  EXPECT_NEAR(e1.se, 100 * se, 1e-10);
  // Assuming independence would give sqrt((se_a² + se_b²)) / 2, which differs here.
  const auto& a = find(all, "item_index", "a");
  const auto& b = find(all, "item_index", "b");
  EXPECT_GT(std::fabs(std::sqrt(a.se * a.se + b.se * b.se) / 2 - e1.se), 0.5);
}

TEST(SatisfactionIndexTest, DomainsAndMissingIndices) {
  auto q = form();
  auto table = data();
  LinearizationEngine engine(Design::build(table, DesignColumns{}));
  auto all = satisfaction_indices(engine, table, q, domains_of(table, {"unit"}), IndexOptions{});
  // Unit x: a = 5, 4, 2 -> 2/3; unit y: c answered 1, 2 (one missing) -> 0.
  EXPECT_NEAR(find(all, "item_index", "a", "x").estimate, 200.0 / 3, 1e-12);
  EXPECT_NEAR(find(all, "item_index", "c", "y").estimate, 0, 1e-12);
  EXPECT_EQ(find(all, "item_index", "c", "y").n, 2);
  // A domain is estimated on the whole design: the overall row is there too.
  EXPECT_NEAR(find(all, "item_index", "a").estimate, 50, 1e-12);
}

TEST(SatisfactionIndexTest, UnknownCodesInTheDataAreErrors) {
  auto q = form();
  Table table =
      Table::from_columns("answers.csv", {{"a", {"5", "7"}}, {"b", {"4", "4"}}, {"c", {"5", "5"}}});
  LinearizationEngine engine(Design::build(table, DesignColumns{}));
  try {
    satisfaction_indices(engine, table, q, domains_of(table, {}), IndexOptions{});
    FAIL();
  } catch (const sipas::Error& e) {
    EXPECT_EQ(e.id(), "data.unknown_code");
    EXPECT_THAT(e.what(),
                ::testing::HasSubstr("answers.csv:3: item 'a': '7' is not one of its codes"));
  }
}

}  // namespace
