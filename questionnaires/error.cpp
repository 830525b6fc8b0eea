#include "questionnaires/error.hpp"

namespace sipas::questionnaires {
namespace {

std::string join(const std::string& source, const std::vector<Problem>& problems) {
  std::string text;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i) text += '\n';
    text += problems[i].describe(source);
  }
  return text;
}

}  // namespace

std::string Problem::describe(const std::string& source) const {
  std::string text = source;
  if (!item.empty()) text += ": item '" + item + "'";
  if (!path.empty()) text += ": " + path;
  if (column > 0) text += ", position " + std::to_string(column);
  text += ": " + message + " [" + id + "]";
  return text;
}

DefinitionError::DefinitionError(std::string source, std::vector<Problem> problems)
    : Error(problems.empty() ? "questionnaire.invalid" : problems.front().id,
            join(source, problems)),
      source_(std::move(source)),
      problems_(std::move(problems)) {}

}  // namespace sipas::questionnaires
