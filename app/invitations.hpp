#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct ImportSample {
  std::string survey;
  std::vector<store::InvitationInput> rows;  // read_sample (app/sample_import.hpp)
};

struct ImportedSample {
  std::vector<store::IssuedInvitation> issued;  // the main rows, with their tokens
  std::size_t rows = 0, reserves = 0;
};

struct ActivateReserves {
  std::string survey, stratum;
  std::optional<std::string> psu;
  std::int64_t count = 1;
};

struct ActivatedReserves {
  std::vector<store::IssuedInvitation> issued;
  std::int64_t requested = 0;  // issued.size() < requested: no more were waiting
};

struct ReissueLink {
  std::string survey;
  std::string respondent_id;  // the sample's id of the invitation
};

// All rows or none. Allowed in any state: a closed survey may be reopened
// with more invitations. survey.not_found, invitation.duplicate_respondent,
// invitation.invalid.
ImportedSample import_sample(store::SurveyStore& store, const Actor& actor,
                             const ImportSample& request);

// Up to `count` waiting reserves of the stratum (and PSU), lowest reserve
// rank first. A closed survey takes no answers, so its reserves are not
// activated (survey.closed, Conflict); count < 1: request.bad_parameter
// (field "count"); none waiting: invitation.no_reserve.
ActivatedReserves activate_reserves(store::SurveyStore& store, const Actor& actor,
                                    const ActivateReserves& request);

// A new link for a respondent who lost theirs: the invitation gets a new
// token and the old link stops working at once. Returns it with its stored
// contacts (for links_csv). Audited as invitation.reissue, the subject the
// respondent id (never a token). request.missing_field (respondent_id);
// survey.not_found, invitation.not_found, invitation.inactive (a waiting
// reserve), invitation.already_responded.
store::IssuedInvitation reissue_link(store::SurveyStore& store, const Actor& actor,
                                     const ReissueLink& request);

}  // namespace sipas::app
