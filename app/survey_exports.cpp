#include "app/survey_exports.hpp"

#include <limits>
#include <set>
#include <vector>

#include "analysis/error.hpp"
#include "analysis/run.hpp"
#include "app/live_indices.hpp"
#include "app/private_folder.hpp"
#include "app/response_export.hpp"
#include "app/responses.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "reports/error.hpp"
#include "reports/report.hpp"
#include "reports/responses_export.hpp"
#include "reports/results_export.hpp"

namespace sipas::app {

namespace {

// The files in the private folder, named as the commands name them: the
// results and the report record the data's and the questionnaire's names.
constexpr const char* data_name = "responses-not-rejected.csv";
constexpr const char* questionnaire_name = "questionnaire.json";
constexpr const char* results_name = "results.json";
// The units of the results and the report: the invitations' strata (a
// stratum is a unit of the province where the sample was drawn so).
constexpr const char* unit_column = "stratum";
// The command whose results these are (results.json's design.command, shown
// in the workbook's design sheet and the report's methods): run in the folder
// of the two files above, it gives the same bytes.
constexpr const char* analyze_command =
    "sipas analyze --data responses-not-rejected.csv --strata stratum --psu psu --weights "
    "design_weight --lonely-psu adjust --index questionnaire.json --by stratum --out results.json";
// A bound on what is read back into memory: a province's answers are tens of
// megabytes in any format.
constexpr std::size_t max_export_bytes = std::size_t{1} << 30;

std::string content_type_of(ExportFormat format) {
  switch (format) {
    case ExportFormat::AnswersCsv:
      return "text/csv; charset=utf-8";
    case ExportFormat::AnswersSav:
      return "application/x-spss-sav";
    case ExportFormat::AnswersDta:
      return "application/x-stata-dta";
    case ExportFormat::ResultsXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ExportFormat::Report:
      return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

// The columns beyond the whitelist that the answer files keep: the review
// state, the channel, and the invitations' attributes (the frame columns the
// sample carried, such as district), in the order responses_csv writes them.
std::vector<std::string> kept_columns(const std::vector<store::ExportedResponse>& rows) {
  std::vector<std::string> keep = {"review", "channel"};
  std::set<std::string> seen;
  for (const auto& row : rows) {
    for (const auto& [name, value] : row.attributes) {
      if (seen.insert(name).second) keep.push_back(name);
    }
  }
  return keep;
}

void export_answers(const SurveyExport& request, const std::filesystem::path& data,
                    const std::filesystem::path& form, const std::filesystem::path& out,
                    const std::vector<store::ExportedResponse>& rows) {
  reports::ResponsesExport e;
  e.questionnaire = form;
  e.data = data;
  e.out = out;
  e.format = request.format == ExportFormat::AnswersSav   ? reports::ResponsesFormat::Sav
             : request.format == ExportFormat::AnswersDta ? reports::ResponsesFormat::Dta
                                                          : reports::ResponsesFormat::Csv;
  e.labels = request.language;
  e.columns.keep = kept_columns(rows);
  reports::export_responses(e);
}

void export_results(const SurveyExport& request, const std::filesystem::path& data,
                    const std::filesystem::path& form, const std::filesystem::path& out) {
  auto analysis = live_indices_request(data, form, {request.survey, unit_column, 0.95});
  analysis.command_line = analyze_command;
  const auto results = data.parent_path() / results_name;
  // As `sipas analyze --out` writes it.
  io::write_file_atomic(results, analysis::to_json(analysis::run_analysis(analysis)).dump(2) + "\n",
                        io::FileAccess::owner_only);
  if (request.format == ExportFormat::ResultsXlsx) {
    reports::ResultsExport e;
    e.results = results;
    e.out = out;
    e.format = reports::ResultsFormat::Xlsx;
    e.language = request.language;
    reports::export_results(e);
    return;
  }
  reports::ReportInputs inputs;
  inputs.results = reports::load_results(results);
  inputs.questionnaire.emplace(questionnaires::load_questionnaire_file(form));
  inputs.questionnaire_source = questionnaire_name;
  reports::ReportOptions options;
  options.language = request.language;
  io::write_file_atomic(out, reports::render_report(inputs, options), io::FileAccess::owner_only);
}

}  // namespace

std::string_view export_format_name(ExportFormat format) {
  switch (format) {
    case ExportFormat::AnswersCsv:
      return "csv";
    case ExportFormat::AnswersSav:
      return "sav";
    case ExportFormat::AnswersDta:
      return "dta";
    case ExportFormat::ResultsXlsx:
      return "xlsx";
    case ExportFormat::Report:
      return "html";
  }
  return "";
}

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  for (auto format : export_formats) {
    if (export_format_name(format) == name) return format;
  }
  return std::nullopt;
}

std::string export_file_name(const std::string& survey, ExportFormat format) {
  switch (format) {
    case ExportFormat::AnswersCsv:
      return survey + "-answers.csv";
    case ExportFormat::AnswersSav:
      return survey + "-answers.sav";
    case ExportFormat::AnswersDta:
      return survey + "-answers.dta";
    case ExportFormat::ResultsXlsx:
      return survey + "-results.xlsx";
    case ExportFormat::Report:
      return survey + "-report.html";
  }
  return survey;
}

store::SurveyRecord find_survey_to_export(store::SurveyStore& store, const Actor& actor,
                                          const std::string& survey) {
  authorize(actor, UseCase::ExportResponses);
  check_survey_id(survey);
  return require_survey(store, survey);
}

bool holds_answers(ExportFormat format) {
  return format == ExportFormat::AnswersCsv || format == ExportFormat::AnswersSav ||
         format == ExportFormat::AnswersDta;
}

ExportedFile export_survey(store::SurveyStore& store, const Actor& actor,
                           const SurveyExport& request) {
  authorize(actor, UseCase::ExportResponses);
  // One read, as `sipas responses export` makes it (survey.bad_id, survey.not_found).
  auto exported = export_responses(store, actor, {request.survey});
  ExportedFile out;
  out.file_name = export_file_name(request.survey, request.format);
  out.content_type = content_type_of(request.format);
  auto answers = answers_not_rejected(std::move(exported.rows));
  auto& kept = answers.kept;
  out.rejected = answers.rejected;
  out.open_link = answers.open_link;
  out.answers = static_cast<std::int64_t>(kept.size());
  if (kept.empty() || (!holds_answers(request.format) && out.open_link == out.answers)) {
    throw UseCaseError(
        Refusal::Conflict, "export.no_answers",
        "survey '" + request.survey + "' has no " +
            (holds_answers(request.format) ? "answer" : "invitation's answer") + " to export" +
            (out.rejected > 0 ? " (" + std::to_string(out.rejected) + " rejected in review)" : ""),
        "survey");
  }
  const auto questionnaire =
      questionnaires::load_questionnaire(exported.survey.questionnaire_json, exported.survey.id);
  PrivateFolder folder("sipas-export");
  const auto data = folder.path() / data_name;
  const auto form = folder.path() / questionnaire_name;
  const auto file = folder.path() / out.file_name;
  // The answers with formulas guarded, as `sipas responses export` writes them.
  io::write_file_atomic(data, responses_csv(questionnaire, kept), io::FileAccess::owner_only);
  io::write_file_atomic(form, exported.survey.questionnaire_json, io::FileAccess::owner_only);
  try {
    if (holds_answers(request.format)) {
      export_answers(request, data, form, file, kept);
    } else {
      export_results(request, data, form, file);
    }
  } catch (const reports::ReportError& e) {
    // The answers are the store's own: what a library refuses is what they
    // hold so far (answers too few to vary, a value too long for the format).
    throw UseCaseError(Refusal::Unprocessable, e.id(), e.what());
  } catch (const analysis::AnalysisError& e) {
    throw UseCaseError(Refusal::Unprocessable, e.id(), e.what());
  }
  out.bytes = io::read_file(file, max_export_bytes);
  return out;
}

}  // namespace sipas::app
