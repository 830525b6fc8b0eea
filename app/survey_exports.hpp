#pragma once

// A survey's downloads (issue 22's console exports): the answers as a CSV
// with labels, SPSS .sav and Stata .dta, the results as an XLSX workbook and
// the HTML report, made from the database by the libraries the commands use,
// so that each file is the bytes the command line makes from the same
// database (app/README.md gives the commands).
//
// Which answers: every answer but those rejected in review, as for the live
// indices. The answer files hold the open-link answers too (their design
// columns empty, `channel` open_link); the results and the report are the
// analysis of those answers with the live indices' design and --by stratum,
// which leaves the open-link answers out of the estimates (not in the
// sample) and says how many in its design block. The results and the report
// name their data file responses-not-rejected.csv, so the rule travels with
// them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/actor.hpp"
#include "reports/language.hpp"
#include "store/store.hpp"

namespace sipas::app {

enum class ExportFormat {
  AnswersCsv,   // the answers, each code as its label (sipas export responses --labels)
  AnswersSav,   // SPSS, variable and value labels
  AnswersDta,   // Stata 118, variable and value labels
  ResultsXlsx,  // the estimates and the design (sipas export results)
  Report,       // the HTML report (sipas report)
};

inline constexpr std::array<ExportFormat, 5> export_formats = {
    ExportFormat::AnswersCsv, ExportFormat::AnswersSav, ExportFormat::AnswersDta,
    ExportFormat::ResultsXlsx, ExportFormat::Report};

// "csv", "sav", "dta", "xlsx", "html": the format's name in a URL.
std::string_view export_format_name(ExportFormat format);
std::optional<ExportFormat> parse_export_format(std::string_view name);
// Whether the file holds answers (personal data) rather than estimates.
bool holds_answers(ExportFormat format);
// SURVEY-answers.csv, .sav, .dta, SURVEY-results.xlsx, SURVEY-report.html:
// ASCII, as a survey id is (app/survey_id.hpp).
std::string export_file_name(const std::string& survey, ExportFormat format);

// Which answers each file holds, in words (the page says it in its language).
inline constexpr const char* survey_exports_rule =
    "every answer but those rejected in review; the answer files (csv, sav, dta) hold the "
    "open-link answers too, with the column channel; the results and the report are the live "
    "indices' analysis of those answers by stratum, which leaves open-link answers out of the "
    "estimates";

struct SurveyExport {
  std::string survey;
  ExportFormat format = ExportFormat::AnswersCsv;
  reports::Language language = reports::Language::Vi;  // labels, headers, the report's words
};

struct ExportedFile {
  std::string file_name;     // SURVEY-answers.csv, SURVEY-results.xlsx, ...: ASCII
  std::string content_type;  // with charset for the text formats
  std::string bytes;
  std::int64_t answers = 0;    // the answers the file was made from (rejected ones left out)
  std::int64_t rejected = 0;   // left out
  std::int64_t open_link = 0;  // among `answers`; out of the results' estimates
};

// Needs UseCase::ExportResponses (an analyst). Errors: survey.not_found;
// export.no_answers (Conflict) when no answer is left to export (for the
// results and the report: no invitation's answer); a refusal of the
// libraries (export.*, report.*, analysis.*) as Unprocessable with its id.
// The files are made in a private temporary folder (0700, files 0600) that
// is removed before this returns.
ExportedFile export_survey(store::SurveyStore& store, const Actor& actor,
                           const SurveyExport& request);

// The survey whose downloads a page lists: UseCase::ExportResponses, then
// survey.bad_id or survey.not_found.
store::SurveyRecord find_survey_to_export(store::SurveyStore& store, const Actor& actor,
                                          const std::string& survey);

}  // namespace sipas::app
