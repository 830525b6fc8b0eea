#pragma once

#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"

namespace sipas::app {

// For forms only: drops the answers to items that the skip logic hides, as the
// page's script would have (a respondent without JavaScript sees every item),
// instead of letting validation report them as response.not_relevant. Items
// whose relevance cannot be decided because an answer they read is invalid
// keep their answers, as validation does. Returns the ids dropped.
std::vector<std::string> drop_hidden_answers(const questionnaires::Questionnaire& q,
                                             questionnaires::Response& response);

}  // namespace sipas::app
