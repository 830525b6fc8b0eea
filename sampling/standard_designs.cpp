#include "sampling/standard_designs.hpp"

namespace sipas::sampling {

std::span<const io::EmbeddedFile> embedded_design_files();

std::span<const io::EmbeddedFile> standard_designs() {
  return embedded_design_files();
}

const io::EmbeddedFile* find_standard_design(std::string_view name) {
  for (const auto& file : standard_designs()) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

}  // namespace sipas::sampling
