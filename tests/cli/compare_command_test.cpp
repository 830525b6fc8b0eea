// sipas compare end to end: the JSON it writes (the contract's names), its
// table, and its errors. The numbers are checked against R
// (tests/reference/compare_reference.R), never against sipas's own output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/sha256.hpp"
#include "tests/support/process.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using sipas::test::expect_relative;
using sipas::test::reference_file;
using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;

constexpr double estimate_tolerance = 1e-9;
constexpr double se_tolerance = 1e-7;

const Json& reference() {
  return sipas::test::reference_json("compare_reference.json");
}

std::string api_file(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

const std::vector<std::string> dstrat = {
    "--data", api_file("apistrat"), "--strata", "stype", "--weights", "pw", "--fpc", "fpc"};
const std::vector<std::string> dclus1 = {
    "--data", api_file("apiclus1"), "--psu", "dnum", "--weights", "pw", "--fpc", "fpc"};

class CompareCommandTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (temp_ / name).string(); }

  // Runs sipas compare with `design` and `args`, writing out.json; returns it.
  Json compare(std::vector<std::string> design, const std::vector<std::string>& args) {
    design.insert(design.begin(), "compare");
    design.insert(design.end(), args.begin(), args.end());
    design.insert(design.end(), {"--out", path("out.json")});
    last_ = sipas(design);
    EXPECT_EQ(last_.exit_code, 0) << last_.err;
    return Json::parse(slurp(path("out.json")));
  }

  // An error: exit 1, the message and id on standard error, nothing written.
  void expect_error(std::vector<std::string> args, const std::string& message,
                    const std::string& id) {
    args.insert(args.begin(), "compare");
    args.insert(args.end(), {"--out", path("error.json")});
    const auto result = sipas(args);
    EXPECT_EQ(result.exit_code, 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr(message));
    EXPECT_THAT(result.err, HasSubstr("[" + id + "]"));
    EXPECT_FALSE(fs::exists(path("error.json")));
  }

  // Last year's results: `sipas analyze` on the last-year fixture.
  std::string last_year_results() {
    const auto result = sipas({"analyze", "--data", reference_file("compare_last_year.csv"),
                               "--strata", "stype", "--weights", "pw", "--fpc", "fpc", "--mean",
                               "score", "--by", "unit", "--out", path("last.json")});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return path("last.json");
  }

  sipas::test::TempDir temp_;
  sipas::test::ProcessResult last_;
};

// Each stratum against the whole population, Holm-adjusted: every field of
// the contract, and the numbers R gives.
TEST_F(CompareCommandTest, EachVsAllStratified) {
  const Json& c = reference()["cases"]["dstrat_mean"];
  const Json out = compare(dstrat, {"--mean", "api00", "--by", "stype", "--each-vs-all"});
  EXPECT_EQ(out["statistic"], "mean");
  EXPECT_EQ(out["variable"], "api00");
  EXPECT_EQ(out["by"], "stype");
  EXPECT_EQ(out["adjust"], "holm");
  EXPECT_EQ(out["level"], 0.95);
  EXPECT_THAT(out["test"].get<std::string>(),
              HasSubstr("t distribution with the design's 197 degrees of freedom"));
  EXPECT_EQ(out["design"]["kind"], "linearization");
  EXPECT_EQ(out["design"]["df"], 197);
  EXPECT_EQ(out["inputs"]["data"]["sha256"], sipas::io::sha256_file(api_file("apistrat")));
  EXPECT_THAT(out["command_line"].get<std::string>(), HasSubstr("compare --data"));
  const Json& want = c["each_vs_all"];
  ASSERT_EQ(out["comparisons"].size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    const Json& d = out["comparisons"][k];
    const std::string what = want[k]["a"].get<std::string>() + " - all";
    EXPECT_EQ(d["a"], want[k]["a"]);
    EXPECT_EQ(d["b"], "all");
    expect_relative(d["estimate_a"], c["estimates"]["value"][want[k]["a"].get<std::string>()],
                    estimate_tolerance, what);
    expect_relative(d["estimate_b"], c["overall"]["value"]["estimate"], estimate_tolerance, what);
    expect_relative(d["difference"], want[k]["difference"], estimate_tolerance, what);
    expect_relative(d["se"], want[k]["se"], se_tolerance, what);
    expect_relative(d["ci_low"], want[k]["ci_low"], se_tolerance, what);
    expect_relative(d["ci_high"], want[k]["ci_high"], se_tolerance, what);
    expect_relative(d["p"], want[k]["p"], se_tolerance, what);
    expect_relative(d["p_adjusted"], c["each_holm"]["value"][k], se_tolerance, what);
    EXPECT_EQ(d["df"], 197);
    EXPECT_EQ(d["n_b"], 200);
    EXPECT_EQ(d["significant"], d["p_adjusted"].get<double>() < 0.05);
    EXPECT_TRUE(d["direction"] == "above" || d["direction"] == "below" || d["direction"] == "none");
  }
  EXPECT_EQ(out["comparisons"][0]["n_a"], 100);  // E
  EXPECT_THAT(last_.out, HasSubstr("mean of api00 by stype: 3 comparisons, holm-adjusted p"));
  EXPECT_FALSE(out.contains("year_on_year"));
}

TEST_F(CompareCommandTest, PairsClusteredBH) {
  const Json& c = reference()["cases"]["dclus1_mean"];
  const Json out = compare(dclus1, {"--mean", "api00", "--by", "stype", "--pair", "E,H", "--pair",
                                    "E,M", "--pair", "H,M", "--adjust", "BH"});
  ASSERT_EQ(out["comparisons"].size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    const Json& d = out["comparisons"][k];
    const Json& want = c["pairs"][k];
    EXPECT_EQ(d["a"], want["a"]);
    EXPECT_EQ(d["b"], want["b"]);
    expect_relative(d["difference"], want["difference"], estimate_tolerance, "difference");
    expect_relative(d["covariance"], want["covariance"], se_tolerance, "covariance");
    expect_relative(d["se"], want["se"], se_tolerance, "se");
    expect_relative(d["p"], want["p"], se_tolerance, "p");
    expect_relative(d["p_adjusted"], c["pairs_BH"]["value"][k], se_tolerance, "BH");
  }
}

TEST_F(CompareCommandTest, ProportionWithJKnReplicates) {
  const Json& c = reference()["cases"]["jkn_dstrat_prop"];
  auto design = dstrat;
  design.insert(design.end(), {"--replicates", "jkn"});
  const Json out = compare(design, {"--prop", "sch.wide=Yes", "--by", "stype", "--each-vs-all"});
  EXPECT_EQ(out["statistic"], "proportion");
  EXPECT_EQ(out["variable"], "sch.wide=Yes");
  EXPECT_EQ(out["design"]["kind"], "replicate");
  EXPECT_THAT(out["test"].get<std::string>(), HasSubstr("from the replicate estimates"));
  for (std::size_t k = 0; k < c["each_vs_all"].size(); ++k) {
    const Json& d = out["comparisons"][k];
    expect_relative(d["difference"], c["each_vs_all"][k]["difference"], estimate_tolerance, "d");
    expect_relative(d["se"], c["each_vs_all"][k]["se"], se_tolerance, "se");
    expect_relative(d["p_adjusted"], c["each_holm"]["value"][k], se_tolerance, "holm");
    EXPECT_EQ(d["df"], c["df"]["value"]);
  }
}

TEST_F(CompareCommandTest, CalibratedDesign) {
  const Json& c = reference()["cases"]["dclus1_ps_mean"];
  auto design = dclus1;
  design.insert(design.end(),
                {"--calibrate", reference_file("compare_margins.csv"), "--calfun", "poststratify"});
  const Json out = compare(
      design, {"--mean", "api00", "--by", "awards", "--pair", "Yes,No", "--adjust", "none"});
  const Json& d = out["comparisons"][0];
  expect_relative(d["difference"], c["pairs"][0]["difference"], estimate_tolerance, "d");
  expect_relative(d["se"], c["pairs"][0]["se"], se_tolerance, "se");
  EXPECT_EQ(d["p_adjusted"], d["p"]);
  EXPECT_EQ(out["design"]["calibration"]["method"], "poststratify");
}

TEST_F(CompareCommandTest, YearOnYearThroughTheUnitMap) {
  const Json& want = reference()["year_on_year"]["combined"]["entries"];
  const Json out = compare({"--data", reference_file("compare_this_year.csv"), "--fpc", "fpc"},
                           {"--mean", "score", "--by", "unit", "--last-year", last_year_results(),
                            "--unit-map", reference_file("compare_unit_map.csv")});
  EXPECT_EQ(out["comparisons"], Json::array());
  ASSERT_EQ(out["year_on_year"].size(), want.size());
  for (const auto& w : want) {
    const Json* y = nullptr;
    for (const auto& e : out["year_on_year"]) {
      if (e["unit"] == w["unit"]) y = &e;
    }
    ASSERT_NE(y, nullptr) << w["unit"];
    EXPECT_EQ((*y)["past"], w["past"]);
    EXPECT_EQ((*y)["test"], "independent samples: variances added, normal reference");
    if (w["past"] == "none") {
      EXPECT_TRUE((*y)["difference"].is_null());
      continue;
    }
    const std::string unit = w["unit"];
    expect_relative((*y)["this_year"], w["this_year"], estimate_tolerance, unit);
    expect_relative((*y)["last_year"], w["last_year"], estimate_tolerance, unit);
    expect_relative((*y)["difference"], w["difference"], estimate_tolerance, unit);
    expect_relative((*y)["se"], w["se"], se_tolerance, unit);
    expect_relative((*y)["ci_low"], w["ci_low"], se_tolerance, unit);
    expect_relative((*y)["ci_high"], w["ci_high"], se_tolerance, unit);
    expect_relative((*y)["p"], w["p"], se_tolerance, unit);
    expect_relative((*y)["p_adjusted"], w["p_holm"], se_tolerance, unit);
    const auto units = w["from"]["unit"];
    ASSERT_EQ((*y)["from"].size(), units.is_array() ? units.size() : 1u) << unit;
    EXPECT_EQ((*y)["from"][0]["unit"], units.is_array() ? units[0] : units);
    EXPECT_EQ((*y)["from"][0]["date"], "2025-07-01");
  }
  EXPECT_THAT(out["year_on_year_method"]["units_matched"].get<std::string>(),
              HasSubstr("through the unit map compare_unit_map.csv"));
  EXPECT_THAT(out["year_on_year_method"]["combined"].get<std::string>(),
              HasSubstr("treated as independent"));
  EXPECT_EQ(out["inputs"]["unit_map"]["sha256"],
            sipas::io::sha256_file(reference_file("compare_unit_map.csv")));
  EXPECT_THAT(last_.out, HasSubstr("year on year, score by unit: 6 of 31 units with a "
                                   "comparable past"));
}

TEST_F(CompareCommandTest, YearOnYearFromLastYearsData) {
  const Json& want = reference()["year_on_year"]["mapped"]["entries"];
  const Json out = compare(
      {"--data", reference_file("compare_this_year.csv"), "--fpc", "fpc"},
      {"--mean", "score", "--by", "unit", "--unit-map", reference_file("compare_unit_map.csv"),
       "--last-year-data", reference_file("compare_last_year.csv"), "--last-year-strata", "stype",
       "--last-year-weights", "pw", "--last-year-fpc", "fpc", "--adjust", "BH"});
  for (const auto& w : want) {
    for (const auto& y : out["year_on_year"]) {
      if (y["unit"] != w["unit"]) continue;
      EXPECT_EQ(y["past"], w["past"]);
      if (w["past"] == "none") continue;
      const std::string unit = w["unit"];
      EXPECT_EQ(y["source"], "data");
      expect_relative(y["last_year"], w["last_year"], estimate_tolerance, unit);
      expect_relative(y["se"], w["se"], se_tolerance, unit);
      expect_relative(y["p_adjusted"], w["p_BH"], se_tolerance, unit);
    }
  }
  EXPECT_EQ(out["year_on_year_method"]["last_year_design"]["strata"], "stype");
  EXPECT_EQ(out["inputs"]["last_year_data"]["sha256"],
            sipas::io::sha256_file(reference_file("compare_last_year.csv")));
}

TEST_F(CompareCommandTest, Errors) {
  auto with = [](std::vector<std::string> design, const std::vector<std::string>& args) {
    design.insert(design.end(), args.begin(), args.end());
    return design;
  };
  expect_error(with(dstrat, {"--mean", "api00", "--by", "stype", "--pair", "E,X"}),
               "--pair E,X: 'X' is no level of column 'stype' (levels: E, H, M; or all)",
               "compare.unknown_level");
  expect_error(with(dstrat, {"--mean", "api00", "--by", "stype", "--pair", "E,H", "--each-vs-all"}),
               "give --pair or --each-vs-all, not both", "compare.conflicting_options");
  expect_error(with(dstrat, {"--mean", "api00", "--each-vs-all"}), "--by COL is required",
               "compare.missing_option");
  expect_error(with(dstrat, {"--mean", "api00", "--by", "stype", "--pair", "E"}),
               "--pair E: write A,B", "compare.invalid_option");
  expect_error(
      with(dstrat, {"--mean", "api00", "--prop", "sch.wide=Yes", "--by", "stype", "--each-vs-all"}),
      "give one --mean VAR or one --prop VAR=CODES", "compare.invalid_statistic");
  expect_error(
      with(dstrat, {"--mean", "api00", "--by", "stype", "--each-vs-all", "--adjust", "bonferroni"}),
      "--adjust must be holm, BH or none", "compare.invalid_option");
  expect_error(with(dstrat, {"--mean", "api00", "--by", "stype", "--each-vs-all",
                             "--last-year-strata", "stype"}),
               "give --last-year-data FILE with them", "compare.missing_option");
  const std::string last = last_year_results();
  const std::vector<std::string> now = {"--data",      reference_file("compare_this_year.csv"),
                                        "--fpc",       "fpc",
                                        "--mean",      "score",
                                        "--by",        "unit",
                                        "--last-year", last};
  std::ofstream(path("unknown.csv")) << "old_unit,new_unit,date\nAtlantis,East Bay,2025-07-01\n";
  expect_error(with(now, {"--unit-map", path("unknown.csv")}),
               "unknown.csv:2: column 'old_unit': 'Atlantis' is no unit of last year",
               "unit_map.unknown_unit");
  std::ofstream(path("date.csv")) << "old_unit,new_unit,date\nAlameda,East Bay,2025-7-1\n";
  expect_error(with(now, {"--unit-map", path("date.csv")}),
               "date.csv:2: column 'date' is '2025-7-1', not a date written YYYY-MM-DD",
               "unit_map.invalid_date");
}

TEST_F(CompareCommandTest, HelpSaysWhatItTakes) {
  const auto result = sipas({"compare", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* option : {"--pair", "--each-vs-all", "--adjust", "--last-year", "--unit-map",
                             "--last-year-data", "--last-year-strata", "--mean", "--prop", "--by",
                             "--replicates", "--calibrate", "--lonely-psu", "--out"}) {
    EXPECT_THAT(result.out, HasSubstr(option)) << option;
  }
}

}  // namespace
