// Routing, authentication, the store pool and the write path of the service.

#include "survey_server/service.hpp"
#include "app/use_case_error.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/public_url.hpp"
#include "questionnaires/error.hpp"
#include "store/tokens.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/page_messages.hpp"
#include "survey_server/page_replies.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

namespace {

// The type/subtype of a Content-Type value, lower-cased: media types are
// case-insensitive (RFC 9110 8.3.1); parameters such as charset are not checked.
std::string media_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
  std::string out(value);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int status_of_refusal(app::Refusal refusal) {
  switch (refusal) {
    case app::Refusal::BadRequest:
      return 400;
    case app::Refusal::Forbidden:
      return 403;
    case app::Refusal::NotFound:
      return 404;
    case app::Refusal::Conflict:
      return 409;
    case app::Refusal::Unprocessable:
      return 422;
    case app::Refusal::Throttled:
      return 429;
  }
  return 400;
}

// A use case's field in the API's words: the invitation is the token of ?t=.
std::string api_field(const std::string& field) {
  return field == "invitation" ? "t" : field;
}

int status_of_store_error(const std::string& id) {
  if (id == "survey.not_found" || id == "response.not_found" || id == "invitation.not_found" ||
      id == "invitation.unknown_stratum" || id == "invitation.unknown_psu" || id == "key.not_found")
    return 404;
  if (id == "survey.exists" || id == "survey.bad_state" || id == "survey.has_responses" ||
      id == "invitation.duplicate_respondent" || id == "invitation.no_reserve")
    return 409;
  if (id == "survey.bad_id" || id == "response.bad_submission_id") return 400;
  if (id == "invitation.already_responded" || id == "response.submission_conflict" ||
      id == "invitation.inactive")
    return 409;
  if (id == "review.bad_state" || id == "key.invalid" || id == "invitation.invalid") return 422;
  if (id == "store.busy" || id == "store.read_only" || id == "store.unavailable") return 503;
  if (id == "store.full") return 507;
  return 500;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_safe_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// Every store.* error: its message names the database (a file path, or a
// PostgreSQL URL with its user, host and port), which is the operator's to
// read in the log, not a client's.
bool is_store_failure(const std::string& id) {
  return id.rfind("store.", 0) == 0;
}

std::string store_failure_message(const std::string& id) {
  if (id == "store.full") return "the server's disk is full: nothing was stored; try again later";
  if (id == "store.io") {
    return "the server could not write to its database (an I/O error, such as a full disk or a "
           "file size limit): nothing was stored; try again later";
  }
  if (id == "store.read_only") {
    return "the server's database is read-only at the moment: nothing was stored; try again later";
  }
  if (id == "store.corrupt")
    return "the server's database is damaged: nothing was stored; try again later";
  if (id == "store.unavailable") {
    return "the server cannot reach its database at the moment: nothing was stored; try again "
           "later";
  }
  if (id == "store.busy") return "the server is busy: nothing was stored; try again shortly";
  return "the server could not use its database: nothing was stored; try again later";
}

}  // namespace

// Headers every response carries. Pages get their own CSP (public_routes.cpp)
// and keep it; everything else may load nothing and be framed by nobody.
void add_security_headers(HttpResponse& response) {
  bool has_csp = false;
  for (const auto& [name, value] : response.headers)
    has_csp = has_csp || name == "Content-Security-Policy";
  if (!has_csp) {
    response.headers.emplace_back("Content-Security-Policy",
                                  "default-src 'none'; frame-ancestors 'none'");
  }
  auto add = [&response](std::string name, std::string value) {
    for (const auto& header : response.headers) {
      if (header.first == name) return;
    }
    response.headers.emplace_back(std::move(name), std::move(value));
  };
  add("X-Content-Type-Options", "nosniff");
  // store::Invitation links carry their token in the query: never pass it to
  // another site. Not no-referrer: with it, browsers send "Origin: null" on
  // the form's own posts, which the cross-site check must refuse.
  add("Referrer-Policy", "same-origin");
  add("X-Frame-Options", "DENY");
}

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ pool

SurveyService::StoreLease SurveyService::lease_store() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto store = std::move(pool_.back());
      pool_.pop_back();
      return StoreLease(*this, std::move(store));
    }
  }
  store::SurveyStore::Options o;
  o.create = false;
  o.read_only = options_.read_only;
  return StoreLease(*this, std::make_unique<store::SurveyStore>(options_.db, o));
}

// ------------------------------------------------------------------ setup

SurveyService::SurveyService(ServiceOptions options)
    : options_(std::move(options)),
      open_limiter_(options_.open_submissions_per_minute, options_.open_submissions_burst),
      token_limiter_(options_.bad_tokens_per_minute, options_.bad_tokens_burst),
      auth_limiter_(options_.failed_auths_per_minute, options_.failed_auths_burst) {
  if (!options_.public_url.empty()) {
    options_.public_url = app::checked_public_url(options_.public_url, "public_url");
    public_origin_ = app::url_origin(options_.public_url);
  }
  // Opening once here creates the file and applies migrations before any
  // request; the pool's connections then find the schema current.
  {
    store::SurveyStore::Options o;
    o.create = options_.create_database;
    o.read_only = options_.read_only;
    o.quick_check = options_.quick_check;
    store::SurveyStore store(options_.db, o);
    read_only_ = store.read_only();
  }
  // A file the process may not write is served read-only too, writer included.
  options_.commits.read_only = read_only_;
  if (options_.admin_key_file) load_key_file(*options_.admin_key_file);
  const bool postgres = store::db::is_postgres_url(options_.db.string());
  const int writers = postgres ? std::clamp(options_.postgres_writers, 1, 64) : 1;
  for (int i = 0; i < writers; ++i)
    commits_.push_back(std::make_unique<store::CommitQueue>(options_.db, options_.commits));
  const int threads = options_.validation_threads > 0
                          ? options_.validation_threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  workers_ = std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(threads));
  routes_ = make_routes();
}

SurveyService::~SurveyService() {
  stop();
}

void SurveyService::stop() {
  // Submissions being validated still reach the commit queue: wait for them.
  if (workers_) workers_->join();
  for (auto& queue : commits_)
    queue->stop();
}

store::CommitQueue& SurveyService::writer() {
  if (commits_.size() == 1) return *commits_.front();
  return *commits_[next_writer_.fetch_add(1, std::memory_order_relaxed) % commits_.size()];
}

store::CommitStats SurveyService::commit_stats() const {
  store::CommitStats total;
  for (const auto& queue : commits_) {
    const auto stats = queue->stats();
    total.commits += stats.commits;
    total.jobs += stats.jobs;
    total.failed_jobs += stats.failed_jobs;
    total.failed_commits += stats.failed_commits;
    total.commit_seconds_total += stats.commit_seconds_total;
    total.pending += stats.pending;
    total.batch_histogram.resize(stats.batch_histogram.size(), 0);
    for (std::size_t i = 0; i < stats.batch_histogram.size(); ++i)
      total.batch_histogram[i] += stats.batch_histogram[i];
  }
  return total;
}

void SurveyService::set_metrics_source(std::function<void(std::string&)> source) {
  metrics_source_ = std::move(source);
}

// ------------------------------------------------------------------ surveys

std::shared_ptr<const CachedSurvey> SurveyService::survey(std::string_view id) {
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = cache_.find(std::string(id)); it != cache_.end()) return it->second;
  }
  std::optional<store::SurveyRecord> record;
  {
    auto store = lease_store();
    record = store->find_survey(id);
  }
  if (!record)
    throw ApiError(404, "survey.not_found", "no survey '" + std::string(id) + "'", "survey");
  auto cached = std::make_shared<CachedSurvey>();
  cached->id = record->id;
  cached->questionnaire_json = record->questionnaire_json;
  cached->questionnaire = std::make_shared<const questionnaires::Questionnaire>(
      questionnaires::load_questionnaire(record->questionnaire_json, record->id));
  cached->form = std::make_shared<const FormTemplate>(*cached->questionnaire);
  std::unique_lock lock(cache_mutex_);
  return cache_.emplace(record->id, std::move(cached)).first->second;
}

store::SurveyState SurveyService::survey_state(std::string_view id) {
  return survey_access(id).state;
}

store::SurveyAccess SurveyService::survey_access(std::string_view id) {
  auto store = lease_store();
  auto record = store->find_survey_access(id);
  if (!record)
    throw ApiError(404, "survey.not_found", "no survey '" + std::string(id) + "'", "survey");
  return *record;
}

// ------------------------------------------------------------------ dispatch

HttpResponse SurveyService::protocol_error(int status, std::string_view code,
                                           std::string_view message) {
  metrics_.observe("(unread)", status, std::chrono::steady_clock::duration::zero());
  auto response = json_error(status, code, message);
  response.close = true;
  add_security_headers(response);
  return response;
}

Admission SurveyService::admit(const HttpRequest& head) {
  auto call = std::make_shared<Call>();
  call->request = head;
  call->started = std::chrono::steady_clock::now();
  Admission admission;
  // A refusal is answered now, through the one error path: its reply lands
  // in the admission instead of on the connection.
  call->reply = [&admission](HttpResponse&& response) { admission.refusal = std::move(response); };
  try {
    if (route_call(call)) {
      admission.body_limit = call->route->upload ? options_.import_body_limit : options_.body_limit;
      admission.spool_body = call->route->upload;
      call->reply = nullptr;
      admission.context = std::move(call);
      return admission;
    }
  } catch (...) {
    fail(*call, std::current_exception());
  }
  call->reply = nullptr;
  return admission;
}

void SurveyService::handle(HttpRequest&& request, Reply reply) {
  auto call = std::static_pointer_cast<Call>(std::move(request.context));
  if (!call) {
    // Not admitted by the server (a caller in process): admit it now.
    Admission admission = admit(request);
    if (admission.refusal) return reply(std::move(*admission.refusal));
    call = std::static_pointer_cast<Call>(std::move(admission.context));
  }
  request.context.reset();
  call->request = std::move(request);
  call->reply = std::move(reply);
  if (call->route->offload) {
    // Parsing and validating a submission can take long: never on an I/O
    // thread, where it would hold up every other connection.
    boost::asio::post(*workers_, [this, call] { run_route(call); });
    return;
  }
  run_route(call);
}

void SurveyService::run_route(const CallPtr& call) {
  try {
    call->route->run(*this, call);
  } catch (...) {
    fail(*call, std::current_exception());
  }
}

bool SurveyService::route_call(const CallPtr& call) {
  const auto segments = split_path(call->request.path);
  std::vector<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& pattern = route.segments[i];
      if (pattern.size() > 2 && pattern.front() == '{' && pattern.back() == '}') {
        params[pattern.substr(1, pattern.size() - 2)] = percent_decode(segments[i]);
      } else {
        match = pattern == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != call->request.method &&
        !(route.method == "GET" && call->request.method == "HEAD")) {
      allowed.push_back(route.method);
      continue;
    }
    call->route = &route;
    call->params = std::move(params);
    call->query = parse_urlencoded(call->request.query);
    check_origin(*call);
    call->actor = authenticate(call->request);
    if (!call->actor.role && session_may_authenticate(*call)) authenticate_session(*call);
    // The console's pages without a session: to the login form.
    if (route.segments.front() == "admin" && route.use_case != app::UseCase::LogIn &&
        !call->actor.user_role) {
      finish(*call, redirect("/admin/login"));
      return false;
    }
    authorize(*call);
    if (!route.content_type.empty()) {
      const auto bare = media_type(call->request.header("content-type").value_or(""));
      if (bare != route.content_type) {
        throw ApiError(415, "request.unsupported_media_type",
                       "send the body as " + route.content_type +
                           (bare.empty() ? std::string() : ", not " + std::string(bare)),
                       "content-type");
      }
    }
    // Answers without a token, to a survey taking
    // invitations only: refused before their body is read.
    const bool answer =
        route.use_case == app::UseCase::SubmitResponse || route.use_case == app::UseCase::SaveDraft;
    if (answer && call->params.contains("survey") && refuse_tokenless_answer(call)) {
      return false;
    }
    return true;
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const auto& m : allowed)
      allow += (allow.empty() ? "" : ", ") + m;
    auto response = json_error(405, "request.method_not_allowed",
                               call->request.method + " is not allowed here; use " + allow);
    response.headers.emplace_back("Allow", allow);
    finish(*call, std::move(response));
    return false;
  }
  if (!segments.empty() && segments.front() == "admin") {
    // No page to show anyone without a session, not even that it is missing.
    authenticate_session(*call);
    if (!call->actor.user_role) {
      finish(*call, redirect("/admin/login"));
      return false;
    }
  }
  throw ApiError(404, "request.not_found", "no such page or route: " + call->request.path);
}

void SurveyService::check_origin(const Call& call) const {
  if (is_safe_method(call.request.method)) return;
  // Browsers send Origin on every POST; scripts and the command line send
  // none (and authenticate by key, which a browser never adds by itself).
  if (auto origin = call.request.header("origin")) {
    const std::string value = lowercase(*origin);
    const auto host = call.request.header("host");
    const auto scheme_end = value.find("://");
    const bool same_host = host && scheme_end != std::string::npos &&
                           (value.starts_with("http://") || value.starts_with("https://")) &&
                           value.substr(scheme_end + 3) == lowercase(*host);
    const bool public_origin = !public_origin_.empty() && value == public_origin_;
    if (!same_host && !public_origin) {
      throw ApiError(403, "request.cross_site",
                     "this request comes from another site (Origin " + std::string(*origin) +
                         ") and is refused",
                     "origin");
    }
    return;
  }
  if (auto site = call.request.header("sec-fetch-site"); site && lowercase(*site) == "cross-site") {
    throw ApiError(403, "request.cross_site",
                   "this request comes from another site (Sec-Fetch-Site: cross-site) and is "
                   "refused",
                   "origin");
  }
}

std::string SurveyService::page_language_of(const Call& call) {
  const auto requested = call.query_value("lang");
  if (auto it = call.params.find("survey"); it != call.params.end()) {
    try {
      const auto& questionnaire = *survey(it->second)->questionnaire;
      if (requested && questionnaire.language_index(*requested)) return *requested;
      return questionnaire.languages().front();
    } catch (const std::exception&) {
      // No such survey: the page is in the requested language or Vietnamese.
    }
  }
  return requested == "en" ? "en" : "vi";
}

void SurveyService::finish(Call& call, HttpResponse&& response) {
  const std::string& label = call.route ? call.route->label : std::string("(no route)");
  metrics_.observe(label, response.status, std::chrono::steady_clock::now() - call.started);
  if (call.request.method == "HEAD") response.body.clear();
  add_security_headers(response);
  auto reply = std::move(call.reply);
  if (reply) reply(std::move(response));
}

void SurveyService::fail(Call& call, std::exception_ptr error) {
  int status = 500;
  std::string code = "internal";
  std::string message = "internal error";
  std::string field;
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    status = e.status();
    code = e.id();
    message = e.what();
    field = e.field();
  } catch (const app::UseCaseError& e) {
    status = status_of_refusal(e.refusal());
    code = e.id();
    message = e.what();
    field = api_field(e.field());
  } catch (const store::StoreError& e) {
    status = status_of_store_error(e.id());
    code = e.id();
    message = e.what();
  } catch (const questionnaires::ResponseError& e) {
    status = 400;
    code = e.id();
    message = e.what();
  } catch (const FormError& e) {
    status = 400;
    code = e.id();
    message = e.what();
  } catch (const questionnaires::DefinitionError& e) {
    status = 422;
    code = e.id();
    message = e.what();
  } catch (const Error& e) {
    status = 500;
    code = e.id();
    message = e.what();
  } catch (const std::exception& e) {
    // Not the request's fault: say so to the operator, not the client.
    log("internal error on " + (call.route ? call.route->label : std::string("?")) + ": " +
        e.what());
  }
  if (status >= 500 && code != "internal") {
    log(code + ": " + message);
  }
  // The database cannot be used: the operator has the details (file, SQLite's
  // reason) in the log above; the client learns that nothing was stored.
  const bool store_failed = is_store_failure(code);
  if (store_failed) message = store_failure_message(code);
  if (call.route && call.route->html && call.user && call.session_id &&
      call.route->segments.front() == "admin") {
    // A console page: the person sees what was refused and why, in the
    // console's frame (the message is the server's, with its id).
    const auto frame = console_frame(call, *call.user, "/admin/", "console.title");
    return finish(call, html(status, render_console_error(frame, status, code, message)));
  }
  if (call.route && call.route->html) {
    // A page speaks the survey's language: the server's own sentences for
    // the errors it knows, never an English message on a Vietnamese page.
    const std::string lang = page_language_of(call);
    if (store_failed)
      return finish(call, html_error(call, status, store_unavailable_message(lang)));
    auto response = html_error(call, status, public_page_message(code, status, lang, message));
    return finish(call, std::move(response));
  }
  finish(call, json_error(status, code, message, field));
}

void SurveyService::write(std::shared_ptr<Call> call, std::function<void(store::SurveyStore&)> job,
                          std::function<HttpResponse()> then) {
  writer().submit(std::move(job), [this, call, then = std::move(then)](std::exception_ptr error) {
    if (error) return fail(*call, error);
    try {
      finish(*call, then());
    } catch (...) {
      fail(*call, std::current_exception());
    }
  });
}

}  // namespace sipas::survey_server
