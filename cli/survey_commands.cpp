// sipas survey: create, set, open, close, progress and list surveys in a
// database file, through the use cases of app/ (survey_server/README.md).

#include <iostream>

#include "app/progress_report.hpp"
#include "app/responses.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::cli {
namespace {

namespace q = sipas::questionnaires;

std::string_view on_off(bool on) {
  return on ? "on" : "off";
}

struct SurveyOptions {
  std::string db, survey, questionnaire, standard, out, open_link = "off";
};

// Answers without an invitation token: off unless the manager says so.
CLI::Option* add_open_link_option(CLI::App* command, std::string& value) {
  return command
      ->add_option("--open-link", value,
                   "on: also take answers without an invitation token (/s/ID without ?t=), "
                   "e.g. a kiosk; they are marked open_link in exports and kept out of "
                   "design-based estimates. off: invitation links only")
      ->check(CLI::IsMember({"on", "off"}));
}

void add_create(CLI::App* survey, const std::shared_ptr<SurveyOptions>& o, Action& run) {
  auto* create = survey->add_subcommand(
      "create", "Create a survey (state draft) from a questionnaire file or a standard form");
  create->add_option("--db", o->db, std::string(database_help) + " (created when missing)")
      ->required();
  add_survey_option(create, o->survey, "survey id: " + std::string(app::survey_id_rule));
  auto* file = create->add_option("--questionnaire", o->questionnaire, "questionnaire JSON file");
  auto* standard = create->add_option("--standard", o->standard,
                                      "a standard form: sipas-citizen, par-officials, sipas-short");
  file->excludes(standard);
  add_open_link_option(create, o->open_link)->capture_default_str();
  create->callback([o, &run] {
    run = [o] {
      app::CreateSurvey request;
      request.survey = o->survey;
      request.open_link = o->open_link == "on";
      if (!o->standard.empty()) {
        request.questionnaire_text = app::standard_questionnaire(o->standard);
        request.questionnaire_origin = o->standard;
      } else if (!o->questionnaire.empty()) {
        request.questionnaire_text =
            io::read_file(o->questionnaire, q::QuestionnaireLimits::max_file_bytes);
        request.questionnaire_origin = o->questionnaire;
      } else {
        throw Error("survey.missing_questionnaire", "give --questionnaire FILE or --standard NAME");
      }
      // Checked before the file is made: a bad id leaves no empty database.
      app::check_survey_id(request.survey);
      auto store = open_database(o->db, Database::CreateIfMissing);
      auto record = app::create_survey(store, app::command_line_actor(), request);
      std::cout << "created survey " << record.id << " (" << record.questionnaire_id << " "
                << record.questionnaire_version << "), state draft, open link "
                << on_off(record.open_link) << "\n";
      return exit_ok;
    };
  });
}

void add_set(CLI::App* survey, const std::shared_ptr<SurveyOptions>& o, Action& run) {
  auto* set = survey->add_subcommand(
      "set", "Change a survey's settings (also while the server runs: it re-reads them)");
  set->add_option("--db", o->db, database_help)->required();
  add_survey_option(set, o->survey);
  add_open_link_option(set, o->open_link)->required();
  set->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      auto record = app::set_survey_options(store, app::command_line_actor(),
                                            {o->survey, o->open_link == "on"});
      std::cout << "survey " << record.id << ": open link " << on_off(record.open_link) << "\n";
      return exit_ok;
    };
  });
}

void add_open_close(CLI::App* survey, const std::shared_ptr<SurveyOptions>& o, Action& run) {
  for (const bool open : {true, false}) {
    auto* cmd =
        survey->add_subcommand(open ? "open" : "close", open ? "Open a survey for answers"
                                                             : "Close a survey: no more answers");
    cmd->add_option("--db", o->db, database_help)->required();
    add_survey_option(cmd, o->survey);
    cmd->callback([o, open, &run] {
      run = [o, open] {
        auto store = open_database(o->db);
        const auto actor = app::command_line_actor();
        auto record = open ? app::open_survey(store, actor, o->survey)
                           : app::close_survey(store, actor, o->survey);
        std::cout << "survey " << record.id << " is " << store::to_string(record.state) << "\n";
        return exit_ok;
      };
    });
  }
}

void add_progress(CLI::App* survey, const std::shared_ptr<SurveyOptions>& o, Action& run) {
  auto* progress = survey->add_subcommand(
      "progress",
      "Response rates by stratum (AAPOR RR1), as the admin API's progress route gives them");
  progress->add_option("--db", o->db, database_help)->required();
  add_survey_option(progress, o->survey);
  progress->add_option("--out", o->out, "JSON file to write (default: standard output)");
  progress->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      const auto counts = app::read_progress(store, app::command_line_actor(), o->survey);
      const auto text = app::progress_json(o->survey, counts).dump(2) + "\n";
      if (o->out.empty()) {
        std::cout << text;
      } else {
        // Counts by stratum, no record-level data.
        io::write_file_atomic(o->out, text, io::FileAccess::shared);
        std::cout << "progress of " << o->survey << " written to " << o->out << "\n";
      }
      return exit_ok;
    };
  });
}

void add_list(CLI::App* survey, const std::shared_ptr<SurveyOptions>& o, Action& run) {
  auto* list = survey->add_subcommand(
      "list", "List the surveys: id, state, questionnaire, open link (tab-separated)");
  list->add_option("--db", o->db, database_help)->required();
  list->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      for (const auto& s : app::list_surveys(store, app::command_line_actor())) {
        std::cout << s.id << "\t" << store::to_string(s.state) << "\t" << s.questionnaire_id << " "
                  << s.questionnaire_version << "\topen-link " << on_off(s.open_link) << "\n";
      }
      return exit_ok;
    };
  });
}

}  // namespace

void add_survey_command(CLI::App& app, Action& run) {
  auto* survey = app.add_subcommand("survey", "Create, open, close and list surveys in a database");
  survey->require_subcommand(1);
  auto o = std::make_shared<SurveyOptions>();
  add_create(survey, o, run);
  add_set(survey, o, run);
  add_open_close(survey, o, run);
  add_progress(survey, o, run);
  add_list(survey, o, run);
}

}  // namespace sipas::cli
