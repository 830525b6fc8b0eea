// Year on year across a reorganisation of the units (analysis/year_on_year.*,
// compare_run.*): this year's estimates beside last year's for the same
// territory, from a results file (old units combined) or from last year's
// answers (the new unit as a domain of the old design). Checked against R
// (tests/reference/compare_reference.R, "year_on_year") and against the
// combination formula written out here.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "analysis/compare_run.hpp"
#include "analysis/error.hpp"
#include "analysis/run.hpp"
#include "io/csv_reader.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::analysis {
namespace {

using Json = nlohmann::json;
using sipas::test::expect_relative;
using sipas::test::reference_file;

constexpr double estimate_tolerance = 1e-9;
constexpr double se_tolerance = 1e-7;

const Json& reference() {
  return sipas::test::reference_json("compare_reference.json")["year_on_year"];
}

// Last year's design: svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc).
AnalysisRequest last_year_design() {
  AnalysisRequest r;
  r.data = reference_file("compare_last_year.csv");
  r.design.strata = "stype";
  r.design.weights = "pw";
  r.design.fpc = {"fpc"};
  return r;
}

class YearOnYearTest : public ::testing::Test {
 protected:
  // Last year's results file, as `sipas analyze --mean score --by unit`
  // writes it (its estimates are checked against R's svyby below).
  std::string last_year_results() {
    AnalysisRequest r = last_year_design();
    r.statistics = {parse_statistic(StatisticRequest::Kind::Mean, "score")};
    r.by = {"unit"};
    const auto path = dir_ / "last.json";
    std::ofstream(path) << to_json(run_analysis(r)).dump();
    return path.string();
  }

  CompareRequest this_year(const std::string& by = "unit") const {
    CompareRequest r;
    r.analysis.data = reference_file("compare_this_year.csv");
    r.analysis.design.fpc = {"fpc"};
    r.analysis.statistics = {parse_statistic(StatisticRequest::Kind::Mean, "score")};
    r.analysis.by = {by};
    return r;
  }

  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  sipas::test::TempDir dir_;
};

const YearOnYear& entry(const std::vector<YearOnYear>& entries, const std::string& unit) {
  for (const auto& y : entries) {
    if (y.unit == unit) return y;
  }
  throw std::runtime_error("no entry " + unit);
}

// Every entry of R's list: past, this year's and last year's estimates, the
// difference, its SE, interval and p, and the adjusted p of both methods.
void expect_like_r(const CompareRequest& request, const Json& want_entries) {
  for (const auto& [method, adjustment] :
       {std::pair{"p_holm", Adjustment::Holm}, std::pair{"p_BH", Adjustment::BH}}) {
    CompareRequest r = request;
    r.adjustment = adjustment;
    const auto result = run_compare(r);
    ASSERT_EQ(result.year_on_year.size(), want_entries.size());
    for (const auto& want : want_entries) {
      const std::string unit = want["unit"];
      const YearOnYear& y = entry(result.year_on_year, unit);
      EXPECT_EQ(y.past, want["past"]) << unit;
      expect_relative(y.this_year, want["this_year"], estimate_tolerance, unit + " this year");
      expect_relative(y.this_se, want["this_se"], se_tolerance, unit + " this se");
      if (want["past"] == "none") {
        EXPECT_TRUE(std::isnan(y.difference)) << unit;
        EXPECT_FALSE(y.note.empty()) << unit;
        continue;
      }
      expect_relative(y.last_year, want["last_year"], estimate_tolerance, unit + " last year");
      expect_relative(y.last_se, want["last_se"], se_tolerance, unit + " last se");
      expect_relative(y.difference, want["difference"], estimate_tolerance, unit + " difference");
      expect_relative(y.se, want["se"], se_tolerance, unit + " se");
      expect_relative(y.ci_low, want["ci_low"], se_tolerance, unit + " ci_low");
      expect_relative(y.ci_high, want["ci_high"], se_tolerance, unit + " ci_high");
      if (!want.contains("p")) {
        // an SE of 0: no test, and not one of the hypotheses adjusted
        EXPECT_TRUE(std::isnan(y.p) && std::isnan(y.p_adjusted)) << unit;
        EXPECT_FALSE(y.significant) << unit;
        continue;
      }
      expect_relative(y.p, want["p"], se_tolerance, unit + " p");
      expect_relative(y.p_adjusted, want[method], se_tolerance, unit + " " + method);
    }
  }
}

TEST_F(YearOnYearTest, LastYearsResultsAreRsSvyby) {
  const Json& want = reference()["last_year"];
  const auto units = read_results_units(last_year_results(), "mean", "score", "unit");
  ASSERT_EQ(units.units.size(), want["units"].size());
  for (std::size_t k = 0; k < want["units"].size(); ++k) {
    const UnitValue* u = units.find(want["units"][k]);
    ASSERT_NE(u, nullptr) << want["units"][k];
    expect_relative(u->estimate, want["estimate"][k], estimate_tolerance, u->unit);
    expect_relative(u->se, want["se"][k], se_tolerance, u->unit + " se");
    expect_relative(u->weighted_n, want["weighted_n"][k], estimate_tolerance, u->unit + " N");
  }
}

// (b) old units combined from the results file, with a unit map: merged
// units, a renamed one, unchanged ones, a split county and units the map
// does not list (never compared with last year's namesake).
TEST_F(YearOnYearTest, CombinedFromResultsAsR) {
  CompareRequest r = this_year();
  r.last_year = last_year_results();
  r.unit_map = reference_file("compare_unit_map.csv");
  expect_like_r(r, reference()["combined"]["entries"]);
  const auto result = run_compare(r);
  const YearOnYear& east_bay = entry(result.year_on_year, "East Bay");
  EXPECT_EQ(east_bay.source, "results");
  EXPECT_EQ(east_bay.weights, "weighted_n");
  ASSERT_EQ(east_bay.from.size(), 2u);
  EXPECT_EQ(east_bay.from[0].unit, "Alameda");
  EXPECT_EQ(east_bay.from[0].date, "2025-07-01");
  EXPECT_EQ(entry(result.year_on_year, "Ventura").note,
            "not in the unit map as a new unit: no comparable past (a unit of that name last "
            "year is not compared)");
  EXPECT_EQ(entry(result.year_on_year, "Silicon Valley").note,
            "old unit 'Santa Clara' was split (into Bay West, Silicon Valley): its estimate "
            "covers more than this unit");
  EXPECT_EQ(result.year_on_year_method["test"], year_on_year_test);
}

// The combination written out from the results file's numbers:
// last = Σ_k w_k ȳ_k with w_k = N_k / Σ_j N_j (N_k its weighted_n) and
// se_last = √(Σ_k w_k² se_k²); then d = this − last, se = √(se_this² +
// se_last²), p = 2 (1 − Φ(|d| / se)).
TEST_F(YearOnYearTest, CombinedByTheFormula) {
  const std::string results = last_year_results();
  const Json file = Json::parse(std::ifstream(results));
  std::map<std::string, Json> old;
  for (const auto& e : file["estimates"]) {
    if (e["domain"].is_object()) old[e["domain"]["unit"]] = e;
  }
  CompareRequest r = this_year();
  r.last_year = results;
  r.unit_map = reference_file("compare_unit_map.csv");
  const auto result = run_compare(r);
  const std::map<std::string, std::vector<std::string>> merged = {
      {"Southland", {"San Diego", "Riverside", "San Bernardino"}},
      {"Valley", {"Fresno", "Kern", "Tulare", "Kings"}},
      {"Capital", {"Sacramento"}}};
  for (const auto& [unit, parts] : merged) {
    double total = 0;
    for (const auto& p : parts)
      total += old[p]["weighted_n"].get<double>();
    double last = 0, variance = 0;
    for (const auto& p : parts) {
      const double w = old[p]["weighted_n"].get<double>() / total;
      last += w * old[p]["estimate"].get<double>();
      variance += w * w * std::pow(old[p]["se"].get<double>(), 2);
    }
    const YearOnYear& y = entry(result.year_on_year, unit);
    EXPECT_EQ(y.past, "combined") << unit;
    EXPECT_NEAR(y.last_year, last, 1e-9 * last) << unit;
    EXPECT_NEAR(y.last_se, std::sqrt(variance), 1e-12 * std::sqrt(variance)) << unit;
    const double se = std::sqrt(y.this_se * y.this_se + variance);
    EXPECT_NEAR(y.se, se, 1e-12 * se) << unit;
    EXPECT_NEAR(y.p, std::erfc(std::fabs(y.this_year - last) / se / std::sqrt(2.0)), 1e-12) << unit;
    ASSERT_EQ(y.from.size(), parts.size());
    for (std::size_t k = 0; k < parts.size(); ++k)
      EXPECT_NEAR(y.from[k].weight, old[parts[k]]["weighted_n"].get<double>() / total, 1e-15);
  }
}

// (a) the new units as domains of last year's design (R: svyby on the
// mapped column); the estimate is the combined one of (b), exactly, since
// both are Σ w y / Σ w over the same rows, while the variance is the
// design's, not the independence approximation.
TEST_F(YearOnYearTest, MappedFromLastYearsDataAsR) {
  CompareRequest r = this_year();
  r.last_year_data = last_year_design();
  r.unit_map = reference_file("compare_unit_map.csv");
  expect_like_r(r, reference()["mapped"]["entries"]);
  const auto mapped = run_compare(r);
  EXPECT_EQ(entry(mapped.year_on_year, "East Bay").source, "data");
  r.last_year_data.reset();
  r.last_year = last_year_results();
  const auto combined = run_compare(r);
  for (const char* unit : {"East Bay", "Southland", "Valley", "Capital", "Los Angeles"}) {
    expect_relative(entry(mapped.year_on_year, unit).last_year,
                    entry(combined.year_on_year, unit).last_year, estimate_tolerance, unit);
  }
}

// This year's estimates from a results file (--this-year) give the same
// entries as from the data.
TEST_F(YearOnYearTest, ThisYearFromAResultsFile) {
  CompareRequest from_data = this_year();
  AnalysisRequest now = from_data.analysis;
  const auto path = dir_ / "now.json";
  std::ofstream(path) << to_json(run_analysis(now)).dump();
  CompareRequest r;
  r.analysis.statistics = now.statistics;
  r.analysis.by = now.by;
  r.this_year = path;
  r.last_year = last_year_results();
  r.unit_map = reference_file("compare_unit_map.csv");
  expect_like_r(r, reference()["combined"]["entries"]);
  const auto result = run_compare(r);
  EXPECT_TRUE(result.design.is_null());
  EXPECT_TRUE(result.comparisons.empty());
  EXPECT_EQ(result.inputs["this_year"]["file"], "now.json");
}

// Without a map, units are matched by identical code, and the output says so.
TEST_F(YearOnYearTest, ByIdenticalCodeWithoutAMap) {
  CompareRequest r = this_year("county");
  r.last_year = last_year_results();
  r.last_year_by = "unit";
  expect_like_r(r, reference()["by_code"]["entries"]);
  const auto result = run_compare(r);
  EXPECT_EQ(result.year_on_year_method["units_matched"],
            "by identical code: units were assumed unchanged (no unit map)");
}

// The formula on numbers small enough to follow: old units A (60, se 2,
// N 100) and B (70, se 3, N 300) became X. w = (0.25, 0.75); last year
// 0.25·60 + 0.75·70 = 67.5; variance 0.25²·4 + 0.75²·9 = 5.3125. This year
// X is 70 with se 1.5: d = 2.5, se = √(2.25 + 5.3125) = √7.5625 = 2.75.
// Without counts the weights are equal: 65, variance (4 + 9)/4 = 3.25.
TEST_F(YearOnYearTest, CombinationByHand) {
  UnitMap map;
  map.file = "map.csv";
  map.lines = {{"A", "X", "2025-07-01", 2}, {"B", "X", "2025-07-01", 3}};
  LastYear last;
  last.map = &map;
  last.results = ResultsUnits{"last.json", "", {{"A", 60, 2, 10, 100}, {"B", 70, 3, 30, 300}}};
  const std::vector<UnitValue> now = {{"X", 70, 1.5, 40, 400}};
  auto y = year_on_year(now, last, 0.95, Adjustment::Holm).at(0);
  EXPECT_EQ(y.past, "combined");
  EXPECT_EQ(y.weights, "weighted_n");
  EXPECT_DOUBLE_EQ(y.last_year, 67.5);
  EXPECT_DOUBLE_EQ(y.last_se * y.last_se, 5.3125);
  EXPECT_DOUBLE_EQ(y.difference, 2.5);
  EXPECT_DOUBLE_EQ(y.se, 2.75);
  EXPECT_NEAR(y.ci_low, 2.5 - 1.959963984540054 * 2.75, 1e-12);
  EXPECT_NEAR(y.p, std::erfc(2.5 / 2.75 / std::sqrt(2.0)), 1e-15);
  last.results->units[1].weighted_n = not_available;
  y = year_on_year(now, last, 0.95, Adjustment::Holm).at(0);
  EXPECT_EQ(y.weights, "equal");
  EXPECT_DOUBLE_EQ(y.last_year, 65);
  EXPECT_DOUBLE_EQ(y.last_se * y.last_se, 3.25);
}

TEST_F(YearOnYearTest, UnitMapErrorsNameFileLineAndColumn) {
  auto expect_error = [&](const std::string& text, const std::string& id,
                          const std::string& message) {
    const std::string path = write("map.csv", text);
    try {
      CompareRequest r = this_year();
      r.last_year = last_year_results();
      r.unit_map = path;
      run_compare(r);
      ADD_FAILURE() << "no error, expected " << id;
    } catch (const Error& e) {
      EXPECT_EQ(e.id(), id);
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  expect_error(
      "old_unit,new_unit,date\nAlameda,East Bay,2025-07-01\nAtlantis,East Bay,2025-07-01\n",
      "unit_map.unknown_unit",
      "map.csv:3: column 'old_unit': 'Atlantis' is no unit of last year (the mean of "
      "score by unit in last.json)");
  expect_error("old_unit,new_unit,date\nAlameda,East Bay,2025-02-30\n", "unit_map.invalid_date",
               "map.csv:2: column 'date' is '2025-02-30', not a date written YYYY-MM-DD (e.g. "
               "2025-07-01)");
  expect_error("old_unit,new_unit,date\nAlameda,East Bay,1/7/2025\n", "unit_map.invalid_date",
               "map.csv:2: column 'date' is '1/7/2025', not a date written YYYY-MM-DD (e.g. "
               "2025-07-01)");
  expect_error("old_unit,new_unit,date\nAlameda,,2025-07-01\n", "unit_map.empty_field",
               "map.csv:2: column 'new_unit' is empty (every line names the old unit, the new "
               "unit and the date of the change; an unchanged unit is listed with old = new)");
  expect_error("old_unit,new_unit,date\nAlameda,East Bay,2025-07-01\nAlameda,East Bay,2025-07-01\n",
               "unit_map.duplicate_line", "map.csv:3: 'Alameda' to 'East Bay' is listed twice");
  expect_error("old,new_unit,date\nAlameda,East Bay,2025-07-01\n", "csv.missing_column",
               "map.csv: no column 'old_unit' (columns: old, new_unit, date)");
  expect_error("old_unit,new_unit,date\n", "unit_map.empty", "map.csv: no line below the header");
}

TEST_F(YearOnYearTest, ResultsFileErrors) {
  CompareRequest r = this_year();
  r.last_year = write("bad.json", "{\"estimates\": 3}");
  try {
    run_compare(r);
    ADD_FAILURE();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "compare.invalid_results");
    EXPECT_EQ(std::string(e.what()),
              "bad.json: no \"estimates\" array (is it a results file of sipas analyze?)");
  }
  r.last_year = last_year_results();
  r.analysis.statistics = {parse_statistic(StatisticRequest::Kind::Mean, "api00")};
  r.analysis.data = reference_file("compare_this_year.csv");
  try {
    run_compare(r);
    ADD_FAILURE();
  } catch (const Error& e) {
    // this year's data have no api00
    EXPECT_EQ(e.id(), "data.missing_column");
  }
  r.this_year = r.last_year;
  r.analysis.data.clear();
  try {
    run_compare(r);
    ADD_FAILURE();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "compare.no_estimates");
    EXPECT_EQ(std::string(e.what()),
              "last.json: no mean of api00 by unit (the file has: mean of score by unit)");
  }
}

}  // namespace
}  // namespace sipas::analysis
