#pragma once

#include <span>
#include <string_view>

#include "io/embedded_file.hpp"

namespace sipas::questionnaires {

// The standard instruments (forms/*.json) and the example responses
// (examples/**), compiled into the library from the files in the tree so that
// `sipas` works from any directory. Names are relative to questionnaires/,
// e.g. "forms/sipas-citizen.json".
std::span<const io::EmbeddedFile> standard_files();

// One embedded file by name, or nullptr.
const io::EmbeddedFile* find_standard_file(std::string_view name);

}  // namespace sipas::questionnaires
