#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "survey_server/store.hpp"

namespace sipas::survey_server {

// Responses as CSV for analysis: seq, submission_id, received_at (ISO 8601
// UTC), review, respondent_id, stratum, psu, inclusion_probability,
// design_weight, language, the attribute columns (union over the rows, in
// order of first appearance), then one column per answerable item in form
// order (codes; multiple choices joined by spaces; unanswered empty). Contact
// data is not in ExportedResponse, so it cannot appear here.
std::string responses_csv(const questionnaires::Questionnaire& questionnaire,
                          const std::vector<ExportedResponse>& rows);

// The same as JSON: {"responses": [{..., "answers": {...}}], "next_since": N}.
nlohmann::json responses_json(const std::vector<ExportedResponse>& rows, std::int64_t since);

}  // namespace sipas::survey_server
