// The publishing rule (analysis/publishing_rule.hpp) on hand-calculated
// cases: the CV, effective n and interval width of an estimate, the flag
// each threshold gives, and rule files with every kind of mistake.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "analysis/error.hpp"
#include "analysis/publishing_rule.hpp"

namespace {

using sipas::analysis::AnalysisError;
using sipas::analysis::Estimate;
using sipas::analysis::PublishingRule;
namespace a = sipas::analysis;

Estimate estimate(const std::string& statistic, double value, double se, double n,
                  double deff = a::not_available) {
  Estimate e;
  e.statistic = statistic;
  e.estimate = value;
  e.se = se;
  e.n = n;
  e.deff = deff;
  e.ci_low = value - 1.96 * se;
  e.ci_high = value + 1.96 * se;
  return e;
}

TEST(PublishingRuleTest, TheShippedDefaultNamesItsSourceAndIsAnExample) {
  const PublishingRule rule = a::default_publishing_rule();
  EXPECT_EQ(rule.name, "cv-16-33");
  EXPECT_EQ(rule.file, "embedded:cv-16-33");
  EXPECT_TRUE(rule.example);
  EXPECT_NE(rule.source_en.find("Statistics Canada"), std::string::npos);
  EXPECT_NE(rule.source_vi.find("Thống kê Canada"), std::string::npos);
  EXPECT_EQ(rule.min_n, 30);
  EXPECT_EQ(rule.caution_cv, 0.165);
  EXPECT_EQ(rule.suppress_cv, 0.333);
  EXPECT_FALSE(rule.title_vi.empty());
  EXPECT_EQ(rule.sha256.size(), 64u);
}

TEST(PublishingRuleTest, FlagsByCvAndRespondents) {
  const PublishingRule rule = a::default_publishing_rule();
  // 50 ± 5: CV 0.1 → ok; the interval is 2 × 1.96 × 5 = 19.6 wide.
  Estimate e = estimate("mean", 50, 5, 100, 2.0);
  a::assess(e, rule);
  EXPECT_DOUBLE_EQ(e.cv, 0.1);
  EXPECT_DOUBLE_EQ(e.n_eff, 50);  // 100 / 2
  EXPECT_NEAR(e.ci_width, 19.6, 1e-12);
  EXPECT_EQ(e.flag, "ok");
  EXPECT_TRUE(e.flag_reason.empty());
  // 50 ± 10: CV 0.2 > 0.165 → caution.
  e = estimate("mean", 50, 10, 100);
  a::assess(e, rule);
  EXPECT_EQ(e.flag, "caution");
  EXPECT_EQ(e.flag_reason, "cv 0.2 > 0.165");
  // 50 ± 20: CV 0.4 > 0.333 → suppressed. A negative estimate: |estimate|.
  e = estimate("total", -50, 20, 100);
  a::assess(e, rule);
  EXPECT_DOUBLE_EQ(e.cv, 0.4);
  EXPECT_EQ(e.flag, "suppressed");
  // 29 respondents: suppressed whatever the CV.
  e = estimate("mean", 50, 1, 29);
  a::assess(e, rule);
  EXPECT_EQ(e.flag, "suppressed");
  EXPECT_EQ(e.flag_reason, "n 29 < 30");
  // No estimate, or no SE.
  e = estimate("item_index", a::not_available, a::not_available, 0);
  a::assess(e, rule);
  EXPECT_EQ(e.flag, "suppressed");
  e = estimate("mean", 3, a::not_available, 40);
  a::assess(e, rule);
  EXPECT_EQ(e.flag, "suppressed");
  EXPECT_EQ(e.flag_reason, "no standard error");
  // An estimate of 0: no CV, flagged by n alone.
  e = estimate("answer_share", 0, 0, 40);
  a::assess(e, rule);
  EXPECT_TRUE(std::isnan(e.cv));
  EXPECT_EQ(e.flag, "ok");
}

TEST(PublishingRuleTest, EffectiveNOfAShareInPercent) {
  // 80 % ± 4 points of 100 answers: p (1 - p) / n = 0.0016 = (0.04)², so the
  // design effect is 1 and n_eff = 100; with SE 8 points, deff 4, n_eff 25.
  Estimate e = estimate("item_index", 80, 4, 100);
  a::assess(e, a::default_publishing_rule());
  EXPECT_NEAR(e.n_eff, 100, 1e-9);
  e = estimate("item_index", 80, 8, 100);
  a::assess(e, a::default_publishing_rule());
  EXPECT_NEAR(e.n_eff, 25, 1e-9);
  // A composite has no design effect here: no effective n.
  e = estimate("element_index", 80, 4, 100);
  a::assess(e, a::default_publishing_rule());
  EXPECT_TRUE(std::isnan(e.n_eff));
}

TEST(PublishingRuleTest, MinimumEffectiveN) {
  const PublishingRule rule = a::parse_publishing_rule(
      R"({"format": "sipas-publishing-rule/1", "name": "neff", "source": "a test",
          "min_n": 10, "min_n_eff": 30, "caution_cv": 0.2, "suppress_cv": 0.5})",
      "neff.json");
  Estimate e = estimate("mean", 50, 1, 100, 4.0);  // n_eff 25
  a::assess(e, rule);
  EXPECT_EQ(e.flag, "suppressed");
  EXPECT_EQ(e.flag_reason, "n_eff 25 < 30");
}

TEST(PublishingRuleTest, RuleFilesWithMistakesAreRefusedNamingTheField) {
  const std::string good_rest =
      R"("name": "x", "source": "s", "min_n": 30, "caution_cv": 0.2, "suppress_cv": 0.3)";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[1]", "bad.json: not a JSON object"},
      {R"({"format": "other", )" + good_rest + "}", "bad.json: format: must be"},
      {R"({"format": "sipas-publishing-rule/1", "colour": 1, )" + good_rest + "}",
       "bad.json: colour: unknown field"},
      {R"({"format": "sipas-publishing-rule/1", "name": "x", "source": "s", "min_n": -1,
          "caution_cv": 0.2, "suppress_cv": 0.3})",
       "bad.json: min_n: must be a number, at least 0"},
      {R"({"format": "sipas-publishing-rule/1", "name": "x", "source": "s", "min_n": 30,
          "caution_cv": 0.4, "suppress_cv": 0.3})",
       "bad.json: caution_cv: must not be above suppress_cv (0.3)"},
      {R"({"format": "sipas-publishing-rule/1", "name": "x", "min_n": 30,
          "caution_cv": 0.2, "suppress_cv": 0.3})",
       "bad.json: source: missing"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    try {
      a::parse_publishing_rule(text, "bad.json");
      FAIL() << "accepted";
    } catch (const AnalysisError& e) {
      EXPECT_EQ(std::string(e.id()), "rule.invalid");
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  try {
    a::load_publishing_rule("no-such-rule");
    FAIL() << "accepted";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(std::string(e.id()), "rule.not_found");
    EXPECT_NE(std::string(e.what()).find("cv-16-33"), std::string::npos) << e.what();
  }
}

}  // namespace
