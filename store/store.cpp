// SurveyStore: opening (pragmas, migrations), transactions, surveys, API keys.
// Invitations are in store_invitations.cpp, responses in store_responses.cpp.

#include <chrono>

#include "store/migrations.hpp"
#include "store/postgres.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"
#include "store/tokens.hpp"

namespace sipas::store {
namespace {

constexpr std::string_view select_survey =
    "SELECT id, questionnaire_json, questionnaire_id, questionnaire_version, state, created_at, "
    "opened_at, closed_at, open_link FROM surveys";

SurveyRecord read_survey(const db::Statement& row) {
  SurveyRecord record;
  record.id = row.column_text(0);
  record.questionnaire_json = row.column_text(1);
  record.questionnaire_id = row.column_text(2);
  record.questionnaire_version = row.column_text(3);
  record.state = survey_state_from_string(row.column_text(4)).value_or(SurveyState::Draft);
  record.created_at = row.column_int64(5);
  record.opened_at = row.column_optional_int64(6);
  record.closed_at = row.column_optional_int64(7);
  record.open_link = row.column_int64(8) != 0;
  return record;
}

std::optional<SurveyRecord> find_survey_in(SurveyStore::Impl& impl, std::string_view id) {
  static const std::string sql = std::string(select_survey) + " WHERE id = ?1";
  auto& query = impl.statement(sql);
  db::Reset reset(query);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return read_survey(query);
}

}  // namespace

Timestamp detail::clock_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void require_survey(SurveyStore::Impl& impl, std::string_view survey) {
  auto& query = impl.statement("SELECT 1 FROM surveys WHERE id = ?1");
  db::Reset reset(query);
  query.bind(1, survey);
  if (!query.step())
    throw StoreError("survey.not_found", "no survey \"" + std::string(survey) + "\"");
}

// ---------------------------------------------------------------------------
// Names of the enums, as stored and as the API spells them.

std::string_view to_string(SurveyState state) {
  switch (state) {
    case SurveyState::Draft:
      return "draft";
    case SurveyState::Open:
      return "open";
    case SurveyState::Closed:
      return "closed";
  }
  return "draft";
}

std::optional<SurveyState> survey_state_from_string(std::string_view text) {
  if (text == "draft") return SurveyState::Draft;
  if (text == "open") return SurveyState::Open;
  if (text == "closed") return SurveyState::Closed;
  return std::nullopt;
}

std::string_view to_string(ReviewState state) {
  switch (state) {
    case ReviewState::Received:
      return "received";
    case ReviewState::Approved:
      return "approved";
    case ReviewState::Rejected:
      return "rejected";
  }
  return "received";
}

std::optional<ReviewState> review_state_from_string(std::string_view text) {
  if (text == "received") return ReviewState::Received;
  if (text == "approved") return ReviewState::Approved;
  if (text == "rejected") return ReviewState::Rejected;
  return std::nullopt;
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::Manager:
      return "manager";
    case Role::Analyst:
      return "analyst";
  }
  return "analyst";
}

std::optional<Role> role_from_string(std::string_view text) {
  if (text == "manager") return Role::Manager;
  if (text == "analyst") return Role::Analyst;
  return std::nullopt;
}

std::string_view to_string(InvitationStatus status) {
  switch (status) {
    case InvitationStatus::Inactive:
      return "inactive";
    case InvitationStatus::Pending:
      return "pending";
    case InvitationStatus::Opened:
      return "opened";
    case InvitationStatus::Responded:
      return "responded";
  }
  return "pending";
}

// ---------------------------------------------------------------------------
// Opening

namespace {

sqlite::Database::Mode open_mode(const SurveyStore::Options& options) {
  if (options.read_only) return sqlite::Database::Mode::ReadOnly;
  return options.create ? sqlite::Database::Mode::ReadWriteCreate
                        : sqlite::Database::Mode::ReadWrite;
}

// PRAGMA quick_check: "ok", or up to 3 lines of what is wrong. A page so
// damaged that the check itself stops is reported the same way.
void check_pages(sqlite::Database& db, const std::filesystem::path& path) {
  std::string report;
  try {
    sqlite::Statement check(db, "PRAGMA quick_check(3)");
    while (check.step()) {
      if (!report.empty()) report += "; ";
      report += check.column_text(0);
    }
  } catch (const sqlite::SqliteError& error) {
    if (error.id() != "store.corrupt" && error.id() != "store.io") throw;
    report = error.what();
  }
  if (report == "ok") return;
  throw StoreError("store.corrupt", path.string() +
                                        ": the database is damaged; the file was left as it is: "
                                        "restore it from a backup (PRAGMA quick_check: " +
                                        report + ")");
}

void refuse_newer(const std::string& name, int found, int latest) {
  if (found > latest) throw newer_schema_error(name, found, latest);
}

void refuse_old_read_only(const std::string& name, int found, int latest) {
  if (found >= latest) return;
  throw StoreError("store.read_only", name + ": the database has schema version " +
                                          std::to_string(found) + " and needs migrating to " +
                                          std::to_string(latest) +
                                          ", which a read-only connection cannot do; open it "
                                          "once for writing");
}

// Opens the SQLite file: checks, pragmas, migrations. Sets version and
// read_only.
std::unique_ptr<db::Connection> open_sqlite(const std::filesystem::path& path,
                                            const SurveyStore::Options& options, int& version,
                                            bool& read_only) {
  sqlite::Database db(path, open_mode(options));
  db.set_busy_timeout(options.busy_timeout_ms);
  // The first read: a file that is not a database fails here, before any
  // pragma could write to it.
  int found = 0;
  try {
    found = user_version(db);
  } catch (const sqlite::SqliteError& error) {
    if (error.id() == "store.read_only") {
      // A WAL database is read through its -shm file; a process that may not
      // write the file cannot create that beside it in a directory it may
      // not write either.
      throw sqlite::SqliteError("store.read_only",
                                path.string() + ": cannot be read: it is a WAL database and its " +
                                    path.filename().string() +
                                    "-shm file cannot be created; let this user write the "
                                    "directory, or the file (" +
                                    error.what() + ")",
                                error.code());
    }
    if (error.id() != "store.corrupt") throw;
    throw sqlite::SqliteError("store.corrupt",
                              path.string() +
                                  ": not an SQLite database, or a damaged one; the file was left "
                                  "as it is (" +
                                  error.what() + ")",
                              error.code());
  }
  if (options.quick_check) check_pages(db, path);
  const int latest = latest_schema_version();
  refuse_newer(path.string(), found, latest);
  read_only = options.read_only || db.read_only();
  if (read_only) {
    refuse_old_read_only(path.string(), found, latest);
  } else {
    // WAL: readers never block the writer nor the writer them; with
    // synchronous=FULL every COMMIT is on disk (the WAL fsynced) when it
    // returns. Setting it is persistent and a no-op when already set.
    db.exec("PRAGMA journal_mode = WAL");
    if (found < latest) migrate(db, latest);
  }
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  // 64 MiB of page cache a connection (SQLite's default is 2 MiB): the
  // token index of a few hundred thousand invitations is larger than that,
  // and every answer looks its token up.
  db.exec("PRAGMA cache_size = -65536");
  version = user_version(db);
  return std::make_unique<sqlite::Connection>(std::move(db));
}

// Connects to PostgreSQL and brings the schema up to date (under an advisory
// lock). A database without sipas' tables is a mistyped URL unless the
// store is to create it. Sets version and read_only.
std::unique_ptr<db::Connection> open_postgres(const std::string& url,
                                              const SurveyStore::Options& options, int& version,
                                              bool& read_only) {
  auto conn = std::make_unique<postgres::Connection>(url, options.read_only);
  const int latest = latest_schema_version();
  int found = postgres_schema_version(*conn);
  if (found == 0 && (!options.create || options.read_only)) {
    throw StoreError("store.not_found",
                     url +
                         ": no sipas database there (no schema_migrations table); "
                         "sipas survey create --db URL makes one");
  }
  refuse_newer(url, found, latest);
  read_only = options.read_only;
  if (read_only) {
    refuse_old_read_only(url, found, latest);
  } else if (found < latest) {
    migrate_postgres(*conn, latest);
    found = postgres_schema_version(*conn);
  }
  version = found;
  return conn;
}

}  // namespace

SurveyStore::Impl::Impl(const std::string& database, const Options& options)
    : location(database),
      new_token(options.token_source ? options.token_source
                                     : TokenSource([](std::size_t n) { return random_token(n); })) {
  if (db::is_postgres_url(database))
    conn = open_postgres(database, options, version, read_only);
  else
    conn = open_sqlite(database, options, version, read_only);
}

void SurveyStore::Impl::run(std::string_view sql) {
  auto& statement_ref = statement(sql);
  db::Reset reset(statement_ref);
  statement_ref.run();
}

std::optional<std::int64_t> SurveyStore::Impl::insert(
    std::string_view sql, std::string_view key, const std::function<void(db::Statement&)>& bind) {
  if (backend() == db::Backend::Sqlite) {
    auto& statement = this->statement(sql);
    db::Reset reset(statement);
    bind(statement);
    statement.run();
    if (statement.changes() == 0) return std::nullopt;
    return static_cast<sqlite::Connection&>(*conn).database().last_insert_rowid();
  }
  auto& statement = this->statement(std::string(sql) + " RETURNING " + std::string(key));
  db::Reset reset(statement);
  bind(statement);
  if (!statement.step()) return std::nullopt;
  return statement.column_int64(0);
}

void SurveyStore::Impl::begin() {
  run(backend() == db::Backend::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

void SurveyStore::Impl::lock_survey(std::string_view survey) {
  if (backend() != db::Backend::Postgres) return;
  auto& lock = statement("SELECT 1 FROM surveys WHERE id = ?1 FOR UPDATE");
  db::Reset reset(lock);
  lock.bind(1, survey);
  lock.step();
}

namespace {

// Takes a transaction-level advisory lock (PostgreSQL only), shared or not.
void cursor_lock(SurveyStore::Impl& impl, SurveyStore::Impl::Cursor cursor, bool shared) {
  if (impl.backend() != db::Backend::Postgres) return;
  auto& lock = impl.statement(shared ? "SELECT pg_advisory_xact_lock_shared(?1)"
                                     : "SELECT pg_advisory_xact_lock(?1)");
  db::Reset reset(lock);
  lock.bind(1, static_cast<std::int64_t>(cursor));
  lock.step();
}

}  // namespace

void SurveyStore::Impl::hold_cursor(Cursor cursor) {
  cursor_lock(*this, cursor, true);
}

void SurveyStore::Impl::settle_cursor(Cursor cursor) {
  cursor_lock(*this, cursor, false);
}

void SurveyStore::Impl::rollback_quietly() noexcept {
  db::rollback_quietly(*conn);
}

void SurveyStore::Impl::rollback_to_quietly(std::string_view savepoint) noexcept {
  try {
    if (!conn->in_transaction()) return;
    // ROLLBACK TO keeps the savepoint open; RELEASE then drops it.
    run("ROLLBACK TO " + std::string(savepoint));
    run("RELEASE " + std::string(savepoint));
  } catch (...) {
  }
}

namespace detail {

WriteScope::WriteScope(SurveyStore::Impl& impl)
    : impl_(impl), nested_(impl.conn->in_transaction()) {
  if (nested_)
    impl_.run("SAVEPOINT sipas_operation");
  else
    impl_.begin();
}

WriteScope::~WriteScope() {
  if (done_) return;
  if (nested_)
    impl_.rollback_to_quietly("sipas_operation");
  else
    impl_.rollback_quietly();
}

void WriteScope::commit() {
  impl_.run(nested_ ? "RELEASE sipas_operation" : "COMMIT");
  done_ = true;
}

}  // namespace detail

SurveyStore::SurveyStore(const std::filesystem::path& path) : SurveyStore(path, Options{}) {}

namespace {

// A file that is not there is named as such, not as SQLite's "unable to open".
const std::string& existing_unless_created(const std::string& database,
                                           const SurveyStore::Options& options) {
  std::error_code ec;
  if (!db::is_postgres_url(database) && (!options.create || options.read_only) &&
      !std::filesystem::exists(database, ec)) {
    throw StoreError("store.not_found",
                     database + ": no such database file (sipas survey create --db makes one)");
  }
  return database;
}

}  // namespace

SurveyStore::SurveyStore(const std::filesystem::path& path, Options options)
    : impl_(std::make_unique<Impl>(existing_unless_created(path.string(), options), options)) {}

SurveyStore::SurveyStore(SurveyStore&&) noexcept = default;
SurveyStore& SurveyStore::operator=(SurveyStore&&) noexcept = default;
SurveyStore::~SurveyStore() = default;

int SurveyStore::schema_version() const {
  return impl_->version;
}

const std::filesystem::path& SurveyStore::path() const {
  return impl_->location;
}

bool SurveyStore::read_only() const {
  return impl_->read_only;
}

// ---------------------------------------------------------------------------
// Transactions

void SurveyStore::begin() {
  impl_->begin();
}

void SurveyStore::commit() {
  impl_->run("COMMIT");
}

void SurveyStore::rollback() {
  impl_->rollback_quietly();
}

void SurveyStore::savepoint() {
  impl_->run("SAVEPOINT sipas_job");
}

void SurveyStore::release() {
  impl_->run("RELEASE sipas_job");
}

void SurveyStore::rollback_to_savepoint() {
  impl_->run("ROLLBACK TO sipas_job");
  impl_->run("RELEASE sipas_job");
}

bool SurveyStore::in_transaction() const {
  return impl_->conn->in_transaction();
}

db::Backend SurveyStore::backend() const {
  return impl_->backend();
}

void SurveyStore::ping() {
  auto& query = impl_->statement("SELECT 1");
  db::Reset reset(query);
  query.step();
}

namespace {

// PostgreSQL checks its pages itself (data checksums, amcheck); what the
// store can check is what no constraint says: a response belongs to the
// survey of its invitation, and an answered invitation is active.
std::string postgres_consistency(SurveyStore::Impl& impl) {
  auto& query = impl.statement(
      "SELECT 'response ' || r.seq || ': its invitation ' || i.id || ' is of survey ' || "
      "i.survey || ', the response of ' || r.survey FROM responses r "
      "JOIN invitations i ON i.id = r.invitation WHERE i.survey <> r.survey "
      "UNION ALL SELECT 'invitation ' || i.id || ' has a response but is not active' "
      "FROM invitations i JOIN responses r ON r.invitation = i.id WHERE i.active = 0 LIMIT 10");
  db::Reset reset(query);
  std::string report;
  while (query.step()) {
    if (!report.empty()) report += '\n';
    report += query.column_text(0);
  }
  return report.empty() ? "ok" : report;
}

}  // namespace

std::string SurveyStore::integrity_check() {
  if (impl_->backend() == db::Backend::Postgres) return postgres_consistency(*impl_);
  auto& query = impl_->statement("PRAGMA integrity_check");
  db::Reset reset(query);
  std::string report;
  while (query.step()) {
    if (!report.empty()) report += '\n';
    report += query.column_text(0);
  }
  return report;
}

// ---------------------------------------------------------------------------
// Surveys

void SurveyStore::create_survey(const std::string& id, const std::string& questionnaire_json,
                                const std::string& questionnaire_id,
                                const std::string& questionnaire_version, bool open_link) {
  impl_->write([&] {
    if (find_survey_in(*impl_, id)) {
      throw StoreError("survey.exists", "survey \"" + id + "\" already exists");
    }
    auto& insert = impl_->statement(
        "INSERT INTO surveys (id, questionnaire_json, questionnaire_id, questionnaire_version, "
        "state, created_at, open_link) VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6) "
        "ON CONFLICT DO NOTHING");
    db::Reset reset(insert);
    insert.bind(1, id);
    insert.bind(2, questionnaire_json);
    insert.bind(3, questionnaire_id);
    insert.bind(4, questionnaire_version);
    insert.bind(5, detail::clock_now());
    insert.bind(6, open_link);
    insert.run();
    // Another node created it between the check and the insert.
    if (insert.changes() == 0)
      throw StoreError("survey.exists", "survey \"" + id + "\" already exists");
  });
}

std::optional<SurveyRecord> SurveyStore::find_survey(std::string_view id) {
  return find_survey_in(*impl_, id);
}

std::optional<SurveyState> SurveyStore::find_survey_state(std::string_view id) {
  auto& query = impl_->statement("SELECT state FROM surveys WHERE id = ?1");
  db::Reset reset(query);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return survey_state_from_string(query.column_text(0));
}

std::optional<SurveyAccess> SurveyStore::find_survey_access(std::string_view id) {
  auto& query = impl_->statement("SELECT state, open_link FROM surveys WHERE id = ?1");
  db::Reset reset(query);
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  SurveyAccess access;
  access.state = survey_state_from_string(query.column_text(0)).value_or(SurveyState::Draft);
  access.open_link = query.column_int64(1) != 0;
  return access;
}

SurveyRecord SurveyStore::set_open_link(std::string_view id, bool on) {
  return impl_->write([&] {
    auto& update = impl_->statement("UPDATE surveys SET open_link = ?2 WHERE id = ?1");
    db::Reset reset(update);
    update.bind(1, id);
    update.bind(2, on);
    update.run();
    auto survey = find_survey_in(*impl_, id);
    if (!survey) throw StoreError("survey.not_found", "no survey \"" + std::string(id) + "\"");
    return *survey;
  });
}

std::vector<SurveyRecord> SurveyStore::list_surveys() {
  static const std::string sql = std::string(select_survey) + " ORDER BY id";
  auto& query = impl_->statement(sql);
  db::Reset reset(query);
  std::vector<SurveyRecord> surveys;
  while (query.step())
    surveys.push_back(read_survey(query));
  return surveys;
}

SurveyRecord SurveyStore::set_survey_state(std::string_view id, SurveyState state) {
  return impl_->write([&] {
    auto survey = find_survey_in(*impl_, id);
    if (!survey) throw StoreError("survey.not_found", "no survey \"" + std::string(id) + "\"");
    bool allowed = (survey->state == SurveyState::Draft && state == SurveyState::Open) ||
                   (survey->state == SurveyState::Open && state == SurveyState::Closed) ||
                   (survey->state == SurveyState::Closed && state == SurveyState::Open);
    if (!allowed) {
      throw StoreError("survey.bad_state", "survey \"" + std::string(id) + "\" is " +
                                               std::string(to_string(survey->state)) +
                                               " and cannot become " +
                                               std::string(to_string(state)));
    }
    Timestamp at = detail::clock_now();
    if (state == SurveyState::Open) {
      // opened_at is the first opening; closed_at the last closing, cleared
      // while the survey is open again.
      auto& update = impl_->statement(
          "UPDATE surveys SET state = 'open', opened_at = COALESCE(opened_at, ?2), "
          "closed_at = NULL WHERE id = ?1");
      db::Reset reset(update);
      update.bind(1, id);
      update.bind(2, at);
      update.run();
    } else {
      auto& update =
          impl_->statement("UPDATE surveys SET state = 'closed', closed_at = ?2 WHERE id = ?1");
      db::Reset reset(update);
      update.bind(1, id);
      update.bind(2, at);
      update.run();
    }
    return *find_survey_in(*impl_, id);
  });
}

// ---------------------------------------------------------------------------
// API keys

std::string SurveyStore::create_api_key(const std::string& name, Role role) {
  if (name.empty()) throw StoreError("key.invalid", "an API key needs a name");
  std::string key = random_token(api_key_bytes);
  impl_->write([&] {
    auto& insert = impl_->statement(
        "INSERT INTO api_keys (name, role, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
    db::Reset reset(insert);
    insert.bind(1, name);
    insert.bind(2, to_string(role));
    insert.bind(3, hash_secret(key));
    insert.bind(4, detail::clock_now());
    insert.run();
  });
  return key;
}

namespace {

constexpr const char* select_api_key =
    "SELECT id, name, role, created_at, revoked_at FROM api_keys";

ApiKeyInfo read_api_key(const db::Statement& row) {
  ApiKeyInfo info;
  info.id = row.column_int64(0);
  info.name = row.column_text(1);
  info.role = role_from_string(row.column_text(2)).value_or(Role::Analyst);
  info.created_at = row.column_int64(3);
  info.revoked_at = row.column_optional_int64(4);
  return info;
}

}  // namespace

std::optional<ApiKeyInfo> SurveyStore::find_api_key(std::string_view key) {
  if (!is_token_syntax(key, api_key_bytes)) return std::nullopt;
  // The lookup is by SHA-256 through an index: timing can at most reveal
  // how a guess's hash compares with stored hashes, which says nothing about
  // a key.
  static const std::string sql =
      std::string(select_api_key) + " WHERE key_hash = ?1 AND revoked_at IS NULL";
  auto& query = impl_->statement(sql);
  db::Reset reset(query);
  query.bind(1, hash_secret(key));
  if (!query.step()) return std::nullopt;
  return read_api_key(query);
}

std::vector<ApiKeyInfo> SurveyStore::list_api_keys() {
  static const std::string sql = std::string(select_api_key) + " ORDER BY id";
  auto& query = impl_->statement(sql);
  db::Reset reset(query);
  std::vector<ApiKeyInfo> keys;
  while (query.step())
    keys.push_back(read_api_key(query));
  return keys;
}

ApiKeyInfo SurveyStore::revoke_api_key(std::int64_t id) {
  return impl_->write([&] {
    ApiKeyInfo before;
    {
      static const std::string sql = std::string(select_api_key) + " WHERE id = ?1";
      auto& query = impl_->statement(sql);
      db::Reset reset(query);
      query.bind(1, id);
      if (!query.step()) throw StoreError("key.not_found", "no API key " + std::to_string(id));
      before = read_api_key(query);
    }
    auto& update = impl_->statement(
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    db::Reset reset(update);
    update.bind(1, id);
    update.bind(2, detail::clock_now());
    update.run();
    return before;
  });
}

}  // namespace sipas::store
