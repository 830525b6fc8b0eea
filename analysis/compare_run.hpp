#pragma once

// One `sipas compare` run: the request, the result and its JSON
// (analysis/README.md, "Comparisons").

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/compare.hpp"
#include "analysis/multiple_testing.hpp"
#include "analysis/run.hpp"
#include "analysis/year_on_year.hpp"

namespace sipas::analysis {

struct CompareRequest {
  // The data and design (as `sipas analyze` takes them), one mean or
  // proportion in `statistics`, the one domain column in `by`, and `level`.
  // `data` may be empty when this year's estimates come from `this_year`.
  AnalysisRequest analysis;
  std::vector<std::pair<std::string, std::string>> pairs;  // a − b; b may be "all"
  bool each_vs_all = false;
  Adjustment adjustment = Adjustment::Holm;
  // Year on year: this year's estimates from the data or from a results
  // file; last year's from a results file and/or from last year's data (its
  // design in `last_year_data`, its data file there too), the units matched
  // through a unit map or by identical code.
  std::optional<std::filesystem::path> this_year;
  std::optional<std::filesystem::path> last_year;
  std::optional<AnalysisRequest> last_year_data;
  std::optional<std::filesystem::path> unit_map;
  std::string last_year_by;  // last year's unit column; empty: the same as by
  std::string command_line;
};

struct CompareResult {
  std::string statistic, variable, by;
  Adjustment adjustment = Adjustment::Holm;
  double level = 0.95;
  std::string test;                 // the comparisons' test ("" without data)
  nlohmann::json design;            // this year's design summary (null without data)
  nlohmann::json inputs;            // every input file with its SHA-256
  std::vector<Estimate> estimates;  // this year's: everyone, then each level
  std::vector<Difference> comparisons;
  bool year_on_year_asked = false;
  std::vector<YearOnYear> year_on_year;
  nlohmann::json year_on_year_method;  // how the past was found and tested
  std::string command_line;
};

// Throws AnalysisError compare.* for options that do not go together (see
// README), and whatever the design, the data, the results files and the
// unit map throw, before anything is returned.
CompareResult run_compare(const CompareRequest& request);

nlohmann::json to_json(const CompareResult& result);

// The test a year-on-year entry states.
inline constexpr const char* year_on_year_test =
    "independent samples: variances added, normal reference";

}  // namespace sipas::analysis
