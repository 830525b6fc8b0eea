#pragma once

#include <cstdint>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "questionnaires/validation.hpp"

namespace sipas::questionnaires {

// What one respondent's answer to one scored item contributes to an index:
// satisfied or not among valid answers, or nothing (excluded code, no answer,
// irrelevant). Analysis weights and sums these; the questionnaire only says
// which code is which.
enum class ItemOutcome : std::uint8_t { Satisfied, NotSatisfied, Excluded, Missing };

struct ItemScore {
  std::uint32_t slot;
  ItemOutcome outcome;
};

// The outcome of every item that feeds an element, after `validator` has
// validated the response.
std::vector<ItemScore> score_items(const Questionnaire& q, const Validator& validator);

}  // namespace sipas::questionnaires
