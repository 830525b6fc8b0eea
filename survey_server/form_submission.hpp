#pragma once

// A submitted web form (application/x-www-form-urlencoded, as render_form's
// <form> posts it) turned into a questionnaires::Response, so that the form
// and the JSON API are validated by the same code.
//
// Field names (form_page.hpp): an item's id carries its answer; a multiple
// choice repeats the name once per selected code; control fields are
// _submission (idempotency key), _action ("submit", "save", "next" or
// "back"), _lang (the page's language) and _page (the page posted). Other names that start with '_'
// and are not item ids are ignored, so that controls can be added without breaking old pages.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "survey_server/url_encoding.hpp"

namespace sipas::survey_server {

struct FormSubmission {
  // Sized for the questionnaire; questionnaire and version are the form's own,
  // language is _lang (empty when not sent), submission_id is _submission.
  questionnaires::Response response;
  std::string action = "submit";  // "submit", "save", "next" or "back"
  std::string submission_id;
  // _page: the page of the form posted (1-based); none when the whole form
  // was posted at once.
  std::optional<std::size_t> page;
};

// Reads a form body. How each value becomes an answer:
// - an empty value is no answer (an untouched text box sends "name=");
// - choice items (single, likert, matrix rows, and each code of a multiple):
//   a whole number becomes an integer code when the item's scale has integer
//   codes, anything else stays a string, so that a wrong value is reported by
//   validation (response.unknown_code / response.wrong_type), not here;
// - rating, integer, decimal: -?[0-9]+ is an integer, -?[0-9]+.[0-9]+ a
//   number, anything else stays a string (response.wrong_type); no exponents,
//   no '+', no thousands separators, no comma decimals;
// - choice and number values have surrounding spaces and tabs trimmed; text
//   is kept as typed, except that CR LF (how browsers send a textarea's line
//   breaks) becomes LF, as the JSON API would carry it; dates are trimmed;
// - a second value for an item that takes one answer turns the answer into a
//   list, which validation reports as response.wrong_type;
// - fields of items that take no answer (note, matrix, calculate) are kept as
//   strings (response.not_answerable); fields of `preload` items are ignored:
//   their value comes from the invitation and the caller sets it;
// - unknown names go to response.unknown_items (response.unknown_item).
// Throws FormError: form.malformed (bad %XX, invalid UTF-8, an _action other
// than submit, save, next or back, a _page that is not a whole number from 1),
// form.too_many_fields (more than max_form_fields(q)).
FormSubmission parse_form(const questionnaires::Questionnaire& q, std::string_view body);
FormSubmission parse_form(const questionnaires::Questionnaire& q, const FormFields& fields);

// The most fields a form of `q` can send (one per answerable item, one per
// choice of a multiple choice, and the controls), with a little slack.
std::size_t max_form_fields(const questionnaires::Questionnaire& q);

}  // namespace sipas::survey_server
