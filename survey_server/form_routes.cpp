// The form, a page at a time: GET /s/{survey}[?t=TOKEN][&page=N], POST of a
// page (_action next, back, save or submit), and the thank-you page.
//
// With an invitation the answers live in its draft: each next, back and save
// merges the page's answers into it and redirects to the page to show (so a
// reload repeats nothing); the draft remembers the furthest page reached, and
// a person who comes back carries on at the first page not yet complete. An
// open link keeps no draft: its pages carry the other pages' answers as
// hidden fields and each post answers with the next page itself. Only submit
// stores a response, after checking every page again. A post without _page
// is the whole form at once, as before there were pages.

#include <algorithm>
#include <ctime>

#include "io/percent_encoding.hpp"

#include "app/clock.hpp"
#include "app/submissions.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/pages.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"
#include "store/tokens.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/form_submission.hpp"
#include "survey_server/page_messages.hpp"
#include "survey_server/page_replies.hpp"
#include "survey_server/service_internal.hpp"

namespace sipas::survey_server {

namespace {

namespace q = questionnaires;

// A draft as saved, or none when it no longer reads (a draft from an older
// version of the form: the person starts afresh).
std::optional<q::Response> parse_draft(const q::Questionnaire& questionnaire,
                                       const std::optional<store::Draft>& saved) {
  if (!saved) return std::nullopt;
  try {
    return q::parse_response(questionnaire, saved->answers_json);
  } catch (const q::ResponseError&) {
    return std::nullopt;
  }
}

// The URL of a page of an invitation's form.
std::string page_url(const std::string& survey, const std::string& token, std::size_t page,
                     std::string_view lang) {
  return form_url(survey, token) + "&page=" + std::to_string(page + 1) +
         "&lang=" + io::percent_encode(lang);
}

// A page number from ?page= (1-based), or nullopt when it names no page.
std::optional<std::size_t> requested_page(const std::string& text, std::size_t count) {
  if (text.empty() || text.size() > 6 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::size_t number = std::stoul(text);
  if (number < 1 || number > count) return std::nullopt;
  return number - 1;
}

// The questionnaire's own problems with answers (validated once per request).
struct Checked {
  q::Validator validator;
  q::ValidationResult issues;
  Checked(const q::Questionnaire& questionnaire, const q::Response& answers)
      : validator(questionnaire), issues(validator.validate(answers)) {}
};

// A fresh submission id for a page: 22 base64url characters (132 random
// bits, from OpenSSL's CSPRNG through store::random_token), never starting
// with '-', cut from a per-thread supply drawn 46 at a time: one RAND_bytes
// per page (its locks and set-up for a 16-byte draw) was a twentieth of a
// form GET (perf).
std::string fresh_submission_id() {
  constexpr std::size_t length = store::base64url_length(store::token_bytes);  // 22
  constexpr std::size_t drawn = 768;  // bytes: 1,024 characters
  thread_local std::string supply;
  thread_local std::size_t used = 0;
  for (;;) {
    if (supply.size() - used < length) {
      supply = store::random_token(drawn);
      used = 0;
    }
    std::string id = supply.substr(used, length);
    used += length;
    if (id.front() != '-') return id;
  }
}

}  // namespace

void SurveyService::get_form(const CallPtr& call) {
  const std::string& id = call->param("survey");
  auto cached = survey(id);
  const auto& questionnaire = *cached->questionnaire;
  const auto& pages = cached->form->pages();
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
  std::int64_t reached = 0;
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
      writer().submit(
          [invitation_id](store::SurveyStore& s) {
            s.mark_opened(invitation_id, app::now_seconds());
          },
          [](std::exception_ptr) {});
    }
    std::optional<store::Draft> saved;
    {
      auto store = lease_store();
      saved = store->load_draft(invitation->id);
    }
    draft = parse_draft(questionnaire, saved);
    if (draft) reached = saved->page;
  }
  // Which page, and its buttons: from the draft's answers, or (nothing
  // answered yet, the common first visit) as the template worked them out.
  const auto& blank = cached->form->blank_pages();
  std::optional<Checked> checked;
  if (draft) checked.emplace(questionnaire, *draft);
  auto applies = [&](std::size_t p) {
    return checked ? pages.applies(p, checked->validator) : blank.applies[p];
  };
  auto previous = [&](std::size_t p) -> std::optional<std::size_t> {
    if (checked) return pages.previous(p, checked->validator);
    for (std::size_t i = p; i-- > 0;) {
      if (blank.applies[i]) return i;
    }
    return std::nullopt;
  };
  auto next = [&](std::size_t p) -> std::optional<std::size_t> {
    if (checked) return pages.next(p, checked->validator);
    for (std::size_t i = p + 1; i < pages.size(); ++i) {
      if (blank.applies[i]) return i;
    }
    return std::nullopt;
  };
  std::size_t page = blank.first;
  if (auto asked = call->query_value("page")) {
    auto number = requested_page(*asked, pages.size());
    if (!number) {
      return finish(
          *call, html(404, render_message(404, public_page_message("request.not_found", 404, lang),
                                          lang)));
    }
    page = *number;
    // A page whose items do not apply (given the answers so far) is skipped,
    // as next and back skip it.
    if (!applies(page)) page = next(page).value_or(previous(page).value_or(page));
  } else if (checked) {
    page = pages.resume(static_cast<std::size_t>(reached), checked->validator, checked->issues);
  }
  FormPage view;
  view.questionnaire = &questionnaire;
  view.survey_id = id;
  view.language = language;
  view.action = form_url(id, token);
  view.submission_id = fresh_submission_id();
  view.answers = draft ? &*draft : nullptr;
  view.can_save_draft = token.has_value();
  view.draft_saved = call->query_value("saved").has_value();
  view.pages = &pages;
  view.page = page;
  view.back = previous(page).has_value();
  view.last = !next(page).has_value();
  finish(*call, html(200, cached->form->render(view)));
}

void SurveyService::post_form(const CallPtr& call) {
  const std::string id = call->param("survey");
  auto cached = survey(id);
  const auto& questionnaire = *cached->questionnaire;
  const auto& pages = cached->form->pages();
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
  if (submission.page && *submission.page > pages.size()) {
    throw FormError("form.malformed", "_page names no page of this form");
  }
  // The answers so far: the page's merged into the draft (an invitation's),
  // or all that were posted (an open link carries them from page to page).
  std::optional<std::size_t> page;
  if (submission.page) page = *submission.page - 1;
  std::int64_t reached = 0;
  q::Response answers = std::move(submission.response);
  if (page && invitation) {
    std::optional<store::Draft> saved;
    {
      auto store = lease_store();
      saved = store->load_draft(invitation->id);
    }
    auto draft = parse_draft(questionnaire, saved);
    if (draft) reached = saved->page;
    answers = pages.merge(*page, draft ? *draft : q::Response::empty_for(questionnaire), answers);
  }
  const std::string action = submission.action;

  // The reply that shows page `shown` with these answers (and problems).
  auto show = [&, id, token, language](const q::Response& shown_answers, std::size_t shown,
                                       const q::Validator& v, const q::ValidationResult* errors,
                                       bool elsewhere, int status) {
    FormPage view;
    view.questionnaire = &questionnaire;
    view.survey_id = id;
    view.language = language;
    view.action = form_url(id, token);
    view.submission_id =
        shown_answers.submission_id.empty() ? fresh_submission_id() : shown_answers.submission_id;
    view.answers = &shown_answers;
    view.errors = errors;
    view.issues_elsewhere = elsewhere;
    view.can_save_draft = token.has_value();
    view.pages = &pages;
    view.page = shown;
    view.back = pages.previous(shown, v).has_value();
    view.last = !pages.next(shown, v).has_value();
    return html(status, cached->form->render(view));
  };

  if (action == "save" || action == "back" || action == "next") {
    if (!page && action != "save") {
      throw FormError("form.malformed", "_action " + action + " needs _page");
    }
    Checked checked(questionnaire, answers);
    std::size_t to = page.value_or(0);
    if (action == "back") to = pages.previous(to, checked.validator).value_or(to);
    if (action == "next") {
      if (page) {
        auto problems = pages.issues_on(*page, checked.issues);
        if (!problems.ok()) {
          return finish(*call, show(answers, *page, checked.validator, &problems, false, 422));
        }
      }
      to = pages.next(to, checked.validator).value_or(to);
    }
    if (!invitation) {
      if (action == "save") {
        throw ApiError(400, "draft.needs_invitation", "drafts need an invitation token", "t");
      }
      return finish(*call, show(answers, to, checked.validator, nullptr, false, 200));
    }
    auto draft =
        app::check_draft(questionnaire, {id, invitation, answers,
                                         std::optional<std::int64_t>(std::max<std::int64_t>(
                                             reached, static_cast<std::int64_t>(to)))});
    const std::string url =
        page ? page_url(id, *token, to, lang) + (action == "save" ? "&saved=1" : "")
             : form_url(id, token) + "&lang=" + lang + "&saved=1";
    return write(
        call, [draft](store::SurveyStore& s) { app::store_draft(s, draft); },
        [url] { return redirect(url); });
  }

  if (!invitation && !open_limiter_.allow(call->request.client)) {
    throw ApiError(429, "request.rate_limited",
                   "too many answers from this address; please wait a minute");
  }
  auto checked = app::check_submission(
      questionnaire, {id, invitation, std::move(answers), app::SubmissionChannel::Form});
  if (!checked.validation.ok()) {
    // The answers kept, the problems at their items: on the page that has the
    // first of them (the whole form when it was posted whole).
    const q::Response& shown = checked.answers;
    if (!page) {
      FormPage view;
      view.questionnaire = &questionnaire;
      view.survey_id = id;
      view.language = language;
      view.action = form_url(id, token);
      view.submission_id = shown.submission_id;
      view.answers = &shown;
      view.errors = &checked.validation;
      view.can_save_draft = token.has_value();
      return finish(*call, html(422, cached->form->render(view)));
    }
    Checked again(questionnaire, shown);
    const auto first = pages.first_with_issues(checked.validation);
    const std::size_t at = first.value_or(*page);
    // Problems of no item (the response as a whole) are shown where it was sent.
    const q::ValidationResult problems =
        first ? pages.issues_on(at, checked.validation) : checked.validation;
    HttpResponse reply = show(shown, at, again.validator, &problems, at != *page, 422);
    if (!invitation) return finish(*call, std::move(reply));
    // Kept in the draft too, so that nothing typed on this page is lost.
    auto draft = app::check_draft(questionnaire, {id, invitation, shown, std::nullopt});
    return write(
        call, [draft](store::SurveyStore& s) { app::store_draft(s, draft); },
        [reply = std::move(reply)] { return reply; });
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

}  // namespace sipas::survey_server
