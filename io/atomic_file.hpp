#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string_view>

namespace sipas::io {

// Who may read a file sipas writes: its owner only (0600), or everyone the
// umask lets (0644 less the umask). Owner-only is the default everywhere:
// samples, frames, answers, links and keys are personal data (PRIVACY.md);
// only outputs that hold aggregates (results, indices, reports, design
// records) are written shared.
enum class FileAccess { owner_only, shared };

// The one way sipas writes a file: under a temporary name beside the target
// (`target.tmp-NNN`, so the rename stays on one file system), renamed over the
// target by commit(). Until then the target is untouched; after it, readers
// see the whole new file. A failure, or destruction without commit(), removes
// the temporary: a failed run leaves the old file (or none) and no temporary.
//
// The temporary is created (O_EXCL) with its final mode before a byte is
// written. Owner-only files are set to 0600 with fchmod after the open, so the
// mode is 0600 whatever the umask (a umask of 0 cannot widen it, one of 0277
// cannot leave the owner without write); shared files are created 0644 and
// keep what the umask takes away from that.
//
// Bytes go through a 1 MiB buffer. A library that opens the path itself
// (libxlsxwriter) may write to temporary() instead: it opens the same inode,
// and commit() checks that the temporary is still that inode before it
// renames. Errors are IoError io.write_failed naming the target.
//
// Move-only; not safe to use from two threads at once.
class AtomicFile {
 public:
  AtomicFile(std::filesystem::path target, FileAccess access);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temporary() const { return temporary_; }

  // Appends bytes. Throws IoError (a full disk), and std::logic_error after
  // commit() or discard().
  void write(std::string_view bytes);
  // Flushes the buffer, fsyncs the file, closes it and renames it over the
  // target, then fsyncs the directory (best effort). On failure the temporary
  // is removed before the IoError is thrown. Nothing may be written after.
  void commit();
  // Closes and removes the temporary now; the target is untouched.
  void discard() noexcept;
  // Open: commit() and discard() not called yet.
  bool is_open() const { return fd_ >= 0; }

 private:
  void flush();
  [[noreturn]] void fail(const char* what, int error);

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  std::unique_ptr<char[]> buffer_;
  std::size_t used_ = 0;
};

}  // namespace sipas::io
