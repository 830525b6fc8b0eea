#include "store/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <utility>

namespace sipas::store::sqlite {
namespace {

std::string message_for(const std::filesystem::path& path, std::string_view what,
                        std::string_view detail) {
  std::string text = path.string();
  text += ": ";
  text += what;
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

bool only_blank(const char* text) {
  for (; *text != '\0'; ++text) {
    if (*text != ' ' && *text != '\n' && *text != '\t' && *text != '\r' && *text != ';')
      return false;
  }
  return true;
}

}  // namespace

std::string error_id(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL:
      return "store.full";
    case SQLITE_READONLY:
      return "store.read_only";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "store.corrupt";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "store.busy";
    case SQLITE_IOERR:
      return "store.io";
    case SQLITE_CANTOPEN:
      return "store.open_failed";
    case SQLITE_CONSTRAINT:
      return "store.constraint";
    default:
      return "store.error";
  }
}

bool SqliteError::is_constraint() const noexcept {
  return (code_ & 0xff) == SQLITE_CONSTRAINT;
}

// ---------------------------------------------------------------------------
// Database

Database::Database(const std::filesystem::path& path, Mode mode) : path_(path) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  switch (mode) {
    case Mode::ReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::ReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case Mode::ReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
  }
  // A new database holds contacts and answers: create it readable by its
  // owner only (SQLite gives the -wal and -shm files the same permissions).
  bool created = false;
  if (mode == Mode::ReadWriteCreate) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    created = fd >= 0;
    if (created) ::close(fd);
  }
  // Not a URI (no SQLITE_OPEN_URI): a path with '?' or '%' means itself.
  int code = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (code != SQLITE_OK) {
    std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    close();
    if (created) ::unlink(path.c_str());
    throw SqliteError(error_id(code), message_for(path_, "cannot open the database", detail), code);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() {
  close();
}

void Database::close() noexcept {
  // close_v2: statements still alive (a bug) make it a zombie that closes with
  // the last of them, rather than a leak.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Database::exec(const std::string& sql) {
  char* error = nullptr;
  int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    std::string detail = error != nullptr ? error : sqlite3_errstr(code);
    sqlite3_free(error);
    int extended = sqlite3_extended_errcode(db_);
    if ((extended & 0xff) != (code & 0xff)) extended = code;
    throw SqliteError(error_id(extended), message_for(path_, detail, ""), extended);
  }
}

void Database::set_busy_timeout(int milliseconds) {
  int code = sqlite3_busy_timeout(db_, milliseconds);
  if (code != SQLITE_OK) fail(code, "busy_timeout");
}

std::int64_t Database::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Database::changes() const noexcept {
  return sqlite3_changes64(db_);
}

bool Database::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db_) == 0;
}

bool Database::read_only() const noexcept {
  return sqlite3_db_readonly(db_, "main") == 1;
}

void Database::fail(int code, std::string_view what) const {
  std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  throw SqliteError(error_id(code), message_for(path_, what, detail), code);
}

// ---------------------------------------------------------------------------
// Statement

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  const char* tail = nullptr;
  int code = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, &tail);
  if (code != SQLITE_OK) {
    std::string what = "cannot prepare \"";
    what += sql;
    what += '"';
    db.fail(code, what);
  }
  // One statement per object: text after the first one would be ignored
  // silently, which hides mistakes.
  bool rest_blank = tail == nullptr || tail >= sql.data() + sql.size() ||
                    only_blank(std::string(tail, sql.data() + sql.size()).c_str());
  if (stmt_ == nullptr || !rest_blank) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throw SqliteError("store.error",
                      message_for(db.path(), "not exactly one SQL statement", std::string(sql)),
                      SQLITE_MISUSE);
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

std::string_view Statement::sql() const noexcept {
  const char* text = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return text != nullptr ? std::string_view(text) : std::string_view();
}

void Statement::check_bind(int code, int index) {
  if (code == SQLITE_OK) return;
  std::string what = "cannot bind parameter " + std::to_string(index) + " of \"";
  what += sql();
  what += '"';
  db_->fail(code, what);
}

void Statement::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::bind(int index, double value) {
  check_bind(sqlite3_bind_double(stmt_, index, value), index);
}

void Statement::bind(int index, std::string_view text) {
  check_bind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
}

void Statement::bind_blob(int index, std::string_view bytes) {
  check_bind(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT),
             index);
}

void Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_, index), index);
}

bool Statement::step() {
  int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  std::string what = "\"";
  what += sql();
  what += "\" failed";
  db_->fail(code, what);
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() noexcept {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return std::string(reinterpret_cast<const char*>(text), size);
}

std::string Statement::column_blob(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_, column);
  if (bytes == nullptr) return {};
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return std::string(static_cast<const char*>(bytes), size);
}

std::int64_t Statement::changes() const {
  return db_->changes();
}

// ---------------------------------------------------------------------------
// Connection

Connection::Connection(Database database) : db_(std::move(database)), name_(db_.path().string()) {}

// The statements go before the connection they belong to.
Connection::~Connection() {
  cache_.clear();
}

db::Statement& Connection::statement(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end()) return found->second;
  auto [inserted, ok] = cache_.emplace(std::string(sql), Statement(db_, sql));
  (void)ok;
  return inserted->second;
}

}  // namespace sipas::store::sqlite
