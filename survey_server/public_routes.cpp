// The public side: the form, its submissions, the JSON API for responses,
// drafts, the questionnaire, assets, health and metrics; and the route table.

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
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
#include "survey_server/page_replies.hpp"
#include "survey_server/service_internal.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

std::span<const io::EmbeddedFile> embedded_server_assets();
std::span<const io::EmbeddedFile> embedded_server_assets_gzip();

namespace {

using Json = nlohmann::json;
namespace q = questionnaires;

std::string client_key(const SurveyService::Call& call) {
  return call.request.client;
}

Json result_json(const store::SubmitResult& result, const std::string& submission_id) {
  return {{"response", result.response},
          {"submission_id", submission_id},
          {"received_at", app::iso_time(result.received_at)}};
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

namespace {

// Whether the client takes gzip: Accept-Encoding names it, or "*", without
// q=0 (Beast's ext_list reads the list and its parameters).
bool accepts_gzip(const HttpRequest& request) {
  auto accepted = request.header("accept-encoding");
  if (!accepted) return false;
  for (const auto& [coding, params] : boost::beast::http::ext_list(*accepted)) {
    if (!boost::beast::iequals(coding, "gzip") && coding != "*") continue;
    for (const auto& [name, value] : params) {
      if (boost::beast::iequals(name, "q") && value.find_first_not_of("0.") == value.npos) {
        return false;
      }
    }
    return true;
  }
  return false;
}

}  // namespace

void SurveyService::get_asset(const CallPtr& call) {
  const std::string name = "assets/" + call->param("name");
  for (const auto& file : embedded_server_assets()) {
    if (file.name != name) continue;
    HttpResponse response;
    response.content_type = name.ends_with(".css")  ? "text/css; charset=utf-8"
                            : name.ends_with(".js") ? "text/javascript; charset=utf-8"
                                                    : "application/octet-stream";
    response.body = std::string(file.content);
    if (accepts_gzip(call->request)) {
      for (const auto& packed : embedded_server_assets_gzip()) {
        if (packed.name != name + ".gz") continue;
        response.body = std::string(packed.content);
        response.headers.emplace_back("Content-Encoding", "gzip");
      }
    }
    response.headers.emplace_back("Vary", "Accept-Encoding");
    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return finish(*call, std::move(response));
  }
  throw ApiError(404, "request.not_found", "no asset '" + call->param("name") + "'");
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
  const auto token = call->query_value("t");
  // Before the body is parsed: see post_form.
  if (!token && !survey_access(id).open_link) invitation_required();
  q::Response response = q::parse_response(questionnaire, call->request.body);
  if (token) {
    // lookup_token's first check, before any work for a guessing address.
    if (token_limiter_.exhausted(client_key(*call))) {
      throw ApiError(429, "request.rate_limited", "too many attempts; wait a minute");
    }
  } else if (!open_limiter_.allow(client_key(*call))) {
    throw ApiError(429, "request.rate_limited",
                   "too many answers from this address; please wait a minute");
  }
  // The token's invitation is looked up in the writer's transaction when the
  // answers are fine (perf: the lookup on a read connection was a fifth of
  // the server's time, its pages re-read after every commit). Before any
  // refusal the token is checked here as before, so that a bad token is 403
  // (or 429) whatever the body, and so on a read-only server.
  auto require_token = [&] {
    if (token && !lookup_token(*call, id, *token)) {
      throw ApiError(403, "invitation.invalid_token", "the invitation token is not valid", "t");
    }
  };
  if (token && read_only_) require_token();
  std::optional<app::CheckedSubmission> checked;
  try {
    checked = app::check_submission(
        questionnaire, {id, std::nullopt, std::move(response), app::SubmissionChannel::Api});
  } catch (...) {
    require_token();
    throw;
  }
  if (!checked->validation.ok()) {
    require_token();
    Json issues = Json::array();
    for (const auto& issue : checked->validation.issues) {
      issues.push_back({{"code", issue.id}, {"message", issue.message}, {"field", issue.item}});
    }
    const auto& first = checked->validation.issues.front();
    Json body = {{"error", {{"code", first.id}, {"message", first.message}, {"field", first.item}}},
                 {"issues", issues}};
    return finish(*call, json_reply(422, body));
  }
  // Empty after the job: the token was unknown and nothing was stored.
  auto stored = std::make_shared<std::optional<store::SubmitResult>>();
  const std::string submission_id = checked->row.submission_id;
  write(
      call,
      [row = std::move(checked->row), token, stored](store::SurveyStore& s) mutable {
        if (token) {
          *stored = app::store_submission(s, row, *token);
        } else {
          *stored = app::store_submission(s, row);
        }
      },
      [stored, submission_id, call, this] {
        if (!*stored) {
          // As lookup_token: an unknown token spends the guessing budget.
          if (!token_limiter_.allow(client_key(*call))) {
            throw ApiError(429, "request.rate_limited", "too many attempts; wait a minute");
          }
          throw ApiError(403, "invitation.invalid_token", "the invitation token is not valid", "t");
        }
        const auto& result = **stored;
        check_outcome(result);
        const bool fresh = result.outcome == store::SubmitResult::Outcome::Stored;
        if (fresh) metrics_.count("sipas_responses_stored_total");
        return json_reply(fresh ? 201 : 200, result_json(result, submission_id));
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
  auto draft = app::check_draft(questionnaire, {id, invitation, std::move(response), std::nullopt});
  write(
      call, [draft](store::SurveyStore& s) { app::store_draft(s, draft); },
      [] {
        return json_reply(200, {{"saved", true}});
      });
}

}  // namespace sipas::survey_server
