#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sipas::questionnaires {

// A text in every language of its questionnaire, indexed like
// Questionnaire::languages(). The loader guarantees one entry per language.
struct Text {
  std::vector<std::string> by_language;

  const std::string& in(std::size_t language) const { return by_language.at(language); }
  bool empty() const { return by_language.empty(); }
};

}  // namespace sipas::questionnaires
