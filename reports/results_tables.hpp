#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/language.hpp"
#include "reports/report_inputs.hpp"

namespace sipas::reports {

// How a number column is shown in a spreadsheet (the value itself is always
// the full double).
enum class NumberFormat { General, Fixed4, Fixed2, Fixed1, Whole, Count, Precision };

struct TableColumn {
  std::string code;   // the CSV header: statistic, ci_low, index_A1, ...
  std::string label;  // the spreadsheet header in the chosen language (the code for CSV)
  NumberFormat format = NumberFormat::General;
  double width = 12;  // in characters, for the spreadsheet
};

struct TableCell {
  enum class Kind { Empty, Number, Text };
  Kind kind = Kind::Empty;
  double number = 0;
  std::string text;

  static TableCell of(double x);  // Empty when not finite (a null in the file)
  static TableCell of(std::string text);
};

// One sheet of a results workbook, or one CSV file.
struct ResultsTable {
  std::string sheet;  // estimates, design, PAR index
  std::vector<TableColumn> columns;
  std::vector<std::vector<TableCell>> rows;
  int precision = 4;  // decimals of NumberFormat::Precision
};

// The estimates of results.json: one column per domain variable (in order of
// first appearance), then statistic, variable, estimate, se, ci_low, ci_high,
// n, weighted_n, deff, ci_method, df. `language`: headers in that language;
// nullopt: codes (CSV).
ResultsTable estimates_table(const ResultsFile& results, std::optional<Language> language);

// The design block as key, description, value rows (nested keys joined by
// dots: calibration.method, inputs.data.sha256).
ResultsTable design_table(const ResultsFile& results, Language language);

// The PAR index by unit: unit, name, points, max_points, index, rank, group,
// flags (rescaled, survey points missing, not ranked), then the index of every
// area (top-level node), headed by its label in `language` (index_<id> in CSV).
ResultsTable par_index_table(const ParIndexResult& par, std::optional<Language> language);

}  // namespace sipas::reports
