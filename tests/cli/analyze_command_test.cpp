// sipas analyze, run as a statistician runs it; numbers against R's survey.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "io/file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;

std::string api(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

const nlohmann::json& reference() {
  static const auto doc = nlohmann::json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/tests/reference/analysis_reference.json", 1 << 24));
  return doc;
}

TEST(AnalyzeCommandTest, JsonResultsMatchR) {
  auto r =
      sipas({"analyze", "--data", api("apiclus2"), "--psu", "dnum,snum", "--fpc", "fpc1,fpc2",
             "--mean", "api00", "--total", "enroll", "--ratio", "api00/api99", "--by", "stype"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::json::parse(r.out);
  const auto& ref = reference()["estimates"]["dclus2"];
  EXPECT_EQ(out["design"]["df"], 39);
  EXPECT_EQ(out["design"]["inputs"]["data"]["sha256"].get<std::string>().size(), 64u);
  const auto& mean = out["estimates"][0];
  EXPECT_EQ(mean["statistic"], "mean");
  EXPECT_TRUE(mean["domain"].is_null());
  EXPECT_NEAR(mean["estimate"].get<double>(),
              ref["mean_api00"]["estimate"]["value"]["api00"].get<double>(), 1e-9);
  EXPECT_NEAR(mean["se"].get<double>(), ref["mean_api00"]["SE"]["value"]["api00"].get<double>(),
              1e-7);
  EXPECT_NEAR(mean["deff"].get<double>(), ref["mean_api00"]["deff"]["value"]["api00"].get<double>(),
              1e-7);
  const auto& by_e = out["estimates"][1];
  EXPECT_EQ(by_e["domain"]["stype"], "E");
  EXPECT_NEAR(by_e["se"].get<double>(),
              ref["by_stype_mean_api00"]["SE"]["value"]["E"].get<double>(), 1e-7);
  bool ratio_seen = false;
  for (const auto& e : out["estimates"]) {
    if (e["statistic"] == "ratio" && e["domain"].is_null()) {
      ratio_seen = true;
      EXPECT_NEAR(e["se"].get<double>(),
                  ref["ratio_api00_api99"]["SE"]["value"]["api00/api99"].get<double>(), 1e-9);
    }
  }
  EXPECT_TRUE(ratio_seen);
}

TEST(AnalyzeCommandTest, CsvToAFile) {
  sipas::test::TempDir dir;
  auto out = (dir / "results.csv").string();
  auto r = sipas({"analyze", "--data", api("apisrs"), "--fpc", "fpc", "--prop", "sch.wide=Yes",
                  "--ci", "xlogit", "--format", "csv", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = sipas::test::slurp(out);
  EXPECT_THAT(text, HasSubstr("statistic,variable,domain,estimate,se,ci_low,ci_high,ci_method"));
  EXPECT_THAT(text, HasSubstr("proportion,sch.wide=Yes,,"));
  EXPECT_THAT(text, HasSubstr(",xlogit,"));
}

TEST(AnalyzeCommandTest, SatisfactionIndicesFromAQuestionnaire) {
  // The example questionnaire: E3 = service_1 (weight 1) and service_2 (weight 2),
  // E4 = mean of service_3 and satisfaction (9 = no opinion, excluded); overall
  // 0.6 E3 + 0.4 E4. Respondent weights 1, 1, 2.
  sipas::test::TempDir dir;
  std::ofstream data(dir / "answers.csv");
  data << "service_1,service_2,service_3,satisfaction,weight\n5,4,2,4,1\n2,5,5,9,1\n4,1,4,1,2\n";
  data.close();
  auto r = sipas(
      {"analyze", "--data", (dir / "answers.csv").string(), "--weights", "weight", "--index",
       std::string(SIPAS_SOURCE_DIR) + "/questionnaires/examples/example-questionnaire.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::json::parse(r.out);
  std::map<std::string, double> got;
  for (const auto& e : out["estimates"])
    got[e["statistic"].get<std::string>() + ":" + e["variable"].get<std::string>()] = e["estimate"];
  // service_1 satisfied (weights) 3 of 4; service_2 2 of 4; E3 = (0.75 + 2 × 0.5) / 3.
  EXPECT_NEAR(got["item_index:service_1"], 75, 1e-12);
  EXPECT_NEAR(got["element_index:E3"], 100 * (0.75 + 2 * 0.5) / 3, 1e-12);
  // service_3 3 of 4; satisfaction 1 of 3 (the 9 leaves); E4 = their mean.
  EXPECT_NEAR(got["item_index:satisfaction"], 100.0 / 3, 1e-12);
  EXPECT_NEAR(got["element_index:E4"], 100 * (0.75 + 1.0 / 3) / 2, 1e-12);
  EXPECT_NEAR(got["overall_index:overall"],
              100 * (0.6 * (0.75 + 1.0) / 3 + 0.4 * (0.75 + 1.0 / 3) / 2), 1e-12);
  EXPECT_EQ(out["design"]["inputs"]["questionnaire"]["id"], "example");
}

TEST(AnalyzeCommandTest, MissingScoredItemColumnsAreNamed) {
  sipas::test::TempDir dir;
  std::ofstream data(dir / "answers.csv");
  data << "q9_01,weight\n5,1\n4,2\n";
  data.close();
  auto r =
      sipas({"analyze", "--data", (dir / "answers.csv").string(), "--weights", "weight", "--index",
             std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-citizen.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no column for scored item 'q9_02'"));
}

double first(const nlohmann::json& value) {
  return value.is_object() ? value.begin()->get<double>() : value.get<double>();
}

TEST(AnalyzeCommandTest, ReplicatesQuantilesAndCalibrationMatchR) {
  auto jk1 = sipas({"analyze", "--data", api("apiclus1"), "--psu", "dnum", "--weights", "pw",
                    "--fpc", "fpc", "--replicates", "jk1", "--mean", "api00"});
  ASSERT_EQ(jk1.exit_code, 0) << jk1.err;
  auto out = nlohmann::json::parse(jk1.out);
  const auto& rep = reference()["replicate_designs"]["jk1_dclus1"]["mean_api00"];
  EXPECT_EQ(out["design"]["kind"], "replicate");
  EXPECT_NEAR(out["estimates"][0]["se"].get<double>(), first(rep["SE"]["value"]), 1e-7);

  auto q = sipas({"analyze", "--data", api("apistrat"), "--strata", "stype", "--weights", "pw",
                  "--fpc", "fpc", "--quantile", "api00:0.5"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  out = nlohmann::json::parse(q.out);
  const auto& quantile = reference()["estimates"]["dstrat"]["quantile_api00"]["table"]["value"];
  EXPECT_EQ(out["estimates"][0]["estimate"].get<double>(), quantile["0.5|quantile"].get<double>());
  EXPECT_EQ(out["estimates"][0]["ci_low"].get<double>(), quantile["0.5|ci.2.5"].get<double>());
  EXPECT_NEAR(out["estimates"][0]["se"].get<double>(), quantile["0.5|se"].get<double>(), 1e-7);

  sipas::test::TempDir dir;
  std::ofstream(dir / "margins.csv")
      << "variable,level,total\nstype,E,4421\nstype,H,755\nstype,M,1018\n"
         "sch.wide,No,1072\nsch.wide,Yes,5122\n";
  auto rake = sipas({"analyze", "--data", api("apiclus1"), "--psu", "dnum", "--weights", "pw",
                     "--fpc", "fpc", "--calibrate", (dir / "margins.csv").string(), "--calfun",
                     "raking", "--mean", "api00"});
  ASSERT_EQ(rake.exit_code, 0) << rake.err;
  out = nlohmann::json::parse(rake.out);
  const auto& tight = reference()["calibration"]["rake_tight"];
  EXPECT_NEAR(out["estimates"][0]["estimate"].get<double>(),
              first(tight["mean_api00"]["estimate"]["value"]), 1e-6);
  EXPECT_NEAR(out["estimates"][0]["se"].get<double>(), first(tight["mean_api00"]["SE"]["value"]),
              1e-6);
  EXPECT_GT(out["design"]["calibration"]["iterations"].get<int>(), 1);
  EXPECT_NEAR(out["design"]["calibration"]["weight_max"].get<double>(),
              first(tight["weight_max"]["value"]), 1e-6);
}

TEST(AnalyzeCommandTest, ErrorsNameWhatIsWrong) {
  auto none = sipas({"analyze", "--data", api("apisrs")});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("ask for at least one estimate"));
  auto lonely = sipas({"analyze", "--data", api("apistrat"), "--strata", "cds", "--mean", "api00"});
  EXPECT_EQ(lonely.exit_code, 1);
  EXPECT_THAT(lonely.err, HasSubstr("has only one PSU at stage 1"));
  auto column = sipas({"analyze", "--data", api("apisrs"), "--mean", "api01"});
  EXPECT_EQ(column.exit_code, 1);
  EXPECT_THAT(column.err, HasSubstr("no column 'api01'"));
  auto ratio = sipas({"analyze", "--data", api("apisrs"), "--ratio", "api00"});
  EXPECT_EQ(ratio.exit_code, 1);
  EXPECT_THAT(ratio.err, HasSubstr("--ratio api00: write NUM/DEN"));
  auto text = sipas({"analyze", "--data", api("apisrs"), "--mean", "sch.wide"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.err, HasSubstr("apisrs.csv:2: column 'sch.wide' must be a number"));
}

}  // namespace
