// The loaded model: the names of item types and statuses, and the lookups of
// a Questionnaire.

#include "questionnaires/questionnaire.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "io/file.hpp"
#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {
namespace {

// FORMAT.md's names, in the order the types are listed there.
constexpr std::array<std::pair<ItemType, std::string_view>, 12> item_type_names = {{
    {ItemType::Single, "single"},
    {ItemType::Multiple, "multiple"},
    {ItemType::Likert, "likert"},
    {ItemType::Rating, "rating"},
    {ItemType::Integer, "integer"},
    {ItemType::Decimal, "decimal"},
    {ItemType::Date, "date"},
    {ItemType::Text, "text"},
    {ItemType::LongText, "long_text"},
    {ItemType::Note, "note"},
    {ItemType::Matrix, "matrix"},
    {ItemType::Calculate, "calculate"},
}};

// Status::Unspecified has no name: a file leaves "status" out.
constexpr std::array<std::pair<Status, std::string_view>, 3> status_names = {{
    {Status::Official, "official"},
    {Status::OfficialStructure, "official-structure"},
    {Status::Placeholder, "placeholder"},
}};

}  // namespace

std::string_view to_string(ItemType type) {
  for (const auto& [t, name] : item_type_names) {
    if (t == type) return name;
  }
  return "?";
}

std::optional<ItemType> item_type_from_string(std::string_view name) {
  for (const auto& [t, n] : item_type_names) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string_view to_string(Status status) {
  for (const auto& [s, name] : status_names) {
    if (s == status) return name;
  }
  return "";
}

std::optional<Status> status_from_string(std::string_view name) {
  for (const auto& [s, n] : status_names) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::optional<std::size_t> Questionnaire::language_index(std::string_view code) const {
  for (std::size_t i = 0; i < languages_.size(); ++i) {
    if (languages_[i] == code) return i;
  }
  return std::nullopt;
}

const Item* Questionnaire::find(std::string_view id) const {
  auto it = by_id_.find(id);
  // Section ids are in by_id_ too (ids are unique across sections and items),
  // marked Item::no_parent: they are not items.
  if (it == by_id_.end() || it->second == Item::no_parent) return nullptr;
  return &items_[it->second];
}

const std::string& Questionnaire::message(std::size_t language, std::string_view key) const {
  const auto& catalog = messages_.at(language);
  auto it = catalog.find(key);
  if (it == catalog.end()) throw std::out_of_range("no message " + std::string(key));
  return it->second;
}

Questionnaire load_questionnaire(std::string_view json_text, std::string_view source) {
  return QuestionnaireLoader(std::string(source)).load(json_text);
}

Questionnaire load_questionnaire_file(const std::filesystem::path& path) {
  auto text = io::read_file(path, QuestionnaireLimits::max_file_bytes);
  return load_questionnaire(text, path.filename().string());
}

}  // namespace sipas::questionnaires
