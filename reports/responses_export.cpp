#include "reports/responses_export.hpp"

#include "io/csv_reader.hpp"
#include "reports/error.hpp"
#include "reports/export_cells.hpp"
#include "reports/export_scan.hpp"
#include "reports/labelled_csv.hpp"
#include "reports/readstat_writer.hpp"

namespace sipas::reports {

ResponsesFormat parse_responses_format(const std::string& name) {
  if (name == "csv") return ResponsesFormat::Csv;
  if (name == "sav") return ResponsesFormat::Sav;
  if (name == "dta") return ResponsesFormat::Dta;
  throw ReportError("export.unknown_format",
                    "unknown format '" + name + "' for responses: use csv, sav or dta");
}

std::optional<ResponsesFormat> responses_format_of(const std::filesystem::path& path) {
  const auto extension = path.extension().string();
  if (extension == ".csv") return ResponsesFormat::Csv;
  if (extension == ".sav") return ResponsesFormat::Sav;
  if (extension == ".dta") return ResponsesFormat::Dta;
  return std::nullopt;
}

ResponsesExportSummary export_responses(const ResponsesExport& request) {
  const auto questionnaire = questionnaires::load_questionnaire_file(request.questionnaire);
  const Language language = request.labels.value_or(Language::Vi);
  const std::size_t language_slot = reports::language_index(questionnaire, language);
  std::vector<ExportColumn> columns;
  {
    io::CsvReader reader(request.data);
    columns = select_columns(reader.header(), questionnaire, request.columns, reader.source());
  }
  const ExportScan scan = scan_responses(request.data, columns);
  ResponsesExportSummary summary{scan.rows, columns.size(), {}};
  switch (request.format) {
    case ResponsesFormat::Csv:
      write_responses_csv(request.data, columns,
                          request.labels ? std::optional<std::size_t>(language_slot) : std::nullopt,
                          request.out, request.neutralise_formulas);
      break;
    case ResponsesFormat::Sav:
    case ResponsesFormat::Dta:
      summary.cut_values = write_stat_file(
          request.data, questionnaire, columns, scan, language,
          request.format == ResponsesFormat::Sav ? StatFormat::Sav : StatFormat::Dta, request.out);
      break;
  }
  return summary;
}

}  // namespace sipas::reports
