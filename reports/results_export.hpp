#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "reports/language.hpp"

namespace sipas::reports {

enum class ResultsFormat { Xlsx, Csv };

// "xlsx" or "csv"; anything else is ReportError export.unknown_format.
ResultsFormat parse_results_format(const std::string& name);
// The format a file name asks for (.xlsx, .csv), if any.
std::optional<ResultsFormat> results_format_of(const std::filesystem::path& path);

// One `sipas export results` run.
struct ResultsExport {
  std::optional<std::filesystem::path> results;    // results.json of sipas analyze
  std::optional<std::filesystem::path> par_index;  // par-index.json of sipas index
  std::filesystem::path out;
  ResultsFormat format = ResultsFormat::Xlsx;
  Language language = Language::Vi;  // XLSX headers, descriptions, area labels and flags
  // CSV: guard cells a spreadsheet would run as formulas (io/formula_guard.hpp);
  // false (`--raw-csv`) writes them as they are. XLSX cells are typed anyway.
  bool neutralise_formulas = true;
};

struct ResultsExportSummary {
  std::size_t estimates = 0;
  std::size_t units = 0;  // PAR index units
};

// XLSX: the sheets "estimates" and "design" from the results, and "PAR index"
// from the PAR index result, whichever are given (at least one). CSV: one
// table with codes for headers, so exactly one of the two inputs. Both files
// are read and checked before anything is written; the output is written
// atomically. Throws ReportError export.missing_input, export.invalid_option,
// report.invalid_json, report.invalid_field (naming the file and the field),
// report.invalid_format, export.write_failed; io::IoError io.not_found.
ResultsExportSummary export_results(const ResultsExport& request);

}  // namespace sipas::reports
