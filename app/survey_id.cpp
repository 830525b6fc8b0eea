#include "app/survey_id.hpp"

#include <string>

#include "app/use_case_error.hpp"

namespace sipas::app {
namespace {

constexpr std::size_t max_length = 64;

bool lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool is_survey_id(std::string_view id) {
  if (id.empty() || id.size() > max_length || !lower_or_digit(id.front())) return false;
  for (char c : id) {
    if (!lower_or_digit(c) && c != '-' && c != '_') return false;
  }
  return true;
}

void check_survey_id(std::string_view id) {
  if (is_survey_id(id)) return;
  // The id may be anything: show at most a few characters of it.
  std::string shown(id.substr(0, max_length));
  throw UseCaseError(Refusal::BadRequest, "survey.bad_id",
                     "survey id \"" + shown + "\": use " + std::string(survey_id_rule), "survey");
}

}  // namespace sipas::app
