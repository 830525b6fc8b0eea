#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/text.hpp"

namespace sipas::questionnaires {

// A choice code as written in the questionnaire: an integer (4) or a short
// string ('b'). Answers must use the same JSON type.
struct ChoiceCode {
  bool is_number = true;
  std::int64_t number = 0;
  std::string text;

  std::string to_string() const { return is_number ? std::to_string(number) : text; }
  bool operator==(const ChoiceCode&) const = default;
};

struct Choice {
  ChoiceCode code;
  Text label;
};

// An ordered list of choices shared by items (a Likert scale, a choice list).
struct Scale {
  std::string id;  // empty for an inline list
  std::vector<Choice> choices;
  bool descending = false;  // shown from the last choice to the first
  // Indices of "don't know / not applicable" choices: valid answers that leave
  // every denominator.
  std::vector<std::uint16_t> excluded;

  std::optional<std::uint16_t> find(std::int64_t number) const;
  std::optional<std::uint16_t> find(std::string_view text) const;
  std::optional<std::uint16_t> find(const ChoiceCode& code) const {
    return code.is_number ? find(code.number) : find(code.text);
  }
  bool is_excluded(std::uint16_t index) const;
  // Whether any code is an integer / a string: an answer of the other JSON type
  // is a wrong type, not an unknown code.
  bool has_number_codes() const;
  bool has_string_codes() const;
};

}  // namespace sipas::questionnaires
