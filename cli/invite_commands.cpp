// sipas invite: import a sample as invitations, activate reserves; the links
// files (tokens and contacts) are written 0600.

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "app/invitations.hpp"
#include "app/public_url.hpp"
#include "app/sample_import.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "io/file.hpp"
#include "io/text_lists.hpp"

namespace sipas::cli {
namespace {

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

struct InviteOptions {
  std::string db, survey, sample, contact, base_url, out, stratum, psu, respondent;
  std::int64_t count = 1;
  bool raw_csv = false;
};

void add_import(CLI::App* invite, const std::shared_ptr<InviteOptions>& o, Action& run) {
  auto* import = invite->add_subcommand(
      "import",
      "Import sample.csv (from sipas sample) as invitations. Main units get a token now;\n"
      "reserves wait until activated. Writes the links CSV (tokens appear only there, once).");
  import->add_option("--db", o->db, database_help)->required();
  add_survey_option(import, o->survey);
  import->add_option("--sample", o->sample, "sample.csv from sipas sample")->required();
  import->add_option("--contact", o->contact,
                     "carried columns that are contact data (kept apart, never exported)");
  import
      ->add_option("--base-url", o->base_url,
                   "base of the links, with its scheme: https://khaosat.example.gov.vn")
      ->required();
  import
      ->add_option("--out", o->out,
                   "links CSV to write (id, stratum, psu, role, token, link, contacts)")
      ->required();
  add_raw_csv_flag(*import, o->raw_csv);
  import->callback([o, &run] {
    run = [o] {
      const auto contacts = io::split_list(o->contact);
  const std::string base = app::checked_public_url(o->base_url, "--base-url");
  app::ImportSample request{o->survey, app::read_sample(o->sample, contacts)};
  // The tokens exist only in this file: make sure it can be written before
  // issuing them.
  require_writable_folder(o->out);
  auto store = open_database(o->db);
  const auto imported = app::import_sample(store, app::command_line_actor(), request);
  // Tokens and contacts: readable by its owner only.
  io::write_file_atomic(o->out,
                        app::links_csv(imported.issued, base, o->survey, contacts,
                                       {.neutralise_formulas = !o->raw_csv}),
                        io::FileAccess::owner_only);
  std::cout << "imported " << imported.rows << " invitations (" << imported.issued.size()
            << " active, " << imported.reserves << " reserves waiting); links in " << o->out
            << "\n";
  return exit_ok;
};
}  // namespace
);
}  // namespace sipas::cli

void add_activate(CLI::App* invite, const std::shared_ptr<InviteOptions>& o, Action& run) {
  auto* reserves = invite->add_subcommand(
      "activate-reserves", "Activate waiting reserves of a stratum, in reserve order");
  reserves->add_option("--db", o->db, database_help)->required();
  add_survey_option(reserves, o->survey);
  reserves->add_option("--stratum", o->stratum, "stratum")->required();
  reserves->add_option("--psu", o->psu, "only reserves of this PSU");
  reserves->add_option("--count", o->count, "how many")->capture_default_str();
  reserves->add_option("--base-url", o->base_url, "base of the links, with its scheme")->required();
  reserves->add_option("--out", o->out, "links CSV to write")->required();
  add_raw_csv_flag(*reserves, o->raw_csv);
  reserves->callback([o, &run] {
    run = [o] {
      const std::string base = app::checked_public_url(o->base_url, "--base-url");
      require_writable_folder(o->out);
      auto store = open_database(o->db);
      app::ActivateReserves request{o->survey, o->stratum, std::nullopt, o->count};
      if (!o->psu.empty()) request.psu = o->psu;
      const auto activated = app::activate_reserves(store, app::command_line_actor(), request);
      // Tokens and contacts, with the import's contact columns: readable by
      // its owner only.
      io::write_file_atomic(o->out,
                            app::links_csv(activated.issued, base, o->survey,
                                           app::stored_contact_columns(activated.issued),
                                           {.neutralise_formulas = !o->raw_csv}),
                            io::FileAccess::owner_only);
      std::cout << "activated " << activated.issued.size() << " reserves; links in " << o->out
                << "\n";
      const auto got = static_cast<std::int64_t>(activated.issued.size());
      if (got < activated.requested) {
        std::cerr << "sipas invite activate-reserves: cảnh báo: yêu cầu " << activated.requested
                  << " người dự phòng nhưng chỉ còn " << got << " trong tầng " << o->stratum
                  << " / warning: " << activated.requested << " reserves were asked for, only "
                  << got << " were waiting in stratum " << o->stratum << "\n";
      }
      return exit_ok;
    };
  });
}

void add_reissue(CLI::App* invite, const std::shared_ptr<InviteOptions>& o, Action& run) {
  auto* reissue = invite->add_subcommand(
      "reissue",
      "A new link for a respondent who lost theirs: the invitation gets a new token and the\n"
      "old link stops working at once. Writes the links CSV of that one invitation (with its\n"
      "contacts) to --out, or to standard output.");
  reissue->add_option("--db", o->db, database_help)->required();
  add_survey_option(reissue, o->survey);
  reissue->add_option("--id", o->respondent, "the respondent's id in the sample")->required();
  reissue->add_option("--base-url", o->base_url, "base of the links, with its scheme")->required();
  reissue->add_option("--out", o->out, "links CSV to write, 0600 (default: standard output)");
  add_raw_csv_flag(*reissue, o->raw_csv);
  reissue->callback([o, &run] {
    run = [o] {
      const std::string base = app::checked_public_url(o->base_url, "--base-url");
      if (!o->out.empty()) require_writable_folder(o->out);
      auto store = open_database(o->db);
      const std::vector<store::IssuedInvitation> issued{
          app::reissue_link(store, app::command_line_actor(), {o->survey, o->respondent})};
      const std::string csv =
          app::links_csv(issued, base, o->survey, app::stored_contact_columns(issued),
                         {.neutralise_formulas = !o->raw_csv});
      if (o->out.empty()) {
        std::cout << csv;
      } else {
        // A token and contacts: readable by its owner only.
        io::write_file_atomic(o->out, csv, io::FileAccess::owner_only);
        std::cout << "re-issued the link of " << o->respondent << "; the old one no longer works; "
                  << "link in " << o->out << "\n";
      }
      return exit_ok;
    };
  });
}

}  // namespace

void add_invite_command(CLI::App& app, Action& run) {
  auto* invite = app.add_subcommand(
      "invite", "Import a sample as invitations; activate reserves; re-issue a lost link");
  invite->require_subcommand(1);
  auto o = std::make_shared<InviteOptions>();
  add_import(invite, o, run);
  add_activate(invite, o, run);
  add_reissue(invite, o, run);
}

}  // namespace sipas::cli
