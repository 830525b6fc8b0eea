#include "app/invitations.hpp"

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/survey_id.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"

namespace sipas::app {

ImportedSample import_sample(store::SurveyStore& store, const Actor& actor,
                             const ImportSample& request) {
  authorize(actor, UseCase::ImportSample);
  check_survey_id(request.survey);
  ImportedSample result;
  result.rows = request.rows.size();
  for (const auto& row : request.rows)
    result.reserves += row.reserve ? 1 : 0;
  result.issued = atomically(store, [&] {
    require_survey(store, request.survey);
    auto issued = store.import_invitations(request.survey, request.rows);
    record_change(store, actor, "invitations.import", request.survey, std::nullopt, nullptr,
                  {{"rows", result.rows},
                   {"main", result.rows - result.reserves},
                   {"reserves", result.reserves}});
    return issued;
  });
  return result;
}

ActivatedReserves activate_reserves(store::SurveyStore& store, const Actor& actor,
                                    const ActivateReserves& request) {
  authorize(actor, UseCase::ActivateReserves);
  check_survey_id(request.survey);
  if (request.count < 1) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "count must be a whole number from 1", "count");
  }
  ActivatedReserves result;
  result.requested = request.count;
  result.issued = atomically(store, [&] {
    const auto survey = require_survey(store, request.survey);
    if (survey.state == store::SurveyState::Closed) {
      throw UseCaseError(Refusal::Conflict, "survey.closed",
                         "survey '" + request.survey +
                             "' is closed: its reserves could not answer; open it again first",
                         "survey");
    }
    auto issued = store.activate_reserves(
        request.survey, request.stratum,
        request.psu ? std::optional<std::string_view>(*request.psu) : std::nullopt, request.count);
    nlohmann::json after = {
        {"stratum", request.stratum}, {"requested", request.count}, {"activated", issued.size()}};
    if (request.psu) after["psu"] = *request.psu;
    record_change(store, actor, "reserves.activate", request.survey, request.stratum, nullptr,
                  after);
    return issued;
  });
  return result;
}

store::IssuedInvitation reissue_link(store::SurveyStore& store, const Actor& actor,
                                     const ReissueLink& request) {
  authorize(actor, UseCase::ReissueLink);
  check_survey_id(request.survey);
  if (request.respondent_id.empty()) {
    throw UseCaseError(Refusal::BadRequest, "request.missing_field",
                       "give the respondent id of the invitation whose link to re-issue",
                       "respondent_id");
  }
  return atomically(store, [&] {
    auto issued = store.reissue_invitation(request.survey, request.respondent_id);
    record_change(store, actor, "invitation.reissue", request.survey, request.respondent_id,
                  nullptr, {{"stratum", issued.stratum}, {"psu", issued.psu}});
    return issued;
  });
}

}  // namespace sipas::app
