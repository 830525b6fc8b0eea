#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/actor.hpp"
#include "app/live_indices.hpp"
#include "questionnaires/questionnaire.hpp"
#include "store/commit_queue.hpp"
#include "store/store.hpp"
#include "survey_server/console_admin_pages.hpp"
#include "survey_server/console_pages.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/http_types.hpp"
#include "survey_server/metrics.hpp"
#include "survey_server/multipart_form.hpp"
#include "survey_server/rate_limit.hpp"

namespace boost::asio {
class thread_pool;
}

namespace sipas::survey_server {

struct ServiceOptions {
  std::filesystem::path db;
  // Lines "ROLE KEY" (ROLE manager or analyst) or just "KEY" (a manager);
  // blank lines and lines starting with '#' are skipped. Kept only hashed.
  std::optional<std::filesystem::path> admin_key_file;
  // The server's public address ("https://khaosat.example.gov.vn"): the base
  // of the links in invitation CSVs, and the origin form posts must come
  // from. An absolute https:// URL (http:// on loopback) without user info,
  // query or fragment (app::checked_public_url). Empty: links need a base_url per
  // import; never taken from a request's Host header.
  std::string public_url;
  std::size_t body_limit = 256 * 1024;
  // Sample uploads: only for a manager's key, streamed to a temporary file.
  std::size_t import_body_limit = 64 * 1024 * 1024;
  // Open-link submissions per client address.
  double open_submissions_per_minute = 20, open_submissions_burst = 10;
  // Token lookups that fail, per client address (guessing).
  double bad_tokens_per_minute = 10, bad_tokens_burst = 20;
  // Failed authentications (a wrong API key) per client address: 429 once
  // the burst is spent.
  double failed_auths_per_minute = 20, failed_auths_burst = 20;
  // Threads that parse and validate submissions, off the I/O threads
  // (0: one per core).
  int validation_threads = 0;
  store::CommitQueue::Options commits;
  // Writers (connections with a group commit each) on PostgreSQL, where
  // transactions run side by side; on SQLite there is one.
  int postgres_writers = 4;
  // The console's survey page shows the live indices as last computed and
  // computes newer ones in the background at most this often (seconds).
  std::int64_t indices_refresh_seconds = 30;
  // Serve from a database opened read-only: pages and admin reads work, every
  // write answers 503 store.read_only (also the case, without this option,
  // for a file the process may not write).
  bool read_only = false;
  // PRAGMA quick_check at start: a damaged database is refused (store.corrupt).
  bool quick_check = true;
  // A missing database file is created (tests, the demo); sipas serve refuses
  // one instead (store.not_found): a mistyped path would serve nothing.
  bool create_database = true;
  // Where the operator's messages go (internal errors, a database that cannot
  // be written); never a token, key or answer. `sipas serve` writes them to
  // standard error; unset, they are dropped.
  std::function<void(std::string_view)> log;
};

// Questionnaire, survey state and a Validator-ready questionnaire per survey,
// cached; the state is re-read on each request that depends on it.
struct CachedSurvey {
  std::string id;
  std::shared_ptr<const questionnaires::Questionnaire> questionnaire;
  std::string questionnaire_json;
  // The form pre-rendered per language: a GET costs a copy, not a render.
  std::shared_ptr<const FormTemplate> form;
};

// The application behind the HTTP server: routes, public form and API, admin
// API, metrics. Owns the commit queue (the one writer) and a pool of read
// connections. Thread-safe (the server calls handle() from all its threads).
class SurveyService : public RequestHandler {
 public:
  explicit SurveyService(ServiceOptions options);
  ~SurveyService() override;

  Admission admit(const HttpRequest& head) override;
  void handle(HttpRequest&& request, Reply reply) override;
  HttpResponse protocol_error(int status, std::string_view code, std::string_view message) override;

  // Commits everything queued and stops the writer; later writes fail.
  void stop();

  // The database was opened read-only (the option, or a file it may not write).
  bool read_only() const { return read_only_; }

  // Extra series for /metrics (the server's connection counters).
  void set_metrics_source(std::function<void(std::string&)> source);

  // A handler that serves only GET /metrics and GET /healthz, without a key:
  // for a listener of its own (sipas serve --metrics-listen), on loopback or
  // an operator's network. Lives as long as the service.
  RequestHandler& metrics_handler();

  struct Route;
  struct Call;
  using CallPtr = std::shared_ptr<Call>;

 private:
  class StoreLease;
  StoreLease lease_store();
  void load_key_file(const std::filesystem::path& path);
  void log(const std::string& message) const {
    if (options_.log) options_.log(message);
  }
  // The language of an error page: ?lang= when the survey has it, else the
  // survey's first; Vietnamese without a survey.
  std::string page_language_of(const Call& call);
  std::shared_ptr<const CachedSurvey> survey(std::string_view id);
  // Re-read on every call: the CLI changes them on the file while we run.
  store::SurveyState survey_state(std::string_view id);
  store::SurveyAccess survey_access(std::string_view id);
  // The role of the request's bearer key; a wrong key spends the address's
  // failed-authentication budget (ApiError 429 once it is spent).
  app::Actor authenticate(const HttpRequest& request);
  // Matches the route and checks, from the header alone, the origin, the
  // caller's role and the content type; false when it answered (405).
  bool route_call(const CallPtr& call);
  void check_origin(const Call& call) const;
  void run_route(const CallPtr& call);
  // The invitation of a token; an unknown token spends the client's guessing
  // budget (ApiError 429 when it is spent).
  std::optional<store::Invitation> lookup_token(const Call& call, std::string_view survey,
                                                std::string_view token);
  void authorize(const Call& call);
  std::vector<Route> make_routes();
  void finish(Call& call, HttpResponse&& response);
  void fail(Call& call, std::exception_ptr error);
  HttpResponse html_error(const Call& call, int status, const std::string& message);
  // Runs `job` in the commit queue; `then` builds the reply after the commit.
  void write(CallPtr call, std::function<void(store::SurveyStore&)> job,
             std::function<HttpResponse()> then);

  // Public side (public_routes.cpp).
  // A token-less answer to a survey whose open link is off: answered 403
  // (a page, or JSON survey.invitation_required) from the header; true then.
  bool refuse_tokenless_answer(const CallPtr& call);
  void get_form(const CallPtr& call);
  void post_form(const CallPtr& call);
  void get_thanks(const CallPtr& call);
  void post_response_json(const CallPtr& call);
  void post_draft_json(const CallPtr& call);
  void get_questionnaire(const CallPtr& call);
  void get_asset(const CallPtr& call);
  void get_health(Call& call);
  void get_metrics(Call& call);
  HttpResponse metrics_response();

  // Admin side (admin_routes.cpp).
  void list_surveys(const CallPtr& call);
  void create_survey(const CallPtr& call);
  void get_survey(const CallPtr& call);
  void set_state(const CallPtr& call, store::SurveyState state);
  void patch_survey(const CallPtr& call);
  void import_invitations(const CallPtr& call);
  void activate_reserves(const CallPtr& call);
  void reissue_link(const CallPtr& call);
  void get_progress(const CallPtr& call);
  void get_indices(const CallPtr& call);
  void export_responses(const CallPtr& call);
  void review_response(const CallPtr& call);
  void get_audit(const CallPtr& call);

  // The console's entry (console_routes.cpp).
  void get_login(const CallPtr& call);
  void post_login(const CallPtr& call);
  void get_console_home(const CallPtr& call);
  void post_logout(const CallPtr& call);
  void get_console_units(const CallPtr& call);
  void get_console_unit(const CallPtr& call);
  // A survey's downloads (console_export_routes.cpp).
  void get_console_exports(const CallPtr& call);
  void get_console_export(const CallPtr& call);
  void get_console_surveys(const CallPtr& call);
  void get_console_survey(const CallPtr& call);
  void post_console_survey_state(const CallPtr& call);
  // Running a survey (console_survey_routes.cpp).
  std::vector<FormPart> console_multipart(Call& call);
  void post_console_create_survey(const CallPtr& call);
  void post_console_survey_options(const CallPtr& call);
  void get_console_sample(const CallPtr& call);
  void post_console_sample(const CallPtr& call);
  void post_console_reserves(const CallPtr& call);
  void get_console_review(const CallPtr& call);
  void get_console_response(const CallPtr& call);
  void post_console_review(const CallPtr& call);
  void get_console_progress(const CallPtr& call);
  // People, keys, the audit trail, invitations, links (console_admin_routes.cpp).
  void render_users(const CallPtr& call, int status, const AddUserForm& form);
  void get_console_users(const CallPtr& call);
  void post_console_add_user(const CallPtr& call);
  void post_console_user_state(const CallPtr& call);
  void post_console_user_password(const CallPtr& call);
  void render_keys(const CallPtr& call, int status, const AddKeyForm& form);
  void get_console_keys(const CallPtr& call);
  void post_console_add_key(const CallPtr& call);
  void post_console_revoke_key(const CallPtr& call);
  void get_console_audit(const CallPtr& call);
  void get_console_invitations(const CallPtr& call);
  void get_console_links(const CallPtr& call);
  void post_console_reissue(const CallPtr& call);
  ConsoleFrame console_frame(const Call& call, const store::UserRecord& user, std::string path,
                             std::string_view title_key) const;
  // A person's session cookie, for the routes a session may open: sets the
  // call's actor and session id when the session is valid.
  static bool session_may_authenticate(const Call& call);
  void authenticate_session(Call& call);
  // A Set-Cookie value: HttpOnly, SameSite=Strict, Secure when the public URL
  // is https; `expire` deletes the cookie.
  std::string cookie(std::string_view name, std::string_view value, std::string_view path,
                     bool expire = false) const;
  std::string login_nonce(const Call& call, HttpResponse& response) const;
  HttpResponse login_page(const Call& call, int status, std::string user,
                          std::optional<std::string> error) const;
  // The base of invitation links: ?base_url= (checked) or the public URL;
  // never the request's Host header.
  std::string link_base(const Call& call) const;

  ServiceOptions options_;
  std::vector<Route> routes_;
  Metrics metrics_;
  RateLimiter open_limiter_, token_limiter_, auth_limiter_;
  std::string public_origin_;  // scheme://host[:port] of public_url, or empty
  std::map<std::string, store::Role, std::less<>> file_keys_;  // SHA-256 hex → role
  std::function<void(std::string&)> metrics_source_;

  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<store::SurveyStore>> pool_;

  app::LiveIndicesCache indices_cache_;
  std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CachedSurvey>> cache_;

  // The writers: one on SQLite (one writer at a time is SQLite's rule);
  // ServiceOptions::postgres_writers on PostgreSQL, each its own connection
  // and group commit, taken in turn.
  std::vector<std::unique_ptr<store::CommitQueue>> commits_;
  std::atomic<std::size_t> next_writer_{0};
  store::CommitQueue& writer();
  store::CommitStats commit_stats() const;
  std::unique_ptr<boost::asio::thread_pool> workers_;  // validation, off the I/O threads
  class MetricsOnly;
  std::unique_ptr<MetricsOnly> metrics_only_;
  bool read_only_ = false;
};

}  // namespace sipas::survey_server
