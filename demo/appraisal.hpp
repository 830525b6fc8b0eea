#pragma once

#include <cstdint>
#include <filesystem>

#include "analysis/par_index_scheme.hpp"
#include "demo/province.hpp"

namespace sipas::demo {

// appraisal.csv for `sipas index`: every unit's appraised points on every
// appraised leaf of the scheme, drawn around the unit's quality and rounded to
// a quarter point as appraisal councils score; about one leaf in forty does
// not apply to a unit (empty points). Returns the rows written.
std::uint64_t write_appraisal(const std::filesystem::path& path,
                              const analysis::IndexScheme& scheme, const Province& province,
                              std::uint64_t seed, const io::CsvWriterOptions& csv);

}  // namespace sipas::demo
