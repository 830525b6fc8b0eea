// SurveyStore: units, users, console sessions and failed logins
// (store/accounts.hpp). The same SQL on SQLite and PostgreSQL.

#include <array>

#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace sipas::store {

namespace {

constexpr std::array<std::pair<UserRole, std::string_view>, 6> role_names{{
    {UserRole::Admin, "admin"},
    {UserRole::Manager, "manager"},
    {UserRole::Analyst, "analyst"},
    {UserRole::Unit, "unit"},
    {UserRole::Appraiser, "appraiser"},
    {UserRole::Clerk, "clerk"},
}};

constexpr const char* user_columns =
    "id, name, role, unit, password_hash, disabled, created_at, password_set_at";

// Reads the columns of user_columns starting at `first`.
UserRecord read_user(const db::Statement& row, int first = 0) {
  UserRecord user;
  user.id = row.column_int64(first);
  user.name = row.column_text(first + 1);
  user.role = user_role_from_string(row.column_text(first + 2)).value_or(UserRole::Analyst);
  user.unit = row.column_optional_text(first + 3);
  user.password_hash = row.column_text(first + 4);
  user.disabled = row.column_int64(first + 5) != 0;
  user.created_at = row.column_int64(first + 6);
  user.password_set_at = row.column_int64(first + 7);
  return user;
}

UnitRecord read_unit(const db::Statement& row) {
  return {row.column_text(0), row.column_text(1), row.column_text(2), row.column_optional_text(3)};
}

std::int64_t delete_sessions_of(SurveyStore::Impl& impl, std::int64_t user) {
  auto& remove = impl.statement("DELETE FROM sessions WHERE user_id = ?1");
  db::Reset reset(remove);
  remove.bind(1, user);
  remove.run();
  return remove.changes();
}

}  // namespace

std::string_view to_string(UserRole role) {
  for (const auto& [value, name] : role_names) {
    if (value == role) return name;
  }
  return "analyst";
}

std::optional<UserRole> user_role_from_string(std::string_view text) {
  for (const auto& [value, name] : role_names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ units

UnitImportCounts SurveyStore::upsert_units(const std::vector<UnitRecord>& units) {
  return impl_->write([&] {
    UnitImportCounts counts;
    const Timestamp now = detail::clock_now();
    for (const auto& unit : units) {
      auto before = find_unit(unit.id);
      if (before && before->name == unit.name && before->type == unit.type &&
          before->parent == unit.parent) {
        ++counts.unchanged;
        continue;
      }
      auto& upsert = impl_->statement(
          "INSERT INTO units (id, name, type, parent, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, "
          "parent = excluded.parent");
      db::Reset reset(upsert);
      upsert.bind(1, unit.id);
      upsert.bind(2, unit.name);
      upsert.bind(3, unit.type);
      upsert.bind(4, unit.parent);
      upsert.bind(5, now);
      upsert.run();
      ++(before ? counts.updated : counts.added);
    }
    // The parents are checked here, not left to the deferred key at COMMIT:
    // in a group commit that failure would undo the other jobs too.
    auto& orphan = impl_->statement(
        "SELECT u.id, u.parent FROM units u WHERE u.parent IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM units p WHERE p.id = u.parent) ORDER BY u.id LIMIT 1");
    db::Reset reset(orphan);
    if (orphan.step()) {
      throw StoreError("unit.not_found", "unit '" + orphan.column_text(0) + "': its parent '" +
                                             orphan.column_text(1) + "' is not a unit");
    }
    return counts;
  });
}

std::vector<UnitRecord> SurveyStore::list_units() {
  auto& query = impl_->statement("SELECT id, name, type, parent FROM units ORDER BY id");
  db::Reset reset(query);
  std::vector<UnitRecord> out;
  while (query.step())
    out.push_back(read_unit(query));
  return out;
}

std::optional<UnitRecord> SurveyStore::find_unit(std::string_view id) {
  auto& query = impl_->statement("SELECT id, name, type, parent FROM units WHERE id = ?1");
  db::Reset reset(query);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return read_unit(query);
}

std::vector<std::string> SurveyStore::unit_and_below(std::string_view id) {
  // UNION (not UNION ALL) stops at a unit already seen, should a cycle ever
  // be stored.
  auto& query = impl_->statement(
      "WITH RECURSIVE below (id) AS (SELECT id FROM units WHERE id = ?1 "
      "UNION SELECT u.id FROM units u JOIN below b ON u.parent = b.id) "
      "SELECT id FROM below ORDER BY id");
  db::Reset reset(query);
  query.bind(1, id);
  std::vector<std::string> out;
  while (query.step())
    out.push_back(query.column_text(0));
  return out;
}

// ------------------------------------------------------------------ users

std::int64_t SurveyStore::create_user(const UserRecord& user) {
  return impl_->write([&] {
    if (find_user(user.name)) {
      throw StoreError("user.exists", "there is already a user named '" + user.name + "'");
    }
    if (user.unit && !find_unit(*user.unit)) {
      throw StoreError("unit.not_found", "no unit '" + *user.unit + "'");
    }
    auto id = impl_->insert(
        "INSERT INTO users (name, role, unit, password_hash, disabled, created_at, "
        "password_set_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        "id", [&](db::Statement& insert) {
          insert.bind(1, user.name);
          insert.bind(2, to_string(user.role));
          insert.bind(3, user.unit);
          insert.bind(4, user.password_hash);
          insert.bind(5, user.disabled);
          insert.bind(6, user.created_at);
          insert.bind(7, user.password_set_at);
        });
    return id.value_or(0);
  });
}

std::optional<UserRecord> SurveyStore::find_user(std::string_view name) {
  auto& query =
      impl_->statement(std::string("SELECT ") + user_columns + " FROM users WHERE name = ?1");
  db::Reset reset(query);
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  return read_user(query);
}

std::optional<UserRecord> SurveyStore::find_user_by_id(std::int64_t id) {
  auto& query =
      impl_->statement(std::string("SELECT ") + user_columns + " FROM users WHERE id = ?1");
  db::Reset reset(query);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return read_user(query);
}

std::vector<UserRecord> SurveyStore::list_users() {
  auto& query =
      impl_->statement(std::string("SELECT ") + user_columns + " FROM users ORDER BY name");
  db::Reset reset(query);
  std::vector<UserRecord> out;
  while (query.step())
    out.push_back(read_user(query));
  return out;
}

void SurveyStore::set_user_disabled(std::string_view name, bool disabled) {
  impl_->write([&] {
    auto user = find_user(name);
    if (!user) throw StoreError("user.not_found", "no user '" + std::string(name) + "'");
    auto& update = impl_->statement("UPDATE users SET disabled = ?2 WHERE id = ?1");
    db::Reset reset(update);
    update.bind(1, user->id);
    update.bind(2, disabled);
    update.run();
    delete_sessions_of(*impl_, user->id);
  });
}

void SurveyStore::set_user_password(std::string_view name, const std::string& password_hash,
                                    Timestamp at) {
  impl_->write([&] {
    auto user = find_user(name);
    if (!user) throw StoreError("user.not_found", "no user '" + std::string(name) + "'");
    auto& update =
        impl_->statement("UPDATE users SET password_hash = ?2, password_set_at = ?3 WHERE id = ?1");
    db::Reset reset(update);
    update.bind(1, user->id);
    update.bind(2, password_hash);
    update.bind(3, at);
    update.run();
    delete_sessions_of(*impl_, user->id);
  });
}

// ------------------------------------------------------------------ sessions

void SurveyStore::create_session(const std::string& id_hash, std::int64_t user, Timestamp at) {
  impl_->write([&] {
    auto& insert = impl_->statement(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, "
        "?3)");
    db::Reset reset(insert);
    insert.bind(1, id_hash);
    insert.bind(2, user);
    insert.bind(3, at);
    insert.run();
  });
}

std::optional<SessionRecord> SurveyStore::find_session(std::string_view id_hash) {
  auto& query = impl_->statement(
      "SELECT s.created_at, s.last_seen_at, u.id, u.name, u.role, u.unit, u.password_hash, "
      "u.disabled, u.created_at, u.password_set_at FROM sessions s JOIN users u ON u.id = "
      "s.user_id WHERE s.id_hash = ?1");
  db::Reset reset(query);
  query.bind(1, id_hash);
  if (!query.step()) return std::nullopt;
  SessionRecord session;
  session.created_at = query.column_int64(0);
  session.last_seen_at = query.column_int64(1);
  session.user = read_user(query, 2);
  return session;
}

void SurveyStore::touch_session(std::string_view id_hash, Timestamp at) {
  impl_->write([&] {
    auto& update = impl_->statement(
        "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1 AND last_seen_at < ?2");
    db::Reset reset(update);
    update.bind(1, id_hash);
    update.bind(2, at);
    update.run();
  });
}

std::int64_t SurveyStore::delete_session(std::string_view id_hash) {
  return impl_->write([&] {
    auto& remove = impl_->statement("DELETE FROM sessions WHERE id_hash = ?1");
    db::Reset reset(remove);
    remove.bind(1, id_hash);
    remove.run();
    return remove.changes();
  });
}

std::int64_t SurveyStore::delete_sessions_before(Timestamp idle_before, Timestamp made_before) {
  return impl_->write([&] {
    auto& remove =
        impl_->statement("DELETE FROM sessions WHERE last_seen_at < ?1 OR created_at < ?2");
    db::Reset reset(remove);
    remove.bind(1, idle_before);
    remove.bind(2, made_before);
    remove.run();
    return remove.changes();
  });
}

// ------------------------------------------------------------------ logins

void SurveyStore::record_login_failure(std::string_view user_name, Timestamp at) {
  impl_->write([&] {
    auto& insert = impl_->statement("INSERT INTO login_failures (user_name, at) VALUES (?1, ?2)");
    db::Reset reset(insert);
    insert.bind(1, user_name);
    insert.bind(2, at);
    insert.run();
  });
}

std::int64_t SurveyStore::count_login_failures(std::string_view user_name, Timestamp since) {
  auto& query =
      impl_->statement("SELECT COUNT(*) FROM login_failures WHERE user_name = ?1 AND at >= ?2");
  db::Reset reset(query);
  query.bind(1, user_name);
  query.bind(2, since);
  return query.step() ? query.column_int64(0) : 0;
}

std::int64_t SurveyStore::delete_login_failures_before(Timestamp before) {
  return impl_->write([&] {
    auto& remove = impl_->statement("DELETE FROM login_failures WHERE at < ?1");
    db::Reset reset(remove);
    remove.bind(1, before);
    remove.run();
    return remove.changes();
  });
}

}  // namespace sipas::store
