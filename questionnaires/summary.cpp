#include "questionnaires/summary.hpp"

namespace sipas::questionnaires {

std::string_view to_string(Overall::Method method) {
  switch (method) {
    case Overall::Method::MeanOfElements:
      return "mean_of_elements";
    case Overall::Method::MeanOfGroups:
      return "mean_of_groups";
    case Overall::Method::MeanOfItems:
      return "mean_of_items";
    case Overall::Method::Item:
      return "item";
    case Overall::Method::Weighted:
      return "weighted";
  }
  return "";
}

QuestionnaireSummary summarize(const Questionnaire& q) {
  QuestionnaireSummary s;
  s.id = q.id();
  s.version = q.version();
  s.status = std::string(to_string(q.status()));
  s.languages = q.languages();
  s.sections = q.sections().size();
  for (const auto& e : q.scoring().elements) {
    s.element_order.push_back(e.id);
    s.items_per_element[e.id] = 0;
  }
  for (const auto& item : q.items()) {
    if (!item.is_matrix_row()) ++s.by_type[std::string(to_string(item.type))];
    if (item.answerable()) ++s.answerable;
    if (item.relevant) ++s.with_skip_logic;
    if (item.scoring && !item.scoring->element.empty()) {
      ++s.scored;
      ++s.items_per_element[item.scoring->element];
    }
    if (item.status == Status::Placeholder) s.placeholders.push_back(item.id);
  }
  for (const auto& g : q.scoring().groups)
    s.groups.push_back(g.id);
  if (q.scoring().overall) s.overall_method = std::string(to_string(q.scoring().overall->method));
  if (q.scoring().points) s.points_total = q.scoring().points->total;
  return s;
}

}  // namespace sipas::questionnaires
