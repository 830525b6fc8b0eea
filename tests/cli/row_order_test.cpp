// Issue 17, audit replay: the results of sipas analyze do not depend on the
// order of the data's rows. Each design analyses a generated file and the same
// file with its rows shuffled (the same name in another folder), and the two
// results files must be the same bytes apart from what records the input
// itself: the data's SHA-256 and the command line (its paths). Summed in file
// order, estimates differed in their last digits (an SE of 3.246900805740597
// against 3.2469008057405984). Errors that name a CSV line still name the
// first line of the file with the problem.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// SplitMix64: the same rows on every platform.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

// A stratified two-stage sample: 6 strata × 8 PSUs × 3 SSUs, weights with
// many digits, a continuous x and y, four answers of the example
// questionnaire (1-5, satisfaction also 9 = no opinion; empty = missing), sex and age for
// calibration, six replicate weight columns, and a PAR unit and group with two
// items. Rows that are equal in every column occur too (the last 40 repeat
// earlier ones).
const std::string header =
    "id,stratum,psu,ssu,fpc1,fpc2,weight,domain,sex,age,x,y,service_1,service_2,service_3,"
    "satisfaction,unit,group,p1,p2,rw1,rw2,rw3,rw4,rw5,rw6";

std::vector<std::string> generated_rows() {
  Random random{20260417};
  std::vector<std::string> rows;
  // 9 ("no opinion") is a code of `satisfaction` only.
  auto answer = [&](bool no_opinion) {
    const double u = random.uniform();
    if (u < 0.03) return std::string();
    if (no_opinion && u < 0.08) return std::string("9");
    return std::to_string(1 + random.below(5));
  };
  int id = 0;
  for (int h = 1; h <= 6; ++h) {
    for (int p = 1; p <= 8; ++p) {
      const double psu_weight = 20 + 80 * random.uniform();
      for (int s = 1; s <= 3; ++s) {
        const int people = 12 + static_cast<int>(random.below(10));
        for (int k = 0; k < people; ++k) {
          const double w = psu_weight * (0.8 + 0.4 * random.uniform());
          std::string row =
              std::to_string(++id) + ",S" + std::to_string(h) + ",S" + std::to_string(h) + "-P" +
              std::to_string(p) + ",U" + std::to_string(s) + "," + std::to_string(30 + 5 * h) +
              ",10," + fixed(w, 7) + ",d" + std::to_string(1 + random.below(5)) + "," +
              (random.uniform() < 0.52 ? "F" : "M") + ",a" + std::to_string(1 + random.below(3)) +
              "," + fixed(100 * random.uniform() + 7 * h, 6) + "," +
              fixed(50 + 50 * random.uniform(), 6);
          for (int q = 0; q < 4; ++q)
            row += "," + answer(q == 3);
          row += ",U" + std::to_string(1 + random.below(4)) + ",g" +
                 std::to_string(1 + random.below(2)) + "," + std::to_string(1 + random.below(5)) +
                 "," + std::to_string(1 + random.below(5));
          for (int r = 0; r < 6; ++r)
            row += "," + fixed(w * (0.5 + random.uniform()), 7);
          rows.push_back(std::move(row));
        }
      }
    }
  }
  // Equal rows: the same respondent's line twice, ids included.
  for (int k = 0; k < 40; ++k)
    rows.push_back(rows[random.below(rows.size())]);
  return rows;
}

void write(const fs::path& path, const std::vector<std::string>& rows) {
  std::ofstream out(path, std::ios::binary);
  out << header << "\n";
  for (const auto& row : rows)
    out << row << "\n";
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells(1);
  for (char c : line) {
    if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

std::vector<std::string> shuffled(std::vector<std::string> rows, std::uint64_t seed) {
  Random random{seed};
  for (std::size_t i = rows.size(); i > 1; --i)
    std::swap(rows[i - 1], rows[random.below(i)]);
  return rows;
}

// The results file less what records the input itself: the data's SHA-256
// (the file's bytes differ) and the command line (its paths differ).
std::string comparable(const std::string& text) {
  auto json = nlohmann::json::parse(text);
  json["design"]["inputs"]["data"].erase("sha256");
  json["design"].erase("command");
  return json.dump(1);
}

class RowOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(dir_ / "file-order");
    fs::create_directory(dir_ / "shuffled");
    fs::create_directory(dir_ / "reversed");
    const auto rows = generated_rows();
    write(dir_ / "file-order" / "responses.csv", rows);
    write(dir_ / "shuffled" / "responses.csv", shuffled(rows, 7));
    write(dir_ / "reversed" / "responses.csv",
          std::vector<std::string>(rows.rbegin(), rows.rend()));
    std::ofstream(dir_ / "margins.csv") << "variable,level,total\nsex,F,52000\nsex,M,48000\n"
                                           "age,a1,30000\nage,a2,35000\nage,a3,35000\n";
    std::ofstream(dir_ / "linear-margins.csv")
        << "variable,level,total\nsex,F,52000\nsex,M,48000\nx,,7400000\n";
    std::ofstream(dir_ / "scheme.json")
        << R"({"format": "sipas-par-survey/1", "unit_column": "unit", "group_column": "group",
               "conversion": {"method": "linear", "low": 1, "high": 5},
               "criteria": [{"id": "A1", "label": "One", "max_points": 4, "items": ["p1", "p2"]},
                            {"id": "A2", "label": "Two", "max_points": 2, "items": ["p2"]}]})";
  }

  // Analyses the three files with the same options; the results must agree.
  void expect_same_results(std::vector<std::string> options) {
    std::string first;
    for (const char* order : {"file-order", "shuffled", "reversed"}) {
      std::vector<std::string> args = {"analyze", "--data",
                                       (dir_ / order / "responses.csv").string()};
      args.insert(args.end(), options.begin(), options.end());
      const auto r = sipas(args);
      ASSERT_EQ(r.exit_code, 0) << order << ": " << r.err;
      const std::string results = comparable(r.out);
      if (first.empty()) {
        first = results;
      } else {
        EXPECT_EQ(results, first) << "the " << order << " rows give other results";
      }
    }
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string questionnaire() const {
    return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/examples/example-questionnaire.json";
  }

  sipas::test::TempDir dir_{"sipas-row-order"};
};

TEST_F(RowOrderTest, StratifiedClusteredEstimatesQuantilesIndicesAndDomains) {
  expect_same_results({"--strata", "stratum",      "--psu",  "psu",           "--weights",
                       "weight",   "--mean",       "x",      "--total",       "y",
                       "--ratio",  "x/y",          "--prop", "service_1=4,5", "--quantile",
                       "x:0.5",    "--quantile",   "y:0.25", "--by",          "domain",
                       "--index",  questionnaire()});
}

TEST_F(RowOrderTest, TwoStagesWithFpcAndDomainsCrossed) {
  expect_same_results({"--strata", "stratum", "--psu", "psu,ssu", "--fpc", "fpc1,fpc2", "--mean",
                       "x", "--prop", "satisfaction=4,5", "--by", "domain,sex", "--ci", "beta"});
}

TEST_F(RowOrderTest, EveryRowItsOwnPsuWithoutStrata) {
  expect_same_results(
      {"--weights", "weight", "--mean", "x", "--total", "x", "--quantile", "x:0.9", "--by", "age"});
}

TEST_F(RowOrderTest, RakedAndLinearCalibration) {
  expect_same_results({"--strata", "stratum", "--psu", "psu", "--weights", "weight", "--calibrate",
                       path("margins.csv"), "--calfun", "raking", "--mean", "x", "--prop",
                       "service_2=4,5", "--by", "domain", "--index", questionnaire()});
  expect_same_results({"--strata", "stratum", "--psu", "psu", "--weights", "weight", "--calibrate",
                       path("linear-margins.csv"), "--calfun", "linear", "--bounds", "0.2,5",
                       "--total", "y", "--mean", "x", "--by", "age"});
}

TEST_F(RowOrderTest, BuiltReplicateDesigns) {
  expect_same_results({"--strata", "stratum", "--psu", "psu", "--weights", "weight", "--replicates",
                       "jkn", "--mean", "x", "--ratio", "x/y", "--by", "domain", "--index",
                       questionnaire()});
  expect_same_results({"--strata", "stratum", "--psu", "psu", "--weights", "weight", "--replicates",
                       "bootstrap:30", "--seed", "5", "--mean", "x", "--prop", "service_3=5",
                       "--by", "sex"});
  expect_same_results({"--psu", "psu", "--weights", "weight", "--replicates", "jk1", "--total", "y",
                       "--by", "domain"});
}

TEST_F(RowOrderTest, ReplicateWeightsFromColumns) {
  expect_same_results({"--weights", "weight", "--repweights", "rw", "--reptype", "jk1", "--mean",
                       "x", "--prop", "satisfaction=5", "--by", "domain", "--index",
                       questionnaire()});
}

TEST_F(RowOrderTest, ParSurveyPointsAndRanking) {
  expect_same_results({"--strata", "stratum", "--psu", "psu", "--weights", "weight", "--scheme",
                       path("scheme.json")});
}

// The line an error names is the first line of the file with the problem,
// whatever order the analysis puts the rows in. The edited rows are written in
// reverse, so that the first problem in the file lies in a later stratum than
// the first in the analysis's order (which sorts by stratum).
TEST_F(RowOrderTest, ErrorsNameTheFirstLineWithTheProblem) {
  const auto rows = generated_rows();
  const auto names = split(header);
  // Row k with one cell replaced.
  auto with = [&](std::size_t k, const std::string& column, const std::string& value) {
    auto cells = split(rows[k]);
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c)
      out += (c ? "," : "") + (names[c] == column ? value : cells[c]);
    return out;
  };
  // The line of row k in the reversed file.
  auto line = [&](std::size_t k) { return ":" + std::to_string(rows.size() - k + 1) + ": "; };
  auto run = [&](const std::vector<std::string>& edited, std::vector<std::string> options) {
    write(dir_ / "errors.csv", std::vector<std::string>(edited.rbegin(), edited.rend()));
    std::vector<std::string> args = {"analyze", "--data", path("errors.csv")};
    args.insert(args.end(), options.begin(), options.end());
    return sipas(args);
  };
  const std::vector<std::string> design = {"--strata",  "stratum", "--psu",  "psu",
                                           "--weights", "weight",  "--mean", "x"};

  auto edited = rows;
  edited[700] = with(700, "weight", "heavy");
  auto r = run(edited, design);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("errors.csv" + line(700) + "column 'weight' must be a number"));

  edited = rows;
  edited[900] = with(900, "weight", "0");   // stratum S3, first in the file
  edited[150] = with(150, "weight", "-2");  // stratum S1, first in the analysis's order
  r = run(edited, design);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("errors.csv" + line(900) + "column 'weight' must be a positive"));

  edited = rows;
  edited[800] = with(800, "satisfaction", "7");
  edited[10] = with(10, "satisfaction", "6");
  r = run(edited, {"--weights", "weight", "--index", questionnaire()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("errors.csv" + line(800) + "item 'satisfaction': '7' is not one of"));

  edited = rows;
  edited[600] = with(600, "fpc1", "44");  // S2
  edited[200] = with(200, "fpc1", "41");  // S1
  r = run(edited, {"--strata", "stratum", "--psu", "psu", "--fpc", "fpc1", "--mean", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("errors.csv" + line(600) + "column 'fpc1' varies within stratum S2"));

  edited = rows;
  edited[500] = with(500, "age", "a9");  // S2
  edited[300] = with(300, "age", "a7");  // S1
  r = run(edited, {"--weights", "weight", "--calibrate", path("margins.csv"), "--mean", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("errors.csv" + line(500) + "level 'a9' of age occurs in the data"));
}

}  // namespace
