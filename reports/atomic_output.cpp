#include "reports/atomic_output.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "io/file.hpp"

namespace sipas::reports {

AtomicOutput::AtomicOutput(std::filesystem::path target) : target_(std::move(target)) {
  std::string pattern = target_.string() + ".tmp-XXXXXX";
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) {
    throw io::IoError("io.write_failed",
                      target_.string() + ": cannot create: " + std::strerror(errno));
  }
  temporary_ = pattern;
  // mkostemp creates the file 0600; an export is as readable as any other output.
  ::fchmod(fd_, 0644);
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temporary_.c_str());
}

bool AtomicOutput::write(const void* data, std::size_t size) noexcept {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0 && write_error_ == 0) {
    ssize_t written = ::write(fd_, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      write_error_ = errno;
      break;
    }
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
  return write_error_ == 0;
}

void AtomicOutput::commit() {
  auto fail = [&](const char* what, int error) {
    throw io::IoError("io.write_failed",
                      target_.string() + ": " + what + ": " + std::strerror(error));
  };
  if (write_error_ != 0) fail("write failed", write_error_);
  // A writer that opened the path itself wrote to the same inode, so this
  // descriptor flushes its bytes too.
  if (::fsync(fd_) != 0) fail("fsync failed", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("close failed", errno);
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("rename failed", errno);
  committed_ = true;
}

}  // namespace sipas::reports
