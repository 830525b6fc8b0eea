// The questionnaire format (questionnaires/FORMAT.md): any text through
// load_questionnaire, which must end in a loaded questionnaire or a
// DefinitionError. A questionnaire that loads is used as the server would use
// one a manager uploaded: its skip logic exported for the form's script, an
// empty response validated (every relevance and calculation evaluated),
// summarised, and its form rendered in every language.

#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.hpp"
#include "io/error.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/expression_json.hpp"
#include "questionnaires/item_scores.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/summary.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/form_page.hpp"

namespace q = sipas::questionnaires;
using sipas::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::optional<q::Questionnaire> questionnaire;
  try {
    questionnaire.emplace(q::load_questionnaire(sipas::fuzz::as_text(data, size), "fuzz.json"));
  } catch (const q::DefinitionError& e) {
    expect(!e.problems().empty(), "a DefinitionError lists at least one problem");
    return 0;
  }
  const q::Questionnaire& form = *questionnaire;
  expect(!form.languages().empty(), "a loaded questionnaire has a language");

  (void)q::form_logic_to_json(form).dump();
  (void)q::summarize(form);

  q::Response empty = q::Response::empty_for(form);
  q::Validator validator(form);
  try {
    (void)validator.validate(empty);
  } catch (const q::ResponseError& e) {
    // Literal strings and patterns alone can cost more than the budget.
    expect(e.id() == "response.too_complex", "an empty response fails only on the work it takes");
    return 0;
  }
  (void)q::score_items(form, validator);
  const std::string json = q::response_to_json(form, empty);
  try {
    const q::Response back = q::parse_response(form, json);
    expect(back.answers.size() == form.items().size(), "a response is sized for its questionnaire");
  } catch (const sipas::Error&) {
    expect(false, "response_to_json writes what parse_response reads");
  }

  sipas::survey_server::FormTemplate page_template(form);
  for (std::size_t language = 0; language < form.languages().size(); ++language) {
    sipas::survey_server::FormPage page;
    page.survey_id = "fuzz";
    page.language = language;
    page.action = "/s/fuzz";
    page.submission_id = "s";
    page.answers = &empty;
    const q::ValidationResult& result = validator.validate(empty);
    page.errors = &result;
    (void)page_template.render(page);
    (void)sipas::survey_server::render_thanks(form, language);
  }
  return 0;
}
