#include "app/hidden_answers.hpp"

#include "questionnaires/validation.hpp"

namespace sipas::app {

namespace q = questionnaires;

std::vector<std::string> drop_hidden_answers(const q::Questionnaire& questionnaire,
                                             q::Response& response) {
  // Validation reports response.not_relevant exactly for the answered items
  // that the skip logic hides (and not for those it cannot decide). An
  // irrelevant item's value is empty whether it was answered or not, so
  // dropping these answers changes no other item's relevance: one pass is
  // enough, unless the issue list was cut at its cap.
  std::vector<std::string> dropped;
  q::Validator validator(questionnaire);
  for (;;) {
    const auto& result = validator.validate(response);
    bool any = false;
    for (const auto& issue : result.issues) {
      if (issue.id != "response.not_relevant") continue;
      const q::Item* item = questionnaire.find(issue.item);
      if (!item || response.answers[item->slot].absent()) continue;
      response.answers[item->slot] = q::RawAnswer{};
      dropped.push_back(issue.item);
      any = true;
    }
    if (!any || result.issues.size() <= q::Validator::max_issues) break;
  }
  return dropped;
}

}  // namespace sipas::app
