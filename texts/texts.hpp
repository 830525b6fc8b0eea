#pragma once

// The sentences people read (the form's buttons and notices, the server's
// pages, the report's headings and words, the exports' labels), one catalogue
// per language: texts/vi.json and texts/en.json, compiled in at build time.
// A key is dotted ("form.submit", "page.closed", "report.sec_headline"); a
// value may hold placeholders, "{name}" or "{1}", filled by the caller.
//
// The catalogues are parsed once, on first use; every function is safe to call
// from several threads at once, and a returned reference lives as long as the
// program.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/error.hpp"

namespace sipas::texts {

// texts.missing_key (a key one catalogue lacks), texts.unknown_language,
// texts.invalid_catalogue (a catalogue that is not a flat object of strings).
class TextsError : public Error {
 public:
  using Error::Error;
};

// The languages that have a catalogue ("vi", "en"), Vietnamese first.
const std::vector<std::string>& languages();
bool has_language(std::string_view language);

// `language` when it has a catalogue, else English: for pages whose language
// comes from a request or a questionnaire, which may name any language.
std::string_view language_or_english(std::string_view language);

// The text of `key`; TextsError texts.missing_key when the catalogue lacks it,
// texts.unknown_language when there is no catalogue for `language`.
const std::string& text(std::string_view language, std::string_view key);
// The same, or nullptr when the key is missing.
const std::string* find(std::string_view language, std::string_view key);

using Values = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The text of `key` with each "{name}" of `values` replaced by its value;
// other braces stay as they are.
std::string format(std::string_view language, std::string_view key, Values values);
std::string fill(std::string_view pattern, Values values);

// Every key of a language's catalogue, sorted.
std::vector<std::string> keys(std::string_view language);
// The placeholder names of a text ("{count}" gives "count"), sorted, once each.
std::vector<std::string> placeholders(std::string_view text);

}  // namespace sipas::texts
