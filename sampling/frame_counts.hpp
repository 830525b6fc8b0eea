#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace sipas::sampling {

// The number of frame rows in each stratum (values of `strata` joined by '|';
// "all" without strata), streaming. Rows with an empty stratum are an error
// naming the file and line.
std::map<std::string, std::uint64_t> count_strata(const std::filesystem::path& frame,
                                                  const std::vector<std::string>& strata);

}  // namespace sipas::sampling
