#pragma once

// What the console shows of a survey: its state and its response rates by
// stratum with the units' names (a stratum whose id is a unit's), limited
// for a unit user to the strata of their unit and the units below it.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct StratumRow {
  store::StratumProgress progress;
  std::optional<store::UnitRecord> unit;  // the unit the stratum is, when it is one
};

struct SurveyOverview {
  store::SurveyRecord survey;
  std::vector<StratumRow> strata;
  std::int64_t open_link_responses = 0;
  bool limited_to_unit = false;  // a unit user's view: their strata only
};

// The unit a unit user is limited to (with the units below it): their
// unit; nullopt for everyone else (a person with a survey-wide role, a key).
std::optional<std::string> scope_unit(const Actor& actor);

// The strata a unit user may see: their unit and every unit below it.
// nullopt for everyone else: all.
std::optional<std::set<std::string>> unit_scope(store::SurveyStore& store, const Actor& actor);

// Any person (a unit user: their strata only); keys need the analyst's role.
// survey.not_found (NotFound).
SurveyOverview survey_overview(store::SurveyStore& store, const Actor& actor,
                               const std::string& survey);

// The surveys, for any person of the console (and analyst keys).
std::vector<store::SurveyRecord> console_surveys(store::SurveyStore& store, const Actor& actor);

}  // namespace sipas::app
