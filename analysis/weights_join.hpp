#pragma once

// `sipas analyze --weights-file`: the weights `sipas weights` wrote
// (weights.csv) joined to the respondents' answers by id and, with
// linearization, the nonresponse adjustment taken by the variance as a
// calibration step (analysis/README.md, "Nonresponse adjustment").

#include <filesystem>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

struct WeightsJoin {
  std::filesystem::path file;
  // The data's column holding weights.csv's `id` (a response export's
  // respondent_id: the sample's id of the invitation).
  std::string data_id = "respondent_id";
};

// The data column whose value "rejected" marks a response turned down in
// review: `sipas weights --db` counts it as a nonrespondent, so it has no
// weight and is left out.
inline constexpr const char* review_column = "review";

struct JoinReport {
  std::string file, sha256;
  std::size_t respondents = 0;       // rows of weights.csv
  std::size_t rejected = 0;          // data rows left out: rejected in review
  std::vector<std::string> columns;  // the columns added, in weights.csv's order
  std::size_t classes = 0;           // distinct weighting_class values
  bool calibrated = false;           // weights.csv has w_calibrated
};

// The data rows (those not rejected in review) with every column of
// weights.csv but `id` added, matched by id; each respondent of weights.csv
// must have exactly one data row and each data row a weight. Throws
// AnalysisError naming the file and line: weights_join.missing_column (the
// data's id column; weights.csv's id or weight), weights_join.duplicate_id
// (in weights.csv, or two data rows of one respondent), weights_join.no_weight
// (a data row whose id weights.csv lacks), weights_join.no_data (a respondent
// of weights.csv without a data row), weights_join.column_clash (a
// weights.csv column the data already has); io errors reading the file.
Table join_weights(const Table& data, const WeightsJoin& join, JoinReport* report);

// The design of the respondents weighted by w_eligible, post-stratified on
// weighting_class to the classes' totals of w_nonresponse: the weights
// become w_nonresponse, and the variance takes the classes' residuals before
// any later calibration's (Särndal and Lundström 2005, ch. 7–8). `data` is
// the joined table, row for row with the design. Throws AnalysisError
// weights_join.missing_column when weights.csv had no weighting_class or
// w_nonresponse, and calibrate()'s errors.
Design nonresponse_calibration(const Design& design, const Table& data);

// The largest relative difference between the design's weights and the
// joined `weight` column. Throws AnalysisError weights_join.weights_differ,
// naming the row's line, when it exceeds `tolerance`: the steps re-done here
// (the classes, then --margins and --calfun) are not those `sipas weights`
// took.
double check_final_weights(const Design& design, const Table& data, double tolerance);

}  // namespace sipas::analysis
