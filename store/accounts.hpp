#pragma once

// What the store keeps of the people who run a survey year: organisational
// units (a province's departments and communes, as a tree), user accounts
// with a role, their console sessions and failed logins. Policies (who may
// do what, timeouts, throttles, password hashing) are the application
// layer's; the store keeps rows.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipas::store {

using Timestamp = std::int64_t;

// The roles of people (bearer keys keep store::Role: manager or analyst).
enum class UserRole : std::uint8_t { Admin, Manager, Analyst, Unit, Appraiser, Clerk };
std::string_view to_string(UserRole role);
std::optional<UserRole> user_role_from_string(std::string_view text);

struct UnitRecord {
  std::string id, name, type;
  std::optional<std::string> parent;  // nullopt: a top unit (the province)
};

struct UserRecord {
  std::int64_t id = 0;
  std::string name;
  UserRole role = UserRole::Analyst;
  std::optional<std::string> unit;  // the unit a unit user sees (and those below it)
  std::string password_hash;        // Argon2id, libsodium's crypto_pwhash_str format
  bool disabled = false;
  Timestamp created_at = 0, password_set_at = 0;
};

// A console session found by the SHA-256 of its id, with its user.
struct SessionRecord {
  UserRecord user;
  Timestamp created_at = 0, last_seen_at = 0;
};

// What an import of units changed.
struct UnitImportCounts {
  std::int64_t added = 0, updated = 0, unchanged = 0;
};

}  // namespace sipas::store
