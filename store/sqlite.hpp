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
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind(int index, std::int64_t value);
  void bind(int index, int value) { bind(index, std::int64_t{value}); }
  void bind(int index, bool value) { bind(index, std::int64_t{value ? 1 : 0}); }
  void bind(int index, double value);
  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind_blob(int index, std::string_view bytes);
  void bind_null(int index);
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value)
      bind(index, *value);
    else
      bind_null(index);
  }

  // Runs to the next row: true when there is one, false when done.
  bool step();
  // Runs a statement that returns no rows (INSERT, UPDATE, DDL) to its end.
  void run();
  // Back to the start, bindings cleared; never throws (an error of the last
  // step was already reported by step()).
  void reset() noexcept;

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::string column_blob(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<double> column_optional_double(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

  // The statement's SQL text, for messages.
  std::string_view sql() const noexcept;

 private:
  void check_bind(int code, int index);

  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, so that an unfinished SELECT never
// keeps a read transaction open and no binding outlives its use.
class Reset {
 public:
  explicit Reset(Statement& statement) noexcept : statement_(statement) { statement_.reset(); }
  ~Reset() { statement_.reset(); }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  Statement& statement_;
};

}  // namespace sipas::store::sqlite
