// The response document (questionnaires/FORMAT.md, "Responses"): any text
// through parse_response against the SIPAS citizen form and the example
// questionnaire (every item type), ending in a Response or a ResponseError.
// A response that parses must survive response_to_json and parse_response
// unchanged (what the server stores is what it read), and is validated,
// scored and shown again in its form with its errors, as the server does.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/shipped_form.hpp"
#include "io/embedded_file.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/item_scores.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/form_page.hpp"

namespace {

namespace q = sipas::questionnaires;
using sipas::fuzz::expect;

using Form = sipas::fuzz::ShippedForm;
using sipas::fuzz::forms;

bool same_code(const q::RawCode& a, const q::RawCode& b) {
  return a.kind == b.kind && a.integer == b.integer && a.text == b.text;
}

// Equal as response_to_json promises: a Boolean answer comes back as true and
// an Object one as {}, so only their kind is kept; unknown ids keep no value.
bool same_answer(const q::RawAnswer& a, const q::RawAnswer& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case q::RawAnswer::Kind::Integer:
      return a.integer == b.integer;
    case q::RawAnswer::Kind::Number:
      return a.number == b.number;
    case q::RawAnswer::Kind::String:
      return a.text == b.text;
    case q::RawAnswer::Kind::Array:
      return std::equal(a.codes.begin(), a.codes.end(), b.codes.begin(), b.codes.end(), same_code);
    default:
      return true;
  }
}

void round_trip(const q::Questionnaire& form, const q::Response& response) {
  const q::Response back = q::parse_response(form, q::response_to_json(form, response));
  expect(back.questionnaire == response.questionnaire && back.version == response.version &&
             back.language == response.language && back.submission_id == response.submission_id,
         "the response's fields survive response_to_json");
  expect(std::equal(back.answers.begin(), back.answers.end(), response.answers.begin(),
                    response.answers.end(), same_answer),
         "the answers survive response_to_json");
  auto unknown = response.unknown_items, unknown_back = back.unknown_items;
  std::sort(unknown.begin(), unknown.end());
  unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
  std::sort(unknown_back.begin(), unknown_back.end());
  expect(unknown == unknown_back, "the unknown item ids survive response_to_json");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = sipas::fuzz::as_text(data, size);
  for (Form& form : forms()) {
    q::Response response;
    try {
      response = q::parse_response(form.questionnaire, text);
    } catch (const q::ResponseError&) {
      continue;
    }
    try {
      round_trip(form.questionnaire, response);
    } catch (const sipas::Error&) {
      expect(false, "response_to_json writes what parse_response reads");
    }
    const q::ValidationResult& result = form.validator.validate(response);
    // At the cap, one more issue says that there were too many.
    expect(result.issues.size() <= q::Validator::max_issues + 1, "issues are bounded");
    (void)q::score_items(form.questionnaire, form.validator);
    sipas::survey_server::FormPage page;
    page.survey_id = "fuzz";
    page.language = form.questionnaire.language_index(response.language).value_or(0);
    page.action = "/s/fuzz?t=x";
    page.answers = &response;
    page.errors = &result;
    (void)form.page.render(page);
  }
  return 0;
}
