#pragma once

// The inside of SurveyStore, shared by store.cpp, store_invitations.cpp and
// store_responses.cpp. Not part of the module's interface.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "store/sqlite.hpp"
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
  Impl(const std::filesystem::path& path, const Options& options);

  // The statement for `sql`, prepared on first use and kept for the life of
  // the connection. Use it under an sqlite::Reset.
  sqlite::Statement& statement(std::string_view sql);
  // Runs a cached statement that returns no rows.
  void run(std::string_view sql);

  // One atomic write: BEGIN IMMEDIATE ... COMMIT when no transaction is open,
  // otherwise a savepoint inside the caller's transaction (a group commit), so
  // that a failed operation leaves the caller's other work alone. IMMEDIATE
  // takes the write lock first: a read-then-write never meets a writer that
  // committed in between (no SQLITE_BUSY_SNAPSHOT), across processes too.
  template <typename F>
  std::invoke_result_t<F&> write(F&& body);

  // "ROLLBACK TO name; RELEASE name", or ROLLBACK; errors swallowed (used on
  // the way out of a failure that is already being reported).
  void rollback_quietly() noexcept;
  void rollback_to_quietly(std::string_view savepoint) noexcept;

  sqlite::Database db;
  int version = 0;
  bool read_only = false;
  // A new invitation token (Options::token_source, or random_token).
  TokenSource new_token;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, sqlite::Statement, Hash, std::equal_to<>> cache_;
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
  detail::WriteScope scope(*this);
  if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
    body();
    scope.commit();
  } else {
    auto result = body();
    scope.commit();
    return result;
  }
}

}  // namespace sipas::store
