#include "reports/results_export.hpp"

#include "io/csv_writer.hpp"
#include "io/number_text.hpp"
#include "reports/error.hpp"
#include "reports/results_tables.hpp"
#include "reports/xlsx_results.hpp"

namespace sipas::reports {
namespace {

std::string cell_text(const TableCell& cell) {
  switch (cell.kind) {
    case TableCell::Kind::Number:
      return io::shortest_decimal(cell.number);
    case TableCell::Kind::Text:
      return cell.text;
    case TableCell::Kind::Empty:
      break;
  }
  return {};
}

void write_csv(const ResultsTable& table, const std::filesystem::path& out,
               bool neutralise_formulas) {
  // Estimates and indices, no record-level data: shared.
  io::CsvWriter writer(
      out, {.neutralise_formulas = neutralise_formulas, .access = io::FileAccess::shared});
  std::vector<std::string> cells;
  for (const auto& column : table.columns)
    cells.push_back(column.code);
  std::vector<std::string_view> views(cells.begin(), cells.end());
  writer.write_row(views);
  for (const auto& row : table.rows) {
    cells.clear();
    for (const auto& cell : row)
      cells.push_back(cell_text(cell));
    views.assign(cells.begin(), cells.end());
    writer.write_row(views);
  }
  writer.commit();
}

}  // namespace

ResultsFormat parse_results_format(const std::string& name) {
  if (name == "xlsx") return ResultsFormat::Xlsx;
  if (name == "csv") return ResultsFormat::Csv;
  throw ReportError("export.unknown_format",
                    "unknown format '" + name + "' for results: use xlsx or csv");
}

std::optional<ResultsFormat> results_format_of(const std::filesystem::path& path) {
  const auto extension = path.extension().string();
  if (extension == ".xlsx") return ResultsFormat::Xlsx;
  if (extension == ".csv") return ResultsFormat::Csv;
  return std::nullopt;
}

ResultsExportSummary export_results(const ResultsExport& request) {
  if (!request.results && !request.par_index) {
    throw ReportError("export.missing_input",
                      "give --results results.json, --par-index par-index.json, or both");
  }
  if (request.format == ResultsFormat::Csv && request.results && request.par_index) {
    throw ReportError("export.invalid_option",
                      "a CSV file holds one table: give --results or --par-index, not both "
                      "(or write xlsx, which holds both)");
  }
  std::optional<ResultsFile> results;
  std::optional<ParIndexResult> par;
  if (request.results) results = load_results(*request.results);
  if (request.par_index) par = load_par_index(*request.par_index);
  ResultsExportSummary summary;
  if (results) summary.estimates = results->estimates.size();
  if (par) summary.units = par->units.size();
  if (request.format == ResultsFormat::Csv) {
    write_csv(
        results ? estimates_table(*results, std::nullopt) : par_index_table(*par, std::nullopt),
        request.out, request.neutralise_formulas);
    return summary;
  }
  std::vector<ResultsTable> tables;
  if (results) {
    tables.push_back(estimates_table(*results, request.language));
    tables.push_back(design_table(*results, request.language));
  }
  if (par) tables.push_back(par_index_table(*par, request.language));
  write_xlsx(tables, request.out);
  return summary;
}

}  // namespace sipas::reports
