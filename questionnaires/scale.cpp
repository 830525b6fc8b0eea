#include "questionnaires/scale.hpp"

#include <algorithm>

namespace sipas::questionnaires {

// Lists are short (at most a few dozen choices), so a linear scan beats hashing.
std::optional<std::uint16_t> Scale::find(std::int64_t number) const {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].code.is_number && choices[i].code.number == number) {
      return static_cast<std::uint16_t>(i);
    }
  }
  return std::nullopt;
}

std::optional<std::uint16_t> Scale::find(std::string_view text) const {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (!choices[i].code.is_number && choices[i].code.text == text) {
      return static_cast<std::uint16_t>(i);
    }
  }
  return std::nullopt;
}

bool Scale::is_excluded(std::uint16_t index) const {
  return std::find(excluded.begin(), excluded.end(), index) != excluded.end();
}

bool Scale::has_number_codes() const {
  return std::any_of(choices.begin(), choices.end(),
                     [](const Choice& c) { return c.code.is_number; });
}

bool Scale::has_string_codes() const {
  return std::any_of(choices.begin(), choices.end(),
                     [](const Choice& c) { return !c.code.is_number; });
}

}  // namespace sipas::questionnaires
