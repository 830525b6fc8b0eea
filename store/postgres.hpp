#pragma once

// A small RAII layer over libpq, the PostgreSQL client library, shaped like
// sqlite.hpp: a Connection owns a PGconn, a Statement is prepared on the
// server once per connection (named, parameters as text, every value bound)
// and its result freed when reset. <libpq-fe.h> stays in postgres.cpp.
//
// The password never comes from the URL (one there is refused): libpq reads
// it from PGPASSFILE (~/.pgpass by default) or PGPASSWORD, as psql does.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"
#include "store/store.hpp"

struct pg_conn;
struct pg_result;

namespace sipas::store::postgres {

// A failed libpq call, its id mapped from the SQLSTATE: 23xxx →
// store.constraint, 40001 and 40P01 (serialization, deadlock) and 55P03
// (lock not available) → store.busy, 25006 → store.read_only, 53100 →
// store.full, 08xxx, 57P0x and a lost connection → store.unavailable, 22xxx
// (a value the database cannot hold: a NUL byte, an out-of-range number) →
// store.bad_value, anything else → store.error. The message names the
// database (its URL, which holds no password).
class PostgresError : public StoreError {
 public:
  PostgresError(std::string id, const std::string& message, std::string sqlstate)
      : StoreError(std::move(id), message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// The store id for an SQLSTATE ("" for a connection that is gone).
std::string error_id(std::string_view sqlstate);

class Connection;

class Statement final : public db::Statement {
 public:
  Statement(Connection& connection, std::string_view sql);
  ~Statement() override;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  using db::Statement::bind;
  void bind(int index, std::int64_t value) override;
  void bind(int index, double value) override;
  void bind(int index, std::string_view text) override;
  void bind_null(int index) override;

  bool step() override;
  void run() override;
  void reset() noexcept override;
  std::int64_t changes() const override;

  bool is_null(int column) const override;
  std::int64_t column_int64(int column) const override;
  double column_double(int column) const override;
  std::string column_text(int column) const override;

  const std::string& sql() const noexcept { return sql_; }

 private:
  void execute();
  void send();    // prepares when needed, then runs once: result_
  void finish();  // checks result_ (throws), then reads its size
  const char* value(int column) const;

  Connection& connection_;
  std::string sql_;   // with $N for ?N
  std::string name_;  // the server-side prepared statement
  int parameters_ = 0;
  std::uint64_t prepared_in_ = 0;  // the connection's generation it was prepared in
  std::vector<std::optional<std::string>> values_;
  pg_result* result_ = nullptr;
  int row_ = -1, rows_ = 0;
  std::int64_t changes_ = 0;
};

// One connection. Not safe to use from two threads at once. A connection
// lost between transactions is made again by the statement that finds it
// lost, which then runs again (the prepared statements are prepared again);
// one lost inside a transaction fails that transaction with
// store.unavailable, and the next transaction connects again.
class Connection final : public db::Connection {
 public:
  // `url`: postgresql://[user@]host[:port]/database[?param=value...].
  // Errors: store.password_in_url, store.open_failed (cannot connect: the
  // message says why, as libpq does).
  Connection(std::string url, bool read_only);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  db::Backend backend() const noexcept override { return db::Backend::Postgres; }
  db::Statement& statement(std::string_view sql) override;
  void exec(const std::string& sql) override;
  bool in_transaction() const noexcept override;
  bool read_only() const noexcept override { return read_only_; }
  const std::string& name() const noexcept override { return url_; }

  pg_conn* handle() const noexcept { return conn_; }
  // Bumped each time the connection is re-established: statements prepared
  // in an earlier generation are prepared again.
  std::uint64_t generation() const noexcept { return generation_; }
  // Reconnects when the connection is gone and no transaction was open on it.
  void ensure_open();
  // Throws the PostgresError of a failed result (or of the connection when
  // `result` is null), naming `what`. Frees nothing.
  [[noreturn]] void fail(const pg_result* result, std::string_view what) const;
  std::string next_statement_name();
  // After a failed statement: true when the connection turned out to be gone
  // and no transaction was open before the statement (`was_idle`), so that
  // it was made again and the statement may run again. The store writes only
  // inside transactions: what runs again is a read, BEGIN, or a SET.
  bool lost_between_transactions(bool was_idle);

 private:
  void configure();

  std::string url_;
  bool read_only_ = false;
  pg_conn* conn_ = nullptr;
  std::uint64_t generation_ = 1;
  std::uint64_t statements_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Statement>, db::TransparentHash, std::equal_to<>>
      cache_;
};

// ?N → $N (the store writes SQLite's numbered parameters; PostgreSQL's are
// $N). The store's SQL has no string literal holding a '?'.
std::string dollar_parameters(std::string_view sql, int* highest = nullptr);

}  // namespace sipas::store::postgres
