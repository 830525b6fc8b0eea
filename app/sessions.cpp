#include "app/sessions.hpp"

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/passwords.hpp"
#include "app/use_case_error.hpp"
#include "app/users.hpp"
#include "store/tokens.hpp"

namespace sipas::app {

namespace {

const char* const login_failed_message = "the user name or the password is not right";

}  // namespace

std::string session_key(std::string_view session_id) {
  return store::hash_secret(session_id);
}

std::string csrf_token(std::string_view session_id) {
  // A different input from the store key's: the token in a page gives
  // nothing that finds the session.
  return store::hash_secret("sipas-csrf:" + std::string(session_id));
}

bool csrf_matches(std::string_view session_id, std::string_view token) {
  return store::constant_time_equal(csrf_token(session_id), token);
}

void refuse_login() {
  throw UseCaseError(Refusal::Forbidden, "auth.login_failed", login_failed_message);
}

std::string login_name(const LoginRequest& request) {
  return request.user.substr(0, 64);
}

LoginCheck check_login(store::SurveyStore& store, const LoginRequest& request, store::Timestamp now,
                       const SessionPolicy& policy) {
  // The name as typed is the throttle's key, whether a user has it or not.
  const std::string name = login_name(request);
  // A failure exactly a window old has left it.
  if (store.count_login_failures(name, now - policy.failure_window_seconds + 1) >=
      policy.max_failures) {
    throw UseCaseError(Refusal::Throttled, "auth.login_throttled",
                       "too many wrong passwords for this user; try again in " +
                           std::to_string(policy.failure_window_seconds / 60) + " minutes");
  }
  auto user = is_user_name(name) ? store.find_user(name) : std::nullopt;
  const bool too_long = request.password.size() > max_password_length;
  bool right = false;
  if (user && !too_long) {
    right = verify_password(user->password_hash, request.password);
  } else {
    spend_password_check_time(request.password.substr(0, max_password_length));
  }
  LoginCheck check;
  if (!right) {
    check.record_failure = true;
  } else if (!user->disabled) {
    // A disabled user learns no more than a wrong password tells.
    check.user = std::move(user);
  }
  return check;
}

void record_failed_login(store::SurveyStore& store, const std::string& name, store::Timestamp now) {
  atomically(store, [&] {
    store.record_login_failure(name, now);
    // Kept no longer than a day: the throttle looks back one window.
    store.delete_login_failures_before(now - 24 * 3600);
  });
}

LoggedIn start_session(store::SurveyStore& store, const store::UserRecord& user,
                       store::Timestamp now, const SessionPolicy& policy) {
  LoggedIn out;
  out.session_id = store::random_token(store::token_bytes);
  out.user = user;
  atomically(store, [&] {
    // Sessions that have expired meanwhile go with each login.
    store.delete_sessions_before(now - policy.idle_seconds, now - policy.absolute_seconds);
    store.create_session(session_key(out.session_id), user.id, now);
    record_change(store, person_actor(user), "session.login", std::nullopt, user.name, nullptr,
                  nullptr);
  });
  return out;
}

LoggedIn log_in(store::SurveyStore& store, const LoginRequest& request, store::Timestamp now,
                const SessionPolicy& policy) {
  auto check = check_login(store, request, now, policy);
  if (check.record_failure) record_failed_login(store, login_name(request), now);
  if (!check.user) refuse_login();
  return start_session(store, *check.user, now, policy);
}

SessionCheck check_session(const std::optional<store::SessionRecord>& session, store::Timestamp now,
                           const SessionPolicy& policy) {
  SessionCheck check;
  if (!session) return check;
  if (session->user.disabled || now - session->last_seen_at >= policy.idle_seconds ||
      now - session->created_at >= policy.absolute_seconds) {
    check.expired = true;
    return check;
  }
  check.user = session->user;
  check.touch = now - session->last_seen_at >= policy.touch_every_seconds;
  return check;
}

std::optional<store::UserRecord> current_user(store::SurveyStore& store,
                                              std::string_view session_id, store::Timestamp now,
                                              const SessionPolicy& policy) {
  if (!store::is_token_syntax(session_id, store::token_bytes)) return std::nullopt;
  const std::string key = session_key(session_id);
  auto check = check_session(store.find_session(key), now, policy);
  if (check.expired) store.delete_session(key);
  if (check.touch) store.touch_session(key, now);
  return check.user;
}

void log_out(store::SurveyStore& store, std::string_view session_id) {
  if (!store::is_token_syntax(session_id, store::token_bytes)) return;
  const std::string key = session_key(session_id);
  atomically(store, [&] {
    auto session = store.find_session(key);
    if (!session) return;
    store.delete_session(key);
    record_change(store, person_actor(session->user), "session.logout", std::nullopt,
                  session->user.name, nullptr, nullptr);
  });
}

}  // namespace sipas::app
