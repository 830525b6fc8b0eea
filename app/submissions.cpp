#include "app/submissions.hpp"

#include "app/clock.hpp"
#include "app/hidden_answers.hpp"
#include "app/use_case_error.hpp"
#include "store/tokens.hpp"

namespace sipas::app {

namespace q = questionnaires;

CheckedSubmission check_submission(const q::Questionnaire& questionnaire, SubmitResponse request) {
  auto& response = request.response;
  const bool from_form = request.channel == SubmissionChannel::Form;
  if (from_form) {
    // The page's hidden field, or a fresh one: a retry of the same page is
    // the same submission.
    if (response.submission_id.empty() || response.submission_id.size() > max_submission_id) {
      response.submission_id = store::random_token();
    }
  } else if (response.submission_id.empty()) {
    throw UseCaseError(Refusal::BadRequest, "response.missing_submission_id",
                       "give a submission_id (any unique string of at most 128 characters), so "
                       "that a retry is recognised",
                       "submission_id");
  } else if (response.submission_id.size() > max_submission_id) {
    throw UseCaseError(Refusal::BadRequest, "response.bad_submission_id",
                       "submission_id is longer than 128 characters", "submission_id");
  }
  if (from_form) drop_hidden_answers(questionnaire, response);
  CheckedSubmission checked;
  checked.validation = q::validate(questionnaire, response);
  if (!checked.validation.ok()) {
    checked.answers = std::move(response);
    return checked;
  }
  auto& row = checked.row;
  row.survey = request.survey;
  if (request.invitation) row.invitation = request.invitation->id;
  row.submission_id = response.submission_id;
  row.language = response.language.empty() ? questionnaire.languages()[0] : response.language;
  row.answers_json = q::response_to_json(questionnaire, response);
  checked.answers = std::move(response);
  return checked;
}

store::SubmitResult store_submission(store::SurveyStore& store, const store::NewResponse& row) {
  return store.insert_response(row, now_seconds());
}

std::optional<store::SubmitResult> store_submission(store::SurveyStore& store,
                                                    store::NewResponse& row,
                                                    std::string_view token) {
  auto invitation = store.find_invitation_by_token(row.survey, token);
  if (!invitation) return std::nullopt;
  row.invitation = invitation->id;
  return store.insert_response(row, now_seconds());
}

CheckedDraft check_draft(const q::Questionnaire& questionnaire, const SaveDraft& request) {
  if (!request.invitation) {
    throw UseCaseError(Refusal::BadRequest, "draft.needs_invitation",
                       "only an invitation's answers can be saved", "invitation");
  }
  if (request.invitation->status == store::InvitationStatus::Responded) {
    throw UseCaseError(Refusal::Conflict, "invitation.already_responded",
                       "this invitation has already been answered", "invitation");
  }
  return {request.invitation->id, q::response_to_json(questionnaire, request.response),
          request.page};
}

void store_draft(store::SurveyStore& store, const CheckedDraft& draft) {
  store.save_draft(draft.invitation, draft.answers_json, now_seconds(), draft.page);
}

}  // namespace sipas::app
