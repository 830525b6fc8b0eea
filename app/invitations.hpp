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

}  // namespace sipas::app
