// The public side: the form, its submissions, the JSON API for responses,
// drafts, the questionnaire, assets, health and metrics; and the route table.

#include <ctime>
#include <nlohmann/json.hpp>
#include <span>

#include "io/embedded_file.hpp"

#include "questionnaires/error.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/form_submission.hpp"
#include "survey_server/page_messages.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/tokens.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

std::span<const io::EmbeddedFile> embedded_server_assets();

namespace {

using Json = nlohmann::json;
namespace q = questionnaires;

constexpr std::size_t max_submission_id = 128;

Timestamp seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse html(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::move(body);
  // Forms hold personal answers: never cached by a shared proxy.
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; script-src 'self'; "
                                "img-src 'self'; form-action 'self'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

HttpResponse json_reply(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

// The language a page is shown in: ?lang= when the questionnaire has it,
// else its first (Vietnamese for the standard forms).
std::size_t page_language(const q::Questionnaire& questionnaire, const SurveyService::Call& call,
                          std::optional<std::string> requested = std::nullopt) {
  if (!requested) requested = call.query_value("lang");
  if (requested) {
    if (auto index = questionnaire.language_index(*requested)) return *index;
  }
  return 0;
}

std::string form_url(const std::string& survey, const std::optional<std::string>& token) {
  std::string url = "/s/" + percent_encode(survey);
  if (token) url += "?t=" + percent_encode(*token);
  return url;
}

std::string client_key(const SurveyService::Call& call) {
  return call.request.client;
}

Json result_json(const SubmitResult& result, const std::string& submission_id) {
  return {{"response", result.response},
          {"submission_id", submission_id},
          {"received_at", iso_time(result.received_at)}};
}

// The page for a token-less request to a survey whose open link is off.
HttpResponse invitation_required_page(std::string_view lang) {
  return html(403, render_message(invitation_required_title(lang),
                                  invitation_required_message(lang), lang));
}

// A token-less answer to a survey whose open link is off.
[[noreturn]] void invitation_required() {
  throw ApiError(403, "survey.invitation_required",
                 "this survey takes answers only through invitation links: send the token of "
                 "the invitation as ?t=TOKEN; nothing was stored",
                 "t");
}

// The store's answer to a submission, as an HTTP status and error.
void check_outcome(const SubmitResult& result) {
  switch (result.outcome) {
    case SubmitResult::Outcome::Stored:
    case SubmitResult::Outcome::Repeated:
      return;
    case SubmitResult::Outcome::AlreadyResponded:
      throw ApiError(409, "invitation.already_responded",
                     "this invitation has already been answered; nothing was changed", "t");
    case SubmitResult::Outcome::SurveyNotOpen:
      throw ApiError(409, "survey.not_open", "the survey is not open for answers");
    case SubmitResult::Outcome::InvitationInactive:
      throw ApiError(403, "invitation.inactive", "this invitation is not active", "t");
    case SubmitResult::Outcome::InvitationRequired:
      invitation_required();
  }
}

}  // namespace

Timestamp now_seconds() {
  return seconds_now();
}

std::string iso_time(Timestamp t) {
  std::time_t time = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// ------------------------------------------------------------------ routes

std::vector<SurveyService::Route> SurveyService::make_routes() {
  auto path = [](std::string_view p) {
    std::vector<std::string> out;
    std::size_t i = 1;
    while (i <= p.size()) {
      auto j = p.find('/', i);
      if (j == std::string_view::npos) j = p.size();
      out.emplace_back(p.substr(i, j - i));
      i = j + 1;
    }
    return out;
  };
  using S = SurveyService;
  const std::string json = "application/json";
  const std::string form = "application/x-www-form-urlencoded";
  std::vector<Route> r;
  enum Body { small, upload, offload };
  auto add = [&](std::string method, std::string p, std::optional<Role> role,
                 std::string content_type, bool is_html,
                 std::function<void(SurveyService&, const CallPtr&)> run, Body body = small) {
    r.push_back(Route{method, path(p), method + " " + p, role, std::move(content_type), is_html,
                      body == upload, body == offload, std::move(run)});
  };
  add("GET", "/healthz", std::nullopt, "", false, [](S& s, const CallPtr& c) { s.get_health(*c); });
  // Request counts say who uses the server how: for analysts (or on a
  // listener of its own, sipas serve --metrics-listen).
  add("GET", "/metrics", Role::Analyst, "", false,
      [](S& s, const CallPtr& c) { s.get_metrics(*c); });
  add("GET", "/assets/{name}", std::nullopt, "", false, &S::get_asset);
  // Browsers ask for it on every first visit; an empty answer keeps logs quiet.
  add("GET", "/favicon.ico", std::nullopt, "", false, [](S& s, const CallPtr& c) {
    HttpResponse response;
    response.status = 204;
    response.content_type = "image/x-icon";
    response.headers.emplace_back("Cache-Control", "public, max-age=86400");
    s.finish(*c, std::move(response));
  });
  add("GET", "/s/{survey}", std::nullopt, "", true, &S::get_form);
  add("POST", "/s/{survey}", std::nullopt, form, true, &S::post_form, offload);
  add("GET", "/s/{survey}/thanks", std::nullopt, "", true, &S::get_thanks);
  add("GET", "/api/v1/surveys/{survey}/questionnaire", std::nullopt, "", false,
      &S::get_questionnaire);
  add("POST", "/api/v1/surveys/{survey}/responses", std::nullopt, json, false,
      &S::post_response_json, offload);
  add("POST", "/api/v1/surveys/{survey}/drafts", std::nullopt, json, false, &S::post_draft_json,
      offload);
  // Admin.
  add("GET", "/api/v1/surveys", Role::Analyst, "", false, &S::list_surveys);
  add("POST", "/api/v1/surveys", Role::Manager, json, false, &S::create_survey);
  add("GET", "/api/v1/surveys/{survey}", Role::Analyst, "", false, &S::get_survey);
  add("PATCH", "/api/v1/surveys/{survey}", Role::Manager, json, false, &S::patch_survey);
  add("POST", "/api/v1/surveys/{survey}/open", Role::Manager, "", false,
      [](S& s, const CallPtr& c) { s.set_state(c, SurveyState::Open); });
  add("POST", "/api/v1/surveys/{survey}/close", Role::Manager, "", false,
      [](S& s, const CallPtr& c) { s.set_state(c, SurveyState::Closed); });
  add("POST", "/api/v1/surveys/{survey}/invitations", Role::Manager, "text/csv", false,
      &S::import_invitations, upload);
  add("POST", "/api/v1/surveys/{survey}/reserves/activate", Role::Manager, json, false,
      &S::activate_reserves);
  add("GET", "/api/v1/surveys/{survey}/progress", Role::Analyst, "", false, &S::get_progress);
  add("GET", "/api/v1/surveys/{survey}/responses", Role::Analyst, "", false, &S::export_responses);
  add("POST", "/api/v1/surveys/{survey}/responses/{seq}/review", Role::Manager, json, false,
      &S::review_response);
  return r;
}

HttpResponse SurveyService::html_error(const Call& call, int status, const std::string& message) {
  std::string lang = call.query_value("lang").value_or("vi");
  return html(status, render_message(status, message, lang));
}

std::optional<Invitation> SurveyService::lookup_token(const Call& call, std::string_view survey,
                                                      std::string_view token) {
  // An address whose guessing budget is spent gets no answer about any
  // token, right or wrong: were the lookup made first, a right token would
  // be served while wrong ones got 429, and guessing could go on at full speed.
  if (token_limiter_.exhausted(call.request.client)) {
    throw ApiError(429, "request.rate_limited", "too many attempts; wait a minute");
  }
  std::optional<Invitation> invitation;
  {
    auto store = lease_store();
    invitation = store->find_invitation_by_token(survey, token);
  }
  // Unknown tokens spend the client's guessing budget.
  if (!invitation && !token_limiter_.allow(call.request.client)) {
    throw ApiError(429, "request.rate_limited", "too many attempts; wait a minute");
  }
  return invitation;
}

// ------------------------------------------------------------------ assets

void SurveyService::get_asset(const CallPtr& call) {
  const std::string name = "assets/" + call->param("name");
  for (const auto& file : embedded_server_assets()) {
    if (file.name != name) continue;
    HttpResponse response;
    response.content_type = name.ends_with(".css")  ? "text/css; charset=utf-8"
                            : name.ends_with(".js") ? "text/javascript; charset=utf-8"
                                                    : "application/octet-stream";
    response.body = std::string(file.content);
    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return finish(*call, std::move(response));
  }
  throw ApiError(404, "request.not_found", "no asset '" + call->param("name") + "'");
}

// ------------------------------------------------------------------ form

void SurveyService::get_form(const CallPtr& call) {
  const std::string& id = call->param("survey");
  auto cached = survey(id);
  const auto& questionnaire = *cached->questionnaire;
  const std::size_t language = page_language(questionnaire, *call);
  const std::string lang = questionnaire.languages()[language];
  const auto access = survey_access(id);
  if (access.state == SurveyState::Draft)
    throw ApiError(404, "survey.not_found", "no survey '" + id + "'");
  if (access.state == SurveyState::Closed) {
    return finish(*call, html(410, render_message(410, closed_message(lang), lang)));
  }
  auto token = call->query_value("t");
  if (!token && !access.open_link) return finish(*call, invitation_required_page(lang));
  std::optional<q::Response> draft;
  if (token) {
    auto invitation = lookup_token(*call, id, *token);
    if (!invitation) {
      return finish(*call, html(403, render_message(403, invalid_token_message(lang), lang)));
    }
    if (invitation->status == InvitationStatus::Responded) {
      return finish(*call, html(409, render_message(409, answered_message(lang), lang)));
    }
    if (invitation->status == InvitationStatus::Pending) {
      // Recorded for progress; the page does not wait for it.
      const auto invitation_id = invitation->id;
      commits_->submit(
          [invitation_id](SurveyStore& s) { s.mark_opened(invitation_id, now_seconds()); },
          [](std::exception_ptr) {});
    }
    std::optional<std::string> saved;
    {
      auto store = lease_store();
      saved = store->load_draft(invitation->id);
    }
    if (saved) {
      try {
        draft = q::parse_response(questionnaire, *saved);
      } catch (const q::ResponseError&) {
        // A draft from an older form that no longer parses: start afresh.
      }
    }
  }
  FormPage page;
  page.questionnaire = &questionnaire;
  page.survey_id = id;
  page.language = language;
  page.action = form_url(id, token);
  page.submission_id = random_token();
  page.answers = draft ? &*draft : nullptr;
  page.can_save_draft = token.has_value();
  page.draft_saved = call->query_value("saved").has_value();
  finish(*call, html(200, cached->form->render(page)));
}

bool SurveyService::refuse_tokenless_answer(const CallPtr& call) {
  if (call->query_value("t")) return false;
  const std::string& id = call->param("survey");
  if (survey_access(id).open_link) return false;
  if (!call->route->html) invitation_required();
  const auto& questionnaire = *survey(id)->questionnaire;
  finish(*call,
         invitation_required_page(questionnaire.languages()[page_language(questionnaire, *call)]));
  return true;
}

void SurveyService::post_form(const CallPtr& call) {
  const std::string id = call->param("survey");
  auto cached = survey(id);
  const auto& questionnaire = *cached->questionnaire;
  // Before the body is read: a token-less answer to an invitation-only
  // survey is refused whatever it holds.
  if (!call->query_value("t") && !survey_access(id).open_link) {
    const std::string page_lang = questionnaire.languages()[page_language(questionnaire, *call)];
    return finish(*call, invitation_required_page(page_lang));
  }
  FormSubmission submission = parse_form(questionnaire, call->request.body);
  const std::size_t language =
      page_language(questionnaire, *call,
                    submission.response.language.empty()
                        ? std::nullopt
                        : std::optional<std::string>(submission.response.language));
  const std::string lang = questionnaire.languages()[language];
  submission.response.language = lang;
  auto token = call->query_value("t");
  std::optional<Invitation> invitation;
  if (token) {
    invitation = lookup_token(*call, id, *token);
    if (!invitation) {
      return finish(*call, html(403, render_message(403, invalid_token_message(lang), lang)));
    }
  }
  if (submission.submission_id.empty() || submission.submission_id.size() > max_submission_id) {
    submission.submission_id = random_token();
  }
  if (submission.action == "save") {
    if (!invitation) {
      throw ApiError(400, "draft.needs_invitation", "only an invitation's answers can be saved",
                     "t");
    }
    const auto invitation_id = invitation->id;
    auto answers = q::response_to_json(questionnaire, submission.response);
    auto url = form_url(id, token) + "&lang=" + lang + "&saved=1";
    return write(
        call,
        [invitation_id, answers](SurveyStore& s) {
          s.save_draft(invitation_id, answers, now_seconds());
        },
        [url] {
          HttpResponse response;
          response.status = 303;
          response.content_type = "text/plain";
          response.headers.emplace_back("Location", url);
          return response;
        });
  }
  if (!invitation && !open_limiter_.allow(client_key(*call))) {
    throw ApiError(429, "request.rate_limited",
                   "too many answers from this address; please wait a minute");
  }
  drop_hidden_answers(questionnaire, submission.response);
  const auto result = q::validate(questionnaire, submission.response);
  if (!result.ok()) {
    FormPage page;
    page.questionnaire = &questionnaire;
    page.survey_id = id;
    page.language = language;
    page.action = form_url(id, token);
    page.submission_id = submission.submission_id;
    page.answers = &submission.response;
    page.errors = &result;
    page.can_save_draft = token.has_value();
    return finish(*call, html(422, cached->form->render(page)));
  }
  NewResponse row;
  row.survey = id;
  if (invitation) row.invitation = invitation->id;
  row.submission_id = submission.submission_id;
  row.language = lang;
  row.answers_json = q::response_to_json(questionnaire, submission.response);
  auto stored = std::make_shared<SubmitResult>();
  const std::string thanks = "/s/" + percent_encode(id) + "/thanks?lang=" + lang;
  write(
      call,
      [row = std::move(row), stored](SurveyStore& s) {
        *stored = s.insert_response(row, now_seconds());
      },
      [stored, thanks, lang, this] {
        if (stored->outcome == SubmitResult::Outcome::Stored ||
            stored->outcome == SubmitResult::Outcome::Repeated) {
          metrics_.count("sipas_responses_stored_total",
                         stored->outcome == SubmitResult::Outcome::Stored ? 1 : 0);
          HttpResponse response;
          response.status = 303;
          response.content_type = "text/plain";
          response.headers.emplace_back("Location", thanks);
          return response;
        }
        // The link was turned off after the check above.
        if (stored->outcome == SubmitResult::Outcome::InvitationRequired)
          return invitation_required_page(lang);
        const int status = stored->outcome == SubmitResult::Outcome::InvitationInactive ? 403 : 409;
        const std::string message = stored->outcome == SubmitResult::Outcome::SurveyNotOpen
                                        ? closed_message(lang)
                                        : answered_message(lang);
        return html(status, render_message(status, message, lang));
      });
}

void SurveyService::get_thanks(const CallPtr& call) {
  auto cached = survey(call->param("survey"));
  const auto& questionnaire = *cached->questionnaire;
  finish(*call, html(200, render_thanks(questionnaire, page_language(questionnaire, *call))));
}

// ------------------------------------------------------------------ JSON API

void SurveyService::get_questionnaire(const CallPtr& call) {
  const std::string& id = call->param("survey");
  auto cached = survey(id);
  if (survey_state(id) == SurveyState::Draft && !call->role) {
    throw ApiError(404, "survey.not_found", "no survey '" + id + "'", "survey");
  }
  HttpResponse response;
  response.body = cached->questionnaire_json;
  finish(*call, std::move(response));
}

void SurveyService::post_response_json(const CallPtr& call) {
  const std::string id = call->param("survey");
  auto cached = survey(id);
  const auto& questionnaire = *cached->questionnaire;
  // Before the body is parsed: see post_form.
  if (!call->query_value("t") && !survey_access(id).open_link) invitation_required();
  q::Response response = q::parse_response(questionnaire, call->request.body);
  if (response.submission_id.empty()) {
    throw ApiError(400, "response.missing_submission_id",
                   "give a submission_id (any unique string of at most 128 characters), so that a "
                   "retry is recognised",
                   "submission_id");
  }
  if (response.submission_id.size() > max_submission_id) {
    throw ApiError(400, "response.bad_submission_id", "submission_id is longer than 128 characters",
                   "submission_id");
  }
  std::optional<Invitation> invitation;
  if (auto token = call->query_value("t")) {
    invitation = lookup_token(*call, id, *token);
    if (!invitation) {
      throw ApiError(403, "invitation.invalid_token", "the invitation token is not valid", "t");
    }
  } else if (!open_limiter_.allow(client_key(*call))) {
    throw ApiError(429, "request.rate_limited",
                   "too many answers from this address; please wait a minute");
  }
  const auto result = q::validate(questionnaire, response);
  if (!result.ok()) {
    Json issues = Json::array();
    for (const auto& issue : result.issues) {
      issues.push_back({{"code", issue.id}, {"message", issue.message}, {"field", issue.item}});
    }
    const auto& first = result.issues.front();
    Json body = {{"error", {{"code", first.id}, {"message", first.message}, {"field", first.item}}},
                 {"issues", issues}};
    HttpResponse reply;
    reply.status = 422;
    reply.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    return finish(*call, std::move(reply));
  }
  NewResponse row;
  row.survey = id;
  if (invitation) row.invitation = invitation->id;
  row.submission_id = response.submission_id;
  row.language = response.language.empty() ? questionnaire.languages()[0] : response.language;
  row.answers_json = q::response_to_json(questionnaire, response);
  auto stored = std::make_shared<SubmitResult>();
  const std::string submission_id = response.submission_id;
  write(
      call,
      [row = std::move(row), stored](SurveyStore& s) {
        *stored = s.insert_response(row, now_seconds());
      },
      [stored, submission_id, this] {
        check_outcome(*stored);
        const bool fresh = stored->outcome == SubmitResult::Outcome::Stored;
        if (fresh) metrics_.count("sipas_responses_stored_total");
        return json_reply(fresh ? 201 : 200, result_json(*stored, submission_id));
      });
}

void SurveyService::post_draft_json(const CallPtr& call) {
  const std::string id = call->param("survey");
  auto cached = survey(id);
  const auto& questionnaire = *cached->questionnaire;
  auto token = call->query_value("t");
  if (!token) throw ApiError(400, "draft.needs_invitation", "drafts need an invitation token", "t");
  q::Response response = q::parse_response(questionnaire, call->request.body);
  auto invitation = lookup_token(*call, id, *token);
  if (!invitation) {
    throw ApiError(403, "invitation.invalid_token", "the invitation token is not valid", "t");
  }
  if (invitation->status == InvitationStatus::Responded) {
    throw ApiError(409, "invitation.already_responded", "this invitation has already been answered",
                   "t");
  }
  const auto invitation_id = invitation->id;
  auto answers = q::response_to_json(questionnaire, response);
  write(
      call,
      [invitation_id, answers](SurveyStore& s) {
        s.save_draft(invitation_id, answers, now_seconds());
      },
      [] {
        return json_reply(200, {{"saved", true}});
      });
}

}  // namespace sipas::survey_server
