#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct ReviewResponse {
  std::string survey;
  std::int64_t response = 0;  // the response's seq
  store::ReviewState state = store::ReviewState::Approved;
  // Why (a rejection's reason): kept on the review's audit entry as its note.
  std::optional<std::string> comment = std::nullopt;
};

// The longest review comment, in characters (code points).
constexpr std::size_t max_review_comment = 500;

// Sets a response's review state and records before → after in the audit
// trail, with the comment (trimmed; empty is none) as the entry's note.
// response.not_found, review.bad_state; review.bad_comment (field "comment")
// for a comment that is not UTF-8, holds a control character (a line break
// too) or is longer than max_review_comment.
void review_response(store::SurveyStore& store, const Actor& actor, const ReviewResponse& request);

// The review entries of one response (action response.review, subject its
// seq), oldest first, for the console's response page. Who may review may
// read them. survey.not_found.
std::vector<store::AuditEntry> review_history(store::SurveyStore& store, const Actor& actor,
                                              const std::string& survey, std::int64_t response);

struct ExportResponses {
  std::string survey;
  std::int64_t since = 0;
  std::int64_t limit = std::numeric_limits<std::int64_t>::max();
};

struct ExportedResponses {
  store::SurveyRecord survey;
  std::vector<store::ExportedResponse> rows;
};

// The responses after `since` (survey.not_found for an unknown survey).
ExportedResponses export_responses(store::SurveyStore& store, const Actor& actor,
                                   const ExportResponses& request);

// The answers that count: those not rejected in review (open-link answers
// among them, counted apart), as the live indices and the downloads take
// them.
struct AnswersNotRejected {
  std::vector<store::ExportedResponse> kept;
  std::int64_t rejected = 0, open_link = 0;  // open_link: of the kept
};
AnswersNotRejected answers_not_rejected(std::vector<store::ExportedResponse> rows);

// Response rates by stratum (survey.not_found for an unknown survey).
store::Progress read_progress(store::SurveyStore& store, const Actor& actor,
                              const std::string& survey);

}  // namespace sipas::app
