#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"
#include "store/store.hpp"

namespace sipas::app {

// Where an answer came from: the web form (the server makes a submission id
// when the page had none, and drops answers to items the skip logic hides)
// or the JSON API (the client's submission id, which must be given).
enum class SubmissionChannel { Form, Api };

inline constexpr std::size_t max_submission_id = 128;

// A respondent's answers as the edge parsed them. The invitation is the
// token's, looked up by the edge (which counts failed look-ups against the
// client's guessing budget); nullopt for an open-link answer.
struct SubmitResponse {
  std::string survey;
  std::optional<store::Invitation> invitation;
  questionnaires::Response response;
  SubmissionChannel channel = SubmissionChannel::Api;
};

struct CheckedSubmission {
  questionnaires::ValidationResult validation;  // not ok(): nothing to store
  store::NewResponse row;                       // to store when ok()
  questionnaires::Response answers;  // as checked (with its submission id), to show again
};

// Everything that needs no database, off the writer: the submission id
// (Api: response.missing_submission_id, response.bad_submission_id, field
// "submission_id"), the language (the questionnaire's first when not
// given), hidden answers dropped (Form), validation against the
// questionnaire.
CheckedSubmission check_submission(const questionnaires::Questionnaire& questionnaire,
                                   SubmitResponse request);

// In the writer's transaction: stores the row, or says why not
// (store::SurveyStore::insert_response). A respondent's answer is recorded by
// its own row (received_at, submission id), not in the audit trail.
store::SubmitResult store_submission(store::SurveyStore& store, const store::NewResponse& row);
// The same for an invitation's answer whose token the edge has not looked up:
// the token is found in the writer's transaction (its connection's pages stay
// cached, where a read connection re-reads them after every commit) and set
// as row.invitation, then the row is stored. nullopt: no invitation of the
// survey has that token, and nothing was stored.
std::optional<store::SubmitResult> store_submission(store::SurveyStore& store,
                                                    store::NewResponse& row,
                                                    std::string_view token);

// A draft needs an invitation that has not been answered:
// draft.needs_invitation (field "invitation"),
// invitation.already_responded. Returns the answers to store.
struct SaveDraft {
  std::string survey;
  std::optional<store::Invitation> invitation;
  questionnaires::Response response;
  // The furthest page of the web form reached; nullopt keeps the saved one.
  std::optional<std::int64_t> page;
};
struct CheckedDraft {
  std::int64_t invitation = 0;
  std::string answers_json;
  std::optional<std::int64_t> page;
};
CheckedDraft check_draft(const questionnaires::Questionnaire& questionnaire,
                         const SaveDraft& request);
void store_draft(store::SurveyStore& store, const CheckedDraft& draft);

}  // namespace sipas::app
