#pragma once

// An enum spelled as words (the values of an option, of a JSON field): one
// table per enum, read both ways, so that the words and the values cannot
// drift apart between a parser and a printer.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sipas::io {

template <typename Enum>
using EnumName = std::pair<Enum, std::string_view>;

// The value named `name` exactly; nullopt for a word not in the table.
template <typename Enum, std::size_t N>
std::optional<Enum> enum_from_name(const EnumName<Enum> (&names)[N], std::string_view name) {
  for (const auto& [value, text] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

// The first word of `value` in the table ("" for a value it lacks).
template <typename Enum, std::size_t N>
std::string enum_name(const EnumName<Enum> (&names)[N], Enum value) {
  for (const auto& [v, text] : names) {
    if (v == value) return std::string(text);
  }
  return {};
}

// "a, b or c": the words of the table as a message lists them.
template <typename Enum, std::size_t N>
std::string enum_names_text(const EnumName<Enum> (&names)[N]) {
  std::string out;
  for (std::size_t k = 0; k < N; ++k) {
    if (k > 0) out += k + 1 == N ? " or " : ", ";
    out += names[k].second;
  }
  return out;
}

}  // namespace sipas::io
