// The console's downloads (app/survey_exports.hpp) against the command line:
// each file is made from a real SQLite database by export_survey and by the
// real `sipas` executable run as a process on the same database, as a
// statistician would (sipas responses export, the rejected rows removed,
// then sipas export responses, or sipas analyze and sipas export results or
// sipas report), and the bytes must be the same. Three formats record when
// they were written, from the clock, which no option sets: the .sav header's
// creation date and time, the .dta <timestamp>, and docProps/core.xml's
// dcterms:created and dcterms:modified in the workbook (compared member by
// member, read with unzip). Those are masked, and nothing else. Rejected
// answers are in no file; a unit user may not export.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <fstream>
#include <sstream>

#include "app/invitations.hpp"
#include "app/responses.hpp"
#include "app/submissions.hpp"
#include "app/survey_exports.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "tests/support/masked_exports.hpp"
#include "tests/support/process.hpp"
#include "tests/support/refusal_of.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::app {
namespace {

namespace fs = std::filesystem;
using test::masked_dta;
using test::masked_sav;
using test::masked_workbook;
using test::refusal_of;
using test::run_process;
using test::sipas;

const Actor manager{"cli:manager", store::Role::Manager};
const Actor analyst{"key:analyst", store::Role::Analyst};
const std::string survey = "exports-2026";

class SurveyExportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    create_survey(store_, manager,
                  {survey, standard_questionnaire("sipas-citizen"), "standard sipas-citizen",
                   /*open_link=*/true});
    open_survey(store_, manager, survey);
    // Three districts (the strata), two communes (PSUs) each, six people a commune.
    std::vector<store::InvitationInput> rows;
    for (int i = 0; i < 36; ++i) {
      const int district = i / 12, commune = i / 6;
      store::InvitationInput row;
      row.respondent_id = "p" + std::to_string(i);
      row.stratum = "D" + std::to_string(district);
      row.psu = "C" + std::to_string(commune);
      row.inclusion_probability = 0.01 * (1 + district);
      row.design_weight = 1 / row.inclusion_probability;
      row.attributes = {{"district", "district-" + std::to_string(district)}};
      rows.push_back(row);
    }
    const auto imported = import_sample(store_, manager, {survey, rows});
    const auto questionnaire = questionnaires::load_questionnaire(
        require_survey(store_, survey).questionnaire_json, survey);
    questionnaires::GeneratorOptions options;
    options.seed = 7;
    questionnaires::ResponseGenerator generator(questionnaire, options);
    auto submit = [&](std::optional<std::string> token, const std::string& id) {
      auto response = generator.valid();
      response.submission_id = id;
      auto checked = check_submission(questionnaire, {survey, std::nullopt, response});
      EXPECT_TRUE(checked.validation.ok());
      if (!token) return store_submission(store_, checked.row).response;
      const auto stored = store_submission(store_, checked.row, *token);
      EXPECT_TRUE(stored.has_value());
      return stored ? stored->response : 0;
    };
    // Five of six answer in each commune: 30, and one answer by the open link.
    for (std::size_t i = 0; i < imported.issued.size(); ++i) {
      if (i % 6 == 5) continue;
      const auto seq = submit(imported.issued[i].token, "sub-" + std::to_string(i));
      if (i == 3) rejected_ = seq;
    }
    submit(std::nullopt, "open-1");
    review_response(store_, manager, {survey, rejected_, store::ReviewState::Rejected});
  }

  // `sipas responses export` on the database, the rows rejected in review
  // removed (the command line has no filter: a statistician's step), and the
  // survey's questionnaire beside it, in the folder the commands run in.
  void export_for_the_commands() {
    auto r = sipas({"responses", "export", "--db", db_.string(), "--survey", survey, "--out",
                    (cli_ / "all.csv").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    io::CsvReader in(cli_ / "all.csv");
    io::CsvWriterOptions raw;
    raw.neutralise_formulas = false;  // the cells as exported, guards included
    io::CsvWriter out(cli_ / "responses-not-rejected.csv", raw);
    std::vector<std::string_view> header(in.header().begin(), in.header().end());
    out.write_row(header);
    const auto review = in.require_column("review");
    while (in.next()) {
      if (in.field(review) != "rejected") out.write_row(in.fields());
    }
    out.commit();
    std::ofstream(cli_ / "questionnaire.json", std::ios::binary)
        << require_survey(store_, survey).questionnaire_json;
  }

  // Runs sipas in the commands' folder (the results record the command line).
  test::ProcessResult sipas_in_folder(const std::string& arguments) {
    return run_process({"/bin/sh", "-c",
                        "cd '" + cli_.string() + "' && exec '" SIPAS_EXECUTABLE "' " + arguments});
  }

  std::string read(const fs::path& path) { return test::slurp(path); }

  test::TempDir dir_{"sipas-exports"};
  fs::path db_ = dir_.path() / "survey.db";
  fs::path cli_ = [this] {
    fs::create_directory(dir_.path() / "cli");
    return dir_.path() / "cli";
  }();
  store::SurveyStore store_{db_.string()};
  std::int64_t rejected_ = 0;
};

TEST_F(SurveyExportsTest, TheAnswerFilesAreTheCommandLinesBytes) {
  export_for_the_commands();
  struct Case {
    ExportFormat format;
    reports::Language language;
    std::string flag, lang;
  };
  for (const auto& c : {Case{ExportFormat::AnswersCsv, reports::Language::Vi, "csv", "vi"},
                        Case{ExportFormat::AnswersCsv, reports::Language::En, "csv", "en"},
                        Case{ExportFormat::AnswersSav, reports::Language::Vi, "sav", "vi"},
                        Case{ExportFormat::AnswersDta, reports::Language::En, "dta", "en"}}) {
    SCOPED_TRACE(c.flag + " " + c.lang);
    const auto file = export_survey(store_, analyst, {survey, c.format, c.language});
    EXPECT_EQ(file.file_name, survey + "-answers." + c.flag);
    EXPECT_EQ(file.answers, 30);  // 29 invitations' answers and the open link's
    EXPECT_EQ(file.rejected, 1);
    EXPECT_EQ(file.open_link, 1);
    const auto out = cli_ / ("cli-" + c.lang + "." + c.flag);
    auto r =
        sipas({"export", "responses", "--questionnaire", (cli_ / "questionnaire.json").string(),
               "--data", (cli_ / "responses-not-rejected.csv").string(), "--format", c.flag,
               "--labels", c.lang, "--keep", "review,channel,district", "--out", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string expected = read(out);
    ASSERT_FALSE(file.bytes.empty());
    if (c.format == ExportFormat::AnswersSav) {
      EXPECT_EQ(masked_sav(file.bytes), masked_sav(expected));
    } else if (c.format == ExportFormat::AnswersDta) {
      EXPECT_EQ(masked_dta(file.bytes), masked_dta(expected));
    } else {
      EXPECT_EQ(file.bytes, expected);
    }
  }
}

TEST_F(SurveyExportsTest, TheResultsAndTheReportAreTheCommandLinesBytes) {
  export_for_the_commands();
  auto r = sipas_in_folder(
      "analyze --data responses-not-rejected.csv --strata stratum --psu psu --weights "
      "design_weight --lonely-psu adjust --index questionnaire.json --by stratum --out "
      "results.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& [language, lang] :
       {std::pair{reports::Language::Vi, "vi"}, std::pair{reports::Language::En, "en"}}) {
    SCOPED_TRACE(lang);
    const auto workbook =
        export_survey(store_, analyst, {survey, ExportFormat::ResultsXlsx, language});
    EXPECT_EQ(workbook.file_name, survey + "-results.xlsx");
    EXPECT_EQ(workbook.content_type,
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const auto mine = cli_ / (std::string("mine-") + lang + ".xlsx");
    std::ofstream(mine, std::ios::binary) << workbook.bytes;
    const auto theirs = cli_ / (std::string("cli-") + lang + ".xlsx");
    r = sipas({"export", "results", "--results", (cli_ / "results.json").string(), "--format",
               "xlsx", "--labels", lang, "--out", theirs.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(masked_workbook(mine), masked_workbook(theirs));

    const auto report = export_survey(store_, analyst, {survey, ExportFormat::Report, language});
    EXPECT_EQ(report.file_name, survey + "-report.html");
    EXPECT_EQ(report.content_type, "text/html; charset=utf-8");
    const auto html = cli_ / (std::string("cli-") + lang + ".html");
    r = sipas({"report", "--results", (cli_ / "results.json").string(), "--questionnaire",
               (cli_ / "questionnaire.json").string(), "--lang", lang, "--out", html.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(report.bytes, read(html));
    // The rule travels with the results: the data file's name.
    EXPECT_NE(report.bytes.find("responses-not-rejected.csv"), std::string::npos);
  }
}

TEST_F(SurveyExportsTest, RejectedAnswersAreInNoFile) {
  const std::string rejected_submission = "sub-3";
  const auto csv = export_survey(store_, analyst, {survey, ExportFormat::AnswersCsv});
  EXPECT_EQ(csv.bytes.find(rejected_submission + ","), std::string::npos);
  EXPECT_NE(csv.bytes.find("sub-4,"), std::string::npos);
  EXPECT_NE(csv.bytes.find("open-1,"), std::string::npos);
  // A header and 30 rows.
  EXPECT_EQ(std::count(csv.bytes.begin(), csv.bytes.end(), '\n'), 31);
  EXPECT_EQ(csv.bytes.find("rejected"), std::string::npos);
  // Approving it brings it back.
  review_response(store_, manager, {survey, rejected_, store::ReviewState::Approved});
  const auto after = export_survey(store_, analyst, {survey, ExportFormat::AnswersCsv});
  EXPECT_NE(after.bytes.find(rejected_submission + ","), std::string::npos);
  EXPECT_EQ(after.answers, 31);
  EXPECT_EQ(after.rejected, 0);
}

TEST_F(SurveyExportsTest, RefusalsAreTyped) {
  const Actor unit_user{"user:lan", std::nullopt, store::UserRole::Unit, "D1"};
  const Actor respondent{"respondent", std::nullopt};
  for (const auto& actor : {unit_user, respondent}) {
    EXPECT_EQ(refusal_of([&] { export_survey(store_, actor, {survey}); }),
              std::pair(std::string("auth.forbidden"), std::optional(Refusal::Forbidden)));
  }
  EXPECT_EQ(refusal_of([&] { export_survey(store_, analyst, {"no-such-survey"}); }),
            std::pair(std::string("survey.not_found"), std::optional(Refusal::NotFound)));
  EXPECT_EQ(refusal_of([&] { export_survey(store_, analyst, {"Bad Id"}); }).first, "survey.bad_id");
  // No answer yet: nothing to export. Only an open-link answer: the answer
  // files have it, the results (which leave it out) have none.
  create_survey(store_, manager,
                {"empty", standard_questionnaire("sipas-citizen"), "standard", true});
  for (auto format : export_formats) {
    EXPECT_EQ(refusal_of([&] {
                export_survey(store_, analyst, {"empty", format});
              }),
              std::pair(std::string("export.no_answers"), std::optional(Refusal::Conflict)))
        << export_format_name(format);
  }
  open_survey(store_, manager, "empty");
  const auto questionnaire =
      questionnaires::load_questionnaire(require_survey(store_, "empty").questionnaire_json, "q");
  questionnaires::ResponseGenerator generator(questionnaire);
  auto response = generator.valid();
  response.submission_id = "only-open";
  store_submission(store_, check_submission(questionnaire, {"empty", std::nullopt, response}).row);
  EXPECT_EQ(export_survey(store_, analyst, {"empty", ExportFormat::AnswersSav}).answers, 1);
  EXPECT_EQ(refusal_of([&] {
              export_survey(store_, analyst, {"empty", ExportFormat::Report});
            }).first,
            "export.no_answers");
}

TEST_F(SurveyExportsTest, NamesFormatsAndNoTemporaryFilesLeft) {
  for (auto format : export_formats)
    EXPECT_EQ(parse_export_format(export_format_name(format)), format);
  EXPECT_EQ(parse_export_format("xls"), std::nullopt);
  EXPECT_EQ(parse_export_format(""), std::nullopt);
  // A temporary directory of this test's own: other tests running beside it
  // make and remove folders of the same name in the shared one.
  const auto own = fs::temp_directory_path() / ("sipas-exports-test-" + std::to_string(::getpid()));
  fs::create_directories(own);
  const char* previous = std::getenv("TMPDIR");
  const std::string saved = previous ? previous : "";
  ::setenv("TMPDIR", own.c_str(), 1);
  auto leftovers = [&] {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(own)) {
      if (entry.path().filename().string().starts_with("sipas-export-")) ++n;
    }
    return n;
  };
  const int before = leftovers();
  EXPECT_EQ(before, 0);
  for (auto format : export_formats) {
    const auto file = export_survey(store_, analyst, {survey, format});
    EXPECT_FALSE(file.bytes.empty());
    for (char c : file.file_name)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') << c;
  }
  EXPECT_EQ(export_survey(store_, analyst, {survey, ExportFormat::AnswersDta}).content_type,
            "application/x-stata-dta");
  EXPECT_EQ(leftovers(), before);
  if (previous) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  fs::remove_all(own);
}

}  // namespace
}  // namespace sipas::app
