#pragma once

// A survey's invitations, a page at a time, for the console: who was
// invited where and what became of it, never their contacts. A unit user
// sees the invitations of their unit's strata and those below it only.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct InvitationList {
  std::string survey;
  std::int64_t offset = 0;  // rows to skip, in import order
  std::int64_t limit = 100;
};

// The most rows of one page.
constexpr std::int64_t max_invitation_page = 1000;

struct InvitationRow {
  std::string respondent_id, stratum, psu;
  std::optional<std::string> unit_name;  // the stratum's unit, when the stratum is a unit's id
  bool reserve = false;
  std::int64_t reserve_rank = 0;
  // Inactive (a reserve still waiting), pending, opened or responded.
  store::InvitationStatus status = store::InvitationStatus::Pending;
  std::optional<store::ReviewState> review;  // with a response only
};

struct InvitationPage {
  std::int64_t total = 0;  // every invitation the actor may see, not only this page's
  std::vector<InvitationRow> rows;
  bool limited_to_unit = false;
};

// Who may read progress sees every invitation; a unit user those of their
// unit and the units below it. request.bad_parameter for an offset below 0
// or a limit outside 1..max_invitation_page (the field named);
// survey.not_found.
InvitationPage invitation_list(store::SurveyStore& store, const Actor& actor,
                               const InvitationList& request);

}  // namespace sipas::app
