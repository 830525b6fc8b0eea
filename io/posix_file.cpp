#include "io/posix_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/file.hpp"

namespace sipas::io::detail {

std::string describe_errno(int error) {
  return std::strerror(error);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor open_for_reading(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      throw IoError("io.not_found", path.string() + ": no such file");
    }
    throw IoError("io.read_failed", path.string() + ": cannot open: " + describe_errno(error));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) == 0 && S_ISDIR(status.st_mode)) {
    throw IoError("io.is_directory", path.string() + ": is a directory, not a file");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  // A hint only: the readers go front to back once.
  (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return fd;
}

std::size_t read_full(int fd, char* data, std::size_t size, const std::filesystem::path& path) {
  std::size_t total = 0;
  while (total < size) {
    ssize_t n = ::read(fd, data + total, size - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("io.read_failed", path.string() + ": read error: " + describe_errno(errno));
    }
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  return total;
}

void seek_to(int fd, std::uint64_t offset, const std::filesystem::path& path) {
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    throw IoError("io.read_failed", path.string() + ": cannot seek: " + describe_errno(errno));
  }
}

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("io.write_failed", path.string() + ": write failed: " + describe_errno(errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace sipas::io::detail
