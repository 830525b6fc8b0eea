#include "app/survey_overview.hpp"

#include <map>
#include <set>

#include "app/surveys.hpp"

namespace sipas::app {

namespace {

// A person with a survey-wide role, or a key: the analyst's rule applies.
bool sees_everything(const Actor& actor) {
  return actor.user_role != store::UserRole::Unit;
}

}  // namespace

std::optional<std::string> scope_unit(const Actor& actor) {
  if (sees_everything(actor)) return std::nullopt;
  return actor.unit.value_or("");  // none: a unit user without a unit sees nothing
}

std::optional<std::set<std::string>> unit_scope(store::SurveyStore& store, const Actor& actor) {
  const auto unit = scope_unit(actor);
  if (!unit) return std::nullopt;
  auto ids = store.unit_and_below(*unit);
  return std::set<std::string>(ids.begin(), ids.end());
}

SurveyOverview survey_overview(store::SurveyStore& store, const Actor& actor,
                               const std::string& survey) {
  authorize(actor,
            sees_everything(actor) && !actor.user_role ? UseCase::ReadProgress : UseCase::ReadUnit);
  SurveyOverview out;
  out.survey = require_survey(store, survey);
  const auto progress = store.progress(survey);
  std::map<std::string, store::UnitRecord> units;
  for (auto& unit : store.list_units())
    units.emplace(unit.id, std::move(unit));
  const auto scope = unit_scope(store, actor);
  out.limited_to_unit = scope.has_value();
  for (const auto& stratum : progress.strata) {
    if (scope && !scope->contains(stratum.stratum)) continue;
    StratumRow row{stratum, std::nullopt};
    if (auto it = units.find(stratum.stratum); it != units.end()) row.unit = it->second;
    out.strata.push_back(std::move(row));
  }
  // Open-link answers belong to no stratum: a unit user does not see them.
  if (!scope) out.open_link_responses = progress.open_link_responses;
  return out;
}

std::vector<store::SurveyRecord> console_surveys(store::SurveyStore& store, const Actor& actor) {
  authorize(actor, actor.user_role ? UseCase::ReadUnit : UseCase::ListSurveys);
  return store.list_surveys();
}

}  // namespace sipas::app
