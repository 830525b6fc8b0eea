// sipas analyze --weights-file: the weights of sipas weights joined to the
// respondents' answers, with the nonresponse adjustment taken by the
// linearization variance as a calibration step. Checked against R's survey
// (tests/reference/nonresponse_reference.R, "linearization": postStratify on
// the weighting classes, then rake), never against sipas's own output.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/csv_reader.hpp"
#include "tests/support/process.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using sipas::test::reference_file;
using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;

const Json& reference() {
  return sipas::test::reference_json("nonresponse_reference.json");
}

class WeightsFileTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (temp_.path() / name).string(); }

  // The fixture's respondents as a data file (every column), rows reversed
  // so that the join cannot lean on the order of weights.csv; `edit` may
  // change a row's cells (by column) or drop it (return false).
  // With `rejected`, a column review ("approved") and one nonrespondent's
  // answers marked "rejected" at the end.
  void write_respondents(const std::string& name,
                         const std::function<bool(std::map<std::string, std::string>&)>& edit = {},
                         bool rejected = false) const {
    sipas::io::CsvReader reader(reference_file("nonresponse_sample.csv"));
    const auto header = reader.header();
    const auto disposition = reader.require_column("disposition");
    std::vector<std::string> lines;
    std::string rejected_line;
    while (reader.next()) {
      std::map<std::string, std::string> row;
      for (std::size_t c = 0; c < header.size(); ++c)
        row[header[c]] = std::string(reader.field(c));
      std::string line;
      for (const auto& column : header)
        line += (line.empty() ? "" : ",") + row[column];
      if (reader.field(disposition) != "respondent") {
        if (rejected_line.empty() && reader.field(disposition) == "nonrespondent")
          rejected_line = line + ",rejected";
        continue;
      }
      if (edit && !edit(row)) continue;
      line.clear();
      for (const auto& column : header)
        line += (line.empty() ? "" : ",") + row[column];
      lines.push_back(rejected ? line + ",approved" : line);
    }
    std::ofstream out(path(name));
    for (std::size_t c = 0; c < header.size(); ++c)
      out << (c ? "," : "") << header[c];
    out << (rejected ? ",review\n" : "\n");
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
      out << *it << "\n";
    if (rejected) out << rejected_line << "\n";
  }

  void weights(const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {
        "weights",          "--sample",    reference_file("nonresponse_sample.csv"),
        "--disposition",    "disposition", "--out",
        path("weights.csv")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = sipas(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  Json analyze(const std::vector<std::string>& extra, int want_exit = 0,
               std::string* err = nullptr) const {
    std::vector<std::string> args = {"analyze",
                                     "--data",
                                     path("respondents.csv"),
                                     "--strata",
                                     "stratum",
                                     "--psu",
                                     "psu",
                                     "--weights-file",
                                     path("weights.csv"),
                                     "--weights-id",
                                     "id",
                                     "--mean",
                                     "api00",
                                     "--prop",
                                     "sch_wide=Yes",
                                     "--out",
                                     path("results.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = sipas(args);
    EXPECT_EQ(r.exit_code, want_exit) << r.err;
    if (err) *err = r.err;
    return want_exit == 0 ? Json::parse(slurp(path("results.json"))) : Json();
  }

  sipas::test::TempDir temp_;
};

void expect_matches_r(const Json& results, const Json& want) {
  bool mean = false, share = false;
  for (const auto& e : results["estimates"]) {
    if (e["statistic"] == "mean") {
      mean = true;
      sipas::test::expect_relative(e["estimate"], want["mean_api00"]["estimate"], 1e-9, "mean");
      sipas::test::expect_relative(e["se"], want["mean_api00"]["SE"], 1e-8, "SE mean");
    } else if (e["statistic"] == "proportion") {
      share = true;
      sipas::test::expect_relative(e["estimate"], want["prop_sch_wide_yes"]["estimate"], 1e-9,
                                   "share");
      sipas::test::expect_relative(e["se"], want["prop_sch_wide_yes"]["SE"], 1e-8, "SE share");
    }
    EXPECT_EQ(e["df"], want["degf"]);
  }
  EXPECT_TRUE(mean && share) << results.dump(1);
}

TEST_F(WeightsFileTest, ClassesThenRakingLinearizedAsRDoes) {
  weights({"--margins", reference_file("nonresponse_margins.csv")});
  write_respondents("respondents.csv");
  const Json results = analyze({"--calibrate", reference_file("nonresponse_margins.csv")});
  expect_matches_r(results, reference()["stratum_rake"]["linearization"]);
  const Json& nr = results["design"]["nonresponse"];
  EXPECT_EQ(nr["respondents"], 126);
  EXPECT_EQ(nr["classes"], 2);  // H collapsed into E
  EXPECT_EQ(nr["calibrated"], true);
  EXPECT_LT(nr["max_weight_difference"].get<double>(), 1e-6);
  EXPECT_EQ(results["design"]["weights"], "w_eligible");
  EXPECT_EQ(results["design"]["inputs"]["weights_file"]["sha256"].get<std::string>().size(), 64u);
  // The SE is not the one of the final weights taken as design weights: the
  // classes' residuals count.
  const Json plain = reference()["stratum_rake"]["estimates"]["mean_api00"];
  EXPECT_NE(results["estimates"][0]["se"].get<double>(), plain["SE"].get<double>());
}

TEST_F(WeightsFileTest, ClassesAloneOnTwoColumnsLinearizedAsRDoes) {
  weights({"--classes", "stype,awards", "--min-respondents", "10", "--max-factor", "3"});
  write_respondents("respondents.csv");
  const Json results = analyze({});
  expect_matches_r(results, reference()["stype_awards"]["linearization"]);
  EXPECT_EQ(results["design"]["nonresponse"]["calibrated"], false);
}

TEST_F(WeightsFileTest, VerifyRunsTheJoinAgain) {
  weights({"--margins", reference_file("nonresponse_margins.csv")});
  write_respondents("respondents.csv");
  fs::copy_file(reference_file("nonresponse_margins.csv"), path("nonresponse_margins.csv"));
  analyze({"--calibrate", path("nonresponse_margins.csv")});
  auto v = sipas({"verify", path("results.json")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // Another weights file under the same name is not the one the results were made from.
  weights({"--classes", "stype,awards", "--min-respondents", "10", "--max-factor", "3"});
  v = sipas({"verify", path("results.json")});
  EXPECT_NE(v.exit_code, 0);
  EXPECT_THAT(v.err, HasSubstr("weights_file"));
}

TEST_F(WeightsFileTest, AnswersRejectedInReviewAreLeftOut) {
  weights({"--margins", reference_file("nonresponse_margins.csv")});
  write_respondents("respondents.csv", {}, true);
  const Json results = analyze({"--calibrate", reference_file("nonresponse_margins.csv")});
  EXPECT_EQ(results["design"]["nonresponse"]["rejected_rows"], 1);
  expect_matches_r(results, reference()["stratum_rake"]["linearization"]);
}

TEST_F(WeightsFileTest, EveryAnswerNeedsAWeightAndEveryWeightAnAnswer) {
  weights({"--margins", reference_file("nonresponse_margins.csv")});
  std::string err;
  write_respondents("respondents.csv", [](auto& row) {
    if (row["id"] == "19647336097927") row["id"] = "stranger";
    return true;
  });
  analyze({"--calibrate", reference_file("nonresponse_margins.csv")}, 1, &err);
  EXPECT_THAT(err, HasSubstr("respondents.csv:"));
  EXPECT_THAT(err, HasSubstr("id 'stranger' is not in weights.csv"));
  EXPECT_THAT(err, HasSubstr("[weights_join.no_weight]"));

  write_respondents("respondents.csv", [](auto& row) { return row["id"] != "19647336097927"; });
  analyze({"--calibrate", reference_file("nonresponse_margins.csv")}, 1, &err);
  EXPECT_THAT(err, HasSubstr("weights.csv:2: respondent '19647336097927' has no row"));
  EXPECT_THAT(err, HasSubstr("[weights_join.no_data]"));

  write_respondents("respondents.csv", [](auto& row) {
    if (row["id"] == "19647336097927") row["id"] = "19647336097928";
    return true;
  });
  analyze({"--calibrate", reference_file("nonresponse_margins.csv")}, 1, &err);
  EXPECT_THAT(err, HasSubstr("[weights_join."));
  EXPECT_FALSE(fs::exists(path("results.json")));
}

TEST_F(WeightsFileTest, OptionsThatDoNotFitAreRefused) {
  weights({"--margins", reference_file("nonresponse_margins.csv")});
  write_respondents("respondents.csv");
  std::string err;
  // Without the calibration sipas weights did, the weights differ.
  analyze({}, 1, &err);
  EXPECT_THAT(err, HasSubstr("[weights_join.weights_differ]"));
  EXPECT_THAT(err, HasSubstr("--calibrate"));
  EXPECT_FALSE(fs::exists(path("results.json")));
  analyze({"--weights", "pw"}, 1, &err);
  EXPECT_THAT(err, HasSubstr("leave out --weights"));
  analyze({"--replicates", "jkn"}, 1, &err);
  EXPECT_THAT(err, HasSubstr("sipas weights --replicates"));
}

}  // namespace
