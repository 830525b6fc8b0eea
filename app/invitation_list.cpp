#include "app/invitation_list.hpp"

#include <map>

#include "app/survey_id.hpp"
#include "app/survey_overview.hpp"
#include "app/surveys.hpp"
#include "app/use_case_error.hpp"

namespace sipas::app {

InvitationPage invitation_list(store::SurveyStore& store, const Actor& actor,
                               const InvitationList& request) {
  authorize(actor,
            actor.user_role == store::UserRole::Unit ? UseCase::ReadUnit : UseCase::ReadProgress);
  check_survey_id(request.survey);
  if (request.offset < 0) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "offset is a whole number from 0", "offset");
  }
  if (request.limit < 1 || request.limit > max_invitation_page) {
    throw UseCaseError(Refusal::BadRequest, "request.bad_parameter",
                       "limit is a whole number from 1 to " + std::to_string(max_invitation_page),
                       "limit");
  }
  require_survey(store, request.survey);
  InvitationPage page;
  const auto unit = scope_unit(actor);
  page.limited_to_unit = unit.has_value();
  // One page through an index, the unit's strata chosen by the database
  // (the same tree as unit_scope): 100,000 invitations list in milliseconds.
  auto listing = store.list_invitations(
      request.survey, unit ? std::optional<std::string_view>(*unit) : std::nullopt, request.offset,
      request.limit);
  page.total = listing.total;
  std::map<std::string, std::string, std::less<>> unit_names;
  for (auto& u : store.list_units())
    unit_names.emplace(std::move(u.id), std::move(u.name));
  for (auto& outcome : listing.rows) {
    InvitationRow row;
    row.respondent_id = std::move(outcome.respondent_id);
    row.stratum = std::move(outcome.stratum);
    row.psu = std::move(outcome.psu);
    if (auto it = unit_names.find(row.stratum); it != unit_names.end()) row.unit_name = it->second;
    row.reserve = outcome.reserve;
    row.reserve_rank = outcome.reserve_rank;
    row.status = outcome.status;
    row.review = outcome.review;
    page.rows.push_back(std::move(row));
  }
  return page;
}

}  // namespace sipas::app
