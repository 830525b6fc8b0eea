#pragma once

#include <limits>
#include <string>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct ReviewResponse {
  std::string survey;
  std::int64_t response = 0;  // the response's seq
  store::ReviewState state = store::ReviewState::Approved;
};

// Sets a response's review state and records before → after in the audit
// trail. response.not_found, review.bad_state.
void review_response(store::SurveyStore& store, const Actor& actor, const ReviewResponse& request);

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

// Response rates by stratum (survey.not_found for an unknown survey).
store::Progress read_progress(store::SurveyStore& store, const Actor& actor,
                              const std::string& survey);

}  // namespace sipas::app
