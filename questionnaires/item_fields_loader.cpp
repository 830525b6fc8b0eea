// JSON -> Questionnaire: the fields of one item, by its type. The item's id
// and type are read already (section_loader.cpp); what each type allows is in
// FORMAT.md, "Items".

#include <algorithm>
#include <vector>

#include "questionnaires/date.hpp"
#include "questionnaires/messages.hpp"
#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {
namespace {

constexpr std::size_t default_text_length = 500;
constexpr std::size_t default_long_text_length = 5000;
// Likert items without a scale: 1..points, 5 by default.
constexpr double default_likert_points = 5;
constexpr double min_likert_points = 2, max_likert_points = 11;
constexpr double max_rating_span = 100;
constexpr double max_text_length = 1e6;
constexpr double max_selections_count = 1e6;

std::vector<std::string_view> allowed_fields(ItemType type) {
  std::vector<std::string_view> allowed = {
      "id",       "type",     "text",       "hint",
      "required", "relevant", "constraint", "constraint_message",
      "preload",  "status",   "scoring",    "page_break"};
  switch (type) {
    case ItemType::Single:
      allowed.insert(allowed.end(), {"choices", "scale"});
      break;
    case ItemType::Multiple:
      allowed.insert(allowed.end(), {"choices", "scale", "min_selections", "max_selections"});
      break;
    case ItemType::Likert:
      allowed.insert(allowed.end(), {"scale", "points", "anchors"});
      break;
    case ItemType::Rating:
    case ItemType::Integer:
    case ItemType::Decimal:
    case ItemType::Date:
      allowed.insert(allowed.end(), {"min", "max"});
      break;
    case ItemType::Text:
    case ItemType::LongText:
      allowed.insert(allowed.end(), {"max_length"});
      break;
    case ItemType::Matrix:
      allowed.insert(allowed.end(), {"scale", "rows"});
      break;
    case ItemType::Calculate:
      allowed.insert(allowed.end(), {"calculation"});
      break;
    case ItemType::Note:
      break;
  }
  return allowed;
}

}  // namespace

void QuestionnaireLoader::load_item_fields(Item& item, const Json& value, const std::string& path) {
  check_item_keys(item, value, path);
  load_item_texts(item, value, path);
  load_required(item, value, path);
  queue_item_expressions(item, value, path);
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Multiple:
      load_choice_item(item, value, path);
      break;
    case ItemType::Likert:
    case ItemType::Matrix:
      load_likert_scale(item, value, path);
      break;
    case ItemType::Rating:
      load_rating_range(item, value, path);
      break;
    case ItemType::Integer:
    case ItemType::Decimal:
      load_number_range(item, value, path);
      break;
    case ItemType::Date:
      load_date_range(item, value, path);
      break;
    case ItemType::Text:
    case ItemType::LongText:
      load_max_length(item, value, path);
      break;
    case ItemType::Note:
    case ItemType::Calculate:
      if (item.required || value.contains("required")) {
        problem("questionnaire.unused_field", child(path, "required"), item.id,
                "a " + std::string(to_string(item.type)) + " item cannot be required");
      }
      break;
  }
}

void QuestionnaireLoader::check_item_keys(const Item& item, const Json& value,
                                          const std::string& path) {
  const auto allowed = allowed_fields(item.type);
  for (const auto& [key, v] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problem(
          "questionnaire.unknown_field", child(path, key), item.id,
          "field '" + key + "' is not allowed on a " + std::string(to_string(item.type)) + " item");
    }
  }
}

// text, hint, status and preload.
void QuestionnaireLoader::load_item_texts(Item& item, const Json& value, const std::string& path) {
  const std::string& id = item.id;
  bool needs_text = item.type != ItemType::Calculate;
  if (auto text = text_field(value, "text", path, id, needs_text)) item.text = std::move(*text);
  if (value.contains("hint")) item.hint = load_text(value["hint"], child(path, "hint"), id, true);
  load_status(value, path, id, item.status);
  load_page_break(item, value, path);
  if (auto preload = load_string(value, "preload", path, id, false)) {
    if (*preload == "invitation") {
      item.preload_invitation = true;
    } else {
      problem("questionnaire.invalid_preload", child(path, "preload"), id,
              "preload must be \"invitation\"");
    }
  }
}

void QuestionnaireLoader::load_page_break(Item& item, const Json& value, const std::string& path) {
  auto found = value.find("page_break");
  if (found == value.end()) return;
  if (found->is_boolean()) {
    item.page_break = found->get<bool>();
  } else {
    problem("questionnaire.wrong_type", child(path, "page_break"), item.id,
            "page_break must be true or false");
  }
}

// Expressions are compiled after every id is known; their targets are bound
// by slot in compile_pending() because `item` is about to move.
void QuestionnaireLoader::queue_item_expressions(Item& item, const Json& value,
                                                 const std::string& path) {
  const std::string& id = item.id;
  expression_field(value, "relevant", path, id, nullptr, false);
  expression_field(value, "constraint", path, id, nullptr, true);
  if (value.contains("constraint")) {
    item.constraint_message = text_field(value, "constraint_message", path, id, true);
  } else if (value.contains("constraint_message")) {
    problem("questionnaire.unused_field", child(path, "constraint_message"), id,
            "'constraint_message' without a 'constraint'");
  }
  if (item.type == ItemType::Calculate) {
    if (!value.contains("calculation")) {
      problem("questionnaire.missing_field", child(path, "calculation"), id,
              "a calculate item needs a 'calculation'");
    }
    expression_field(value, "calculation", path, id, nullptr, false);
  }
}

std::optional<double> QuestionnaireLoader::number_field(const Json& value, std::string_view key,
                                                        bool integer, const std::string& path,
                                                        const std::string& item) {
  auto it = value.find(key);
  if (it == value.end()) return std::nullopt;
  if (!it->is_number() || (integer && !it->is_number_integer())) {
    problem("questionnaire.wrong_type", child(path, key), item,
            "'" + std::string(key) + "' must be " + (integer ? "an integer" : "a number"));
    return std::nullopt;
  }
  return it->get<double>();
}

// Single and multiple choice: a list of their own or a scale, and for a
// multiple choice the bounds on how many are selected.
void QuestionnaireLoader::load_choice_item(Item& item, const Json& value, const std::string& path) {
  const std::string& id = item.id;
  bool has_choices = value.contains("choices"), has_scale = value.contains("scale");
  if (has_choices == has_scale) {
    problem("questionnaire.missing_field", path, id,
            "a choice item needs either 'choices' or 'scale'");
  } else if (has_choices) {
    const auto& c = value["choices"];
    item.scale = load_scale(Json{{"choices", c}}, path, id, "");
  } else {
    item.scale = scale_field(value["scale"], child(path, "scale"), id);
  }
  if (item.type != ItemType::Multiple) return;
  if (auto v = number_field(value, "min_selections", true, path, id)) {
    item.min_selections = static_cast<std::uint32_t>(std::clamp(*v, 0.0, max_selections_count));
  }
  if (auto v = number_field(value, "max_selections", true, path, id)) {
    item.max_selections = static_cast<std::uint32_t>(std::clamp(*v, 0.0, max_selections_count));
  }
  if (item.scale && (item.max_selections < item.min_selections ||
                     item.min_selections > item.scale->choices.size() ||
                     (value.contains("max_selections") && item.max_selections == 0))) {
    problem("questionnaire.invalid_selections", path, id,
            "min_selections/max_selections are inconsistent with each other or the choices");
  }
}

// Likert items and matrices: a scale, or for a likert item 1..points with
// anchors for the two ends.
void QuestionnaireLoader::load_likert_scale(Item& item, const Json& value,
                                            const std::string& path) {
  if (value.contains("scale")) {
    item.scale = scale_field(value["scale"], child(path, "scale"), item.id);
  } else {
    item.scale = anchored_scale(value, path, item.id);
    if (!item.scale) return;
  }
  if (item.type == ItemType::Matrix && value.contains("points")) {
    problem("questionnaire.unknown_field", child(path, "points"), item.id,
            "a matrix needs a 'scale'");
  }
}

// The scale 1..points whose ends are labelled by "anchors" and whose other
// points by their number.
std::shared_ptr<const Scale> QuestionnaireLoader::anchored_scale(const Json& value,
                                                                 const std::string& path,
                                                                 const std::string& id) {
  auto points = number_field(value, "points", true, path, id).value_or(default_likert_points);
  if (points < min_likert_points || points > max_likert_points) {
    problem("questionnaire.invalid_points", child(path, "points"), id,
            "'points' must be between 2 and 11");
    return nullptr;
  }
  auto anchors = value.find("anchors");
  if (anchors == value.end() || !anchors->is_object()) {
    problem("questionnaire.missing_field", child(path, "anchors"), id,
            "a likert item without 'scale' needs 'anchors' {\"low\": text, \"high\": text}");
    return nullptr;
  }
  const std::string anchors_path = child(path, "anchors");
  auto low = text_field(*anchors, "low", anchors_path, id, true);
  auto high = text_field(*anchors, "high", anchors_path, id, true);
  if (!low || !high) return nullptr;
  auto scale = std::make_shared<Scale>();
  auto n = static_cast<int>(points);
  for (int code = 1; code <= n; ++code) {
    Choice c;
    c.code.number = code;
    if (code == 1) {
      c.label = *low;
    } else if (code == n) {
      c.label = *high;
    } else {
      c.label.by_language.assign(q_.languages_.size(), std::to_string(code));
    }
    scale->choices.push_back(std::move(c));
  }
  return scale;
}

void QuestionnaireLoader::load_rating_range(Item& item, const Json& value,
                                            const std::string& path) {
  item.min = number_field(value, "min", true, path, item.id).value_or(1);
  item.max = number_field(value, "max", true, path, item.id).value_or(5);
  if (*item.max <= *item.min || *item.max - *item.min > max_rating_span) {
    problem("questionnaire.invalid_range", path, item.id,
            "a rating needs min < max, at most 100 apart");
  }
}

void QuestionnaireLoader::load_number_range(Item& item, const Json& value,
                                            const std::string& path) {
  bool integer = item.type == ItemType::Integer;
  item.min = number_field(value, "min", integer, path, item.id);
  item.max = number_field(value, "max", integer, path, item.id);
  if (item.min && item.max && *item.max < *item.min) {
    problem("questionnaire.invalid_range", path, item.id, "min is greater than max");
  }
}

void QuestionnaireLoader::load_date_range(Item& item, const Json& value, const std::string& path) {
  for (auto [key, target] : {std::pair{"min", &item.min_day}, std::pair{"max", &item.max_day}}) {
    if (auto s = load_string(value, key, path, item.id, false)) {
      if (auto day = parse_date(*s)) {
        *target = *day;
      } else {
        problem("questionnaire.invalid_date", child(path, key), item.id,
                "'" + std::string(shorten(*s, 40)) + "' is not a date YYYY-MM-DD");
      }
    }
  }
  if (item.min_day && item.max_day && *item.max_day < *item.min_day) {
    problem("questionnaire.invalid_range", path, item.id, "min is after max");
  }
}

void QuestionnaireLoader::load_max_length(Item& item, const Json& value, const std::string& path) {
  std::size_t fallback =
      item.type == ItemType::Text ? default_text_length : default_long_text_length;
  auto length = number_field(value, "max_length", true, path, item.id);
  if (length && (*length < 1 || *length > max_text_length)) {
    problem("questionnaire.invalid_length", child(path, "max_length"), item.id,
            "max_length must be between 1 and 1,000,000");
  }
  item.max_length =
      length ? static_cast<std::size_t>(std::clamp(*length, 1.0, max_text_length)) : fallback;
}

}  // namespace sipas::questionnaires
