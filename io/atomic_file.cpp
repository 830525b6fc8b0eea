#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "io/file.hpp"
#include "io/posix_file.hpp"

namespace sipas::io {
namespace {

constexpr std::size_t buffer_bytes = std::size_t{1} << 20;
constexpr mode_t owner_only_mode = 0600;
constexpr mode_t shared_mode = 0644;  // less the umask
// Names already taken (EEXIST) are retried with another random suffix.
constexpr int create_attempts = 16;

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target, FileAccess access)
    : target_(std::move(target)) {
  const mode_t mode = access == FileAccess::owner_only ? owner_only_mode : shared_mode;
  std::random_device entropy;
  int error = 0;
  for (int attempt = 0; attempt < create_attempts && fd_ < 0; ++attempt) {
    temporary_ = target_;
    temporary_ += ".tmp-" + std::to_string(entropy());
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    error = errno;
    if (fd_ < 0 && error != EEXIST) break;
  }
  if (fd_ < 0) {
    throw IoError("io.write_failed",
                  target_.string() + ": cannot create: " + detail::describe_errno(error));
  }
  // open() takes the umask's bits away from `mode`; for personal data the mode
  // is set outright, so neither a lax nor an odd umask changes it.
  if (access == FileAccess::owner_only && ::fchmod(fd_, owner_only_mode) != 0) {
    fail("cannot set the mode to 0600", errno);
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temporary_(std::move(other.temporary_)),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      used_(std::exchange(other.used_, 0)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temporary_ = std::move(other.temporary_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    used_ = std::exchange(other.used_, 0);
  }
  return *this;
}

AtomicFile::~AtomicFile() {
  discard();
}

void AtomicFile::discard() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
  fd_ = -1;
  used_ = 0;
}

void AtomicFile::fail(const char* what, int error) {
  discard();
  throw IoError("io.write_failed",
                target_.string() + ": " + what + ": " + detail::describe_errno(error));
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("AtomicFile: write after commit() or discard()");
  if (!buffer_) buffer_ = std::make_unique_for_overwrite<char[]>(buffer_bytes);
  if (bytes.size() <= buffer_bytes - used_) {
    std::memcpy(buffer_.get() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
    return;
  }
  flush();
  if (bytes.size() >= buffer_bytes) {
    try {
      detail::write_all(fd_, bytes.data(), bytes.size(), target_);
    } catch (...) {
      discard();
      throw;
    }
  } else {
    std::memcpy(buffer_.get(), bytes.data(), bytes.size());
    used_ = bytes.size();
  }
}

void AtomicFile::flush() {
  if (used_ == 0) return;
  try {
    detail::write_all(fd_, buffer_.get(), used_, target_);
  } catch (...) {
    discard();
    throw;
  }
  used_ = 0;
}

void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error("AtomicFile: commit() after commit() or discard()");
  flush();
  // A library that opened temporary() itself must have written to our inode:
  // had it replaced the file, its bytes (and mode) would not be ours.
  struct stat ours {};
  struct stat named {};
  if (::fstat(fd_, &ours) != 0) fail("cannot stat the temporary file", errno);
  if (::stat(temporary_.c_str(), &named) != 0) fail("the temporary file is gone", errno);
  if (ours.st_dev != named.st_dev || ours.st_ino != named.st_ino) {
    discard();
    throw IoError("io.write_failed", target_.string() + ": the temporary file " +
                                         temporary_.string() + " was replaced while written");
  }
  if (::fsync(fd_) != 0) fail("fsync failed", errno);
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    throw IoError("io.write_failed",
                  target_.string() + ": close failed: " + detail::describe_errno(error));
  }
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    throw IoError("io.write_failed",
                  target_.string() + ": rename failed: " + detail::describe_errno(error));
  }
  // Make the rename itself durable. Best effort: some file systems refuse
  // fsync on a directory, and the file is complete either way.
  auto directory = target_.parent_path();
  if (directory.empty()) directory = ".";
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace sipas::io
