// sipas db: the database file itself. `db backup` makes a consistent copy of
// a database, also while `sipas serve` writes to it (store/backup.hpp). Each
// subcommand is added by a function of its own in add_db_command.

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "store/backup.hpp"

namespace sipas::cli {
namespace {

struct BackupOptions {
  std::string db, out;
  bool force = false;
  int step_pages = 1000;
};

void add_backup(CLI::App* db, Action& run) {
  auto o = std::make_shared<BackupOptions>();
  auto* backup = db->add_subcommand(
      "backup",
      "Copy a survey database to --out, consistently, also while sipas serve writes to it:\n"
      "the copy is one moment's snapshot (SQLite's online backup, in steps that never stop\n"
      "the server's writes), written 0600 (it holds personal data) under a temporary name\n"
      "beside --out, checked with PRAGMA quick_check, synced to disk and only then renamed\n"
      "to --out. It is a complete WAL-mode database that every sipas command opens.\n"
      "An existing --out is not replaced without --force. For an SQLite database file (a\n"
      "PostgreSQL database is backed up with pg_dump).");
  backup->add_option("--db", o->db, "the SQLite database file to copy")->required();
  backup->add_option("--out", o->out, "the file to write the copy to")->required();
  backup->add_flag("--force", o->force, "replace --out if it exists");
  backup
      ->add_option("--step-pages", o->step_pages,
                   "pages copied a step; between steps other connections get their turn")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  backup->callback([o, &run] {
    run = [o] {
      store::BackupOptions options;
      options.overwrite = o->force;
      options.pages_per_step = o->step_pages;
      // Progress on standard error for a copy of more than ten steps, every 10%.
      int shown = 0;
      options.progress = [&shown, o](std::int64_t copied, std::int64_t total) {
        if (total <= 10 * static_cast<std::int64_t>(o->step_pages)) return;
        const int percent = static_cast<int>(copied * 100 / total);
        if (percent / 10 <= shown / 10 && copied < total) return;
        shown = percent;
        std::cerr << "sipas: backup: " << percent << "% (" << copied << " of " << total
                  << " pages)\n";
      };
      const auto result = store::backup_database(o->db, o->out, options);
      std::cout << "backup of " << o->db << " written to " << o->out << ": " << result.pages
                << " pages of " << result.page_size << " bytes, " << result.bytes
                << " bytes, quick_check ok\n";
      return exit_ok;
    };
  });
}

}  // namespace

void add_db_command(CLI::App& app, Action& run) {
  auto* db = app.add_subcommand("db", "The database file itself: backup (a consistent copy)");
  db->require_subcommand(1);
  add_backup(db, run);
}

}  // namespace sipas::cli
