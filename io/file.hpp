#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "io/atomic_file.hpp"
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

// Writes `content` through an AtomicFile (atomic_file.hpp): to a temporary
// file beside `path`, created with `access`'s mode before a byte is written,
// flushed to disk, then renamed over `path`. A failed run leaves the old file
// (or none) behind. Owner-only (0600) unless the caller says the file holds no
// personal data.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       FileAccess access = FileAccess::owner_only);

// What changes when a file is written or replaced: its device and inode, its
// size, and its modification and status-change times (nanoseconds). A reader
// that reads a file twice compares the identity from before the first read
// with the one after the second to know it read the same file both times.
// (The status-change time cannot be set back by hand; it is as fine as the
// kernel's clock tick, a few milliseconds.)
struct FileIdentity {
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t modified_ns = 0, changed_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

// Throws IoError io.not_found or io.read_failed.
FileIdentity file_identity(const std::filesystem::path& path);

}  // namespace sipas::io
