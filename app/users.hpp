#pragma once

// User accounts: the people who run a survey year, each with one role
// (store::UserRole) and, for a unit user, one unit. Managed from the command
// line (`sipas user ...`) and, later, the console.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

// 1 to 64 characters of a-z 0-9 . _ - @ (lowercase: one person, one name).
bool is_user_name(std::string_view name);

struct AddUser {
  std::string name;
  store::UserRole role = store::UserRole::Analyst;
  std::optional<std::string> unit;      // required for the unit role
  std::optional<std::string> password;  // nullopt: one is made and returned once
};

struct AddedUser {
  store::UserRecord user;
  std::optional<std::string> generated_password;  // when none was given
};

// Errors (UseCaseError): user.invalid_name (field name), user.unit_required
// (the unit role without a unit), user.weak_password (field password),
// user.exists (Conflict), unit.not_found (NotFound). Audit "user.create"
// (name, role, unit; never the password).
AddedUser add_user(store::SurveyStore& store, const Actor& actor, const AddUser& request);
// add_user in two steps, for a server whose writes run in a shared
// transaction: prepare_user checks the request and hashes the password
// (Argon2id, a tenth of a second) outside it; store_user stores it, with its
// audit entry, and sets the user's id.
AddedUser prepare_user(const Actor& actor, const AddUser& request);
void store_user(store::SurveyStore& store, const Actor& actor, AddedUser& added);
std::vector<store::UserRecord> list_users(store::SurveyStore& store, const Actor& actor);
// Disables (or enables again) a user; disabling ends their sessions. Audit
// "user.disable" / "user.enable". user.not_found (NotFound).
void set_user_disabled(store::SurveyStore& store, const Actor& actor, const std::string& name,
                       bool disabled);
// A new password (`password`, or one made and returned); ends the user's
// sessions. Audit "user.reset_password". user.not_found, user.weak_password.
std::optional<std::string> reset_password(store::SurveyStore& store, const Actor& actor,
                                          const std::string& name,
                                          std::optional<std::string> password);
// reset_password in two steps, as add_user: the hash made outside the
// transaction, then stored.
struct NewPassword {
  std::string hash;
  std::optional<std::string> generated;  // when none was given
};
NewPassword prepare_password(const Actor& actor, std::optional<std::string> password);
void store_password(store::SurveyStore& store, const Actor& actor, const std::string& name,
                    const NewPassword& password);

// A person's actor in the audit trail: "user:NAME".
std::string user_actor_name(const store::UserRecord& user);

}  // namespace sipas::app
