#include "questionnaires/item_scores.hpp"

#include <algorithm>

namespace sipas::questionnaires {

std::vector<ItemScore> score_items(const Questionnaire& q, const Validator& validator) {
  std::vector<ItemScore> scores;
  for (const Item& item : q.items()) {
    if (!item.scoring || item.scoring->element.empty()) continue;
    const ItemScoring& s = *item.scoring;
    int choice = validator.relevant(item.slot) ? validator.choice(item.slot) : -1;
    ItemOutcome outcome = ItemOutcome::Missing;
    if (choice >= 0) {
      auto c = static_cast<std::uint16_t>(choice);
      if (item.scale->is_excluded(c) ||
          std::find(s.excluded.begin(), s.excluded.end(), c) != s.excluded.end()) {
        outcome = ItemOutcome::Excluded;
      } else if (std::find(s.satisfied.begin(), s.satisfied.end(), c) != s.satisfied.end()) {
        outcome = ItemOutcome::Satisfied;
      } else {
        outcome = ItemOutcome::NotSatisfied;
      }
    }
    scores.push_back({item.slot, outcome});
  }
  return scores;
}

}  // namespace sipas::questionnaires
