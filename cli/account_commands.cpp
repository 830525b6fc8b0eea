// sipas unit import|list and sipas user add|list|disable|enable|reset: the
// organisational units and the people who log in to the console.

#include <iomanip>
#include <iostream>

#include "app/passwords.hpp"
#include "app/units.hpp"
#include "app/use_case_error.hpp"
#include "app/users.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"

namespace sipas::cli {
namespace {

struct AccountOptions {
  std::string db, file, name, role, unit;
  bool password_stdin = false;
};

// One line of standard input, without its line break.
std::optional<std::string> password_from_stdin() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return std::nullopt;
  return line;
}

std::optional<std::string> password_option(const AccountOptions& o) {
  if (!o.password_stdin) return std::nullopt;
  auto password = password_from_stdin();
  if (!password) {
    throw Error("user.empty_password",
                "--password-stdin: standard input held no password (one line is read)");
  }
  try {
    app::check_password(*password);
  } catch (const app::UseCaseError& e) {
    throw Error(e.id(), std::string(e.what()) + " (--password-stdin)");
  }
  return password;
}

void print_generated(const std::string& name, const std::string& password) {
  // The only time the password exists outside the person's head: say so.
  std::cout << "password for " << name << " (shown once, stored only as an Argon2id hash):\n"
            << password << "\n";
}

CLI::Option* name_option(CLI::App* command, AccountOptions& o) {
  return command->add_option("--name", o.name, "the user's name (a-z 0-9 . _ - @)")->required();
}

}  // namespace

void add_unit_command(CLI::App& app, Action& run) {
  auto* unit = app.add_subcommand("unit", "Organisational units (departments, communes, wards)");
  unit->require_subcommand(1);
  auto o = std::make_shared<AccountOptions>();
  auto* import = unit->add_subcommand(
      "import",
      "Add or update units from a CSV file with columns id, name, type, parent (parent empty for\n"
      "a top unit, such as the province). Every bad line is listed; nothing is stored unless\n"
      "the whole file is right. A unit user sees its unit and the units below it.");
  import->add_option("--db", o->db, database_help)->required();
  import->add_option("file", o->file, "units.csv")->required();
  import->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db, Database::CreateIfMissing);
  const auto counts = app::import_units(store, app::command_line_actor(), o->file, o->file);
  std::cout << "units: " << counts.added << " added, " << counts.updated << " updated, "
            << counts.unchanged << " unchanged\n";
  return exit_ok;
};
}  // namespace sipas::cli
);
auto* list = unit->add_subcommand("list", "List the units as CSV: id, name, type, parent");
list->add_option("--db", o->db, database_help)->required();
list->callback([o, &run] {
  run = [o] {
    auto store = open_database(o->db);
    std::cout << "id,name,type,parent\n";
    for (const auto& u : store.list_units()) {
      // Ids are plain; names and types may hold commas or quotes.
      auto quoted = [](const std::string& text) {
        std::string out = "\"";
        for (char c : text)
          out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
      };
      std::cout << u.id << "," << quoted(u.name) << "," << quoted(u.type) << ","
                << u.parent.value_or("") << "\n";
    }
    return exit_ok;
  };
});
}

void add_user_command(CLI::App& app, Action& run) {
  auto* user = app.add_subcommand("user", "People who log in to the console (/admin/)");
  user->require_subcommand(1);
  auto o = std::make_shared<AccountOptions>();
  auto* add = user->add_subcommand(
      "add",
      "Add a user. The password is read from standard input (--password-stdin, one line, at\n"
      "least 12 characters) or made (20 random characters) and printed once. Roles: admin,\n"
      "manager, analyst, unit (needs --unit), appraiser, clerk.");
  add->add_option("--db", o->db, database_help)->required();
  name_option(add, *o);
  add->add_option("--role", o->role, "admin, manager, analyst, unit, appraiser or clerk")
      ->required()
      ->check(CLI::IsMember({"admin", "manager", "analyst", "unit", "appraiser", "clerk"}));
  add->add_option("--unit", o->unit, "the unit (an id of sipas unit list) the user belongs to");
  add->add_flag("--password-stdin", o->password_stdin, "read the password from standard input");
  add->callback([o, &run] {
    run = [o] {
      app::AddUser request;
      request.name = o->name;
      request.role = *store::user_role_from_string(o->role);
      if (!o->unit.empty()) request.unit = o->unit;
      request.password = password_option(*o);
      auto store = open_database(o->db, Database::CreateIfMissing);
      auto added = app::add_user(store, app::command_line_actor(), request);
      std::cout << "user " << added.user.name << " added (" << store::to_string(added.user.role)
                << (added.user.unit ? ", unit " + *added.user.unit : std::string()) << ")\n";
      if (added.generated_password) print_generated(added.user.name, *added.generated_password);
      return exit_ok;
    };
  });

  auto* list = user->add_subcommand("list", "List the users: name, role, unit, state");
  list->add_option("--db", o->db, database_help)->required();
  list->callback([o, &run] {
    run = [o] {
      auto store = open_database(o->db);
      for (const auto& u : app::list_users(store, app::command_line_actor())) {
        std::cout << std::left << std::setw(24) << u.name << " " << std::setw(10)
                  << store::to_string(u.role) << " " << std::setw(16) << u.unit.value_or("-") << " "
                  << (u.disabled ? "disabled" : "active") << "\n";
      }
      return exit_ok;
    };
  });

  for (const bool disabled : {true, false}) {
    auto* change = user->add_subcommand(
        disabled ? "disable" : "enable",
        disabled ? "Disable a user: they can no longer log in, and their sessions end now"
                 : "Let a disabled user log in again");
    change->add_option("--db", o->db, database_help)->required();
    name_option(change, *o);
    change->callback([o, &run, disabled] {
      run = [o, disabled] {
        auto store = open_database(o->db);
        app::set_user_disabled(store, app::command_line_actor(), o->name, disabled);
        std::cout << "user " << o->name << (disabled ? " disabled" : " enabled") << "\n";
        return exit_ok;
      };
    });
  }

  auto* reset = user->add_subcommand(
      "reset",
      "Give a user a new password (--password-stdin, or one made and printed once); their\n"
      "sessions end now");
  reset->add_option("--db", o->db, database_help)->required();
  name_option(reset, *o);
  reset->add_flag("--password-stdin", o->password_stdin, "read the password from standard input");
  reset->callback([o, &run] {
    run = [o] {
      auto password = password_option(*o);
      auto store = open_database(o->db);
      auto generated = app::reset_password(store, app::command_line_actor(), o->name, password);
      std::cout << "password of " << o->name << " changed; their sessions have ended\n";
      if (generated) print_generated(o->name, *generated);
      return exit_ok;
    };
  });
}

}  // namespace sipas::cli
