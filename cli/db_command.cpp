// sipas db: the database itself. `db backup` makes a consistent copy of an
// SQLite database, also while `sipas serve` writes to it (store/backup.hpp);
// `db copy` moves a whole installation between SQLite and PostgreSQL
// (store/copy.hpp). Each subcommand is added by a function of its own in
// add_db_command.

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "store/backup.hpp"
#include "store/copy.hpp"

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

struct CopyOptions {
  std::string from, to;
};

void add_copy(CLI::App* db, Action& run) {
  auto o = std::make_shared<CopyOptions>();
  auto* copy = db->add_subcommand(
      "copy",
      "Copy a whole installation (surveys, invitations, answers, drafts, keys, the audit\n"
      "trail) from one database to another: an SQLite file to PostgreSQL when the survey\n"
      "moves to several server nodes, or back. Ids stay as they were. The destination is\n"
      "created or migrated and must hold no data; it is written in one transaction and\n"
      "checked, table by table, by its row count and a hash of its contents before that\n"
      "transaction commits: on a difference nothing is written. Stop the servers writing\n"
      "to --from first: answers taken during the copy would stay behind.");
  copy->add_option("--from", o->from, std::string("the database to copy: ") + database_help)
      ->required();
  copy->add_option("--to", o->to, std::string("the database to fill: ") + database_help)
      ->required();
  copy->callback([o, &run] {
    run = [o] {
      store::CopyOptions options;
      options.progress = [](const std::string& table, std::int64_t rows) {
        if (rows < 0)
          std::cerr << "sipas: db copy: " << table << "...\n";
        else
          std::cerr << "sipas: db copy: " << table << ": " << rows << " rows, checked\n";
      };
      const auto tables = store::copy_database(o->from, o->to, options);
      std::cout << "table\trows\tcontent hash (SHA-256 of the rows, the same in both)\n";
      std::int64_t total = 0;
      for (const auto& table : tables) {
        std::cout << table.table << '\t' << table.rows << '\t' << table.hash << '\n';
        total += table.rows;
      }
      std::cout << "copied " << total << " rows of " << tables.size() << " tables from " << o->from
                << " to " << o->to << "; counts and hashes agree\n";
      return exit_ok;
    };
  });
}

}  // namespace

void add_db_command(CLI::App& app, Action& run) {
  auto* db = app.add_subcommand(
      "db",
      "The database itself: backup (a consistent copy of an SQLite file), copy (a whole "
      "installation between SQLite and PostgreSQL)");
  db->require_subcommand(1);
  add_backup(db, run);
  add_copy(db, run);
}

}  // namespace sipas::cli
