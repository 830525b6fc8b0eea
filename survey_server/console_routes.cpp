// The console's entry: GET/POST /admin/login, GET /admin/, POST /admin/logout,
// and the session behind them (the sipas_session cookie).
//
// A session authenticates /admin/ pages and the GET routes of the API; the
// API's other methods take keys only (a browser never adds a key by itself,
// while it does send cookies). The login form is bound to a random value in
// a cookie of its own (sipas_login, on /admin/login only): a page of another
// site cannot log a browser in as someone else.

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "app/clock.hpp"
#include "app/sessions.hpp"
#include "app/surveys.hpp"
#include "app/units.hpp"
#include "app/use_case_error.hpp"
#include "app/users.hpp"
#include "io/percent_encoding.hpp"
#include "store/tokens.hpp"
#include "survey_server/console_pages.hpp"
#include "survey_server/console_survey_pages.hpp"
#include "survey_server/page_replies.hpp"
#include "survey_server/query_values.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"
#include "texts/texts.hpp"

namespace sipas::survey_server {

namespace {

constexpr std::string_view session_cookie = "sipas_session";
constexpr std::string_view login_cookie = "sipas_login";

}  // namespace

std::optional<std::string> cookie_value(const HttpRequest& request, std::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ')
        pair.remove_prefix(1);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name)
        return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

void require_csrf(const SurveyService::Call& call, std::optional<std::string_view> token) {
  if (!call.session_id || !token || !app::csrf_matches(*call.session_id, *token)) {
    throw ApiError(403, "auth.csrf", "the form's _csrf does not belong to this session");
  }
}

FormFields checked_console_form(const SurveyService::Call& call) {
  auto fields = parse_urlencoded(call.request.body, 16);
  require_csrf(call, find_field(fields, "_csrf"));
  return fields;
}

std::string SurveyService::cookie(std::string_view name, std::string_view value,
                                  std::string_view path, bool expire) const {
  std::string out = std::string(name) + "=" + std::string(value) + "; Path=" + std::string(path) +
                    "; HttpOnly; SameSite=Strict";
  if (expire) out += "; Max-Age=0";
  if (options_.public_url.starts_with("https://")) out += "; Secure";
  return out;
}

bool SurveyService::session_may_authenticate(const Call& call) {
  const auto& segments = call.route ? call.route->segments : std::vector<std::string>{};
  if (!segments.empty() && segments.front() == "admin") return true;
  return !segments.empty() && segments.front() == "api" &&
         (call.request.method == "GET" || call.request.method == "HEAD");
}

void SurveyService::authenticate_session(Call& call) {
  auto id = cookie_value(call.request, session_cookie);
  if (!id || !store::is_token_syntax(*id, store::token_bytes)) return;
  const std::string key = app::session_key(*id);
  const auto now = app::now_seconds();
  std::optional<store::SessionRecord> session;
  {
    auto store = lease_store();
    session = store->find_session(key);
  }
  const auto check = app::check_session(session, now);
  // Kept up to date by the writer; the request does not wait for it.
  if (check.expired) {
    writer().submit([key](store::SurveyStore& s) { s.delete_session(key); },
                    [](std::exception_ptr) {});
  } else if (check.touch) {
    writer().submit([key, now](store::SurveyStore& s) { s.touch_session(key, now); },
                    [](std::exception_ptr) {});
  }
  if (!check.user) return;
  call.actor = app::person_actor(*check.user);
  call.user = std::move(*check.user);
  call.session_id = std::move(*id);
}

std::string SurveyService::login_nonce(const Call& call, HttpResponse& response) const {
  auto nonce = cookie_value(call.request, login_cookie);
  if (!nonce || !store::is_token_syntax(*nonce, store::token_bytes)) {
    nonce = store::random_token(store::token_bytes);
    response.headers.emplace_back("Set-Cookie", cookie(login_cookie, *nonce, "/admin/login"));
  }
  return *nonce;
}

HttpResponse SurveyService::login_page(const Call& call, int status, std::string user,
                                       std::optional<std::string> error) const {
  const auto lang = console_language(call.query_value("lang"));
  HttpResponse response = html(status, "");
  LoginView view{lang, "", std::move(user), std::move(error)};
  view.csrf = app::csrf_token(login_nonce(call, response));
  response.body = render_login_page(view);
  return response;
}

void SurveyService::get_login(const CallPtr& call) {
  if (call->actor.user_role) return finish(*call, redirect("/admin/"));
  finish(*call, login_page(*call, 200, "", std::nullopt));
}

void SurveyService::post_login(const CallPtr& call) {
  const auto fields = parse_urlencoded(call->request.body, 8);
  auto field = [&](std::string_view name) {
    auto value = find_field(fields, name);
    return value ? std::string(*value) : std::string();
  };
  app::LoginRequest request{field("user"), field("password")};
  const auto nonce = cookie_value(call->request, login_cookie);
  if (!nonce || !app::csrf_matches(*nonce, field("_csrf"))) {
    return finish(*call, login_page(*call, 403, request.user, "console.form_expired"));
  }
  const auto now = app::now_seconds();
  app::LoginCheck check;
  try {
    auto store = lease_store();
    check = app::check_login(*store, request, now);
  } catch (const app::UseCaseError& e) {
    if (e.refusal() != app::Refusal::Throttled) throw;
    return finish(*call, login_page(*call, 429, request.user, "console.login_throttled"));
  }
  if (!check.user) {
    const std::string name = app::login_name(request);
    auto page = std::make_shared<HttpResponse>(
        login_page(*call, 403, request.user, "console.login_failed"));
    if (!check.record_failure) return finish(*call, std::move(*page));
    return write(
        call, [name, now](store::SurveyStore& s) { app::record_failed_login(s, name, now); },
        [page] { return std::move(*page); });
  }
  auto started = std::make_shared<app::LoggedIn>();
  write(
      call,
      [started, user = *check.user, now](store::SurveyStore& s) {
        *started = app::start_session(s, user, now);
      },
      [this, started, call] {
        // A new id at every login; the login form's value has done its work.
        HttpResponse response =
            redirect("/admin/?lang=" + std::string(console_language(call->query_value("lang"))));
        response.headers.emplace_back("Set-Cookie",
                                      cookie(session_cookie, started->session_id, "/"));
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      });
}

void SurveyService::get_console_home(const CallPtr& call) {
  HomeView view{console_language(call->query_value("lang")), app::csrf_token(*call->session_id),
                *call->user, std::nullopt};
  if (view.user.unit) {
    auto store = lease_store();
    view.unit = store->find_unit(*view.user.unit);
  }
  finish(*call, html(200, render_console_home(view)));
}

ConsoleFrame SurveyService::console_frame(const Call& call, const store::UserRecord& user,
                                          std::string path, std::string_view title_key) const {
  const auto lang = console_language(call.query_value("lang"));
  return {lang, app::csrf_token(*call.session_id), &user, std::move(path),
          texts::text(lang, title_key)};
}

void SurveyService::get_console_units(const CallPtr& call) {
  const auto& user = *call->user;
  std::vector<store::UnitRecord> units;
  {
    auto store = lease_store();
    units = app::visible_units(*store, call->actor);
  }
  const auto frame = console_frame(*call, user, "/admin/units", "console.units");
  finish(*call, html(200, render_units_page(frame, units)));
}

void SurveyService::get_console_unit(const CallPtr& call) {
  const auto& user = *call->user;
  app::UnitPage page;
  {
    auto store = lease_store();
    page = app::unit_page(*store, call->actor, call->param("unit"));
  }
  auto frame = console_frame(*call, user, "/admin/units/" + io::percent_encode(page.unit.id),
                             "console.unit");
  frame.title = page.unit.name;
  finish(*call, html(200, render_unit_page(frame, page.unit, page.parent, page.children)));
}

void SurveyService::get_console_surveys(const CallPtr& call) {
  const auto& user = *call->user;
  std::vector<store::SurveyRecord> surveys;
  {
    auto store = lease_store();
    surveys = app::console_surveys(*store, call->actor);
  }
  const auto frame = console_frame(*call, user, "/admin/surveys", "console.surveys");
  CreateSurveyForm form;
  form.standards = app::standard_questionnaire_names();
  const bool can_create = app::may(call->actor, app::UseCase::CreateSurvey);
  finish(*call, html(200, render_surveys_page(frame, surveys, can_create ? &form : nullptr)));
}

// On a worker (the route is offloaded). The live indices shown are the last
// computed: when answers have come since, the newer ones are computed in the
// background, one computation at a time a survey, and the page says so; only
// a survey never computed waits for its first.
void SurveyService::get_console_survey(const CallPtr& call) {
  const auto& user = *call->user;
  const std::string id = call->param("survey");
  app::SurveyOverview overview;
  std::shared_ptr<const app::LiveIndices> indices;
  bool updating = false;
  // By stratum: the whole survey's indices and each unit's, in one analysis.
  const app::ReadIndices request{id, std::string("stratum"), 0.95};
  {
    auto store = lease_store();
    overview = app::survey_overview(*store, call->actor, id);
    if (app::may(call->actor, app::UseCase::ReadIndices)) {
      auto peek =
          indices_cache_.peek(*store, call->actor, request, options_.indices_refresh_seconds);
      if (!peek.indices) {
        indices = indices_cache_.get(*store, call->actor, request);
      } else {
        indices = std::move(peek.indices);
        updating = !peek.current;
        if (peek.refresh) {
          boost::asio::post(*workers_, [this, actor = call->actor, request] {
            try {
              auto lease = lease_store();
              indices_cache_.get(*lease, actor, request);
            } catch (const std::exception& e) {
              log(std::string("live indices: ") + e.what());
            }
          });
        }
      }
    }
  }
  auto frame =
      console_frame(*call, user, "/admin/surveys/" + io::percent_encode(id), "console.survey");
  frame.title = id;
  SurveyPageView view;
  view.overview = &overview;
  view.can_change_state = app::may(call->actor, app::UseCase::OpenSurvey);
  view.can_manage = app::may(call->actor, app::UseCase::ImportSample);
  view.can_review = app::may(call->actor, app::UseCase::ReviewResponse);
  view.can_export = app::may(call->actor, app::UseCase::ExportResponses);
  view.indices = indices.get();
  const auto cached = survey(id);  // the questionnaire, for the indices' names
  view.questionnaire = cached->questionnaire.get();
  view.indices_updating = updating;
  view.indices_refresh_seconds = options_.indices_refresh_seconds;
  view.refresh_seconds = static_cast<int>(std::clamp<std::int64_t>(
      count_parameter(call->query_value("refresh"), 20, "refresh"), 2, 600));
  finish(*call, html(200, render_survey_page(frame, view)));
}

void SurveyService::post_console_survey_state(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  const auto state = find_field(fields, "state");
  if (!state || (*state != "open" && *state != "closed")) {
    throw ApiError(400, "request.bad_parameter", "state is open or closed", "state");
  }
  const std::string id = call->param("survey");
  const bool open = *state == "open";
  write(
      call,
      [id, open, actor = call->actor](store::SurveyStore& s) {
        open ? app::open_survey(s, actor, id) : app::close_survey(s, actor, id);
      },
      [call, id] {
        return redirect("/admin/surveys/" + io::percent_encode(id) +
                        "?lang=" + std::string(console_language(call->query_value("lang"))));
      });
}

void SurveyService::post_logout(const CallPtr& call) {
  const auto fields = checked_console_form(*call);
  const std::string id = *call->session_id;
  write(
      call, [id](store::SurveyStore& s) { app::log_out(s, id); },
      [this, call] {
        HttpResponse response = redirect("/admin/login?lang=" +
                                         std::string(console_language(call->query_value("lang"))));
        response.headers.emplace_back("Set-Cookie", cookie(session_cookie, "", "/", true));
        return response;
      });
}

}  // namespace sipas::survey_server
