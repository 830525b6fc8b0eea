// Scale quality against R's psych::alpha and survey::svyvar
// (tests/reference/scale_reference.json, made by scale_reference.R on the
// fixtures it writes beside it), and on cases small enough to work by hand.

#include "analysis/scale_quality.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/error.hpp"
#include "io/file.hpp"

namespace {

using namespace sipas::analysis;
using Json = nlohmann::json;
using ::testing::HasSubstr;

constexpr double tolerance = 1e-9;

std::string reference_path(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/tests/reference/" + name;
}

const Json& reference() {
  static const Json doc =
      Json::parse(sipas::io::read_file(reference_path("scale_reference.json"), 1 << 22));
  return doc;
}

sipas::questionnaires::Questionnaire form(const std::string& name) {
  return sipas::questionnaires::load_questionnaire_file(std::string(SIPAS_SOURCE_DIR) +
                                                        "/questionnaires/forms/" + name);
}

Eigen::VectorXd weights_of(const Table& data, const std::string& column) {
  const auto w = data.numbers(column);
  return Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
}

Eigen::VectorXd ones(std::size_t n) {
  return Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));
}

double value(const Json& record) {
  return record["value"].get<double>();
}

// Every number of one scale against R's record of it.
void expect_matches_r(const ScaleQuality& s, const Json& ref) {
  SCOPED_TRACE("scale " + s.name);
  EXPECT_NEAR(s.alpha, value(ref["raw_alpha"]), tolerance);
  EXPECT_NEAR(s.std_alpha, value(ref["std_alpha"]), tolerance);
  EXPECT_NEAR(s.alpha_weighted, value(ref["alpha_weighted"]), tolerance);
  ASSERT_EQ(s.items.size(), ref["items"].size());
  const Json& kept = ref["kept"]["value"];
  for (std::size_t j = 0; j < s.items.size(); ++j) {
    const ItemQuality& q = s.items[j];
    SCOPED_TRACE("item " + q.item);
    EXPECT_EQ(q.item, ref["items"][j]);
    EXPECT_EQ(q.valid, ref["n"]["value"][q.item].get<std::size_t>());
    EXPECT_NEAR(q.dont_know_share, ref["dont_know_share"]["value"][q.item].get<double>(), 1e-15);
    EXPECT_NEAR(q.missing_share, ref["missing_share"]["value"][q.item].get<double>(), 1e-15);
    const bool in_r = std::find(kept.begin(), kept.end(), q.item) != kept.end();
    EXPECT_EQ(q.no_variance, !in_r);
    if (in_r) {
      EXPECT_NEAR(q.item_rest, ref["r_drop"]["value"][q.item].get<double>(), tolerance);
      EXPECT_NEAR(q.alpha_if_dropped, ref["alpha_drop"]["value"][q.item].get<double>(), tolerance);
    } else {
      EXPECT_TRUE(std::isnan(q.item_rest));
      EXPECT_TRUE(std::isnan(q.alpha_if_dropped));
    }
  }
}

TEST(ScaleQualityTest, ItemsFixtureMatchesPsychAndSvyvar) {
  // A: a4 runs against the others (psych keeps it as it is); B: no missing
  // answer; C: two items; D: d3 never varies and is left out as psych does.
  const Table data = Table::load(reference_path("scale_items.csv"));
  const Eigen::VectorXd w = weights_of(data, "w");
  const ScaleCodes codes{{"9"}, nullptr};
  for (const auto& [name, items] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"A", {"a1", "a2", "a3", "a4"}},
           {"B", {"b1", "b2", "b3"}},
           {"C", {"c1", "c2"}},
           {"D", {"d1", "d2", "d3"}}}) {
    const ScaleQuality s = scale_quality(data, w, {name, items}, codes);
    EXPECT_EQ(s.rows, 60u);
    expect_matches_r(s, reference()["items"][name]);
  }
}

TEST(ScaleQualityTest, WeightedAlphaOfCompleteAnswersAgreesWithCovWt) {
  // With no missing answer every entry shares one set of rows, so cov.wt's
  // factor 1/(1 − Σŵ²) and svyvar's n/(n − 1) both cancel in the alpha.
  const Table data = Table::load(reference_path("scale_items.csv"));
  const ScaleQuality s =
      scale_quality(data, weights_of(data, "w"), {"B", {"b1", "b2", "b3"}}, ScaleCodes{});
  EXPECT_NEAR(s.alpha_weighted, value(reference()["items"]["B"]["alpha_weighted_cov_wt"]),
              tolerance);
}

TEST(ScaleQualityTest, OfficialsMatrixElementsMatchPsych) {
  // The officials' form: 9 is its scale's "don't know" (an excluded code),
  // so no --dont-know is needed. A8 has one item: no alpha.
  const auto officials = form("par-officials.json");
  const Table data = Table::load(reference_path("scale_officials.csv"));
  const auto scales = scale_qualities(data, weights_of(data, "weight"), {}, &officials, {});
  ASSERT_EQ(scales.size(), 8u);
  for (const auto& s : scales) {
    EXPECT_EQ(s.source, ScaleRequest::Source::Element);
    if (s.name == "A8") {
      ASSERT_EQ(s.items.size(), 1u);
      EXPECT_TRUE(std::isnan(s.alpha));
      EXPECT_TRUE(std::isnan(s.alpha_weighted));
      EXPECT_GT(s.items[0].dont_know_share, 0);
      continue;
    }
    expect_matches_r(s, reference()["officials"][s.name]);
  }
}

TEST(ScaleQualityTest, CitizenFormElementsMatchPsych) {
  const auto citizen = form("sipas-citizen.json");
  const Table data = Table::load(reference_path("scale_citizen.csv"));
  const auto scales = scale_qualities(data, weights_of(data, "weight"), {}, &citizen, {});
  ASSERT_EQ(scales.size(), reference()["citizen"].size());
  for (const auto& s : scales)
    expect_matches_r(s, reference()["citizen"][s.name]);
}

// Three items, five rows, every answer given:
//   x 1 2 3 4 5, y 2 1 4 3 5, z 1 5 3 9 7; means 3, 3, 5.
//   Var: x 10/4 = 2.5, y 10/4 = 2.5, z 40/4 = 10;
//   Cov: xy 8/4 = 2, xz 16/4 = 4, yz 6/4 = 1.5.
//   tr C = 15, ΣC = 15 + 2 (2 + 4 + 1.5) = 30: alpha = 3/2 (1 − 15/30) = 0.75.
//   Correlations: xy 2/2.5 = 0.8, xz 4/√25 = 0.8, yz 1.5/√25 = 0.3, ΣR = 3 + 2 · 1.9
//   = 6.8: std alpha = 3/2 (1 − 3/6.8) = 57/68.
//   Item–rest: x (2 + 4)/√(2.5 · (2.5 + 10 + 2 · 1.5)) = 6/√38.75, y 3.5/√(2.5 · 20.5),
//   z 5.5/√(10 · 9).
//   Alpha without x: 2 (1 − 12.5/15.5) = 12/31; without y: 2 (1 − 12.5/20.5) = 32/41;
//   without z: 2 (1 − 5/9) = 8/9.
TEST(ScaleQualityTest, ThreeItemsFiveRowsByHand) {
  const Table data = Table::from_columns("hand.csv", {{"x", {"1", "2", "3", "4", "5"}},
                                                      {"y", {"2", "1", "4", "3", "5"}},
                                                      {"z", {"1", "5", "3", "9", "7"}}});
  const ScaleQuality s = scale_quality(data, ones(5), {"S", {"x", "y", "z"}}, ScaleCodes{});
  EXPECT_NEAR(s.alpha, 0.75, 1e-15);
  EXPECT_NEAR(s.std_alpha, 57.0 / 68, 1e-15);
  EXPECT_NEAR(s.alpha_weighted, 0.75, 1e-15);  // equal weights: the same matrix
  EXPECT_NEAR(s.items[0].item_rest, 6 / std::sqrt(38.75), 1e-15);
  EXPECT_NEAR(s.items[1].item_rest, 3.5 / std::sqrt(2.5 * 20.5), 1e-15);
  EXPECT_NEAR(s.items[2].item_rest, 5.5 / std::sqrt(90.0), 1e-15);
  EXPECT_NEAR(s.items[0].alpha_if_dropped, 12.0 / 31, 1e-15);
  EXPECT_NEAR(s.items[1].alpha_if_dropped, 32.0 / 41, 1e-15);
  EXPECT_NEAR(s.items[2].alpha_if_dropped, 8.0 / 9, 1e-15);
  for (const auto& q : s.items) {
    EXPECT_EQ(q.valid, 5u);
    EXPECT_EQ(q.dont_know_share, 0);
    EXPECT_EQ(q.missing_share, 0);
  }
}

// Two items with a "don't know" and a missing answer, pairwise as psych:
//   x 1 2 3 4 DK, y 1 5 3 – 3.
//   Var x over rows 1-4: mean 2.5, (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3;
//   var y over rows 1, 2, 3, 5: mean 3, (4 + 4 + 0 + 0)/3 = 8/3;
//   cov over rows 1-3 (both answered): means 2 and 3, ((−1)(−2) + 0 + 0)/2 = 1.
//   alpha = 2 (1 − (13/3)/(19/3)) = 12/19; r = 1/√(40/9) = 3/√40, std alpha = 2r/(1 + r);
//   item–rest = r for both; alpha if dropped, psych's two-item rule: x: C_xy/C_yy = 3/8,
//   y: C_xy/C_xx = 3/5. Shares of 5 rows: x 1/5 don't know, y 1/5 missing.
TEST(ScaleQualityTest, TwoItemsWithDontKnowAndMissingByHand) {
  const Table data = Table::from_columns(
      "hand.csv", {{"x", {"1", "2", "3", "4", "9"}}, {"y", {"1", "5", "3", "", "3"}}});
  const ScaleQuality s = scale_quality(data, ones(5), {"S", {"x", "y"}}, ScaleCodes{{"9"}});
  const double r = 3 / std::sqrt(40.0);
  EXPECT_NEAR(s.alpha, 12.0 / 19, 1e-15);
  EXPECT_NEAR(s.std_alpha, 2 * r / (1 + r), 1e-15);
  EXPECT_NEAR(s.alpha_weighted, 12.0 / 19, 1e-15);
  EXPECT_NEAR(s.items[0].item_rest, r, 1e-15);
  EXPECT_NEAR(s.items[1].item_rest, r, 1e-15);
  EXPECT_NEAR(s.items[0].alpha_if_dropped, 3.0 / 8, 1e-15);
  EXPECT_NEAR(s.items[1].alpha_if_dropped, 3.0 / 5, 1e-15);
  EXPECT_EQ(s.items[0].valid, 4u);
  EXPECT_DOUBLE_EQ(s.items[0].dont_know_share, 0.2);
  EXPECT_DOUBLE_EQ(s.items[0].missing_share, 0);
  EXPECT_DOUBLE_EQ(s.items[1].dont_know_share, 0);
  EXPECT_DOUBLE_EQ(s.items[1].missing_share, 0.2);
}

TEST(ScaleQualityTest, AWeightOfTwoIsARowWrittenTwice) {
  // With every answer given, the weighted covariances Σw(x − x̄)(y − ȳ)/Σw ·
  // 5/4 and those of the data with the first row written twice, Σ(..)/5,
  // share the centred sums and differ by one factor, which cancels in the
  // alpha.
  const Table weighted = Table::from_columns("w.csv", {{"x", {"1", "2", "3", "4", "5"}},
                                                       {"y", {"2", "1", "4", "3", "5"}},
                                                       {"z", {"1", "5", "3", "9", "7"}}});
  Eigen::VectorXd w = ones(5);
  w[0] = 2;
  const ScaleQuality a = scale_quality(weighted, w, {"S", {"x", "y", "z"}}, ScaleCodes{});
  const Table doubled = Table::from_columns("d.csv", {{"x", {"1", "1", "2", "3", "4", "5"}},
                                                      {"y", {"2", "2", "1", "4", "3", "5"}},
                                                      {"z", {"1", "1", "5", "3", "9", "7"}}});
  const ScaleQuality b = scale_quality(doubled, ones(6), {"S", {"x", "y", "z"}}, ScaleCodes{});
  EXPECT_NEAR(a.alpha_weighted, b.alpha, 1e-14);
  EXPECT_NEAR(a.alpha, 0.75, 1e-15);  // the unweighted alpha ignores the weights
  EXPECT_GT(std::abs(a.alpha_weighted - a.alpha), 1e-3);
}

TEST(ScaleQualityTest, ItemsWithoutVarianceLeaveNoAlpha) {
  // y never varies and z has one answer: psych deletes both, one item is left.
  const Table data = Table::from_columns(
      "c.csv", {{"x", {"1", "2", "3"}}, {"y", {"4", "4", "4"}}, {"z", {"", "2", ""}}});
  const ScaleQuality s = scale_quality(data, ones(3), {"S", {"x", "y", "z"}}, ScaleCodes{});
  EXPECT_TRUE(std::isnan(s.alpha));
  EXPECT_TRUE(std::isnan(s.std_alpha));
  EXPECT_TRUE(std::isnan(s.alpha_weighted));
  EXPECT_FALSE(s.items[0].no_variance);
  EXPECT_TRUE(s.items[1].no_variance);
  EXPECT_TRUE(s.items[2].no_variance);
  const Json j = to_json({s});
  EXPECT_TRUE(j[0]["alpha"].is_null());
  EXPECT_EQ(j[0]["no_variance"], Json::array({"y", "z"}));
  EXPECT_DOUBLE_EQ(j[0]["missing_share"][2].get<double>(), 2.0 / 3);
}

TEST(ScaleQualityTest, JsonKeepsTheItemsOrder) {
  const Table data = Table::from_columns("hand.csv", {{"x", {"1", "2", "3", "4", "5"}},
                                                      {"y", {"2", "1", "4", "3", "5"}},
                                                      {"z", {"1", "5", "3", "9", "7"}}});
  const Json j = to_json({scale_quality(data, ones(5), {"S", {"z", "x", "y"}}, ScaleCodes{})});
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["name"], "S");
  EXPECT_EQ(j[0]["source"], "option");
  EXPECT_EQ(j[0]["items"], Json::array({"z", "x", "y"}));
  EXPECT_NEAR(j[0]["alpha_if_dropped"][0].get<double>(), 8.0 / 9, 1e-15);
  EXPECT_NEAR(j[0]["alpha_if_dropped"][1].get<double>(), 12.0 / 31, 1e-15);
  EXPECT_EQ(j[0]["valid_n"], Json::array({5, 5, 5}));
  EXPECT_EQ(j[0]["rows"], 5);
}

TEST(ScaleQualityTest, ParseScale) {
  const ScaleRequest s = parse_scale("trust=q1,q2,q3");
  EXPECT_EQ(s.name, "trust");
  EXPECT_EQ(s.items, (std::vector<std::string>{"q1", "q2", "q3"}));
  EXPECT_EQ(s.source, ScaleRequest::Source::Option);
  for (const char* bad : {"q1,q2", "=q1,q2", "s=q1", "s=q1,,q2", "s=q1,q2,", "s=q1,q1"}) {
    try {
      parse_scale(bad);
      ADD_FAILURE() << bad;
    } catch (const AnalysisError& e) {
      EXPECT_EQ(e.id(), "analysis.invalid_option") << bad;
      EXPECT_THAT(e.what(), HasSubstr(std::string("`scales` ") + bad));
    }
  }
}

TEST(ScaleQualityTest, ErrorsNameTheItemAndLine) {
  const auto officials = form("par-officials.json");
  const Table data = Table::from_columns(
      "answers.csv", {{"p1_1", {"1", "2", "7"}}, {"p1_2", {"1", "2", "3"}}, {"x", {"1", "a", ""}}});
  try {
    scale_quality(data, ones(3), {"A", {"p1_1", "p1_2"}}, ScaleCodes{{}, &officials});
    ADD_FAILURE();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "data.unknown_code");
    EXPECT_THAT(e.what(), HasSubstr("answers.csv:4: item 'p1_1': '7'"));
  }
  try {
    scale_quality(data, ones(3), {"B", {"p1_2", "x"}}, ScaleCodes{});
    ADD_FAILURE();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "data.not_numeric");
    EXPECT_THAT(e.what(), HasSubstr("answers.csv:3: column 'x'"));
  }
  // "a" as a don't-know code is no longer a problem.
  EXPECT_NO_THROW(scale_quality(data, ones(3), {"B", {"p1_2", "x"}}, ScaleCodes{{"a"}}));
  try {
    scale_qualities(data, ones(3), {{"A1", {"p1_1", "p1_2"}}}, &officials, {});
    ADD_FAILURE();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "analysis.duplicate_scale");
    EXPECT_THAT(e.what(), HasSubstr("`scales` A1"));
  }
}

TEST(ScaleQualityTest, ElementScalesFollowTheForm) {
  const auto scales = element_scales(form("par-officials.json"));
  ASSERT_EQ(scales.size(), 8u);
  EXPECT_EQ(scales[0].name, "A1");
  EXPECT_EQ(scales[0].items, (std::vector<std::string>{"p1_1", "p1_2"}));
  EXPECT_EQ(scales[7].items, (std::vector<std::string>{"p8_1"}));
}

}  // namespace
