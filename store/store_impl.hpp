#pragma once

// The inside of SurveyStore, shared by store.cpp, store_invitations.cpp and
// store_responses.cpp. Not part of the module's interface.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "store/database.hpp"
#include "store/store.hpp"

namespace sipas::store {

namespace detail {
// Seconds since the epoch, now: the time of writes whose callers give none.
Timestamp clock_now();
}  // namespace detail

// Throws survey.not_found unless the survey exists.
void require_survey(SurveyStore::Impl& impl, std::string_view survey);

class SurveyStore::Impl {
 public:
  Impl(const std::string& database, const Options& options);

  db::Backend backend() const noexcept { return conn->backend(); }
  // The statement for `sql`, prepared on first use and kept for the life of
  // the connection. Use it under a db::Reset.
  db::Statement& statement(std::string_view sql) { return conn->statement(sql); }
  // Runs a cached statement that returns no rows.
  void run(std::string_view sql);

  // One atomic write: a transaction when none is open, otherwise a savepoint
  // inside the caller's transaction (a group commit), so that a failed
  // operation leaves the caller's other work alone. In SQLite the transaction
  // is BEGIN IMMEDIATE, which takes the write lock first: a read-then-write
  // never meets a writer that committed in between (no SQLITE_BUSY_SNAPSHOT),
  // across processes too. PostgreSQL runs writers at once (READ COMMITTED):
  // what must not interleave there takes a lock (lock_survey, the cursors),
  // and a write PostgreSQL ends as a deadlock's victim is done again (up to
  // twice in all: a second cycle fails it, store.busy, and the client tries again).
  template <typename F>
  std::invoke_result_t<F&> write(F&& body);
  void begin();

  // An INSERT's new key. SQLite: the statement as written, run, then
  // sqlite3_last_insert_rowid (RETURNING makes SQLite gather the rows in a
  // temporary table: measurable on the hot path of every answer);
  // PostgreSQL: the statement with RETURNING `key`. nullopt when ON CONFLICT
  // DO NOTHING inserted nothing. `sql` must be a literal: the statement is
  // cached by its text.
  std::optional<std::int64_t> insert(std::string_view sql, std::string_view key,
                                     const std::function<void(db::Statement&)>& bind);

  // PostgreSQL: locks the survey's row until the transaction ends, so that
  // two nodes importing or activating reserves of one survey take turns
  // (import order, a reserve issued once). SQLite: nothing (one writer).
  void lock_survey(std::string_view survey);

  // The `since` cursors (responses.seq, audit_log.seq) must never pass a row
  // that is still to come. In PostgreSQL a row with a lower seq can commit
  // after one with a higher seq, so a writer of such a row holds a shared
  // advisory lock until it commits (hold_cursor), and a reader takes the
  // exclusive one first (settle_cursor): it waits for the writers in flight,
  // and every seq given out after it is higher than any it reads. SQLite
  // commits one writer at a time: nothing to do.
  enum class Cursor : std::int64_t { Responses = 0x73697062, Audit = 0x73697063 };
  void hold_cursor(Cursor cursor);
  // Runs `body` (a read by `since`) while holding the exclusive cursor lock:
  // in PostgreSQL in a transaction of its own, unless one is open.
  template <typename F>
  void read_settled(Cursor cursor, F&& body);

  // "ROLLBACK TO name; RELEASE name", or ROLLBACK; errors swallowed (used on
  // the way out of a failure that is already being reported).
  void rollback_quietly() noexcept;
  void rollback_to_quietly(std::string_view savepoint) noexcept;
  // The exclusive cursor lock, until the transaction ends (PostgreSQL).
  void settle_cursor(Cursor cursor);

  std::unique_ptr<db::Connection> conn;
  std::filesystem::path location;  // the file, or the URL
  int version = 0;
  bool read_only = false;
  // A new invitation token (Options::token_source, or random_token).
  TokenSource new_token;
};

namespace detail {

class WriteScope {
 public:
  explicit WriteScope(SurveyStore::Impl& impl);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
  void commit();

 private:
  SurveyStore::Impl& impl_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace detail

template <typename F>
std::invoke_result_t<F&> SurveyStore::Impl::write(F&& body) {
  // PostgreSQL may end a write that waited in a cycle with another node's
  // transaction (a deadlock: two batches answering two invitations in
  // opposite orders) or a serialization failure: the write is undone to its
  // savepoint (its locks let go, the other side goes on) and done again.
  // SQLite's store.busy has already waited its busy timeout: not again.
  constexpr int attempts = 2;
  for (int attempt = 1;; ++attempt) {
    try {
      detail::WriteScope scope(*this);
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        body();
        scope.commit();
        return;
      } else {
        auto result = body();
        scope.commit();
        return result;
      }
    } catch (const StoreError& error) {
      if (attempt == attempts || backend() != db::Backend::Postgres || error.id() != "store.busy")
        throw;
    }
  }
}

template <typename F>
void SurveyStore::Impl::read_settled(Cursor cursor, F&& body) {
  if (backend() != db::Backend::Postgres || conn->in_transaction()) {
    if (backend() == db::Backend::Postgres) settle_cursor(cursor);
    body();
    return;
  }
  run("BEGIN");
  try {
    settle_cursor(cursor);
    body();
    run("COMMIT");
  } catch (...) {
    rollback_quietly();
    throw;
  }
}

}  // namespace sipas::store
