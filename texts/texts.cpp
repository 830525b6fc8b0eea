#include "texts/texts.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <span>

#include "io/embedded_file.hpp"

namespace sipas::texts {

std::span<const io::EmbeddedFile> embedded_catalogues();

namespace {

// Texts by key; std::less<> so that a string_view finds a key without a copy.
using Catalogue = std::map<std::string, std::string, std::less<>>;

struct Catalogues {
  std::vector<std::string> languages;
  std::map<std::string, Catalogue, std::less<>> by_language;
};

Catalogue parse(std::string_view name, std::string_view content) {
  auto json = nlohmann::json::parse(content, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    throw TextsError("texts.invalid_catalogue",
                     "texts/" + std::string(name) + " is not a JSON object");
  }
  Catalogue catalogue;
  for (const auto& [key, value] : json.items()) {
    if (!value.is_string()) {
      throw TextsError("texts.invalid_catalogue",
                       "texts/" + std::string(name) + ": '" + key + "' is not a string");
    }
    catalogue.emplace(key, value.get<std::string>());
  }
  return catalogue;
}

Catalogues load() {
  Catalogues all;
  for (const auto& file : embedded_catalogues()) {
    std::string_view name = file.name;  // "vi.json"
    std::string language(name.substr(0, name.find('.')));
    all.by_language.emplace(language, parse(name, file.content));
    all.languages.push_back(std::move(language));
  }
  return all;
}

const Catalogues& catalogues() {
  static const Catalogues all = load();
  return all;
}

const Catalogue& catalogue(std::string_view language) {
  const auto& by_language = catalogues().by_language;
  auto it = by_language.find(language);
  if (it == by_language.end()) {
    throw TextsError("texts.unknown_language",
                     "no texts in language '" + std::string(language) + "'");
  }
  return it->second;
}

}  // namespace

const std::vector<std::string>& languages() {
  return catalogues().languages;
}

bool has_language(std::string_view language) {
  return catalogues().by_language.contains(language);
}

std::string_view language_or_english(std::string_view language) {
  return has_language(language) ? language : std::string_view("en");
}

const std::string* find(std::string_view language, std::string_view key) {
  const Catalogue& texts = catalogue(language);
  auto it = texts.find(key);
  return it == texts.end() ? nullptr : &it->second;
}

const std::string& text(std::string_view language, std::string_view key) {
  if (const std::string* found = find(language, key)) return *found;
  throw TextsError("texts.missing_key",
                   "the '" + std::string(language) + "' texts have no '" + std::string(key) + "'");
}

std::string fill(std::string_view pattern, Values values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  std::size_t i = 0;
  while (i < pattern.size()) {
    std::size_t open = pattern.find('{', i);
    if (open == std::string_view::npos) break;
    std::size_t close = pattern.find('}', open + 1);
    if (close == std::string_view::npos) break;
    out.append(pattern.substr(i, open - i));
    std::string_view name = pattern.substr(open + 1, close - open - 1);
    auto value = std::find_if(values.begin(), values.end(),
                              [&](const auto& pair) { return pair.first == name; });
    if (value == values.end()) {
      out.append(pattern.substr(open, 1));
      i = open + 1;
      continue;
    }
    out.append(value->second);
    i = close + 1;
  }
  out.append(pattern.substr(std::min(i, pattern.size())));
  return out;
}

std::string format(std::string_view language, std::string_view key, Values values) {
  return fill(text(language, key), values);
}

std::vector<std::string> keys(std::string_view language) {
  std::vector<std::string> out;
  for (const auto& [key, value] : catalogue(language))
    out.push_back(key);
  return out;
}

std::vector<std::string> placeholders(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = text.find('{', i)) != std::string_view::npos) {
    std::size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) break;
    std::string_view name = text.substr(i + 1, close - i - 1);
    bool word = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (word) {
      out.emplace_back(name);
      i = close + 1;
    } else {
      ++i;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sipas::texts
