// JSON -> Questionnaire, first part: the document as a whole, its header
// (format, id, version, languages, titles), and the small readers every other
// part uses (strings, texts in every language, ids). The other parts:
// scale_loader.cpp, section_loader.cpp, item_fields_loader.cpp,
// pending_expressions.cpp, notes_and_messages_loader.cpp, scoring_loader.cpp,
// evaluation_order.cpp.

#include "questionnaires/questionnaire_loader.hpp"

#include <algorithm>

#include "io/utf8.hpp"
#include "questionnaires/messages.hpp"

namespace sipas::questionnaires {
namespace {

constexpr std::string_view format_name = "sipas-questionnaire/1";

// Questionnaire ids may also hold '-' and '.' (sipas-citizen, par.2024).
bool valid_questionnaire_id(std::string_view id) {
  if (id.empty() || id.size() > QuestionnaireLimits::max_id_length) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
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

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > QuestionnaireLimits::max_id_length) return false;
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(id[0])) return false;
  return std::all_of(id.begin(), id.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
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

// ---------------------------------------------------------------- Problems

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

// ---------------------------------------------------------------- The document

Questionnaire QuestionnaireLoader::load(std::string_view json_text) {
  const Json doc = parse_document(json_text);
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

Json QuestionnaireLoader::parse_document(std::string_view json_text) {
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
  return doc;
}

// ---------------------------------------------------------------- The header

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
  load_languages(doc);
  // Every text that follows is read in the languages just loaded.
  if (q_.languages_.empty()) return;
  if (auto title = text_field(doc, "title", "", "", true)) q_.title_ = *title;
  if (doc.contains("intro")) q_.intro_ = load_text(doc["intro"], "/intro", "", true);
  if (doc.contains("closing")) q_.closing_ = load_text(doc["closing"], "/closing", "", true);
  load_status(doc, "", "", q_.status_);
}

void QuestionnaireLoader::load_languages(const Json& doc) {
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
}

// ---------------------------------------------------------------- Fields of any object

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

void QuestionnaireLoader::load_status(const Json& object, const std::string& path,
                                      const std::string& item, Status& out) {
  auto status = load_string(object, "status", path, item, false);
  if (!status) return;
  if (auto s = status_from_string(*status)) {
    out = *s;
  } else {
    problem("questionnaire.invalid_status", child(path, "status"), item,
            "status must be official, official-structure or placeholder");
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

// The text under `key`, when `object` has one.
std::optional<Text> QuestionnaireLoader::text_field(const Json& object, std::string_view key,
                                                    const std::string& path,
                                                    const std::string& item, bool required) {
  auto it = object.find(key);
  return load_text(it == object.end() ? Json() : *it, child(path, key), item, required);
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

}  // namespace sipas::questionnaires
