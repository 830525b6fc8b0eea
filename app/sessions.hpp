#pragma once

// Console sessions and logins. A session id is 128 random bits handed to the
// browser once (in the sipas_session cookie); the store keeps its SHA-256
// only, so a restart keeps people logged in, and a logout, a disabled user or
// a new password ends it on every node. The CSRF token of a session is
// derived from its id (a keyed hash that cannot be turned back into the id),
// so it needs no storage and no two sessions share one.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct SessionPolicy {
  std::int64_t idle_seconds = 30 * 60;            // no request for this long: logged out
  std::int64_t absolute_seconds = 12 * 3600;      // this long after login: logged out
  std::int64_t touch_every_seconds = 60;          // last_seen_at is written at most this often
  std::int64_t max_failures = 5;                  // wrong passwords for one user in the window:
  std::int64_t failure_window_seconds = 15 * 60;  // then 429 until the oldest leaves it
};

struct LoginRequest {
  std::string user, password;
};

struct LoggedIn {
  std::string session_id;  // for the cookie; never stored or logged
  store::UserRecord user;
};

// A login in three steps, so that a server can check the password (a tenth
// of a second of Argon2id) outside its writer's transaction:
// check_login reads only; then record_failed_login or start_session write.
// log_in does all three on one store.
//
// check_login: the user when the password is right and the user not
// disabled. Throws UseCaseError auth.login_throttled (Throttled) after
// policy.max_failures wrong passwords for that name within the window,
// without checking the password, and auth.login_failed (Forbidden) with one
// message whether the user is unknown, disabled or the password wrong (the
// same time spent on each); `failed` is then set when the failure must be
// recorded (a wrong password, an unknown name: not a disabled user's right
// password).
struct LoginCheck {
  std::optional<store::UserRecord> user;
  bool record_failure = false;
};
LoginCheck check_login(store::SurveyStore& store, const LoginRequest& request, store::Timestamp now,
                       const SessionPolicy& policy = {});
// Throws auth.login_failed unless check.user: the refusal of a login.
[[noreturn]] void refuse_login();
// The name a failure is counted under (the first 64 bytes typed).
std::string login_name(const LoginRequest& request);
void record_failed_login(store::SurveyStore& store, const std::string& name, store::Timestamp now);
// A new session for the user, with the audit entry "session.login".
// Sessions expired meanwhile are removed with it; a wrong password's record,
// failures older than a day.
LoggedIn start_session(store::SurveyStore& store, const store::UserRecord& user,
                       store::Timestamp now, const SessionPolicy& policy = {});
// The three together: the user's session, or the refusals of check_login.
LoggedIn log_in(store::SurveyStore& store, const LoginRequest& request, store::Timestamp now,
                const SessionPolicy& policy = {});

// What a request's session is worth (pure: the caller removes or touches).
struct SessionCheck {
  std::optional<store::UserRecord> user;  // set when the session is valid
  bool expired = false;                   // found, but idle, too old or its user disabled
  bool touch = false;                     // valid, and last_seen_at is due to move
};
SessionCheck check_session(const std::optional<store::SessionRecord>& session, store::Timestamp now,
                           const SessionPolicy& policy = {});

// The session's user when the session exists, is neither idle nor too old,
// and its user is not disabled; moves last_seen_at (at most once a
// touch_every_seconds). nullopt otherwise (an expired session is removed).
std::optional<store::UserRecord> current_user(store::SurveyStore& store,
                                              std::string_view session_id, store::Timestamp now,
                                              const SessionPolicy& policy = {});

// Ends the session (nothing when there is none). Audit "session.logout".
void log_out(store::SurveyStore& store, std::string_view session_id);

// The session's CSRF token (64 hex characters) and its check, in constant time.
std::string csrf_token(std::string_view session_id);
bool csrf_matches(std::string_view session_id, std::string_view token);

// The store key of a session id: its SHA-256 (hex).
std::string session_key(std::string_view session_id);

}  // namespace sipas::app
