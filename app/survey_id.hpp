#pragma once

#include <string_view>

namespace sipas::app {

// The one rule for a survey id, stated where people read it (`--help`, the
// API's error): it appears in links (/s/ID) and file names, so it is plain.
inline constexpr std::string_view survey_id_rule =
    "1 to 64 characters from a-z, 0-9, '-' and '_', starting with a letter or digit";

bool is_survey_id(std::string_view id);

// Throws UseCaseError (BadRequest, survey.bad_id, field "survey") naming the id
// and the rule.
void check_survey_id(std::string_view id);

}  // namespace sipas::app
