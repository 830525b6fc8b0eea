// sipas analyze flags every estimate by a publishing rule: n, n_eff, cv and
// flag in results.json and results.csv, on the api stratified sample whose
// strata hold 100 elementary, 50 middle and 50 high schools (the counts are
// the data's, apistrat.csv), with the shipped rule and with a rule file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "io/csv_reader.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string apistrat = std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/apistrat.csv";

std::vector<std::string> design() {
  return {"analyze", "--data", apistrat, "--strata", "stype", "--weights", "pw",
          "--fpc",   "fpc",    "--mean", "api00",    "--by",  "stype"};
}

TEST(AnalyzeFlagsTest, EveryEstimateCarriesNEffectiveNCvAndAFlag) {
  auto r = sipas(design());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["design"]["publishing_rule"]["name"], "cv-16-33");
  EXPECT_EQ(out["design"]["publishing_rule"]["example"], true);
  // Nothing flagged: nothing said.
  EXPECT_THAT(r.err, Not(HasSubstr("publishing rule")));
  ASSERT_EQ(out["estimates"].size(), 4u);  // everyone, E, H, M
  const std::vector<double> n = {200, 100, 50, 50};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& e = out["estimates"][i];
    SCOPED_TRACE(e.dump());
    EXPECT_EQ(e["n"].get<double>(), n[i]);
    EXPECT_NEAR(e["cv"].get<double>(), e["se"].get<double>() / e["estimate"].get<double>(), 1e-15);
    EXPECT_NEAR(e["n_eff"].get<double>(), n[i] / e["deff"].get<double>(), 1e-9);
    EXPECT_NEAR(e["ci_width"].get<double>(), e["ci_high"].get<double>() - e["ci_low"].get<double>(),
                1e-12);
    EXPECT_EQ(e["flag"], "ok");  // means of api00 near 650 with SEs near 10–20
  }
}

TEST(AnalyzeFlagsTest, ARuleFileFlagsTheSmallStrataAndTheCsvCarriesTheColumns) {
  sipas::test::TempDir dir("sipas-flags");
  const auto rule = dir / "rule.json";
  std::ofstream(rule) << R"({"format": "sipas-publishing-rule/1", "name": "strict",
    "source": "a test: at least 60 respondents, CV above 0.015 with caution",
    "min_n": 60, "caution_cv": 0.015, "suppress_cv": 0.5})";
  auto args = design();
  args.insert(args.end(), {"--publishing-rule", rule.string(), "--format", "csv", "--out",
                           (dir / "results.csv").string()});
  auto r = sipas(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("publishing rule strict: 1 ok, 1 use with caution, 2 suppressed"));
  sipas::io::CsvReader csv(dir / "results.csv");
  for (const char* column : {"n", "n_eff", "cv", "ci_width", "flag"})
    EXPECT_TRUE(csv.column(column).has_value()) << column;
  std::map<std::string, std::string> flag;
  while (csv.next())
    flag[std::string(csv.field(*csv.column("domain")))] = csv.field(*csv.column("flag"));
  // H and M have 50 schools each (< 60): suppressed; E (100) and everyone
  // (200) pass n, and their CVs decide: SE / mean is 0.01420673 for everyone
  // and 0.01835992 for E in R's survey (svymean, svyby on this design).
  EXPECT_EQ(flag["stype=H"], "suppressed");
  EXPECT_EQ(flag["stype=M"], "suppressed");
  EXPECT_EQ(flag[""], "ok");
  EXPECT_EQ(flag["stype=E"], "caution");
}

TEST(AnalyzeFlagsTest, ABadRuleIsAnErrorNamingTheFileAndNothingIsWritten) {
  sipas::test::TempDir dir("sipas-flags");
  const auto rule = dir / "rule.json";
  std::ofstream(rule) << R"({"format": "sipas-publishing-rule/1", "name": "x", "source": "s",
    "min_n": 30, "caution_cv": 0.5, "suppress_cv": 0.2})";
  auto args = design();
  args.insert(args.end(), {"--publishing-rule", rule.string(), "--out", (dir / "r.json").string()});
  auto r = sipas(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("rule.json: caution_cv: must not be above suppress_cv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "r.json"));
}

}  // namespace
