// JSON -> Questionnaire: the notes on what is not official yet, and the
// validation messages in every language of the questionnaire.

#include <algorithm>

#include "questionnaires/messages.hpp"
#include "questionnaires/questionnaire_loader.hpp"

namespace sipas::questionnaires {

void QuestionnaireLoader::load_notes(const Json& doc) {
  auto notes = doc.find("notes");
  if (notes != doc.end()) {
    if (!notes->is_array()) {
      problem("questionnaire.wrong_type", "/notes", "", "'notes' must be an array");
    } else {
      for (std::size_t i = 0; i < notes->size(); ++i)
        load_note((*notes)[i], child("/notes", i));
    }
  }
  check_placeholders_have_notes();
}

void QuestionnaireLoader::load_note(const Json& n, const std::string& path) {
  if (!n.is_object()) {
    problem("questionnaire.wrong_type", path, "", "a note must be {\"item\"?, \"text\"}");
    return;
  }
  check_keys(n, path, "", {"item", "text"});
  Note note;
  if (auto text = load_string(n, "text", path, "", true)) note.text = *text;
  if (auto item = load_string(n, "item", path, "", false)) {
    // A note may also be about an external leaf of the PAR points.
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

// A placeholder is only honest with a note that says what is to be replaced.
void QuestionnaireLoader::check_placeholders_have_notes() {
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
  for (std::size_t l = 0; l < q_.languages_.size(); ++l) {
    const auto& language = q_.languages_[l];
    if (const auto* builtin = builtin_messages(language)) q_.messages_[l] = *builtin;
    if (messages != doc.end() && messages->contains(language)) {
      load_own_messages((*messages)[language], l);
    }
    check_messages_complete(l);
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

// The file's own messages in language `l`, over the built-in ones.
void QuestionnaireLoader::load_own_messages(const Json& own, std::size_t l) {
  const auto& language = q_.languages_[l];
  std::string path = child("/messages", language);
  if (!own.is_object()) {
    problem("questionnaire.wrong_type", path, "", "messages must be an object {key: text}");
    return;
  }
  auto keys = message_keys();
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

// One problem for the first missing key: a language without built-in messages
// would otherwise give one per key.
void QuestionnaireLoader::check_messages_complete(std::size_t l) {
  const auto& language = q_.languages_[l];
  for (auto key : message_keys()) {
    if (!q_.messages_[l].contains(key)) {
      problem("questionnaire.missing_translation", child("/messages", language), "",
              "language '" + language + "' has no built-in validation messages; message '" +
                  std::string(key) + "' must be given in messages." + language);
      break;
    }
  }
}

}  // namespace sipas::questionnaires
