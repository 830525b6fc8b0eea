#include "io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace sipas::io {
namespace {

std::string describe_errno(int error) {
  return std::strerror(error);
}

// Closes a descriptor on every path out of write_file_atomic.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw IoError("io.not_found", path.string() + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    throw IoError("io.is_directory", path.string() + ": is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError("io.read_failed", path.string() + ": cannot open: " + describe_errno(errno));
  std::string content;
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > max_bytes) {
      throw IoError("io.too_large", path.string() + ": larger than the limit of " +
                                        std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) throw IoError("io.read_failed", path.string() + ": read error");
  return content;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       FileAccess access) {
  std::random_device entropy;
  auto temporary = path;
  temporary += ".tmp-" + std::to_string(entropy());
  FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                           access == FileAccess::owner_only ? 0600 : 0644));
  if (fd.get() < 0) {
    throw IoError("io.write_failed", path.string() + ": cannot create: " + describe_errno(errno));
  }
  auto fail = [&](const char* what) {
    int error = errno;
    ::close(fd.release());
    ::unlink(temporary.c_str());
    throw IoError("io.write_failed", path.string() + ": " + what + ": " + describe_errno(error));
  };
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t written = ::write(fd.get(), data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("write failed");
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  if (::fsync(fd.get()) != 0) fail("fsync failed");
  if (::close(fd.release()) != 0) {
    ::unlink(temporary.c_str());
    throw IoError("io.write_failed", path.string() + ": close failed: " + describe_errno(errno));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temporary.c_str());
    throw IoError("io.write_failed", path.string() + ": rename failed: " + describe_errno(error));
  }
}

FileIdentity file_identity(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      throw IoError("io.not_found", path.string() + ": no such file");
    }
    throw IoError("io.read_failed", path.string() + ": cannot stat: " + describe_errno(error));
  }
  constexpr std::int64_t ns_per_s = 1'000'000'000;
  return {static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino),
          static_cast<std::uint64_t>(status.st_size),
          static_cast<std::int64_t>(status.st_mtim.tv_sec) * ns_per_s + status.st_mtim.tv_nsec,
          static_cast<std::int64_t>(status.st_ctim.tv_sec) * ns_per_s + status.st_ctim.tv_nsec};
}

}  // namespace sipas::io
