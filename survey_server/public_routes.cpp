// The public side: the form, its submissions, the JSON API for responses,
// drafts, the questionnaire, assets, health and metrics; and the route table.

#include <ctime>
#include <nlohmann/json.hpp>
#include <span>

#include "io/embedded_file.hpp"
#include "io/percent_encoding.hpp"

#include "app/clock.hpp"
#include "app/submissions.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"
#include "store/tokens.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/form_submission.hpp"
#include "survey_server/json_reply.hpp"
#include "survey_server/page_messages.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

std::span<const io::EmbeddedFile> embedded_server_assets();

namespace {

using Json = nlohmann::json;
namespace q = questionnaires;

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
  std::string url = "/s/" + io::percent_encode(survey);
  if (token) url += "?t=" + io::percent_encode(*token);
  return url;
}

std::string client_key(const SurveyService::Call& call) {
  return call.request.client;
}

Json result_json(const store::SubmitResult& result, const std::string& submission_id) {
  return {{"response", result.response},
          {"submission_id", submission_id},
          {"received_at", app::iso_time(result.received_at)}};
}

HttpResponse redirect(const std::string& location) {
  HttpResponse response;
  response.status = 303;
  response.content_type = "text/plain";
  response.headers.emplace_back("Location", location);
  return response;
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
void check_outcome(const store::SubmitResult& result) {
  switch (result.outcome) {
    case store::SubmitResult::Outcome::Stored:
    case store::SubmitResult::Outcome::Repeated:
      return;
    case store::SubmitResult::Outcome::AlreadyResponded:
      throw ApiError(409, "invitation.already_responded",
                     "this invitation has already been answered; nothing was changed", "t");
    case store::SubmitResult::Outcome::SurveyNotOpen:
      throw ApiError(409, "survey.not_open", "the survey is not open for answers");
    case store::SubmitResult::Outcome::InvitationInactive:
      throw ApiError(403, "invitation.inactive", "this invitation is not active", "t");
    case store::SubmitResult::Outcome::InvitationRequired:
      invitation_required();
  }
}

}  // namespace

HttpResponse SurveyService::html_error(const Call& call, int status, const std::string& message) {
  std::string lang = call.query_value("lang").value_or("vi");
  return html(status, render_message(status, message, lang));
}

std::optional<store::Invitation> SurveyService::lookup_token(const Call& call,
                                                             std::string_view survey,
                                                             std::string_view token) {
  // An address whose guessing budget is spent gets no answer about any
  // token, right or wrong: were the lookup made first, a right token would
  // be served while wrong ones got 429, and guessing could go on at full speed.
  if (token_limiter_.exhausted(call.request.client)) {
    throw ApiError(429, "request.rate_limited", "too many attempts; wait a minute");
  }
  std::optional<store::Invitation> invitation;
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
  if (access.state == store::SurveyState::Draft)
    throw ApiError(404, "survey.not_found", "no survey '" + id + "'");
  if (access.state == store::SurveyState::Closed) {
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
    if (invitation->status == store::InvitationStatus::Responded) {
      return finish(*call, html(409, render_message(409, answered_message(lang), lang)));
    }
    if (invitation->status == store::InvitationStatus::Pending) {
      // Recorded for progress; the page does not wait for it.
      const auto invitation_id = invitation->id;
      commits_->submit(
          [invitation_id](store::SurveyStore& s) {
            s.mark_opened(invitation_id, app::now_seconds());
          },
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
  page.submission_id = store::random_token();
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
  std::optional<store::Invitation> invitation;
  if (token) {
    invitation = lookup_token(*call, id, *token);
    if (!invitation) {
      return finish(*call, html(403, render_message(403, invalid_token_message(lang), lang)));
    }
  }
  if (submission.action == "save") {
    auto draft = app::check_draft(questionnaire, {id, invitation, std::move(submission.response)});
    auto url = form_url(id, token) + "&lang=" + lang + "&saved=1";
    return write(
        call, [draft](store::SurveyStore& s) { app::store_draft(s, draft); },
        [url] { return redirect(url); });
  }
  if (!invitation && !open_limiter_.allow(client_key(*call))) {
    throw ApiError(429, "request.rate_limited",
                   "too many answers from this address; please wait a minute");
  }
  auto checked = app::check_submission(
      questionnaire,
      {id, invitation, std::move(submission.response), app::SubmissionChannel::Form});
  if (!checked.validation.ok()) {
    // The page again, with the answers kept and the problems at their items.
    const q::Response& answers = checked.answers;
    FormPage page;
    page.questionnaire = &questionnaire;
    page.survey_id = id;
    page.language = language;
    page.action = form_url(id, token);
    page.submission_id = answers.submission_id;
    page.answers = &answers;
    page.errors = &checked.validation;
    page.can_save_draft = token.has_value();
    return finish(*call, html(422, cached->form->render(page)));
  }
  auto stored = std::make_shared<store::SubmitResult>();
  const std::string thanks = "/s/" + io::percent_encode(id) + "/thanks?lang=" + lang;
  write(
      call,
      [row = std::move(checked.row), stored](store::SurveyStore& s) {
        *stored = app::store_submission(s, row);
      },
      [stored, thanks, lang, this] {
        if (stored->outcome == store::SubmitResult::Outcome::Stored ||
            stored->outcome == store::SubmitResult::Outcome::Repeated) {
          metrics_.count("sipas_responses_stored_total",
                         stored->outcome == store::SubmitResult::Outcome::Stored ? 1 : 0);
          return redirect(thanks);
        }
        // The link was turned off after the check above.
        if (stored->outcome == store::SubmitResult::Outcome::InvitationRequired)
          return invitation_required_page(lang);
        const int status =
            stored->outcome == store::SubmitResult::Outcome::InvitationInactive ? 403 : 409;
        const std::string message = stored->outcome == store::SubmitResult::Outcome::SurveyNotOpen
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
  if (survey_state(id) == store::SurveyState::Draft && !call->actor.role) {
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
  std::optional<store::Invitation> invitation;
  if (auto token = call->query_value("t")) {
    invitation = lookup_token(*call, id, *token);
    if (!invitation) {
      throw ApiError(403, "invitation.invalid_token", "the invitation token is not valid", "t");
    }
  } else if (!open_limiter_.allow(client_key(*call))) {
    throw ApiError(429, "request.rate_limited",
                   "too many answers from this address; please wait a minute");
  }
  auto checked = app::check_submission(
      questionnaire, {id, invitation, std::move(response), app::SubmissionChannel::Api});
  if (!checked.validation.ok()) {
    Json issues = Json::array();
    for (const auto& issue : checked.validation.issues) {
      issues.push_back({{"code", issue.id}, {"message", issue.message}, {"field", issue.item}});
    }
    const auto& first = checked.validation.issues.front();
    Json body = {{"error", {{"code", first.id}, {"message", first.message}, {"field", first.item}}},
                 {"issues", issues}};
    return finish(*call, json_reply(422, body));
  }
  auto stored = std::make_shared<store::SubmitResult>();
  const std::string submission_id = checked.row.submission_id;
  write(
      call,
      [row = std::move(checked.row), stored](store::SurveyStore& s) {
        *stored = app::store_submission(s, row);
      },
      [stored, submission_id, this] {
        check_outcome(*stored);
        const bool fresh = stored->outcome == store::SubmitResult::Outcome::Stored;
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
  auto draft = app::check_draft(questionnaire, {id, invitation, std::move(response)});
  write(
      call, [draft](store::SurveyStore& s) { app::store_draft(s, draft); },
      [] {
        return json_reply(200, {{"saved", true}});
      });
}

}  // namespace sipas::survey_server
