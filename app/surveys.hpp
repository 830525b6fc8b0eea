#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/actor.hpp"
#include "store/store.hpp"

namespace sipas::app {

struct CreateSurvey {
  std::string survey;
  std::string questionnaire_text;    // the questionnaire's JSON
  std::string questionnaire_origin;  // for messages: a file name, "standard sipas-citizen"
  bool open_link = false;
};

struct SetSurveyOptions {
  std::string survey;
  std::optional<bool> open_link;
};

// The JSON of a standard instrument (questionnaires/forms/NAME.json).
// UseCaseError NotFound questionnaire.not_found (field "standard") listing
// the standard forms there are.
std::string standard_questionnaire(std::string_view name);
// The standard instruments' names, sorted.
std::vector<std::string> standard_questionnaire_names();

// A new survey in state draft. The questionnaire must load (its
// DefinitionError passes through); survey.bad_id, survey.exists.
store::SurveyRecord create_survey(store::SurveyStore& store, const Actor& actor,
                                  const CreateSurvey& request);
// Only the options given change. survey.not_found; request.missing_field when none is given.
store::SurveyRecord set_survey_options(store::SurveyStore& store, const Actor& actor,
                                       const SetSurveyOptions& request);
// draft → open, closed → open; open → closed (survey.bad_state otherwise).
store::SurveyRecord open_survey(store::SurveyStore& store, const Actor& actor,
                                const std::string& survey);
store::SurveyRecord close_survey(store::SurveyStore& store, const Actor& actor,
                                 const std::string& survey);

std::vector<store::SurveyRecord> list_surveys(store::SurveyStore& store, const Actor& actor);
// survey.not_found (NotFound) for an unknown id.
store::SurveyRecord find_survey(store::SurveyStore& store, const Actor& actor,
                                const std::string& survey);

// {"id","state","questionnaire":{"id","version"},"open_link","created_at","opened_at","closed_at"}
nlohmann::json survey_json(const store::SurveyRecord& survey);

// The survey, or UseCaseError NotFound survey.not_found (field "survey").
store::SurveyRecord require_survey(store::SurveyStore& store, const std::string& survey);

}  // namespace sipas::app
