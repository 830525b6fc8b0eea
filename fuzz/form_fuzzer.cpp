// Form-encoded bodies and query strings (survey_server/url_encoding.hpp) and
// the web form's submission (form_submission.hpp): any bytes through
// parse_urlencoded and percent_decode, ending in fields or a FormError; fields
// written back with percent_encode must read back the same. The body is then
// read as a submission of the SIPAS citizen form and of the example
// questionnaire, as POST /s/{survey} does: hidden answers dropped, validated,
// and the form shown again with the answers and errors.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/hidden_answers.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/shipped_form.hpp"
#include "io/embedded_file.hpp"
#include "io/percent_encoding.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/validation.hpp"
#include "survey_server/form_page.hpp"
#include "survey_server/form_submission.hpp"
#include "survey_server/url_encoding.hpp"

namespace {

namespace q = sipas::questionnaires;
namespace server = sipas::survey_server;
using sipas::fuzz::expect;

using Form = sipas::fuzz::ShippedForm;
using sipas::fuzz::forms;

void check_encoding(std::string_view text) {
  try {
    const std::string decoded = server::percent_decode(text);
    expect(server::percent_decode(sipas::io::percent_encode(decoded)) == decoded,
           "percent_decode(io::percent_encode(x)) == x");
  } catch (const server::FormError&) {
  }
  server::FormFields fields;
  try {
    fields = server::parse_urlencoded(text);
  } catch (const server::FormError&) {
    return;
  }
  std::string again;
  for (const auto& [name, value] : fields) {
    if (!again.empty()) again += '&';
    again += sipas::io::percent_encode(name) + "=" + sipas::io::percent_encode(value);
  }
  try {
    const server::FormFields back = server::parse_urlencoded(again);
    // An empty name with an empty value ("=") is a piece of its own and comes
    // back; only empty pieces are skipped.
    expect(back == fields, "fields written with percent_encode read back the same");
  } catch (const server::FormError&) {
    expect(false, "fields written with percent_encode can be read");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = sipas::fuzz::as_text(data, size);
  check_encoding(body);
  for (Form& form : forms()) {
    server::FormSubmission submission;
    try {
      submission = server::parse_form(form.questionnaire, body);
    } catch (const server::FormError&) {
      continue;
    }
    expect(submission.action == "submit" || submission.action == "save" ||
               submission.action == "next" || submission.action == "back",
           "a submission's action is submit, save, next or back");
    (void)sipas::app::drop_hidden_answers(form.questionnaire, submission.response);
    const q::ValidationResult& result = form.validator.validate(submission.response);
    (void)q::response_to_json(form.questionnaire, submission.response);
    server::FormPage page;
    page.survey_id = "fuzz";
    page.language = form.questionnaire.language_index(submission.response.language).value_or(0);
    page.action = "/s/fuzz";
    page.submission_id = submission.submission_id;
    page.answers = &submission.response;
    page.errors = &result;
    page.can_save_draft = true;
    (void)form.page.render(page);
    // The page it names, as the paged form shows it: its answers merged into
    // an empty draft, the other pages' carried as hidden fields.
    const auto& pages = form.page.pages();
    if (submission.page && *submission.page <= pages.size()) {
      const std::size_t shown = *submission.page - 1;
      const q::Response merged =
          pages.merge(shown, q::Response::empty_for(form.questionnaire), submission.response);
      const q::ValidationResult& again = form.validator.validate(merged);
      const q::ValidationResult on_page = pages.issues_on(shown, again);
      page.answers = &merged;
      page.errors = &on_page;
      page.pages = &pages;
      page.page = shown;
      page.back = pages.previous(shown, form.validator).has_value();
      page.last = !pages.next(shown, form.validator).has_value();
      (void)form.page.render(page);
    }
  }
  return 0;
}
