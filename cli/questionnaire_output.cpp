#include "cli/questionnaire_output.hpp"

namespace sipas::cli {

namespace q = sipas::questionnaires;

namespace {
std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}
}  // namespace

void print_summary(std::ostream& out, const std::string& file, const q::QuestionnaireSummary& s) {
  out << file << ": ok\n";
  out << "  questionnaire  " << s.id << " version " << s.version;
  if (!s.status.empty()) out << " (" << s.status << ")";
  out << "\n  languages      " << join(s.languages, ", ") << "\n";
  out << "  sections       " << s.sections << "\n";
  out << "  answers        " << s.answerable << " items and matrix rows take an answer; "
      << s.with_skip_logic << " have skip logic\n";
  std::vector<std::string> types;
  for (const auto& [type, count] : s.by_type)
    types.push_back(type + " " + std::to_string(count));
  out << "  item types     " << join(types, ", ") << "\n";
  if (!s.element_order.empty()) {
    std::vector<std::string> elements;
    for (const auto& id : s.element_order) {
      elements.push_back(id + " (" + std::to_string(s.items_per_element.at(id)) + ")");
    }
    out << "  elements       " << join(elements, ", ") << "; " << s.scored << " scored items\n";
  }
  if (!s.groups.empty()) out << "  groups         " << join(s.groups, ", ") << "\n";
  if (!s.overall_method.empty()) out << "  overall index  " << s.overall_method << "\n";
  if (s.points_total > 0) out << "  PAR points     " << s.points_total << "\n";
  if (!s.placeholders.empty()) {
    out << "  placeholders   " << join(s.placeholders, ", ") << " (see the form's notes)\n";
  }
}

nlohmann::json summary_json(const q::QuestionnaireSummary& s) {
  nlohmann::json elements = nlohmann::json::array();
  for (const auto& id : s.element_order) {
    elements.push_back({{"id", id}, {"items", s.items_per_element.at(id)}});
  }
  return {{"id", s.id},
          {"version", s.version},
          {"status", s.status},
          {"languages", s.languages},
          {"sections", s.sections},
          {"answerable", s.answerable},
          {"item_types", s.by_type},
          {"with_skip_logic", s.with_skip_logic},
          {"scored_items", s.scored},
          {"elements", elements},
          {"groups", s.groups},
          {"overall_method", s.overall_method},
          {"points_total", s.points_total},
          {"placeholders", s.placeholders}};
}

nlohmann::json problems_json(const q::DefinitionError& e) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : e.problems()) {
    problems.push_back({{"id", p.id},
                        {"path", p.path},
                        {"item", p.item},
                        {"position", p.column},
                        {"message", p.message}});
  }
  return problems;
}

void print_validation(std::ostream& out, const std::string& name,
                      const q::ValidationResult& result) {
  if (result.ok()) {
    out << name << ": valid\n";
    return;
  }
  out << name << ": " << result.issues.size() << " problem"
      << (result.issues.size() == 1 ? "" : "s") << "\n";
  for (const auto& issue : result.issues) {
    out << "  " << (issue.item.empty() ? "(response)" : issue.item) << ": " << issue.message << " ["
        << issue.id << "]\n";
  }
}

nlohmann::json validation_json(const std::string& name, const q::ValidationResult& result) {
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& issue : result.issues) {
    issues.push_back({{"item", issue.item}, {"id", issue.id}, {"message", issue.message}});
  }
  return {{"response", name}, {"valid", result.ok()}, {"issues", issues}};
}

}  // namespace sipas::cli
