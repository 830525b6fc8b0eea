#include "questionnaires/questionnaire_loader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "io/file.hpp"
#include "io/utf8.hpp"
#include "questionnaires/date.hpp"
#include "questionnaires/messages.hpp"

namespace sipas::questionnaires {
namespace {

constexpr std::string_view format_name = "sipas-questionnaire/1";
constexpr std::size_t default_text_length = 500;
constexpr std::size_t default_long_text_length = 5000;

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > QuestionnaireLimits::max_id_length) return false;
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(id[0])) return false;
  return std::all_of(id.begin(), id.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

// Questionnaire ids may also hold '-' and '.' (sipas-citizen, par.2024).
bool valid_questionnaire_id(std::string_view id) {
  if (id.empty() || id.size() > QuestionnaireLimits::max_id_length) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool valid_string_code(std::string_view code) {
  if (code.empty() || code.size() > QuestionnaireLimits::max_id_length) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string child(const std::string& path, std::string_view key) {
  return path + "/" + std::string(key);
}
std::string child(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

std::string line_and_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  auto column = io::utf8_column(text.substr(line_start), byte - std::min(byte, line_start));
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::string_view to_string(ItemType type) {
  switch (type) {
    case ItemType::Single:
      return "single";
    case ItemType::Multiple:
      return "multiple";
    case ItemType::Likert:
      return "likert";
    case ItemType::Rating:
      return "rating";
    case ItemType::Integer:
      return "integer";
    case ItemType::Decimal:
      return "decimal";
    case ItemType::Date:
      return "date";
    case ItemType::Text:
      return "text";
    case ItemType::LongText:
      return "long_text";
    case ItemType::Note:
      return "note";
    case ItemType::Matrix:
      return "matrix";
    case ItemType::Calculate:
      return "calculate";
  }
  return "?";
}

std::optional<ItemType> item_type_from_string(std::string_view name) {
  for (auto t : {ItemType::Single, ItemType::Multiple, ItemType::Likert, ItemType::Rating,
                 ItemType::Integer, ItemType::Decimal, ItemType::Date, ItemType::Text,
                 ItemType::LongText, ItemType::Note, ItemType::Matrix, ItemType::Calculate}) {
    if (to_string(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::Unspecified:
      return "";
    case Status::Official:
      return "official";
    case Status::OfficialStructure:
      return "official-structure";
    case Status::Placeholder:
      return "placeholder";
  }
  return "";
}

namespace {
std::optional<Status> status_from_string(std::string_view s) {
  for (auto st : {Status::Official, Status::OfficialStructure, Status::Placeholder}) {
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}
}  // namespace

// ---------------------------------------------------------------- Questionnaire

std::optional<std::size_t> Questionnaire::language_index(std::string_view code) const {
  for (std::size_t i = 0; i < languages_.size(); ++i) {
    if (languages_[i] == code) return i;
  }
  return std::nullopt;
}

const Item* Questionnaire::find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
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

// ---------------------------------------------------------------- Loader

void QuestionnaireLoader::problem(std::string id, std::string path, std::string item,
                                  std::string message, std::size_t column) {
  problems_.push_back(
      Problem{std::move(id), std::move(path), std::move(item), column, std::move(message)});
}

bool QuestionnaireLoader::check_keys(const Json& object, const std::string& path,
                                     const std::string& item,
                                     std::initializer_list<std::string_view> allowed) {
  bool ok = true;
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problem("questionnaire.unknown_field", child(path, key), item, "unknown field '" + key + "'");
      ok = false;
    }
  }
  return ok;
}

Questionnaire QuestionnaireLoader::load(std::string_view json_text) {
  // The depth is bounded while parsing, before anything recurses over the
  // document (copying or printing a value recurses as deep as it is nested).
  struct TooDeep {};
  Json doc;
  try {
    doc = Json::parse(json_text, [](int depth, Json::parse_event_t, Json&) {
      if (depth > QuestionnaireLimits::max_json_depth) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    problem("questionnaire.too_deep", "", "",
            "arrays and objects are nested more than " +
                std::to_string(QuestionnaireLimits::max_json_depth) + " levels deep");
    throw DefinitionError(source_, std::move(problems_));
  } catch (const Json::parse_error& e) {
    std::string where = e.byte > 0 ? line_and_column(json_text, e.byte - 1) : "start";
    std::string what = e.what();
    auto detail = what.find("syntax error");
    problem("questionnaire.invalid_json", "", "",
            "not valid JSON at " + where + ": " +
                (detail == std::string::npos ? what : what.substr(detail)));
    throw DefinitionError(source_, std::move(problems_));
  } catch (const Json::out_of_range& e) {
    // A number past a double's range (1e400) is not a parse_error, and has no
    // position.
    const std::string what = e.what();
    problem("questionnaire.invalid_json", "", "",
            "not valid JSON: " + what.substr(what.find(']') + 2));
    throw DefinitionError(source_, std::move(problems_));
  }
  if (!doc.is_object()) {
    problem("questionnaire.not_an_object", "", "", "the questionnaire must be a JSON object");
    throw DefinitionError(source_, std::move(problems_));
  }
  check_keys(doc, "", "",
             {"format", "id", "version", "languages", "title", "intro", "closing", "status",
              "notes", "scales", "sections", "scoring", "messages"});
  load_header(doc);
  if (q_.languages_.empty()) throw DefinitionError(source_, std::move(problems_));
  load_scales(doc);
  load_sections(doc);
  compile_pending();
  check_text_references();
  load_scoring(doc);
  load_notes(doc);
  load_messages(doc);
  compute_evaluation_order();
  if (!problems_.empty()) throw DefinitionError(source_, std::move(problems_));
  return std::move(q_);
}

std::optional<std::string> QuestionnaireLoader::load_string(const Json& object,
                                                            std::string_view key,
                                                            const std::string& path,
                                                            const std::string& item,
                                                            bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) {
      problem("questionnaire.missing_field", child(path, key), item,
              "'" + std::string(key) + "' is required");
    }
    return std::nullopt;
  }
  if (!it->is_string()) {
    problem("questionnaire.wrong_type", child(path, key), item,
            "'" + std::string(key) + "' must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

void QuestionnaireLoader::load_header(const Json& doc) {
  if (auto format = load_string(doc, "format", "", "", true); format && *format != format_name) {
    problem(
        "questionnaire.unsupported_format", "/format", "",
        "format '" + *format + "' is not supported (expected '" + std::string(format_name) + "')");
  }
  if (auto id = load_string(doc, "id", "", "", true)) {
    if (!valid_questionnaire_id(*id)) {
      problem("questionnaire.invalid_id", "/id", "",
              "'" + *id + "' is not a valid questionnaire id (letters, digits, _ - .; at most 64)");
    }
    q_.id_ = *id;
  }
  if (auto version = load_string(doc, "version", "", "", true)) {
    if (version->empty() || version->size() > 64) {
      problem("questionnaire.invalid_version", "/version", "",
              "version must have 1 to 64 characters");
    }
    q_.version_ = *version;
  }
  auto languages = doc.find("languages");
  if (languages == doc.end() || !languages->is_array() || languages->empty()) {
    problem("questionnaire.missing_field", "/languages", "",
            "'languages' must be a non-empty array of language codes");
    return;
  }
  if (languages->size() > QuestionnaireLimits::max_languages) {
    problem("questionnaire.too_many_languages", "/languages", "",
            "more than " + std::to_string(QuestionnaireLimits::max_languages) + " languages");
    return;
  }
  for (std::size_t i = 0; i < languages->size(); ++i) {
    const auto& l = (*languages)[i];
    if (!l.is_string() || l.get_ref<const std::string&>().empty() ||
        l.get_ref<const std::string&>().size() > 16 ||
        !valid_string_code(l.get_ref<const std::string&>())) {
      problem("questionnaire.invalid_language", child("/languages", i), "",
              "a language code must be a short string such as \"vi\"");
      continue;
    }
    const auto& code = l.get_ref<const std::string&>();
    if (q_.language_index(code)) {
      problem("questionnaire.duplicate_language", child("/languages", i), "",
              "language '" + code + "' is listed twice");
      continue;
    }
    q_.languages_.push_back(code);
  }
  if (q_.languages_.empty()) return;
  if (auto title = load_text(doc.contains("title") ? doc["title"] : Json(), "/title", "", true)) {
    q_.title_ = *title;
  }
  if (doc.contains("intro")) q_.intro_ = load_text(doc["intro"], "/intro", "", true);
  if (doc.contains("closing")) q_.closing_ = load_text(doc["closing"], "/closing", "", true);
  if (auto status = load_string(doc, "status", "", "", false)) {
    if (auto s = status_from_string(*status)) {
      q_.status_ = *s;
    } else {
      problem("questionnaire.invalid_status", "/status", "",
              "status must be official, official-structure or placeholder");
    }
  }
}

std::optional<Text> QuestionnaireLoader::load_text(const Json& value, const std::string& path,
                                                   const std::string& item, bool required) {
  if (value.is_null()) {
    if (required) problem("questionnaire.missing_field", path, item, "a text is required here");
    return std::nullopt;
  }
  if (!value.is_object()) {
    problem("questionnaire.wrong_type", path, item,
            "a text must be an object with one string per language, e.g. {\"vi\": \"...\", \"en\": "
            "\"...\"}");
    return std::nullopt;
  }
  Text text;
  text.by_language.resize(q_.languages_.size());
  bool ok = true;
  for (const auto& [language, string] : value.items()) {
    auto index = q_.language_index(language);
    if (!index) {
      problem("questionnaire.unknown_language", child(path, language), item,
              "'" + language + "' is not one of the questionnaire's languages");
      ok = false;
      continue;
    }
    if (!string.is_string() || string.get_ref<const std::string&>().empty()) {
      problem("questionnaire.wrong_type", child(path, language), item,
              "the text must be a non-empty string");
      ok = false;
      continue;
    }
    const auto& s = string.get_ref<const std::string&>();
    if (s.size() > QuestionnaireLimits::max_text_bytes) {
      problem("questionnaire.text_too_long", child(path, language), item,
              "the text is longer than " + std::to_string(QuestionnaireLimits::max_text_bytes) +
                  " bytes");
      ok = false;
      continue;
    }
    text.by_language[*index] = s;
    if (s.find("${") != std::string::npos) {
      text_references_.emplace_back(child(path, language), item);
      text_reference_values_.push_back(s);
    }
  }
  for (std::size_t i = 0; i < q_.languages_.size(); ++i) {
    if (ok && text.by_language[i].empty()) {
      problem("questionnaire.missing_translation", path, item,
              "the text has no '" + q_.languages_[i] + "' version");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return text;
}

bool QuestionnaireLoader::load_id(const Json& object, const std::string& path, std::string& out) {
  auto id = load_string(object, "id", path, "", true);
  if (!id) return false;
  if (!valid_id(*id)) {
    problem("questionnaire.invalid_id", child(path, "id"), "",
            "'" + std::string(shorten(*id, 80)) +
                "' is not a valid id (a letter or _, then letters, digits or _; at most 64)");
    return false;
  }
  out = *id;
  return true;
}

void QuestionnaireLoader::load_scales(const Json& doc) {
  auto scales = doc.find("scales");
  if (scales == doc.end()) return;
  if (!scales->is_object()) {
    problem("questionnaire.wrong_type", "/scales", "",
            "'scales' must be an object of named scales");
    return;
  }
  for (const auto& [id, value] : scales->items()) {
    std::string path = child("/scales", id);
    if (!valid_id(id)) {
      problem("questionnaire.invalid_id", path, "", "'" + id + "' is not a valid scale id");
      continue;
    }
    if (auto scale = load_scale(value, path, "", id)) {
      q_.scales_[id] = scale;
    } else {
      broken_scales_.insert(id);
    }
  }
}

// A `scale` field: the name of a declared scale, or a scale written inline.
std::shared_ptr<const Scale> QuestionnaireLoader::scale_field(const Json& value,
                                                              const std::string& path,
                                                              const std::string& item) {
  if (!value.is_string()) return load_scale(value, path, item, "");
  auto it = q_.scales_.find(value.get<std::string>());
  if (it != q_.scales_.end()) return it->second;
  // A declared scale that failed to load has been reported already.
  if (!broken_scales_.contains(value.get<std::string>())) {
    problem("questionnaire.unknown_scale", path, item,
            "no scale named '" + value.get<std::string>() + "'");
  }
  return nullptr;
}

std::shared_ptr<const Scale> QuestionnaireLoader::load_scale(const Json& value,
                                                             const std::string& path,
                                                             const std::string& item,
                                                             std::string id) {
  if (!value.is_object()) {
    problem("questionnaire.wrong_type", path, item, "a scale must be an object with 'choices'");
    return nullptr;
  }
  check_keys(value, path, item, {"choices", "display", "excluded_codes"});
  auto scale = std::make_shared<Scale>();
  scale->id = std::move(id);
  auto choices = value.find("choices");
  if (choices == value.end() || !choices->is_array()) {
    problem("questionnaire.missing_field", child(path, "choices"), item,
            "'choices' must be an array of {code, label}");
    return nullptr;
  }
  std::string choices_path = child(path, "choices");
  if (choices->size() < 2 || choices->size() > QuestionnaireLimits::max_choices) {
    problem("questionnaire.invalid_choices", choices_path, item,
            "a choice list needs 2 to " + std::to_string(QuestionnaireLimits::max_choices) +
                " choices");
    return nullptr;
  }
  bool ok = true;
  for (std::size_t i = 0; i < choices->size(); ++i) {
    const auto& c = (*choices)[i];
    std::string choice_path = child(choices_path, i);
    if (!c.is_object()) {
      problem("questionnaire.wrong_type", choice_path, item, "a choice must be {code, label}");
      ok = false;
      continue;
    }
    check_keys(c, choice_path, item, {"code", "label"});
    Choice choice;
    auto code = c.find("code");
    if (code == c.end()) {
      problem("questionnaire.missing_field", child(choice_path, "code"), item,
              "'code' is required");
      ok = false;
      continue;
    }
    if (code->is_number_integer()) {
      choice.code.number = code->get<std::int64_t>();
    } else if (code->is_string() && valid_string_code(code->get_ref<const std::string&>())) {
      choice.code.is_number = false;
      choice.code.text = code->get<std::string>();
    } else {
      problem("questionnaire.invalid_code", child(choice_path, "code"), item,
              "a code must be an integer or a short string of letters, digits, _ and -");
      ok = false;
      continue;
    }
    if (scale->find(choice.code)) {
      problem("questionnaire.duplicate_code", child(choice_path, "code"), item,
              "code " + choice.code.to_string() + " appears twice");
      ok = false;
      continue;
    }
    auto label = load_text(c.contains("label") ? c["label"] : Json(), child(choice_path, "label"),
                           item, true);
    if (!label) {
      ok = false;
      continue;
    }
    choice.label = std::move(*label);
    scale->choices.push_back(std::move(choice));
  }
  if (auto display = value.find("display"); display != value.end()) {
    if (*display == "descending") {
      scale->descending = true;
    } else if (*display != "ascending") {
      problem("questionnaire.invalid_display", child(path, "display"), item,
              "display must be 'ascending' or 'descending'");
    }
  }
  if (auto excluded = value.find("excluded_codes"); excluded != value.end()) {
    if (!excluded->is_array()) {
      problem("questionnaire.wrong_type", child(path, "excluded_codes"), item,
              "'excluded_codes' must be an array of codes");
    } else {
      for (std::size_t i = 0; i < excluded->size(); ++i) {
        const auto& e = (*excluded)[i];
        std::optional<std::uint16_t> index;
        if (e.is_number_integer()) index = scale->find(e.get<std::int64_t>());
        if (e.is_string()) index = scale->find(e.get<std::string>());
        if (!index) {
          problem("questionnaire.unknown_code", child(child(path, "excluded_codes"), i), item,
                  "excluded code " + e.dump() + " is not one of the scale's codes");
          ok = false;
          continue;
        }
        scale->excluded.push_back(*index);
      }
    }
  }
  if (!ok) return nullptr;
  return scale;
}

void QuestionnaireLoader::load_sections(const Json& doc) {
  auto sections = doc.find("sections");
  if (sections == doc.end() || !sections->is_array() || sections->empty()) {
    problem("questionnaire.missing_field", "/sections", "",
            "'sections' must be a non-empty array of sections");
    return;
  }
  for (std::size_t s = 0; s < sections->size(); ++s) {
    const auto& value = (*sections)[s];
    std::string path = child("/sections", s);
    if (!value.is_object()) {
      problem("questionnaire.wrong_type", path, "", "a section must be an object");
      continue;
    }
    check_keys(value, path, "", {"id", "title", "relevant", "items"});
    Section section;
    if (!load_id(value, path, section.id)) continue;
    if (!q_.by_id_.emplace(section.id, Item::no_parent).second) {
      problem("questionnaire.duplicate_id", child(path, "id"), section.id,
              "id '" + section.id + "' is used twice");
    }
    if (auto title = load_text(value.contains("title") ? value["title"] : Json(),
                               child(path, "title"), section.id, true)) {
      section.title = *title;
    }
    auto index = static_cast<std::uint32_t>(q_.sections_.size());
    q_.sections_.push_back(std::move(section));
    expression_field(value, "relevant", path, q_.sections_.back().id, nullptr, false);
    auto items = value.find("items");
    if (items == value.end() || !items->is_array()) {
      problem("questionnaire.missing_field", child(path, "items"), q_.sections_[index].id,
              "'items' must be an array");
      continue;
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (q_.items_.size() >= QuestionnaireLimits::max_items) {
        problem("questionnaire.too_many_items", child(path, "items"), "",
                "more than " + std::to_string(QuestionnaireLimits::max_items) + " items");
        return;
      }
      load_item((*items)[i], child(child(path, "items"), i), index);
    }
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

void QuestionnaireLoader::load_item_fields(Item& item, const Json& value, const std::string& path) {
  const std::string& id = item.id;
  std::vector<std::string_view> allowed = {
      "id",       "type",     "text",       "hint",
      "required", "relevant", "constraint", "constraint_message",
      "preload",  "status",   "scoring"};
  switch (item.type) {
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
  for (const auto& [key, v] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problem(
          "questionnaire.unknown_field", child(path, key), id,
          "field '" + key + "' is not allowed on a " + std::string(to_string(item.type)) + " item");
    }
  }

  bool needs_text = item.type != ItemType::Calculate;
  if (auto text = load_text(value.contains("text") ? value["text"] : Json(), child(path, "text"),
                            id, needs_text)) {
    item.text = std::move(*text);
  }
  if (value.contains("hint")) item.hint = load_text(value["hint"], child(path, "hint"), id, true);
  if (auto status = load_string(value, "status", path, id, false)) {
    if (auto s = status_from_string(*status)) {
      item.status = *s;
    } else {
      problem("questionnaire.invalid_status", child(path, "status"), id,
              "status must be official, official-structure or placeholder");
    }
  }
  if (auto preload = load_string(value, "preload", path, id, false)) {
    if (*preload == "invitation") {
      item.preload_invitation = true;
    } else {
      problem("questionnaire.invalid_preload", child(path, "preload"), id,
              "preload must be \"invitation\"");
    }
  }
  load_required(item, value, path);
  // Expressions are compiled after every id is known; their targets are bound
  // by slot in compile_pending() because `item` is about to move.
  auto queue = [&](std::string_view key, bool allow_self) {
    if (auto it = value.find(key); it != value.end()) {
      if (!it->is_string()) {
        problem("questionnaire.wrong_type", child(path, key), id,
                "'" + std::string(key) + "' must be an expression string");
        return;
      }
      pending_.push_back({it->get<std::string>(), child(path, key), id, nullptr, allow_self});
    }
  };
  queue("relevant", false);
  queue("constraint", true);
  if (value.contains("constraint")) {
    item.constraint_message =
        load_text(value.contains("constraint_message") ? value["constraint_message"] : Json(),
                  child(path, "constraint_message"), id, true);
  } else if (value.contains("constraint_message")) {
    problem("questionnaire.unused_field", child(path, "constraint_message"), id,
            "'constraint_message' without a 'constraint'");
  }
  if (item.type == ItemType::Calculate) {
    if (!value.contains("calculation")) {
      problem("questionnaire.missing_field", child(path, "calculation"), id,
              "a calculate item needs a 'calculation'");
    }
    queue("calculation", false);
  }

  auto number_field = [&](std::string_view key, bool integer) -> std::optional<double> {
    auto it = value.find(key);
    if (it == value.end()) return std::nullopt;
    if (!it->is_number() || (integer && !it->is_number_integer())) {
      problem("questionnaire.wrong_type", child(path, key), id,
              "'" + std::string(key) + "' must be " + (integer ? "an integer" : "a number"));
      return std::nullopt;
    }
    return it->get<double>();
  };

  switch (item.type) {
    case ItemType::Single:
    case ItemType::Multiple: {
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
      if (item.type == ItemType::Multiple) {
        if (auto v = number_field("min_selections", true)) {
          item.min_selections = static_cast<std::uint32_t>(std::clamp(*v, 0.0, 1e6));
        }
        if (auto v = number_field("max_selections", true)) {
          item.max_selections = static_cast<std::uint32_t>(std::clamp(*v, 0.0, 1e6));
        }
        if (item.scale && (item.max_selections < item.min_selections ||
                           item.min_selections > item.scale->choices.size() ||
                           (value.contains("max_selections") && item.max_selections == 0))) {
          problem("questionnaire.invalid_selections", path, id,
                  "min_selections/max_selections are inconsistent with each other or the choices");
        }
      }
      break;
    }
    case ItemType::Likert:
    case ItemType::Matrix: {
      if (value.contains("scale")) {
        item.scale = scale_field(value["scale"], child(path, "scale"), id);
      } else {
        // "5 by default": points and anchors build the scale 1..points.
        auto points = number_field("points", true).value_or(5);
        if (points < 2 || points > 11) {
          problem("questionnaire.invalid_points", child(path, "points"), id,
                  "'points' must be between 2 and 11");
          break;
        }
        auto anchors = value.find("anchors");
        if (anchors == value.end() || !anchors->is_object()) {
          problem("questionnaire.missing_field", child(path, "anchors"), id,
                  "a likert item without 'scale' needs 'anchors' {\"low\": text, \"high\": text}");
          break;
        }
        auto low = load_text(anchors->contains("low") ? (*anchors)["low"] : Json(),
                             child(child(path, "anchors"), "low"), id, true);
        auto high = load_text(anchors->contains("high") ? (*anchors)["high"] : Json(),
                              child(child(path, "anchors"), "high"), id, true);
        if (!low || !high) break;
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
        item.scale = scale;
      }
      if (item.type == ItemType::Matrix && value.contains("points")) {
        problem("questionnaire.unknown_field", child(path, "points"), id,
                "a matrix needs a 'scale'");
      }
      break;
    }
    case ItemType::Rating: {
      item.min = number_field("min", true).value_or(1);
      item.max = number_field("max", true).value_or(5);
      if (*item.max <= *item.min || *item.max - *item.min > 100) {
        problem("questionnaire.invalid_range", path, id,
                "a rating needs min < max, at most 100 apart");
      }
      break;
    }
    case ItemType::Integer:
    case ItemType::Decimal: {
      bool integer = item.type == ItemType::Integer;
      item.min = number_field("min", integer);
      item.max = number_field("max", integer);
      if (item.min && item.max && *item.max < *item.min) {
        problem("questionnaire.invalid_range", path, id, "min is greater than max");
      }
      break;
    }
    case ItemType::Date: {
      for (auto [key, target] :
           {std::pair{"min", &item.min_day}, std::pair{"max", &item.max_day}}) {
        if (auto s = load_string(value, key, path, id, false)) {
          if (auto day = parse_date(*s)) {
            *target = *day;
          } else {
            problem("questionnaire.invalid_date", child(path, key), id,
                    "'" + std::string(shorten(*s, 40)) + "' is not a date YYYY-MM-DD");
          }
        }
      }
      if (item.min_day && item.max_day && *item.max_day < *item.min_day) {
        problem("questionnaire.invalid_range", path, id, "min is after max");
      }
      break;
    }
    case ItemType::Text:
    case ItemType::LongText: {
      std::size_t fallback =
          item.type == ItemType::Text ? default_text_length : default_long_text_length;
      auto length = number_field("max_length", true);
      if (length && (*length < 1 || *length > 1e6)) {
        problem("questionnaire.invalid_length", child(path, "max_length"), id,
                "max_length must be between 1 and 1,000,000");
      }
      item.max_length = length ? static_cast<std::size_t>(std::clamp(*length, 1.0, 1e6)) : fallback;
      break;
    }
    case ItemType::Note:
    case ItemType::Calculate:
      if (item.required || value.contains("required")) {
        problem("questionnaire.unused_field", child(path, "required"), id,
                "a " + std::string(to_string(item.type)) + " item cannot be required");
      }
      break;
  }
}

void QuestionnaireLoader::load_required(Item& item, const Json& value, const std::string& path) {
  auto it = value.find("required");
  if (it == value.end()) return;
  if (it->is_boolean()) {
    item.required = it->get<bool>();
  } else if (it->is_string()) {
    pending_.push_back({it->get<std::string>(), child(path, "required"), item.id, nullptr, false});
  } else {
    problem("questionnaire.wrong_type", child(path, "required"), item.id,
            "'required' must be true, false or an expression");
  }
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
    check_keys(row_value, row_path, matrix_id,
               {"id", "text", "scoring", "relevant", "required", "status", "constraint",
                "constraint_message"});
    Item row;
    if (!load_id(row_value, row_path, row.id)) continue;
    row.type = ItemType::Likert;
    row.slot = static_cast<std::uint32_t>(q_.items_.size());
    row.section = q_.items_[matrix].section;
    row.parent = matrix;
    row.scale = q_.items_[matrix].scale;
    row.required = q_.items_[matrix].required;
    if (!q_.by_id_.emplace(row.id, row.slot).second) {
      problem("questionnaire.duplicate_id", child(row_path, "id"), row.id,
              "id '" + row.id + "' is used twice");
      continue;
    }
    if (auto text = load_text(row_value.contains("text") ? row_value["text"] : Json(),
                              child(row_path, "text"), row.id, true)) {
      row.text = std::move(*text);
    }
    if (auto status = load_string(row_value, "status", row_path, row.id, false)) {
      if (auto s = status_from_string(*status)) {
        row.status = *s;
      } else {
        problem("questionnaire.invalid_status", child(row_path, "status"), row.id,
                "status must be official, official-structure or placeholder");
      }
    }
    load_required(row, row_value, row_path);
    for (auto key : {"relevant", "constraint"}) {
      if (auto it = row_value.find(key); it != row_value.end()) {
        if (!it->is_string()) {
          problem("questionnaire.wrong_type", child(row_path, key), row.id,
                  std::string("'") + key + "' must be an expression string");
          continue;
        }
        pending_.push_back({it->get<std::string>(), child(row_path, key), row.id, nullptr,
                            std::string_view(key) == "constraint"});
      }
    }
    if (row_value.contains("constraint")) {
      row.constraint_message = load_text(
          row_value.contains("constraint_message") ? row_value["constraint_message"] : Json(),
          child(row_path, "constraint_message"), row.id, true);
    }
    q_.items_[matrix].rows.push_back(row.slot);
    q_.items_.push_back(std::move(row));
    item_paths_.push_back(row_path);
    item_scoring_json_.push_back(row_value.contains("scoring") ? &row_value["scoring"] : nullptr);
  }
  // A matrix's own required/relevant/constraint apply through its rows; the
  // matrix itself takes no answer.
  if (q_.items_[matrix].required_if) {
    problem("questionnaire.unsupported", child(path, "required"), matrix_id,
            "a matrix's 'required' must be true or false; put conditions on its rows");
  }
}

void QuestionnaireLoader::expression_field(const Json& object, std::string_view key,
                                           const std::string& path, const std::string& item,
                                           std::optional<Expression>* target, bool allow_self) {
  auto it = object.find(key);
  if (it == object.end()) return;
  if (!it->is_string()) {
    problem("questionnaire.wrong_type", child(path, key), item,
            "'" + std::string(key) + "' must be an expression string");
    return;
  }
  pending_.push_back({it->get<std::string>(), child(path, key), item, target, allow_self});
}

std::optional<Symbol> QuestionnaireLoader::lookup(std::string_view id) const {
  auto it = q_.by_id_.find(std::string(id));
  if (it == q_.by_id_.end() || it->second == Item::no_parent) return std::nullopt;
  const Item& item = q_.items_[it->second];
  Symbol symbol;
  symbol.slot = item.slot;
  symbol.scale = item.scale.get();
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Likert:
      symbol.kind = item.scale ? Symbol::Kind::Choice : Symbol::Kind::Any;
      break;
    case ItemType::Multiple:
      symbol.kind = item.scale ? Symbol::Kind::Selection : Symbol::Kind::Any;
      break;
    case ItemType::Rating:
    case ItemType::Integer:
    case ItemType::Decimal:
      symbol.kind = Symbol::Kind::Number;
      break;
    case ItemType::Date:
    case ItemType::Text:
    case ItemType::LongText:
      symbol.kind = Symbol::Kind::Text;
      break;
    case ItemType::Calculate:
      symbol.kind = Symbol::Kind::Any;
      break;
    case ItemType::Note:
    case ItemType::Matrix:
      symbol.kind = Symbol::Kind::NoValue;
      break;
  }
  return symbol;
}

void QuestionnaireLoader::compile_pending() {
  for (auto& p : pending_) {
    std::optional<Expression>* target = p.target;
    const Item* item = nullptr;
    if (target == nullptr) {
      auto it = q_.by_id_.find(p.item);
      if (it == q_.by_id_.end() || it->second == Item::no_parent) continue;
      Item& owner = q_.items_[it->second];
      item = &owner;
      auto field = p.path.substr(p.path.rfind('/') + 1);
      if (field == "relevant") target = &owner.relevant;
      if (field == "constraint") target = &owner.constraint;
      if (field == "calculation") target = &owner.calculation;
      if (field == "required") target = &owner.required_if;
      if (target == nullptr) continue;
    }
    try {
      *target = Expression::compile(p.text, *this, p.allow_self, &regexes_);
    } catch (const ExpressionError& e) {
      auto column = io::utf8_column(p.text, std::min(e.offset, p.text.size()));
      problem("questionnaire.expression_error", p.path, p.item, e.message, column);
    }
    (void)item;
  }
}

// ${id} inside a text (e.g. the unit being rated) must name an item.
void QuestionnaireLoader::check_text_references() {
  for (std::size_t i = 0; i < text_references_.size(); ++i) {
    const std::string& text = text_reference_values_[i];
    std::size_t pos = 0;
    while ((pos = text.find("${", pos)) != std::string::npos) {
      auto close = text.find('}', pos);
      if (close == std::string::npos) break;
      auto id = text.substr(pos + 2, close - pos - 2);
      if (!lookup(id)) {
        problem("questionnaire.unknown_reference", text_references_[i].first,
                text_references_[i].second, "the text names ${" + id + "}, which is not an item",
                io::utf8_column(text, pos));
      }
      pos = close;
    }
  }
}

void QuestionnaireLoader::load_notes(const Json& doc) {
  auto notes = doc.find("notes");
  if (notes != doc.end()) {
    if (!notes->is_array()) {
      problem("questionnaire.wrong_type", "/notes", "", "'notes' must be an array");
    } else {
      for (std::size_t i = 0; i < notes->size(); ++i) {
        const auto& n = (*notes)[i];
        std::string path = child("/notes", i);
        if (!n.is_object()) {
          problem("questionnaire.wrong_type", path, "", "a note must be {\"item\"?, \"text\"}");
          continue;
        }
        check_keys(n, path, "", {"item", "text"});
        Note note;
        if (auto text = load_string(n, "text", path, "", true)) note.text = *text;
        if (auto item = load_string(n, "item", path, "", false)) {
          if (!q_.find(*item)) {
            bool external = false;
            if (q_.scoring_.points) {
              for (const auto& e : q_.scoring_.points->external)
                external |= e.id == *item;
            }
            if (!external) {
              problem("questionnaire.unknown_reference", child(path, "item"), "",
                      "the note names item '" + *item + "', which does not exist");
            }
          }
          note.item = *item;
        }
        q_.notes_.push_back(std::move(note));
      }
    }
  }
  for (const auto& item : q_.items_) {
    if (item.status != Status::Placeholder) continue;
    bool listed = std::any_of(q_.notes_.begin(), q_.notes_.end(),
                              [&](const Note& n) { return n.item == item.id; });
    if (!listed) {
      problem("questionnaire.placeholder_without_note", item_paths_[item.slot], item.id,
              "item has status 'placeholder' but no entry in 'notes' says what is to be replaced");
    }
  }
}

void QuestionnaireLoader::load_messages(const Json& doc) {
  q_.messages_.resize(q_.languages_.size());
  auto messages = doc.find("messages");
  if (messages != doc.end() && !messages->is_object()) {
    problem("questionnaire.wrong_type", "/messages", "",
            "'messages' must be an object {language: {key: text}}");
    messages = doc.end();
  }
  auto keys = message_keys();
  for (std::size_t l = 0; l < q_.languages_.size(); ++l) {
    const auto& language = q_.languages_[l];
    if (const auto* builtin = builtin_messages(language)) q_.messages_[l] = *builtin;
    if (messages != doc.end() && messages->contains(language)) {
      const auto& own = (*messages)[language];
      std::string path = child("/messages", language);
      if (!own.is_object()) {
        problem("questionnaire.wrong_type", path, "", "messages must be an object {key: text}");
      } else {
        for (const auto& [key, text] : own.items()) {
          if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            problem("questionnaire.unknown_field", child(path, key), "",
                    "unknown message key '" + key + "'");
          } else if (!text.is_string() || text.get_ref<const std::string&>().empty()) {
            problem("questionnaire.wrong_type", child(path, key), "",
                    "a message must be a non-empty string");
          } else {
            q_.messages_[l][key] = text.get<std::string>();
          }
        }
      }
    }
    for (auto key : keys) {
      if (!q_.messages_[l].contains(key)) {
        problem("questionnaire.missing_translation", child("/messages", language), "",
                "language '" + language + "' has no built-in validation messages; message '" +
                    std::string(key) + "' must be given in messages." + language);
        break;
      }
    }
  }
  if (messages != doc.end()) {
    for (const auto& [language, value] : messages->items()) {
      if (!q_.language_index(language)) {
        problem("questionnaire.unknown_language", child("/messages", language), "",
                "'" + language + "' is not one of the questionnaire's languages");
      }
    }
  }
}

}  // namespace sipas::questionnaires
