#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "io/csv_writer.hpp"
#include "questionnaires/questionnaire.hpp"
#include "store/store.hpp"

namespace sipas::app {

// Responses as CSV for analysis: seq, submission_id, received_at (ISO 8601
// UTC), review, channel, respondent_id, stratum, psu, inclusion_probability,
// design_weight, language, the attribute columns (union over the rows, in
// order of first appearance), then one column per answerable item in form
// order (codes; multiple choices joined by spaces; unanswered empty). Contact
// data is not in store::ExportedResponse, so it cannot appear here. Text a
// respondent typed that a spreadsheet would run as a formula (=, +, -, @, tab
// or CR first) gets an apostrophe in front unless `csv` says
// neutralise_formulas = false (io/formula_guard.hpp).
//
// channel is "invitation" (a sampled unit's token: the design columns are
// filled) or "open_link" (no token: not in the sample, the design columns
// empty). `sipas analyze` leaves open_link rows out of design-based
// estimates (analysis/README.md).
std::string responses_csv(const questionnaires::Questionnaire& questionnaire,
                          const std::vector<store::ExportedResponse>& rows,
                          const io::CsvWriterOptions& csv = {});

// The same as JSON: {"responses": [{..., "answers": {...}}], "next_since": N}.
nlohmann::json responses_json(const std::vector<store::ExportedResponse>& rows, std::int64_t since);

// "invitation" or "open_link".
std::string_view channel_of(const store::ExportedResponse& row);

}  // namespace sipas::app
