#pragma once

#include <cstddef>
#include <filesystem>

namespace sipas::reports {

// An output file written under a temporary name beside its target and renamed
// over it by commit(), so that a failed export leaves the old file (or none)
// behind: for writers that stream bytes (ReadStat) or that open a path
// themselves (libxlsxwriter). The destructor removes the temporary unless
// commit() succeeded. Move-only in spirit: neither copyable nor movable.
class AtomicOutput {
 public:
  // Creates `target.tmp-XXXXXX`. Throws io::IoError io.write_failed.
  explicit AtomicOutput(std::filesystem::path target);
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  ~AtomicOutput();

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temporary() const { return temporary_; }

  // Appends bytes; false when the write failed (commit() then throws).
  bool write(const void* data, std::size_t size) noexcept;
  // Flushes the temporary to disk and renames it over the target. Throws
  // io::IoError io.write_failed naming the target.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  int write_error_ = 0;
  bool committed_ = false;
};

}  // namespace sipas::reports
