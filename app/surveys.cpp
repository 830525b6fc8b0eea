#include "app/surveys.hpp"

#include <algorithm>

#include "app/atomically.hpp"
#include "app/audit.hpp"
#include "app/clock.hpp"
#include "app/survey_id.hpp"
#include "app/use_case_error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"

namespace sipas::app {
namespace {

using Json = nlohmann::json;
namespace q = questionnaires;

store::SurveyRecord change_state(store::SurveyStore& store, const Actor& actor,
                                 const std::string& survey, store::SurveyState state) {
  authorize(actor, state == store::SurveyState::Open ? UseCase::OpenSurvey : UseCase::CloseSurvey);
  check_survey_id(survey);
  return atomically(store, [&] {
    const auto before = require_survey(store, survey);
    auto after = store.set_survey_state(survey, state);
    record_change(store, actor, state == store::SurveyState::Open ? "survey.open" : "survey.close",
                  survey, std::nullopt, {{"state", store::to_string(before.state)}},
                  {{"state", store::to_string(after.state)}});
    return after;
  });
}

}  // namespace

std::vector<std::string> standard_questionnaire_names() {
  std::vector<std::string> names;
  for (const auto& file : q::standard_files()) {
    std::string_view n = file.name;
    if (!n.starts_with("forms/") || !n.ends_with(".json")) continue;
    n.remove_prefix(6);
    n.remove_suffix(5);
    names.emplace_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string standard_questionnaire(std::string_view name) {
  if (const auto* file = q::find_standard_file("forms/" + std::string(name) + ".json")) {
    return std::string(file->content);
  }
  std::string known;
  for (const auto& n : standard_questionnaire_names())
    known += (known.empty() ? "" : ", ") + n;
  throw UseCaseError(
      Refusal::NotFound, "questionnaire.not_found",
      "no standard questionnaire '" + std::string(name) + "' (there are: " + known + ")",
      "standard");
}

store::SurveyRecord create_survey(store::SurveyStore& store, const Actor& actor,
                                  const CreateSurvey& request) {
  authorize(actor, UseCase::CreateSurvey);
  check_survey_id(request.survey);
  const auto questionnaire =
      q::load_questionnaire(request.questionnaire_text, request.questionnaire_origin);
  return atomically(store, [&] {
    store.create_survey(request.survey, request.questionnaire_text, questionnaire.id(),
                        questionnaire.version(), request.open_link);
    auto record = require_survey(store, request.survey);
    record_change(store, actor, "survey.create", request.survey, std::nullopt, nullptr,
                  {{"questionnaire",
                    {{"id", record.questionnaire_id}, {"version", record.questionnaire_version}}},
                   {"state", store::to_string(record.state)},
                   {"open_link", record.open_link}});
    return record;
  });
}

store::SurveyRecord set_survey_options(store::SurveyStore& store, const Actor& actor,
                                       const SetSurveyOptions& request) {
  authorize(actor, UseCase::SetSurveyOptions);
  check_survey_id(request.survey);
  if (!request.open_link) {
    throw UseCaseError(Refusal::BadRequest, "request.missing_field",
                       "give open_link: true or false", "open_link");
  }
  return atomically(store, [&] {
    const auto before = require_survey(store, request.survey);
    auto after = store.set_open_link(request.survey, *request.open_link);
    record_change(store, actor, "survey.set", request.survey, std::nullopt,
                  {{"open_link", before.open_link}}, {{"open_link", after.open_link}});
    return after;
  });
}

store::SurveyRecord open_survey(store::SurveyStore& store, const Actor& actor,
                                const std::string& survey) {
  return change_state(store, actor, survey, store::SurveyState::Open);
}

store::SurveyRecord close_survey(store::SurveyStore& store, const Actor& actor,
                                 const std::string& survey) {
  return change_state(store, actor, survey, store::SurveyState::Closed);
}

std::vector<store::SurveyRecord> list_surveys(store::SurveyStore& store, const Actor& actor) {
  authorize(actor, UseCase::ListSurveys);
  return store.list_surveys();
}

store::SurveyRecord find_survey(store::SurveyStore& store, const Actor& actor,
                                const std::string& survey) {
  authorize(actor, UseCase::ReadSurvey);
  return require_survey(store, survey);
}

store::SurveyRecord require_survey(store::SurveyStore& store, const std::string& survey) {
  if (auto record = store.find_survey(survey)) return *record;
  throw UseCaseError(Refusal::NotFound, "survey.not_found", "no survey '" + survey + "'", "survey");
}

Json survey_json(const store::SurveyRecord& s) {
  Json out = {{"id", s.id},
              {"state", store::to_string(s.state)},
              {"questionnaire", {{"id", s.questionnaire_id}, {"version", s.questionnaire_version}}},
              {"open_link", s.open_link},
              {"created_at", iso_time(s.created_at)},
              {"opened_at", nullptr},
              {"closed_at", nullptr}};
  if (s.opened_at) out["opened_at"] = iso_time(*s.opened_at);
  if (s.closed_at) out["closed_at"] = iso_time(*s.closed_at);
  return out;
}

}  // namespace sipas::app
