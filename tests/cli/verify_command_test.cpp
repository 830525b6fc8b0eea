// sipas verify (issue 17, audit replay): a results file made by the real
// binary is reproduced from the inputs it records; an altered number is named;
// a changed or missing input is refused, naming the file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string api(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/" + name + ".csv";
}

class VerifyCommandTest : public ::testing::Test {
 protected:
  // A results file of a calibrated, clustered analysis with domains and the
  // example questionnaire's indices, its inputs beside it.
  void SetUp() override {
    fs::copy_file(api("apiclus1"), dir_ / "apiclus1.csv");
    // The example questionnaire's answer columns, made from the api data's
    // columns: any 1-5 codes serve.
    std::ofstream(dir_ / "margins.csv") << "variable,level,total\nstype,E,4421\nstype,H,755\n"
                                           "stype,M,1018\n";
    const auto r = sipas({"analyze",
                          "--data",
                          (dir_ / "apiclus1.csv").string(),
                          "--psu",
                          "dnum",
                          "--weights",
                          "pw",
                          "--fpc",
                          "fpc",
                          "--calibrate",
                          (dir_ / "margins.csv").string(),
                          "--calfun",
                          "poststratify",
                          "--mean",
                          "api00",
                          "--total",
                          "enroll",
                          "--prop",
                          "sch.wide=Yes",
                          "--quantile",
                          "api99:0.5",
                          "--by",
                          "stype",
                          "--out",
                          results()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string results() const { return (dir_ / "results.json").string(); }

  sipas::test::TempDir dir_{"sipas-verify"};
};

TEST_F(VerifyCommandTest, AResultsFileOfTheBinaryIsReproduced) {
  const auto recorded = Json::parse(slurp(results()));
  ASSERT_TRUE(recorded.contains("request"));
  EXPECT_EQ(recorded["request"]["data"], "apiclus1.csv");
  EXPECT_EQ(recorded["request"]["margins"], "margins.csv");
  EXPECT_EQ(recorded["request"]["statistics"].size(), 4u);
  const auto r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("results.json: reproduced: all "));
  EXPECT_THAT(r.out, HasSubstr("numbers of 16 estimates are the same"));
  EXPECT_THAT(r.out, HasSubstr("data: " + (dir_ / "apiclus1.csv").string()));
  EXPECT_THAT(r.out, HasSubstr("margins: " + (dir_ / "margins.csv").string()));
}

TEST_F(VerifyCommandTest, AnAlteredNumberIsNamed) {
  auto recorded = Json::parse(slurp(results()));
  // The SE of the mean of api00 among the high schools, one unit in the last place up.
  Json* altered = nullptr;
  for (auto& e : recorded["estimates"]) {
    if (e["statistic"] == "mean" && e["domain"].is_object() && e["domain"]["stype"] == "H")
      altered = &e;
  }
  ASSERT_NE(altered, nullptr);
  const double se = (*altered)["se"].get<double>();
  (*altered)["se"] = std::nextafter(se, 1e300);
  std::ofstream(results()) << recorded.dump(2) << "\n";
  const auto r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("NOT reproduced: mean of api00 in stype=H, field se: the file has " +
                               Json(std::nextafter(se, 1e300)).dump() + ", the inputs give " +
                               Json(se).dump()));
}

TEST_F(VerifyCommandTest, AnAlteredValueOutsideTheEstimatesIsNamedByItsPath) {
  auto recorded = Json::parse(slurp(results()));
  recorded["design"]["weight_sum"] = recorded["design"]["weight_sum"].get<double>() + 1;
  std::ofstream(results()) << recorded.dump(2) << "\n";
  const auto r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("NOT reproduced: /design/weight_sum: the file has "));
}

TEST_F(VerifyCommandTest, AChangedInputIsRefusedByName) {
  {
    std::ofstream margins(dir_ / "margins.csv", std::ios::app);
    margins << "\n";
  }
  const auto r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr((dir_ / "margins.csv").string() + ": SHA-256 "));
  EXPECT_THAT(r.err, HasSubstr("was made from a margins file 'margins.csv' with SHA-256 "));
  EXPECT_THAT(r.err, HasSubstr("[verify.input_changed]"));
}

TEST_F(VerifyCommandTest, InputsAreLookedForInTheDataDirsFirst) {
  sipas::test::TempDir elsewhere("sipas-verify-data");
  fs::rename(dir_ / "apiclus1.csv", elsewhere / "apiclus1.csv");
  auto r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("the data file 'apiclus1.csv', which is not in " +
                               dir_.path().string() + " (give its folder with --data-dir)"));
  EXPECT_THAT(r.err, HasSubstr("[verify.input_missing]"));
  r = sipas({"verify", results(), "--data-dir", elsewhere.path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("data: " + (elsewhere / "apiclus1.csv").string()));
  // A file of the same name but other bytes in the first folder is refused,
  // though the right one lies beside the results.
  fs::rename(elsewhere / "apiclus1.csv", dir_ / "apiclus1.csv");
  fs::copy_file(api("apistrat"), elsewhere / "apiclus1.csv");
  r = sipas({"verify", results(), "--data-dir", elsewhere.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr((elsewhere / "apiclus1.csv").string() + ": SHA-256 "));
}

TEST_F(VerifyCommandTest, IndicesAndReplicatesAreReproducedToo) {
  sipas::test::TempDir dir("sipas-verify-index");
  std::ofstream(dir / "answers.csv")
      << "stratum,psu,weight,service_1,service_2,service_3,satisfaction,target_unit,group,p1\n"
         "A,1,1.5,5,4,2,4,U1,g1,3\nA,2,1.25,2,5,5,9,U1,g2,4\nA,3,2.125,4,1,4,1,U2,g1,5\n"
         "B,4,3.5,3,3,5,5,U2,g2,2\nB,5,0.75,1,2,,2,U1,g1,1\nB,6,2,4,4,4,4,U2,g2,4\n";
  fs::copy_file(
      std::string(SIPAS_SOURCE_DIR) + "/questionnaires/examples/example-questionnaire.json",
      dir / "example-questionnaire.json");
  auto r = sipas({"analyze", "--data", (dir / "answers.csv").string(), "--strata", "stratum",
                  "--psu", "psu", "--weights", "weight", "--replicates", "jkn", "--index",
                  (dir / "example-questionnaire.json").string(), "--out",
                  (dir / "indices.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"verify", (dir / "indices.json").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("questionnaire: " + (dir / "example-questionnaire.json").string()));
}

TEST_F(VerifyCommandTest, AFileWithoutARequestIsNotVerified) {
  auto recorded = Json::parse(slurp(results()));
  recorded.erase("request");
  std::ofstream(results()) << recorded.dump(2) << "\n";
  auto r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no 'request' to run again"));
  EXPECT_THAT(r.err, HasSubstr("[verify.invalid_results]"));
  std::ofstream(results()) << "statistic,variable\n";
  r = sipas({"verify", results()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a results file of sipas analyze"));
  r = sipas({"verify", (dir_ / "nowhere.json").string()});
  EXPECT_EQ(r.exit_code, 1);
}

}  // namespace
