#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "questionnaires/error.hpp"
#include "questionnaires/summary.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::cli {

// How questionnaire summaries, definition problems and validation results are
// shown: as text for people, as JSON for scripts.
void print_summary(std::ostream& out, const std::string& file,
                   const questionnaires::QuestionnaireSummary& s);
nlohmann::json summary_json(const questionnaires::QuestionnaireSummary& s);
nlohmann::json problems_json(const questionnaires::DefinitionError& e);
void print_validation(std::ostream& out, const std::string& name,
                      const questionnaires::ValidationResult& result);
nlohmann::json validation_json(const std::string& name,
                               const questionnaires::ValidationResult& result);

}  // namespace sipas::cli
