#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/csv_writer.hpp"

namespace sipas::demo {

// An assessed unit of the synthetic province: a provincial department or a
// district. `quality` (0..1) is the truth the simulation draws answers and
// appraisal points from, so the outputs have a known order to look for.
struct Unit {
  std::string id;
  std::string name;
  std::string kind;  // "department" or "district"
  double quality = 0.5;
};

struct Province {
  std::vector<Unit> departments;
  std::vector<Unit> districts;  // ids as in the citizens' frame: P01-D01, ...
  std::vector<Unit> units() const;
};

// The departments of the synthetic frame (sampling::synthetic_departments()) and
// `districts` districts, with qualities drawn from `seed`.
Province make_province(int districts, std::uint64_t seed);

// The frame of the officials' survey: one row per (rater, rated unit), the
// cross-rating of domain.md §3: department leaders rate districts, district
// leaders rate departments, People's Council deputies rate both. Columns: id,
// target_unit, target_kind, respondent_group, home_unit. Returns the rows.
std::uint64_t write_officials_frame(const std::filesystem::path& path, const Province& province,
                                    int leaders_per_unit, int deputies,
                                    const io::CsvWriterOptions& csv);

// units.csv for `sipas index`: unit, name, ranked.
void write_units(const std::filesystem::path& path, const Province& province,
                 const io::CsvWriterOptions& csv);

}  // namespace sipas::demo
