#pragma once

// A shipped questionnaire with its validator and page template, built once per
// fuzzer (the response and form targets run every input against them).

#include <deque>
#include <string_view>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/form_page.hpp"

namespace sipas::fuzz {

struct ShippedForm {
  explicit ShippedForm(std::string_view name)
      : questionnaire(questionnaires::load_questionnaire(
            questionnaires::find_standard_file(name)->content, name)),
        validator(questionnaire),
        page(questionnaire) {}
  questionnaires::Questionnaire questionnaire;
  questionnaires::Validator validator;
  survey_server::FormTemplate page;
};

// The citizen form and the example; a deque, because a Validator and a
// FormTemplate stay where they were built.
inline std::deque<ShippedForm>& forms() {
  static std::deque<ShippedForm> all = [] {
    std::deque<ShippedForm> out;
    out.emplace_back("forms/sipas-citizen.json");
    out.emplace_back("examples/example-questionnaire.json");
    return out;
  }();
  return all;
}

}  // namespace sipas::fuzz
