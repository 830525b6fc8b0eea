// JSON -> Questionnaire: sections, the items in them, and the rows of a
// matrix (each row an item of its own, in the slot after the matrix).

#include "questionnaires/messages.hpp"
#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {

void QuestionnaireLoader::load_sections(const Json& doc) {
  auto sections = doc.find("sections");
  if (sections == doc.end() || !sections->is_array() || sections->empty()) {
    problem("questionnaire.missing_field", "/sections", "",
            "'sections' must be a non-empty array of sections");
    return;
  }
  for (std::size_t s = 0; s < sections->size(); ++s) {
    // Past the limit of items nothing more is read, nor bound.
    if (!load_section((*sections)[s], child("/sections", s))) return;
  }
  // Sections' relevant expressions were queued with a null target: bind them
  // now that the vector no longer moves.
  for (auto& p : pending_) {
    if (p.target == nullptr) {
      for (auto& section : q_.sections_) {
        if (section.id == p.item) p.target = &section.relevant;
      }
    }
  }
}

// False when the questionnaire has reached its limit of items: nothing more
// is read.
bool QuestionnaireLoader::load_section(const Json& value, const std::string& path) {
  if (!value.is_object()) {
    problem("questionnaire.wrong_type", path, "", "a section must be an object");
    return true;
  }
  check_keys(value, path, "", {"id", "title", "relevant", "items"});
  Section section;
  if (!load_id(value, path, section.id)) return true;
  if (!q_.by_id_.emplace(section.id, Item::no_parent).second) {
    problem("questionnaire.duplicate_id", child(path, "id"), section.id,
            "id '" + section.id + "' is used twice");
  }
  if (auto title = text_field(value, "title", path, section.id, true)) section.title = *title;
  auto index = static_cast<std::uint32_t>(q_.sections_.size());
  q_.sections_.push_back(std::move(section));
  expression_field(value, "relevant", path, q_.sections_.back().id, nullptr, false);
  auto items = value.find("items");
  if (items == value.end() || !items->is_array()) {
    problem("questionnaire.missing_field", child(path, "items"), q_.sections_[index].id,
            "'items' must be an array");
    return true;
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (q_.items_.size() >= QuestionnaireLimits::max_items) {
      problem("questionnaire.too_many_items", child(path, "items"), "",
              "more than " + std::to_string(QuestionnaireLimits::max_items) + " items");
      return false;
    }
    load_item((*items)[i], child(child(path, "items"), i), index);
  }
  return true;
}

void QuestionnaireLoader::load_item(const Json& value, const std::string& path,
                                    std::uint32_t section) {
  if (!value.is_object()) {
    problem("questionnaire.wrong_type", path, "", "an item must be an object");
    return;
  }
  Item item;
  if (!load_id(value, path, item.id)) return;
  auto type_name = load_string(value, "type", path, item.id, true);
  if (!type_name) return;
  auto type = item_type_from_string(*type_name);
  if (!type) {
    problem("questionnaire.unknown_type", child(path, "type"), item.id,
            "unknown item type '" + std::string(shorten(*type_name, 40)) +
                "' (single, multiple, likert, rating, integer, decimal, date, text, long_text, "
                "note, matrix, calculate)");
    return;
  }
  item.type = *type;
  item.section = section;
  item.slot = static_cast<std::uint32_t>(q_.items_.size());
  if (!q_.by_id_.emplace(item.id, item.slot).second) {
    problem("questionnaire.duplicate_id", child(path, "id"), item.id,
            "id '" + item.id + "' is used twice");
    return;
  }
  load_item_fields(item, value, path);
  q_.sections_[section].items.push_back(item.slot);
  q_.items_.push_back(std::move(item));
  item_paths_.push_back(path);
  item_scoring_json_.push_back(value.contains("scoring") ? &value["scoring"] : nullptr);
  auto slot = q_.items_.back().slot;
  if (q_.items_[slot].type == ItemType::Matrix) load_matrix_rows(slot, value, path);
}

void QuestionnaireLoader::load_matrix_rows(std::uint32_t matrix, const Json& value,
                                           const std::string& path) {
  auto rows = value.find("rows");
  std::string rows_path = child(path, "rows");
  const std::string matrix_id = q_.items_[matrix].id;
  if (rows == value.end() || !rows->is_array() || rows->empty()) {
    problem("questionnaire.missing_field", rows_path, matrix_id,
            "a matrix needs a non-empty array of 'rows'");
    return;
  }
  for (std::size_t r = 0; r < rows->size(); ++r) {
    const auto& row_value = (*rows)[r];
    std::string row_path = child(rows_path, r);
    if (!row_value.is_object()) {
      problem("questionnaire.wrong_type", row_path, matrix_id, "a row must be an object");
      continue;
    }
    if (q_.items_.size() >= QuestionnaireLimits::max_items) {
      problem("questionnaire.too_many_items", rows_path, matrix_id,
              "more than " + std::to_string(QuestionnaireLimits::max_items) + " items");
      return;
    }
    load_matrix_row(matrix, row_value, row_path);
  }
  // A matrix's own required/relevant/constraint apply through its rows; the
  // matrix itself takes no answer.
  if (q_.items_[matrix].required_if) {
    problem("questionnaire.unsupported", child(path, "required"), matrix_id,
            "a matrix's 'required' must be true or false; put conditions on its rows");
  }
}

// A row is a likert item on the matrix's scale, required when the matrix is.
void QuestionnaireLoader::load_matrix_row(std::uint32_t matrix, const Json& row_value,
                                          const std::string& row_path) {
  check_keys(row_value, row_path, q_.items_[matrix].id,
             {"id", "text", "scoring", "relevant", "required", "status", "constraint",
              "constraint_message", "page_break"});
  Item row;
  if (!load_id(row_value, row_path, row.id)) return;
  row.type = ItemType::Likert;
  row.slot = static_cast<std::uint32_t>(q_.items_.size());
  row.section = q_.items_[matrix].section;
  row.parent = matrix;
  row.scale = q_.items_[matrix].scale;
  row.required = q_.items_[matrix].required;
  if (!q_.by_id_.emplace(row.id, row.slot).second) {
    problem("questionnaire.duplicate_id", child(row_path, "id"), row.id,
            "id '" + row.id + "' is used twice");
    return;
  }
  if (auto text = text_field(row_value, "text", row_path, row.id, true)) {
    row.text = std::move(*text);
  }
  load_status(row_value, row_path, row.id, row.status);
  load_page_break(row, row_value, row_path);
  load_required(row, row_value, row_path);
  expression_field(row_value, "relevant", row_path, row.id, nullptr, false);
  expression_field(row_value, "constraint", row_path, row.id, nullptr, true);
  if (row_value.contains("constraint")) {
    row.constraint_message = text_field(row_value, "constraint_message", row_path, row.id, true);
  }
  q_.items_[matrix].rows.push_back(row.slot);
  q_.items_.push_back(std::move(row));
  item_paths_.push_back(row_path);
  item_scoring_json_.push_back(row_value.contains("scoring") ? &row_value["scoring"] : nullptr);
}

}  // namespace sipas::questionnaires
