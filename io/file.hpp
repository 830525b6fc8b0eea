#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "io/error.hpp"

namespace sipas::io {

// A file could not be read or written. The message names the path.
class IoError : public Error {
 public:
  using Error::Error;
};

// Reads a whole file. Refuses files larger than `max_bytes` (io.too_large)
// before reading them, so a hostile input cannot exhaust memory.
std::string read_file(const std::filesystem::path& path, std::size_t max_bytes);

// Writes `content` to a temporary file beside `path`, flushes it to disk, then
// renames it over `path`: a failed run leaves the old file (or none) behind.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace sipas::io
