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

[[noreturn]] void login_failed() {
  throw UseCaseError(Refusal::Forbidden, "auth.login_failed", login_failed_message);
}

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

LoggedIn log_in(store::SurveyStore& store, const LoginRequest& request, store::Timestamp now,
                const SessionPolicy& policy) {
  // The name as typed is the throttle's key, whether a user has it or not.
  const std::string name = request.user.substr(0, 64);
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
  if (!right) {
    store.record_login_failure(name, now);
    login_failed();
  }
  // A disabled user learns no more than a wrong password tells.
  if (user->disabled) login_failed();
  LoggedIn out;
  out.session_id = store::random_token(store::token_bytes);
  out.user = *user;
  atomically(store, [&] {
    store.create_session(session_key(out.session_id), user->id, now);
    record_change(store, Actor{user_actor_name(*user), std::nullopt}, "session.login", std::nullopt,
                  user->name, nullptr, nullptr);
  });
  return out;
}

std::optional<store::UserRecord> current_user(store::SurveyStore& store,
                                              std::string_view session_id, store::Timestamp now,
                                              const SessionPolicy& policy) {
  if (!store::is_token_syntax(session_id, store::token_bytes)) return std::nullopt;
  const std::string key = session_key(session_id);
  auto session = store.find_session(key);
  if (!session) return std::nullopt;
  if (session->user.disabled || now - session->last_seen_at >= policy.idle_seconds ||
      now - session->created_at >= policy.absolute_seconds) {
    store.delete_session(key);
    return std::nullopt;
  }
  if (now - session->last_seen_at >= policy.touch_every_seconds) store.touch_session(key, now);
  return session->user;
}

void log_out(store::SurveyStore& store, std::string_view session_id) {
  if (!store::is_token_syntax(session_id, store::token_bytes)) return;
  const std::string key = session_key(session_id);
  atomically(store, [&] {
    auto session = store.find_session(key);
    if (!session) return;
    store.delete_session(key);
    record_change(store, Actor{user_actor_name(session->user), std::nullopt}, "session.logout",
                  std::nullopt, session->user.name, nullptr, nullptr);
  });
}

}  // namespace sipas::app
