#pragma once

// A small RAII layer over SQLite's C interface, in the manner of SQLiteCpp:
// a Database owns a connection, a Statement is prepared in its constructor and
// finalized in its destructor. <sqlite3.h> stays in sqlite.cpp; this header
// only declares the two handle types, as SQLiteCpp does.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.hpp"
#include "store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sipas::store::sqlite {

// A failed SQLite call, with its id mapped from the result code:
// SQLITE_FULL → store.full, SQLITE_READONLY → store.read_only,
// SQLITE_CORRUPT and SQLITE_NOTADB → store.corrupt, SQLITE_BUSY and
// SQLITE_LOCKED → store.busy, SQLITE_IOERR → store.io, SQLITE_CANTOPEN →
// store.open_failed, SQLITE_CONSTRAINT → store.constraint, anything else →
// store.error. The message names the database file.
class SqliteError : public StoreError {
 public:
  SqliteError(std::string id, const std::string& message, int code)
      : StoreError(std::move(id), message), code_(code) {}
  // The extended result code (sqlite3_extended_errcode).
  int code() const noexcept { return code_; }
  bool is_constraint() const noexcept;

 private:
  int code_;
};

// The store id for an SQLite result code (primary or extended).
std::string error_id(int code);

// One connection. Not safe to use from two threads at once (opened with
// SQLITE_OPEN_NOMUTEX: each thread opens its own). Move-only.
class Database {
 public:
  enum class Mode : std::uint8_t { ReadWrite, ReadWriteCreate, ReadOnly };

  Database(const std::filesystem::path& path, Mode mode);
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs SQL text without parameters (pragmas, migrations' DDL). Anything
  // with a value from outside goes through a Statement.
  void exec(const std::string& sql);
  void set_busy_timeout(int milliseconds);

  std::int64_t last_insert_rowid() const noexcept;
  std::int64_t changes() const noexcept;
  // False while a transaction is open (sqlite3_get_autocommit).
  bool in_transaction() const noexcept;
  // True when the file could only be opened for reading (read-only mode, a
  // read-only file, or a read-only medium).
  bool read_only() const noexcept;

  const std::filesystem::path& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

  // Throws the SqliteError for `code`, with sqlite3_errmsg and `what`.
  [[noreturn]] void fail(int code, std::string_view what) const;

 private:
  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

// A prepared statement of one Database; the Database must outlive it.
// Values are bound by 1-based index and copied (SQLITE_TRANSIENT); columns are
// read by 0-based index. Not thread-safe (it belongs to its connection).
class Statement final : public db::Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() override;

  using db::Statement::bind;
  void bind(int index, std::int64_t value) override;
  void bind(int index, double value) override;
  void bind(int index, std::string_view text) override;
  void bind_blob(int index, std::string_view bytes);
  void bind_null(int index) override;

  bool step() override;
  void run() override;
  // Never throws (an error of the last step was already reported by step()).
  void reset() noexcept override;
  std::int64_t changes() const override;

  bool is_null(int column) const override;
  std::int64_t column_int64(int column) const override;
  double column_double(int column) const override;
  std::string column_text(int column) const override;
  std::string column_blob(int column) const;

  // The statement's SQL text, for messages.
  std::string_view sql() const noexcept;

 private:
  void check_bind(int code, int index);

  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

using Reset = db::Reset;

// A Database as the store's db::Connection: statements prepared once and
// cached for the life of the connection.
class Connection final : public db::Connection {
 public:
  explicit Connection(Database database);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  db::Backend backend() const noexcept override { return db::Backend::Sqlite; }
  db::Statement& statement(std::string_view sql) override;
  void exec(const std::string& sql) override { db_.exec(sql); }
  bool in_transaction() const noexcept override { return db_.in_transaction(); }
  bool read_only() const noexcept override { return db_.read_only(); }
  const std::string& name() const noexcept override { return name_; }

  Database& database() noexcept { return db_; }

 private:
  Database db_;
  std::string name_;
  std::unordered_map<std::string, Statement, db::TransparentHash, std::equal_to<>> cache_;
};

}  // namespace sipas::store::sqlite
