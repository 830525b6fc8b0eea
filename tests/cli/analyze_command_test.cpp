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
using ::testing::Not;

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

// A response export (sipas responses export) with answers through the open
// link: column channel = open_link, the design columns empty. Issue 15:
// analyze failed on such a file. Six sampled rows in two strata, then two
// open-link rows whose answers would pull every estimate if they counted; a
// quoted line break in a note moves the line numbers (line 6 holds two lines).
const std::string export_header = "seq,channel,respondent_id,stratum,psu,design_weight,note,q1\n";
const std::string sampled_rows[] = {
    "1,invitation,p1,A,A1,10,,4\n", "2,invitation,p2,A,A2,10,,5\n",
    "3,invitation,p3,A,A3,10,,3\n", "4,invitation,p4,B,B1,4,\"two\nlines\",2\n",
    "6,invitation,p6,B,B2,4,,4\n",  "7,invitation,p7,B,B3,4,,5\n"};

std::string export_with_open_link() {
  std::string text = export_header;
  for (int i = 0; i < 4; ++i)
    text += sampled_rows[i];
  text += "5,open_link,,,,,,1\n";  // line 7
  text += sampled_rows[4];
  text += sampled_rows[5];
  text += "8,open_link,,,,,,1\n";  // line 10
  return text;
}

TEST(AnalyzeCommandTest, OpenLinkRowsAreLeftOutNamedAndChangeNoEstimate) {
  sipas::test::TempDir dir;
  const auto with_open = (dir / "responses.csv").string();
  std::ofstream(with_open) << export_with_open_link();
  const auto sample_only = (dir / "sample-only.csv").string();
  {
    std::ofstream file(sample_only);
    file << export_header;
    for (const auto& row : sampled_rows)
      file << row;
  }
  const std::vector<std::string> design = {"--strata",      "stratum", "--psu", "psu",  "--weights",
                                           "design_weight", "--mean",  "q1",    "--by", "stratum"};
  auto args = [&](const std::string& data) {
    std::vector<std::string> out = {"analyze", "--data", data};
    out.insert(out.end(), design.begin(), design.end());
    return out;
  };
  auto r = sipas(args(with_open));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("responses.csv: 2 open-link rows (lines 7, 10) left out: they were "
                               "answered through the survey's open link"));
  auto reference_run = sipas(args(sample_only));
  ASSERT_EQ(reference_run.exit_code, 0) << reference_run.err;
  // No open-link note (the publishing rule may say its tiny domains are suppressed).
  EXPECT_THAT(reference_run.err, Not(HasSubstr("open-link")));
  const auto out = nlohmann::json::parse(r.out);
  const auto expected = nlohmann::json::parse(reference_run.out);
  ASSERT_EQ(out["estimates"].size(), expected["estimates"].size());
  for (std::size_t i = 0; i < out["estimates"].size(); ++i) {
    for (const char* key : {"estimate", "se", "df", "n", "weighted_n"})
      EXPECT_EQ(out["estimates"][i][key], expected["estimates"][i][key]) << i << " " << key;
  }
  EXPECT_EQ(out["design"]["rows"], 6);
  EXPECT_EQ(out["design"]["open_link"],
            (nlohmann::json{{"column", "channel"}, {"rows", 2}, {"included", false}}));
  EXPECT_EQ(expected["design"]["open_link"]["rows"], 0);

  // Rows left out do not shift the line numbers of later messages.
  std::string text = export_with_open_link();
  text.replace(text.find("p7,B,B3,4,,5"), 12, "p7,B,B3,4,,x");
  std::ofstream(with_open) << text;
  r = sipas(args(with_open));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("responses.csv:9: column 'q1' must be a number, not 'x'"));
}

TEST(AnalyzeCommandTest, OpenLinkRowsAreIncludedOnlyWithDesignValuesGiven) {
  sipas::test::TempDir dir;
  const auto data = (dir / "responses.csv").string();
  std::ofstream(data) << export_with_open_link();
  const std::vector<std::string> base = {"analyze",       "--data",  data,
                                         "--strata",      "stratum", "--weights",
                                         "design_weight", "--mean",  "q1"};
  auto with_flag = base;
  with_flag.push_back("--include-open-link");
  auto r = sipas(with_flag);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("responses.csv: --include-open-link: 2 rows answered through the open "
                        "link have no 'stratum' (lines 7, 10)"));
  EXPECT_THAT(r.err, HasSubstr("[data.open_link_without_design]"));

  // The statistician gives them a stratum and a weight of their own making.
  std::string text = export_with_open_link();
  for (const char* seq : {"5", "8"}) {
    const std::string from = std::string("\n") + seq + ",open_link,,,,,,1\n";
    text.replace(text.find(from), from.size(), std::string("\n") + seq + ",open_link,,C,,50,,1\n");
  }
  std::ofstream(data) << text;
  r = sipas(with_flag);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("2 open-link rows (lines 7, 10) included with the design values "
                               "given in the file"));
  auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["design"]["rows"], 8);
  EXPECT_EQ(out["design"]["open_link"]["included"], true);
  // Without the flag they are still left out.
  r = sipas(base);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["design"]["rows"], 6);
}

TEST(AnalyzeCommandTest, EmptyDesignValuesOfSampledRowsNameTheLines) {
  sipas::test::TempDir dir;
  const auto data = (dir / "responses.csv").string();
  std::string text = export_with_open_link();
  // p2 and p7 lost their stratum; they are not marked open-link.
  text.replace(text.find("p2,A,"), 5, "p2,,");
  text.replace(text.find("p7,B,"), 5, "p7,,");
  std::ofstream(data) << text;
  auto r = sipas({"analyze", "--data", data, "--strata", "stratum", "--mean", "q1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("responses.csv: 2 rows have an empty 'stratum' (lines 3, 9) and are not "
                        "marked open-link (column 'channel' is not open_link)"));
  EXPECT_THAT(r.err, HasSubstr("[data.missing_design]"));

  // An export of an older sipas: no channel column, open-link rows only empty.
  std::string old =
      "seq,respondent_id,stratum,psu,design_weight,q1\n"
      "1,p1,A,A1,10,4\n2,,,,,1\n3,p3,A,A2,10,3\n";
  std::ofstream(data) << old;
  r = sipas({"analyze", "--data", data, "--strata", "stratum", "--psu", "psu", "--mean", "q1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("responses.csv: 1 row has an empty 'stratum' (line 3)"));
  EXPECT_THAT(r.err, HasSubstr("export again with this sipas"));

  // Only open-link rows: nothing to estimate, and it says why.
  std::ofstream(data) << export_header << "1,open_link,,,,,,1\n2,open_link,,,,,,3\n";
  r = sipas({"analyze", "--data", data, "--strata", "stratum", "--mean", "q1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("all 2 rows were answered through the open link"));
  EXPECT_THAT(r.err, HasSubstr("[data.only_open_link]"));
}

}  // namespace
