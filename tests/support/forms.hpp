#pragma once

// Helpers for questionnaire tests: a minimal valid questionnaire built as JSON
// in code, so each test changes exactly the field it is about.

#include <nlohmann/json.hpp>
#include <string>

#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"

namespace sipas::test {

using Json = nlohmann::json;

inline Json text(const std::string& vi, const std::string& en) {
  return {{"vi", vi}, {"en", en}};
}
inline Json text(const std::string& both) {
  return text(both + " (vi)", both);
}

// A questionnaire with one section "s" holding `items`, and the scale "sat5".
inline Json form_with(Json items) {
  Json choices = Json::array();
  for (int code = 1; code <= 5; ++code) {
    choices.push_back({{"code", code}, {"label", text("m" + std::to_string(code))}});
  }
  return {{"format", "sipas-questionnaire/1"},
          {"id", "test"},
          {"version", "1"},
          {"languages", {"vi", "en"}},
          {"title", text("Test")},
          {"scales", {{"sat5", {{"choices", choices}, {"display", "descending"}}}}},
          {"sections", Json::array({{{"id", "s"}, {"title", text("Section")}, {"items", items}}})}};
}

inline questionnaires::Questionnaire load(const Json& form) {
  return questionnaires::load_questionnaire(form.dump(), "test.json");
}

// The problems a definition has, or an empty list when it loads.
inline std::vector<questionnaires::Problem> problems_of(const Json& form) {
  try {
    load(form);
    return {};
  } catch (const questionnaires::DefinitionError& e) {
    return e.problems();
  }
}

inline questionnaires::Response response_for(const questionnaires::Questionnaire& q, Json answers,
                                             const std::string& language = "en") {
  Json doc = {{"questionnaire", q.id()},
              {"version", q.version()},
              {"language", language},
              {"answers", answers}};
  return questionnaires::parse_response(q, doc.dump());
}

inline std::string source_dir() {
  return SIPAS_SOURCE_DIR;
}

}  // namespace sipas::test
