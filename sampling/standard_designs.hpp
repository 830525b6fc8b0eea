#pragma once

#include <span>
#include <string_view>

#include "io/embedded_file.hpp"

namespace sipas::sampling {

// The design files of sampling/designs/, compiled into the library (the
// PAPI-style provincial design the demo uses). Names like
// "designs/province-citizens.json".
std::span<const io::EmbeddedFile> standard_designs();
const io::EmbeddedFile* find_standard_design(std::string_view name);

}  // namespace sipas::sampling
