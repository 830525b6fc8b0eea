#include "questionnaires/standard_forms.hpp"

namespace sipas::questionnaires {

std::span<const io::EmbeddedFile> embedded_questionnaire_files();

std::span<const io::EmbeddedFile> standard_files() {
  return embedded_questionnaire_files();
}

const io::EmbeddedFile* find_standard_file(std::string_view name) {
  for (const auto& file : standard_files()) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

}  // namespace sipas::questionnaires
