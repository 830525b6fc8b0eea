// sipas responses export: a survey's answers with their design columns, never
// contacts; written 0600.

#include <iostream>
#include <limits>

#include "app/response_export.hpp"
#include "app/responses.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::cli {
namespace {

struct ResponsesOptions {
  std::string db, survey, format = "csv", out;
  std::int64_t since = 0;
  bool raw_csv = false;
};

}  // namespace

void add_responses_command(CLI::App& app, Action& run) {
  auto* responses = app.add_subcommand("responses", "Export the answers of a survey");
  responses->require_subcommand(1);
  auto o = std::make_shared<ResponsesOptions>();
  auto* exp = responses->add_subcommand(
      "export", "Export responses with their stratum, PSU and design weight (never contact data).");
  exp->add_option("--db", o->db, database_help)->required();
  add_survey_option(exp, o->survey);
  exp->add_option("--since", o->since, "only responses with seq greater than this")
      ->capture_default_str();
  exp->add_option("--format", o->format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  exp->add_option("--out", o->out, "file to write (owner-only, 0600: answers are personal data)")
      ->required();
  add_raw_csv_flag(*exp, o->raw_csv);
  exp->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      const auto exported =
          app::export_responses(store, app::command_line_actor(), {o->survey, o->since});
      const auto& rows = exported.rows;
      if (o->format == "csv") {
        auto questionnaire = questionnaires::load_questionnaire(exported.survey.questionnaire_json,
                                                                exported.survey.id);
        // Answers, free text included: owner-only.
        io::write_file_atomic(
            o->out, app::responses_csv(questionnaire, rows, {.neutralise_formulas = !o->raw_csv}),
            io::FileAccess::owner_only);
      } else {
        io::write_file_atomic(o->out, app::responses_json(rows, o->since).dump(2) + "\n",
                              io::FileAccess::owner_only);
      }
      std::cout << "exported " << rows.size() << " responses to " << o->out << "\n";
      return exit_ok;
    };
  });
}

}  // namespace sipas::cli
