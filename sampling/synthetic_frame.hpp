#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sipas::sampling {

// A made-up but realistic frame of people who completed procedures in one or
// more provinces, for the demo and the benchmarks: provinces, districts (the
// first is the capital), communes (the first is the district seat), villages,
// and people with a service field, a filing channel, sex, age group and a
// phone number (a contact column). Reproducible from `seed`.
struct SyntheticFrameOptions {
  std::uint64_t rows = 20000;
  int provinces = 1;
  int districts_per_province = 10;
  int communes_per_district = 12;
  int villages_per_commune = 5;
  std::uint64_t seed = 1;
  // Adds a `department` column: the provincial department that handles the
  // person's service field (synthetic_departments()).
  bool with_departments = false;
  // Guard cells a spreadsheet would run as formulas (io/formula_guard.hpp);
  // the file is owner-only either way (it has phone numbers).
  bool neutralise_formulas = true;
};

// The provincial departments (sở) of the synthetic province and the service
// fields each handles.
struct SyntheticDepartment {
  std::string id;
  std::string name;
  std::vector<std::string> service_fields;
};
const std::vector<SyntheticDepartment>& synthetic_departments();

// Writes the frame atomically; returns the number of rows written.
std::uint64_t write_synthetic_frame(const std::filesystem::path& path,
                                    const SyntheticFrameOptions& options);

}  // namespace sipas::sampling
