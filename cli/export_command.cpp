// sipas export: answers for SPSS, Stata and spreadsheets; results as XLSX or CSV
// (reports/README.md, "Exports").

#include <iostream>

#include "cli/commands.hpp"
#include "reports/error.hpp"
#include "reports/responses_export.hpp"
#include "reports/results_export.hpp"

namespace sipas::cli {
namespace {

namespace r = sipas::reports;

struct ResponsesOptions {
  std::string questionnaire, data, format, labels, keep, repweights, out;
  bool raw_csv = false;
};

struct ResultsOptions {
  std::string results, par_index, format, labels, out;
  bool raw_csv = false;
};

void require(const std::string& value, const std::string& option) {
  if (value.empty()) throw r::ReportError("export.missing_option", option + " is required");
}

int run_responses(const ResponsesOptions& o) {
  require(o.questionnaire, "--questionnaire Q.json");
  require(o.data, "--data responses.csv");
  require(o.out, "--out FILE");
  r::ResponsesExport request;
  request.questionnaire = o.questionnaire;
  request.data = o.data;
  request.out = o.out;
  if (!o.format.empty()) {
    request.format = r::parse_responses_format(o.format);
  } else if (auto format = r::responses_format_of(o.out)) {
    request.format = *format;
  } else {
    throw r::ReportError("export.missing_option",
                         "--format csv|sav|dta is required when --out does not end in .csv, "
                         ".sav or .dta");
  }
  if (!o.labels.empty()) request.labels = r::parse_language(o.labels);
  request.columns.keep = split_list(o.keep);
  request.columns.repweights_prefix = o.repweights;
  request.neutralise_formulas = !o.raw_csv;
  const auto summary = r::export_responses(request);
  for (const auto& [column, count] : summary.cut_values) {
    std::cerr << "sipas: warning: " << count << " value(s) of " << column
              << " were cut to 2045 bytes, the longest string Stata holds (the .sav and CSV "
                 "exports keep them whole)\n";
  }
  std::cerr << o.out << ": " << summary.rows << " responses, " << summary.columns << " columns\n";
  return exit_ok;
}

int run_results(const ResultsOptions& o) {
  require(o.out, "--out FILE");
  r::ResultsExport request;
  if (!o.results.empty()) request.results = o.results;
  if (!o.par_index.empty()) request.par_index = o.par_index;
  request.out = o.out;
  if (!o.format.empty()) {
    request.format = r::parse_results_format(o.format);
  } else if (auto format = r::results_format_of(o.out)) {
    request.format = *format;
  } else {
    throw r::ReportError("export.missing_option",
                         "--format xlsx|csv is required when --out does not end in .xlsx or .csv");
  }
  if (!o.labels.empty()) request.language = r::parse_language(o.labels);
  request.neutralise_formulas = !o.raw_csv;
  const auto summary = r::export_results(request);
  std::cerr << o.out << ": ";
  if (request.results) std::cerr << summary.estimates << " estimates";
  if (request.results && request.par_index) std::cerr << ", ";
  if (request.par_index) std::cerr << summary.units << " units of the PAR index";
  std::cerr << "\n";
  return exit_ok;
}

}  // namespace

void add_export_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "export", "Export answers for SPSS, Stata or a spreadsheet, and results as XLSX or CSV");
  cmd->require_subcommand(1);

  auto ro = std::make_shared<ResponsesOptions>();
  auto* responses = cmd->add_subcommand(
      "responses",
      "Write a responses CSV (from `sipas responses export` or the demo) as CSV with codes, CSV "
      "with labels, SPSS .sav or Stata .dta. Only these columns are written: the answers to the "
      "questionnaire's items; response and respondent ids (response_id, seq, submission_id, "
      "respondent_id, id); the design (stratum, psu, inclusion_probability, fpc, pi_*, weight, "
      "design_weight, calibrated_weight and any *_weight, and PREFIX1..PREFIXn with "
      "--repweights); and the columns named with --keep. Anything else, such as contact "
      "columns (name, phone, email, address), is never written. In .sav and .dta, variable "
      "labels are the item texts and coded answers carry value labels; a multiple choice "
      "becomes one 0/1 variable per choice (ITEM_CODE). Every cell is checked first: a code "
      "the item does not have is an error naming file:line:column, and nothing is written.");
  responses->add_option("--questionnaire", ro->questionnaire,
                        "Questionnaire JSON the answers were given to");
  responses->add_option("--data", ro->data, "Responses CSV (header row; one column per item)");
  responses->add_option("--format", ro->format,
                        "csv | sav | dta (default: from the extension of --out)");
  responses->add_option("--labels", ro->labels,
                        "vi | en. CSV: write each code's label in this language instead of the "
                        "code. sav/dta: the language of variable and value labels (default vi)");
  responses->add_option("--keep", ro->keep,
                        "More columns to export, comma-separated (e.g. district,commune)");
  responses->add_option("--repweights", ro->repweights,
                        "Prefix of replicate weight columns PREFIX1..PREFIXn to export");
  responses->add_option("--out", ro->out,
                        "File to write (replaced atomically; owner-only, 0600: answers are "
                        "personal data)");
  add_raw_csv_flag(*responses, ro->raw_csv);
  responses->callback([&run, ro] { run = [ro] { return run_responses(*ro); }; });

  auto so = std::make_shared<ResultsOptions>();
  auto* results = cmd->add_subcommand(
      "results",
      "Write results as an XLSX workbook or a CSV file. XLSX: the sheet \"estimates\" (domain "
      "columns, statistic, variable, estimate, se, ci_low, ci_high, n, weighted_n, deff, "
      "ci_method, df) and the sheet \"design\" (the design block: kind, variance method, df, "
      "rows, calibration, inputs) from --results, and the sheet \"PAR index\" (unit, name, "
      "points, maximum, index, rank, group, flags, then the index of every area) from "
      "--par-index; headers and area labels in the --labels language. CSV: one of the two "
      "tables, with codes as headers.");
  results->add_option("--results", so->results, "results.json written by `sipas analyze`");
  results->add_option("--par-index", so->par_index, "par-index.json written by `sipas index`");
  results->add_option("--format", so->format, "xlsx | csv (default: from the extension of --out)");
  results->add_option("--labels", so->labels,
                      "vi | en: language of the XLSX headers, area labels and flags (default vi)");
  results->add_option("--out", so->out, "File to write (replaced atomically)");
  add_raw_csv_flag(*results, so->raw_csv);
  results->callback([&run, so] { run = [so] { return run_results(*so); }; });
}

}  // namespace sipas::cli
