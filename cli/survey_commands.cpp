// sipas survey | invite | responses | key: the admin actions of the server,
// on the database file directly (survey_server/README.md).

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "io/file.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"
#include "survey_server/progress_report.hpp"
#include "survey_server/public_url.hpp"
#include "survey_server/response_export.hpp"
#include "survey_server/sample_import.hpp"
#include "survey_server/store.hpp"
#include "survey_server/tokens.hpp"

namespace sipas::cli {
namespace {

namespace ss = sipas::survey_server;
namespace q = sipas::questionnaires;

ss::SurveyStore open_existing(const std::string& db) {
  ss::SurveyStore::Options o;
  o.create = false;
  return ss::SurveyStore(db, o);
}

// Refuses an output whose folder is missing or not writable, before anything
// is stored (io.write_failed, naming the file).
void require_writable_folder(const std::string& out) {
  auto folder = std::filesystem::path(out).parent_path();
  if (folder.empty()) folder = ".";
  if (!std::filesystem::is_directory(folder) || ::access(folder.c_str(), W_OK) != 0) {
    throw io::IoError("io.write_failed", out + ": cannot write into " + folder.string() +
                                             " (missing or not writable)");
  }
}

std::string_view on_off(bool on) {
  return on ? "on" : "off";
}

void print_survey(const ss::SurveyRecord& s) {
  std::cout << s.id << "\t" << ss::to_string(s.state) << "\t" << s.questionnaire_id << " "
            << s.questionnaire_version << "\topen-link " << on_off(s.open_link) << "\n";
}

struct SurveyOptions {
  std::string db, id, questionnaire, standard, out, open_link = "off";
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

void add_survey_command(CLI::App& app, Action& run) {
  auto* survey = app.add_subcommand("survey", "Create, open, close and list surveys in a database");
  survey->require_subcommand(1);
  auto o = std::make_shared<SurveyOptions>();
  auto* create = survey->add_subcommand(
      "create", "Create a survey (state draft) from a questionnaire file or a standard form");
  create->add_option("--db", o->db, "SQLite database file (created when missing)")->required();
  create->add_option("--id", o->id, "survey id: 1-64 characters a-z 0-9 - _")->required();
  auto* file = create->add_option("--questionnaire", o->questionnaire, "questionnaire JSON file");
  auto* standard = create->add_option("--standard", o->standard,
                                      "a standard form: sipas-citizen, par-officials, sipas-short");
  file->excludes(standard);
  add_open_link_option(create, o->open_link)->capture_default_str();
  create->callback([o, &run] {
    run = [o] {
      std::string text;
      if (!o->standard.empty()) {
        const auto* f = q::find_standard_file("forms/" + o->standard + ".json");
        if (!f) throw Error("questionnaire.not_found", "no standard form '" + o->standard + "'");
        text = std::string(f->content);
      } else if (!o->questionnaire.empty()) {
        text = io::read_file(o->questionnaire, q::QuestionnaireLimits::max_file_bytes);
      } else {
        throw Error("survey.missing_questionnaire", "give --questionnaire FILE or --standard NAME");
      }
      auto questionnaire =
          q::load_questionnaire(text, o->questionnaire.empty() ? o->standard : o->questionnaire);
      ss::SurveyStore store(o->db);
      store.create_survey(o->id, text, questionnaire.id(), questionnaire.version(),
                          o->open_link == "on");
      std::cout << "created survey " << o->id << " (" << questionnaire.id() << " "
                << questionnaire.version() << "), state draft, open link " << o->open_link << "\n";
      return exit_ok;
    };
  });
  auto* set = survey->add_subcommand(
      "set", "Change a survey's settings (also while the server runs: it re-reads them)");
  set->add_option("--db", o->db, "SQLite database file")->required();
  set->add_option("--id", o->id, "survey id")->required();
  add_open_link_option(set, o->open_link)->required();
  set->callback([o, &run] {
    run = [o] {
      auto store = open_existing(o->db);
      auto record = store.set_open_link(o->id, o->open_link == "on");
      std::cout << "survey " << record.id << ": open link " << on_off(record.open_link) << "\n";
      return exit_ok;
    };
  });
  for (auto [name, state] :
       {std::pair{"open", ss::SurveyState::Open}, std::pair{"close", ss::SurveyState::Closed}}) {
    auto* cmd = survey->add_subcommand(
        name, std::string(name == std::string("open") ? "Open a survey for answers"
                                                      : "Close a survey: no more answers"));
    cmd->add_option("--db", o->db, "SQLite database file")->required();
    cmd->add_option("--id", o->id, "survey id")->required();
    cmd->callback([o, state = state, &run] {
      run = [o, state] {
        auto store = open_existing(o->db);
        auto record = store.set_survey_state(o->id, state);
        std::cout << "survey " << record.id << " is " << ss::to_string(record.state) << "\n";
        return exit_ok;
      };
    });
  }
  auto* progress = survey->add_subcommand(
      "progress",
      "Response rates by stratum (AAPOR RR1), as the admin API's progress route gives them");
  progress->add_option("--db", o->db, "SQLite database file")->required();
  progress->add_option("--id", o->id, "survey id")->required();
  progress->add_option("--out", o->out, "JSON file to write (default: standard output)");
  progress->callback([o, &run] {
    run = [o] {
      auto store = open_existing(o->db);
      if (!store.find_survey(o->id))
        throw Error("survey.not_found", "no survey '" + o->id + "' in " + o->db);
      const auto text = ss::progress_json(o->id, store.progress(o->id)).dump(2) + "\n";
      if (o->out.empty()) {
        std::cout << text;
      } else {
        // Counts by stratum, no record-level data.
        io::write_file_atomic(o->out, text, io::FileAccess::shared);
        std::cout << "progress of " << o->id << " written to " << o->out << "\n";
      }
      return exit_ok;
    };
  });
  auto* list = survey->add_subcommand(
      "list", "List the surveys: id, state, questionnaire, open link (tab-separated)");
  list->add_option("--db", o->db, "SQLite database file")->required();
  list->callback([o, &run] {
    run = [o] {
      auto store = open_existing(o->db);
      for (const auto& s : store.list_surveys())
        print_survey(s);
      return exit_ok;
    };
  });
}

struct InviteOptions {
  std::string db, survey, sample, contact, base_url, out, stratum, psu;
  std::int64_t count = 1;
  bool raw_csv = false;
};

void add_invite_command(CLI::App& app, Action& run) {
  auto* invite = app.add_subcommand("invite", "Import a sample as invitations; activate reserves");
  invite->require_subcommand(1);
  auto o = std::make_shared<InviteOptions>();
  auto* import = invite->add_subcommand(
      "import",
      "Import sample.csv (from sipas sample) as invitations. Main units get a token now;\n"
      "reserves wait until activated. Writes the links CSV (tokens appear only there, once).");
  import->add_option("--db", o->db, "SQLite database file")->required();
  import->add_option("--survey", o->survey, "survey id")->required();
  import->add_option("--sample", o->sample, "sample.csv from sipas sample")->required();
  import->add_option("--contact", o->contact,
                     "carried columns that are contact data (kept apart, never exported)");
  import->add_option("--base-url", o->base_url, "base of the links, e.g. https://survey.example.vn")
      ->required();
  import
      ->add_option("--out", o->out,
                   "links CSV to write (id, stratum, psu, role, token, link, contacts)")
      ->required();
  add_raw_csv_flag(*import, o->raw_csv);
  import->callback([o, &run] {
    run = [o] {
      const auto contacts = split_list(o->contact);
  const std::string base = ss::checked_public_url(o->base_url, "--base-url");
  auto rows = ss::read_sample(o->sample, contacts);
  // The tokens exist only in this file: make sure it can be written before
  // issuing them.
  require_writable_folder(o->out);
  auto store = open_existing(o->db);
  auto issued = store.import_invitations(o->survey, rows);
  // Tokens and contacts: readable by its owner only.
  io::write_file_atomic(
      o->out,
      ss::links_csv(issued, base, o->survey, contacts, {.neutralise_formulas = !o->raw_csv}),
      io::FileAccess::owner_only);
  std::cout << "imported " << rows.size() << " invitations (" << issued.size()
            << " active); links in " << o->out << "\n";
  return exit_ok;
};
}  // namespace
);
auto* reserves = invite->add_subcommand("activate-reserves",
                                        "Activate waiting reserves of a stratum, in reserve order");
reserves->add_option("--db", o->db, "SQLite database file")->required();
reserves->add_option("--survey", o->survey, "survey id")->required();
reserves->add_option("--stratum", o->stratum, "stratum")->required();
reserves->add_option("--psu", o->psu, "only reserves of this PSU");
reserves->add_option("--count", o->count, "how many")->capture_default_str();
reserves->add_option("--base-url", o->base_url, "base of the links")->required();
reserves->add_option("--out", o->out, "links CSV to write")->required();
add_raw_csv_flag(*reserves, o->raw_csv);
reserves->callback([o, &run] {
  run = [o] {
    const std::string base = ss::checked_public_url(o->base_url, "--base-url");
    require_writable_folder(o->out);
    auto store = open_existing(o->db);
    auto issued = store.activate_reserves(
        o->survey, o->stratum,
        o->psu.empty() ? std::nullopt : std::optional<std::string_view>(o->psu), o->count);
    // Tokens and contacts, with the import's contact columns: readable by
    // its owner only.
    io::write_file_atomic(o->out,
                          ss::links_csv(issued, base, o->survey, ss::stored_contact_columns(issued),
                                        {.neutralise_formulas = !o->raw_csv}),
                          io::FileAccess::owner_only);
    std::cout << "activated " << issued.size() << " reserves; links in " << o->out << "\n";
    return exit_ok;
  };
});
}  // namespace sipas::cli

struct ResponsesOptions {
  std::string db, survey, format = "csv", out;
  std::int64_t since = 0;
  bool raw_csv = false;
};

void add_responses_command(CLI::App& app, Action& run) {
  auto* responses = app.add_subcommand("responses", "Export the answers of a survey");
  responses->require_subcommand(1);
  auto o = std::make_shared<ResponsesOptions>();
  auto* exp = responses->add_subcommand(
      "export", "Export responses with their stratum, PSU and design weight (never contact data).");
  exp->add_option("--db", o->db, "SQLite database file")->required();
  exp->add_option("--survey", o->survey, "survey id")->required();
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
      auto store = open_existing(o->db);
      auto record = store.find_survey(o->survey);
      if (!record) throw Error("survey.not_found", "no survey '" + o->survey + "' in " + o->db);
      auto rows =
          store.export_responses(o->survey, o->since, std::numeric_limits<std::int64_t>::max());
      if (o->format == "csv") {
        auto questionnaire = q::load_questionnaire(record->questionnaire_json, record->id);
        // Answers, free text included: owner-only.
        io::write_file_atomic(
            o->out, ss::responses_csv(questionnaire, rows, {.neutralise_formulas = !o->raw_csv}),
            io::FileAccess::owner_only);
      } else {
        io::write_file_atomic(o->out, ss::responses_json(rows, o->since).dump(2) + "\n",
                              io::FileAccess::owner_only);
      }
      std::cout << "exported " << rows.size() << " responses to " << o->out << "\n";
      return exit_ok;
    };
  });
}

struct KeyOptions {
  std::string db, key_file, name, role = "manager";
};

// Adds "ROLE KEY" to a key file for sipas serve --admin-key-file, creating it
// 0600; refuses a file others may read (the server would refuse it too).
void append_to_key_file(const std::string& path, const std::string& role, const std::string& key) {
  std::string text;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      throw Error("server.key_file", path +
                                         ": the key file can be read or written by other "
                                         "users; run 'chmod 600 " +
                                         path + "' first");
    }
    text = io::read_file(path, 1 << 20);
    if (!text.empty() && text.back() != '\n') text += '\n';
  } else {
    text = "# sipas serve --admin-key-file: ROLE KEY per line, made by sipas key create\n";
  }
  text += role + " " + key + "\n";
  io::write_file_atomic(path, text, io::FileAccess::owner_only);
}

void add_key_command(CLI::App& app, Action& run) {
  auto* key = app.add_subcommand("key", "Admin API keys (stored hashed; shown once)");
  key->require_subcommand(1);
  auto o = std::make_shared<KeyOptions>();
  auto* create = key->add_subcommand(
      "create",
      "Create an API key of 256 random bits (43 characters) and print it once: stored hashed\n"
      "in the database (--db), or added to a key file for --admin-key-file (--key-file, 0600).\n"
      "Keys are made only this way: the server refuses keys shorter than 32 characters.");
  auto* db = create->add_option("--db", o->db, "SQLite database file");
  auto* file =
      create->add_option("--key-file", o->key_file, "key file to add 'ROLE KEY' to (created 0600)");
  db->excludes(file);
  create->add_option("--name", o->name, "who or what the key is for (with --db)");
  create->add_option("--role", o->role, "manager (read and write) or analyst (read only)")
      ->check(CLI::IsMember({"manager", "analyst"}))
      ->capture_default_str();
  create->callback([o, &run] {
    run = [o] {
      if (o->db.empty() && o->key_file.empty()) {
        throw Error("key.missing_target", "give --db DB or --key-file FILE");
      }
      if (!o->key_file.empty()) {
        const std::string secret = ss::random_token(ss::api_key_bytes);
        append_to_key_file(o->key_file, o->role, secret);
        std::cout << secret << "\n";
        return exit_ok;
      }
      if (o->name.empty()) throw Error("key.missing_name", "give --name: who the key is for");
      ss::SurveyStore store(o->db);
      std::cout << store.create_api_key(o->name, *ss::role_from_string(o->role)) << "\n";
      return exit_ok;
    };
  });
}

}  // namespace

void add_survey_admin_commands(CLI::App& app, Action& run) {
  add_survey_command(app, run);
  add_invite_command(app, run);
  add_responses_command(app, run);
  add_key_command(app, run);
}

}  // namespace sipas::cli
