#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "reports/export_columns.hpp"
#include "reports/language.hpp"

namespace sipas::reports {

enum class ResponsesFormat { Csv, Sav, Dta };

// "csv", "sav" or "dta"; anything else is ReportError export.unknown_format.
ResponsesFormat parse_responses_format(const std::string& name);
// The format a file name asks for (.csv, .sav, .dta), if any.
std::optional<ResponsesFormat> responses_format_of(const std::filesystem::path& path);

// One `sipas export responses` run.
struct ResponsesExport {
  std::filesystem::path questionnaire;  // the questionnaire JSON the answers were given to
  std::filesystem::path data;           // responses CSV (sipas responses export, or simulated)
  std::filesystem::path out;
  ResponsesFormat format = ResponsesFormat::Csv;
  // CSV: labels in this language instead of codes. .sav/.dta: the language of
  // the variable and value labels (Vietnamese when not given).
  std::optional<Language> labels;
  ColumnRules columns;
  // CSV: guard cells a spreadsheet would run as formulas (io/formula_guard.hpp);
  // false (`--raw-csv`) writes them as they are.
  bool neutralise_formulas = true;
};

struct ResponsesExportSummary {
  std::size_t rows = 0;
  std::size_t columns = 0;  // exported columns of the input
  // Texts cut to fit the format (Stata's 2045 bytes), by column: for the
  // caller to tell the user.
  std::map<std::string, std::size_t> cut_values;
};

// Selects the whitelisted columns (select_columns), checks every cell, then
// writes the file atomically: nothing is written when any check fails.
ResponsesExportSummary export_responses(const ResponsesExport& request);

}  // namespace sipas::reports
