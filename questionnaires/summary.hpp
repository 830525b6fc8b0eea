#pragma once

#include <map>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"

namespace sipas::questionnaires {

// Counts that tell a survey manager what a questionnaire holds.
struct QuestionnaireSummary {
  std::string id, version, status;
  std::vector<std::string> languages;
  std::size_t sections = 0;
  std::size_t answerable = 0;  // items and matrix rows that take an answer
  std::map<std::string, std::size_t> by_type;
  std::size_t with_skip_logic = 0;                       // items or rows with their own `relevant`
  std::size_t scored = 0;                                // items feeding an element
  std::map<std::string, std::size_t> items_per_element;  // in declaration order of ids
  std::vector<std::string> element_order;
  std::vector<std::string> groups;
  std::string overall_method;
  double points_total = 0;  // 0 when the form carries no PAR points
  std::vector<std::string> placeholders;
};

QuestionnaireSummary summarize(const Questionnaire& q);

std::string_view to_string(Overall::Method method);

}  // namespace sipas::questionnaires
