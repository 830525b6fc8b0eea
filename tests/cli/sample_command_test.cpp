// sipas sample and sipas sample size, run as a user runs them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/csv_reader.hpp"
#include "tests/support/process.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::test::sipas;
using ::testing::HasSubstr;

std::string apipop() {
  return std::string(SIPAS_SOURCE_DIR) + "/../shared/data/api/apipop.csv";
}

class SampleCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.path(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  sipas::test::TempDir temp_;
  fs::path dir_;
};

TEST_F(SampleCommandTest, HelpShowsTheOptionsAndTheFormulas) {
  auto r = sipas({"sample", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option :
       {"--frame", "--strata", "--allocation", "--method", "--reserve", "--design", "--seed"}) {
    EXPECT_THAT(r.out, HasSubstr(option));
  }
  auto size = sipas({"sample", "size", "--help"});
  EXPECT_EQ(size.exit_code, 0);
  EXPECT_THAT(size.out, HasSubstr("N / (1 + N e²)"));
  EXPECT_THAT(size.out, HasSubstr("z² p (1-p) / e²"));
}

TEST_F(SampleCommandTest, SizeWithSlovinAndCochran) {
  auto slovin = sipas({"sample", "size", "--population", "10000", "--slovin", "--format", "json"});
  ASSERT_EQ(slovin.exit_code, 0) << slovin.err;
  auto report = nlohmann::json::parse(slovin.out);
  EXPECT_EQ(report["domains"][0]["n"], 385);
  auto cochran = sipas({"sample", "size", "--frame", apipop(), "--strata", "stype", "--min", "380",
                        "--format", "json"});
  ASSERT_EQ(cochran.exit_code, 0) << cochran.err;
  report = nlohmann::json::parse(cochran.out);
  ASSERT_EQ(report["domains"].size(), 3u);
  // H: N = 755, n0 = 384.146 -> 384.146 / (1 + 383.146/755) = 254.9 -> 255, raised to 380.
  EXPECT_EQ(report["domains"][1]["domain"], "H");
  EXPECT_EQ(report["domains"][1]["n"], 380);
  EXPECT_TRUE(report["domains"][1]["raised_to_minimum"].get<bool>());
  auto table = sipas({"sample", "size", "--frame", apipop(), "--strata", "stype"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("total"));
}

TEST_F(SampleCommandTest, DrawsASampleAndItsDesignRecord) {
  auto r = sipas({"sample", "--frame", apipop(), "--id", "cds", "--strata", "stype", "--n", "200",
                  "--reserve", "2", "--carry", "dnum", "--out", path("sample.csv"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("200 main and 6 reserve units from 6,194 frame rows in 3 strata"));
  ASSERT_TRUE(fs::exists(path("sample.csv")));
  std::ifstream design_file(path("design.json"));
  auto design = nlohmann::json::parse(design_file);
  EXPECT_EQ(design["seed_source"], "drawn");
  EXPECT_THAT(design["command"].get<std::string>(), HasSubstr("sipas sample --frame"));
  EXPECT_EQ(design["frame"]["rows"], 6194);
  EXPECT_EQ(design["frame"]["sha256"].get<std::string>().size(), 64u);
}

TEST_F(SampleCommandTest, SameSeedSameFile) {
  std::vector<std::string> args = {"sample",   "--frame", apipop(), "--id", "cds",
                                   "--strata", "stype",   "--n",    "50",   "--seed",
                                   "42",       "--quiet", "--out"};
  auto a = args, b = args;
  a.push_back(path("a.csv"));
  b.push_back(path("b.csv"));
  ASSERT_EQ(sipas(a).exit_code, 0);
  ASSERT_EQ(sipas(b).exit_code, 0);
  EXPECT_EQ(sipas::test::slurp(path("a.csv")), sipas::test::slurp(path("b.csv")));
}

TEST_F(SampleCommandTest, BadInputIsAUserErrorAndWritesNothing) {
  std::ofstream(path("frame.csv")) << "id,region\na,x\nb,x\na,y\n";
  auto dup = sipas({"sample", "--frame", path("frame.csv"), "--strata", "region", "--n", "1",
                    "--out", path("sample.csv")});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_THAT(dup.err, HasSubstr("frame.csv:4: duplicate id 'a' (also on line 2)"));
  EXPECT_FALSE(fs::exists(path("sample.csv")));
  EXPECT_FALSE(fs::exists(path("design.json")));

  auto too_many =
      sipas({"sample", "--frame", path("frame.csv"), "--n", "9", "--out", path("sample.csv")});
  EXPECT_EQ(too_many.exit_code, 1);
  EXPECT_FALSE(fs::exists(path("sample.csv")));

  auto column = sipas({"sample", "--frame", apipop(), "--id", "cds", "--strata", "province", "--n",
                       "9", "--out", path("sample.csv")});
  EXPECT_EQ(column.exit_code, 1);
  EXPECT_THAT(column.err, HasSubstr("no column 'province'"));

  auto missing = sipas({"sample", "--n", "9", "--out", path("sample.csv")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--frame"));

  auto method = sipas({"sample", "--frame", apipop(), "--id", "cds", "--n", "9", "--method",
                       "lottery", "--out", path("sample.csv")});
  EXPECT_EQ(method.exit_code, 1);
  EXPECT_THAT(method.err, HasSubstr("--method must be"));
}

TEST_F(SampleCommandTest, PpsSampleOfTwoThousandApiSchools) {
  // Issue 16: Sampford's method cannot draw 2,000 of the api schools by
  // enrolment (197 certain, 1,803 of 5,960 to draw); the command chooses the
  // maximum-entropy design, says so, and records it. A frame row needs a size,
  // so the 37 schools without an enrolment are left out first.
  {
    sipas::io::CsvReader in(apipop());
    const auto cds = in.require_column("cds"), enroll = in.require_column("enroll");
    std::ofstream out(path("frame.csv"));
    out << "cds,enroll\n";
    while (in.next()) {
      if (!in.field(enroll).empty()) out << in.field(cds) << "," << in.field(enroll) << "\n";
    }
  }
  auto r =
      sipas({"sample", "--frame", path("frame.csv"), "--id", "cds", "--method", "pps", "--size",
             "enroll", "--n", "2000", "--seed", "16", "--out", path("sample.csv"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2,000 main and 0 reserve units from 6,157 frame rows"));
  EXPECT_THAT(r.out,
              HasSubstr("pps: the maximum-entropy (conditional Poisson) design in 1 stratum, "
                        "where Sampford's method would need more than 1,000 tries"));
  std::ifstream design_file(path("design.json"));
  auto design = nlohmann::json::parse(design_file);
  EXPECT_EQ(design["method"], "pps");
  EXPECT_EQ(design["pps_algorithms"], nlohmann::json({{"maximum-entropy", 1}}));
  EXPECT_EQ(design["strata"][0]["pps_algorithm"], "maximum-entropy");
  EXPECT_EQ(design["sample"]["main"], 2000);
  auto rows = sipas::test::slurp(path("sample.csv"));
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 2001);

  // A small sample by size still uses Sampford's method.
  auto small = sipas({"sample", "--frame", path("frame.csv"), "--id", "cds", "--method", "pps",
                      "--size", "enroll", "--n", "20", "--seed", "16", "--out", path("small.csv"),
                      "--design-out", path("small.json"), "--quiet"});
  ASSERT_EQ(small.exit_code, 0) << small.err;
  EXPECT_THAT(small.out, HasSubstr("pps: Sampford's method in 1 stratum\n"));

  // The population file itself has schools without an enrolment: an error
  // that names the row, as for any size that is not a number > 0.
  auto missing = sipas({"sample", "--frame", apipop(), "--id", "cds", "--method", "pps", "--size",
                        "enroll", "--n", "2000", "--out", path("none.csv"), "--quiet"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("column 'enroll' must be a number, not ''"));
}

TEST_F(SampleCommandTest, MultiStageDesignFile) {
  std::ofstream(path("design.in.json")) << R"({"format": "sipas-design/1", "strata": ["stype"],
    "stages": [{"unit": "dnum", "method": "pps", "n": 3},
               {"method": "srs", "n": 2, "reserve": 1}]})";
  auto r = sipas({"sample", "--frame", apipop(), "--id", "cds", "--design", path("design.in.json"),
                  "--seed", "3", "--out", path("sample.csv"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = sipas::test::slurp(path("sample.csv"));
  EXPECT_THAT(text, HasSubstr("pi_dnum,pi_rows"));
  auto bad = sipas({"sample", "--frame", apipop(), "--id", "cds", "--design",
                    path("design.in.json"), "--n", "4", "--out", path("other.csv")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--design describes"));
}

}  // namespace
