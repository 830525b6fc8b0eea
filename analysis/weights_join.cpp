// sipas analyze --weights-file: weights.csv joined to the answers by id, and
// the nonresponse adjustment as a calibration step of the variance.

#include "analysis/weights_join.hpp"

#include <cmath>
#include <map>
#include <unordered_map>

#include "analysis/calibration.hpp"
#include "analysis/error.hpp"
#include "io/csv_reader.hpp"

namespace sipas::analysis {
namespace {

constexpr const char* id_column = "id";
constexpr const char* class_column = "weighting_class";

std::string line_of(const Table& t, std::size_t row) {
  return t.source() + ":" + std::to_string(t.line_of(row));
}

const Column& required(const Table& t, const std::string& name, const std::string& why) {
  if (!t.has(name)) {
    throw AnalysisError("weights_join.missing_column",
                        t.source() + ":1: no column '" + name + "' (" + why +
                            "; columns: " + io::list_columns(t.file_columns()) + ")");
  }
  return t.column(name);
}

}  // namespace

Table join_weights(const Table& data, const WeightsJoin& join, JoinReport* report) {
  const Table weights = Table::load(join.file);
  const Column& ids = required(weights, id_column, "the respondent's id, as sipas weights writes");
  required(weights, "weight", "the final weight, as sipas weights writes");
  std::unordered_map<std::string_view, std::size_t> row_of_id;
  row_of_id.reserve(weights.rows());
  for (std::size_t row = 0; row < weights.rows(); ++row) {
    const std::string& id = ids.text(row);
    if (id.empty()) {
      throw AnalysisError("weights_join.missing_value", line_of(weights, row) + ": an empty id");
    }
    if (!row_of_id.emplace(id, row).second) {
      throw AnalysisError("weights_join.duplicate_id",
                          line_of(weights, row) + ": id '" + id + "' a second time");
    }
  }
  const Column& data_ids =
      required(data, join.data_id, "`weights_id`: the column holding weights.csv's id");
  const Column* review = data.has(review_column) ? &data.column(review_column) : nullptr;

  // Each kept data row and its row of weights.csv.
  std::vector<std::size_t> kept, weight_row;
  std::vector<std::size_t> data_row_of(weights.rows(), data.rows());
  std::size_t rejected = 0;
  for (std::size_t row = 0; row < data.rows(); ++row) {
    if (review && review->text(row) == "rejected") {
      ++rejected;
      continue;
    }
    const std::string& id = data_ids.text(row);
    auto it = row_of_id.find(id);
    if (it == row_of_id.end()) {
      const std::size_t first = data.first_in_file([&](std::size_t r) {
        return !(review && review->text(r) == "rejected") && !row_of_id.contains(data_ids.text(r));
      });
      throw AnalysisError(
          "weights_join.no_weight",
          line_of(data, first) + ": " + join.data_id + " '" + data_ids.text(first) +
              "' is not in " + join.file.filename().string() +
              ": these weights are not of this survey's respondents (or the data hold answers "
              "sipas weights did not count as a response)");
    }
    if (data_row_of[it->second] != data.rows()) {
      throw AnalysisError("weights_join.duplicate_id",
                          line_of(data, row) + ": a second row of " + join.data_id + " '" + id +
                              "' (the first at line " +
                              std::to_string(data.line_of(data_row_of[it->second])) + ")");
    }
    data_row_of[it->second] = row;
    kept.push_back(row);
    weight_row.push_back(it->second);
  }
  for (std::size_t w = 0; w < weights.rows(); ++w) {
    if (data_row_of[w] == data.rows()) {
      throw AnalysisError(
          "weights_join.no_data",
          line_of(weights, w) + ": respondent '" + ids.text(w) + "' has no row in " +
              data.source() +
              ": the weights are those of every respondent, so every respondent's answers are "
              "analysed together (use `by` for groups)");
    }
  }

  Table joined = data.select_rows(kept);
  JoinReport r;
  r.file = join.file.filename().string();
  r.sha256 = weights.sha256();
  r.respondents = weights.rows();
  r.rejected = rejected;
  for (const auto& name : weights.names()) {
    if (name == id_column) continue;
    if (joined.has(name)) {
      throw AnalysisError("weights_join.column_clash", data.source() + ": a column '" + name +
                                                           "' that " + r.file +
                                                           " also has; rename one of them");
    }
    const Column& source = weights.column(name);
    Column column;
    column.reserve(kept.size());
    for (const std::size_t w : weight_row)
      column.push(source.text(w));
    if (name == class_column) r.classes = column.levels().size();
    if (name == "w_calibrated") r.calibrated = true;
    joined.add_column(name, std::move(column));
    r.columns.push_back(name);
  }
  if (report) *report = std::move(r);
  return joined;
}

Design nonresponse_calibration(const Design& design, const Table& data) {
  const Column& classes = required(data, class_column, "each respondent's weighting class");
  required(data, "w_nonresponse", "the weights after the nonresponse adjustment");
  const std::vector<double> adjusted = data.numbers("w_nonresponse");
  std::map<std::string, double> totals;
  for (std::size_t row = 0; row < data.rows(); ++row)
    totals[classes.text(row)] += adjusted[row];
  std::vector<Margin> margins;
  for (const auto& [level, total] : totals)
    margins.push_back({class_column, level, total, data.source()});
  CalibrationOptions options;
  options.method = CalibrationOptions::PostStratify;
  return calibrate(design, data, margins, options);
}

double check_final_weights(const Design& design, const Table& data, double tolerance) {
  const std::vector<double> final = data.numbers("weight");
  const Eigen::VectorXd& w = design.weights();
  double largest = 0;
  std::size_t worst = 0;
  for (std::size_t row = 0; row < data.rows(); ++row) {
    const double d =
        std::abs(w[static_cast<Eigen::Index>(row)] - final[row]) / std::abs(final[row]);
    if (!(d <= largest)) {
      largest = d;
      worst = row;
    }
  }
  if (!(largest <= tolerance)) {
    throw AnalysisError("weights_join.weights_differ",
                        line_of(data, worst) +
                            ": the weight re-done from w_eligible, the weighting classes and "
                            "the calibration is " +
                            std::to_string(w[static_cast<Eigen::Index>(worst)]) +
                            ", not weights.csv's " + std::to_string(final[worst]) +
                            ": give `margins` and `calfun` as weights.csv was calibrated (its "
                            "report, weights.json, "
                            "records them; neither if it had none)");
  }
  return largest;
}

}  // namespace sipas::analysis
