// sipas key create|list|revoke: an API key for the admin API, printed once; stored hashed
// in the database, or added to a 0600 key file for --admin-key-file.

#include <sys/stat.h>

#include <iostream>

#include "app/api_keys.hpp"
#include "app/clock.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "io/file.hpp"
#include "store/tokens.hpp"

namespace sipas::cli {
namespace {

struct KeyOptions {
  std::string db, key_file, name, role = "manager";
  std::int64_t id = 0;
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

void add_list(CLI::App* key, const std::shared_ptr<KeyOptions>& o, Action& run) {
  auto* list = key->add_subcommand(
      "list", "The database's API keys: id, name, role, made, revoked (never a key or a hash)");
  list->add_option("--db", o->db, database_help)->required();
  list->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      std::cout << "id\tname\trole\tcreated\trevoked\n";
      for (const auto& k : app::list_api_keys(store, app::command_line_actor())) {
        std::cout << k.id << '\t' << k.name << '\t' << store::to_string(k.role) << '\t'
                  << app::iso_time(k.created_at) << '\t'
                  << (k.revoked_at ? app::iso_time(*k.revoked_at) : std::string("-")) << '\n';
      }
      return exit_ok;
    };
  });
}

void add_revoke(CLI::App* key, const std::shared_ptr<KeyOptions>& o, Action& run) {
  auto* revoke = key->add_subcommand(
      "revoke", "Revoke an API key of the database: the server refuses it from then on (401)");
  revoke->add_option("--db", o->db, database_help)->required();
  revoke->add_option("--id", o->id, "the key's id (sipas key list)")->required();
  revoke->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      const auto before = app::revoke_api_key(store, app::command_line_actor(), o->id);
      std::cout << (before.revoked_at ? "already revoked: key " : "revoked key ") << before.id
                << " (" << before.name << ")\n";
      return exit_ok;
    };
  });
}

}  // namespace

void add_key_command(CLI::App& app, Action& run) {
  auto* key =
      app.add_subcommand("key", "Admin API keys (stored hashed; shown once): create, list, revoke");
  key->require_subcommand(1);
  auto o = std::make_shared<KeyOptions>();
  auto* create = key->add_subcommand(
      "create",
      "Create an API key of 256 random bits (43 characters) and print it once: stored hashed\n"
      "in the database (--db), or added to a key file for --admin-key-file (--key-file, 0600).\n"
      "Keys are made only this way: the server refuses keys shorter than 32 characters.");
  auto* db = create->add_option("--db", o->db, database_help);
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
        const std::string secret = store::random_token(store::api_key_bytes);
        append_to_key_file(o->key_file, o->role, secret);
        std::cout << secret << "\n";
        return exit_ok;
      }
      if (o->name.empty()) throw Error("key.missing_name", "give --name: who the key is for");
      auto store = open_database(o->db);
      std::cout << app::create_api_key(store, app::command_line_actor(),
                                       {o->name, *store::role_from_string(o->role)})
                << "\n";
      return exit_ok;
    };
  });
  add_list(key, o, run);
  add_revoke(key, o, run);
}

void add_survey_admin_commands(CLI::App& app, Action& run) {
  add_survey_command(app, run);
  add_invite_command(app, run);
  add_responses_command(app, run);
  add_key_command(app, run);
  add_unit_command(app, run);
  add_user_command(app, run);
  add_audit_command(app, run);
}

}  // namespace sipas::cli
