#pragma once

#include <string_view>

namespace sipas::io {

// A data file compiled into the executable (see cmake/EmbedFiles.cmake).
struct EmbeddedFile {
  std::string_view name;  // path relative to its folder, e.g. "forms/sipas-citizen.json"
  std::string_view content;
};

}  // namespace sipas::io
