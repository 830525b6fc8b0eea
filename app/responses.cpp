#include "app/responses.hpp"

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"

namespace sipas::app {

void review_response(store::SurveyStore& store, const Actor& actor, const ReviewResponse& request) {
  authorize(actor, UseCase::ReviewResponse);
  check_survey_id(request.survey);
  atomically(store, [&] {
    const auto before = store.set_review_state(request.survey, request.response, request.state);
    record_change(store, actor, "response.review", request.survey, std::to_string(request.response),
                  {{"review", store::to_string(before)}},
                  {{"review", store::to_string(request.state)}});
  });
}

ExportedResponses export_responses(store::SurveyStore& store, const Actor& actor,
                                   const ExportResponses& request) {
  authorize(actor, UseCase::ExportResponses);
  check_survey_id(request.survey);
  if (request.since < 0 || request.limit < 0) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "since and limit are whole numbers from 0",
                       request.since < 0 ? "since" : "limit");
  }
  ExportedResponses out;
  out.survey = require_survey(store, request.survey);
  out.rows = store.export_responses(request.survey, request.since, request.limit);
  return out;
}

store::Progress read_progress(store::SurveyStore& store, const Actor& actor,
                              const std::string& survey) {
  authorize(actor, UseCase::ReadProgress);
  check_survey_id(survey);
  require_survey(store, survey);
  return store.progress(survey);
}

}  // namespace sipas::app
