#pragma once

// The store's one view of a database, whichever it is: a connection that
// prepares statements once and keeps them, and statements with values bound
// by index and columns read by index. SQLite (sqlite.hpp) and PostgreSQL
// (postgres.hpp) implement it; the store's SQL is written once, in the
// subset both speak (parameters ?N, RETURNING, ON CONFLICT, CAST for a
// parameter whose type nothing else fixes), and the schema's differences are
// in migrations.cpp.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sipas::store::db {

enum class Backend : std::uint8_t { Sqlite, Postgres };

// A prepared statement of one connection; the connection must outlive it.
// Values are bound by 1-based index, columns read by 0-based index. Not
// thread-safe (it belongs to its connection).
class Statement {
 public:
  virtual ~Statement() = default;

  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, double value) = 0;
  virtual void bind(int index, std::string_view text) = 0;
  virtual void bind_null(int index) = 0;
  void bind(int index, int value) { bind(index, std::int64_t{value}); }
  void bind(int index, bool value) { bind(index, std::int64_t{value ? 1 : 0}); }
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value)
      bind(index, *value);
    else
      bind_null(index);
  }

  // Runs to the next row: true when there is one, false when done.
  virtual bool step() = 0;
  // Runs a statement that returns no rows (INSERT, UPDATE, DDL) to its end.
  virtual void run() = 0;
  // Back to the start, bindings cleared; never throws.
  virtual void reset() noexcept = 0;
  // Rows the last run() inserted, updated or deleted.
  virtual std::int64_t changes() const = 0;

  virtual bool is_null(int column) const = 0;
  virtual std::int64_t column_int64(int column) const = 0;
  virtual double column_double(int column) const = 0;
  virtual std::string column_text(int column) const = 0;
  std::optional<std::int64_t> column_optional_int64(int column) const {
    return is_null(column) ? std::nullopt : std::optional(column_int64(column));
  }
  std::optional<double> column_optional_double(int column) const {
    return is_null(column) ? std::nullopt : std::optional(column_double(column));
  }
  std::optional<std::string> column_optional_text(int column) const {
    return is_null(column) ? std::nullopt : std::optional(column_text(column));
  }
};

// Resets a statement when the scope ends, so that an unfinished SELECT never
// keeps a read open and no binding outlives its use.
class Reset {
 public:
  explicit Reset(Statement& statement) noexcept : statement_(statement) { statement_.reset(); }
  ~Reset() { statement_.reset(); }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  Statement& statement_;
};

// The hash of the connections' statement caches: looked up by string_view
// without making a string.
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

// One connection. Not safe to use from two threads at once.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const noexcept = 0;
  // The statement for `sql`, prepared on first use and kept for the life of
  // the connection. Use it under a Reset.
  virtual Statement& statement(std::string_view sql) = 0;
  // SQL text without parameters (transaction control, DDL).
  virtual void exec(const std::string& sql) = 0;
  virtual bool in_transaction() const noexcept = 0;
  virtual bool read_only() const noexcept = 0;
  // The file or URL, for messages (a URL never holds a password).
  virtual const std::string& name() const noexcept = 0;
};

// ROLLBACK when a transaction is open; errors swallowed (used on the way out
// of a failure that is already being reported).
template <typename Db>
void rollback_quietly(Db& db) noexcept {
  try {
    if (db.in_transaction()) db.exec("ROLLBACK");
  } catch (...) {
  }
}

// True for a postgresql:// (or postgres://) URL; anything else is an SQLite file.
bool is_postgres_url(std::string_view database);

}  // namespace sipas::store::db
