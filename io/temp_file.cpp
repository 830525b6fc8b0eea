#include "io/temp_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <utility>

#include "io/file.hpp"
#include "io/posix_file.hpp"

namespace sipas::io {
namespace {

constexpr std::size_t buffer_bytes = std::size_t{1} << 20;

[[noreturn]] void fail(const char* id, const std::filesystem::path& directory, const char* what,
                       int error) {
  throw IoError(
      id, directory.string() + ": temporary file: " + what + ": " + detail::describe_errno(error));
}

int open_anonymous(const std::filesystem::path& directory) {
#ifdef O_TMPFILE
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  // Not every file system has O_TMPFILE; anything else is a real error.
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    fail("io.write_failed", directory, "cannot create", errno);
  }
#endif
  std::string pattern = (directory / "sipas-tmp-XXXXXX").string();
  int made = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (made < 0) fail("io.write_failed", directory, "cannot create", errno);
  ::unlink(pattern.c_str());
  return made;
}

std::filesystem::path temp_directory() {
  std::error_code ec;
  auto directory = std::filesystem::temp_directory_path(ec);
  if (ec) {
    throw IoError("io.write_failed",
                  "no directory for temporary files ($TMPDIR or /tmp): " + ec.message());
  }
  return directory;
}

}  // namespace

TempFile::TempFile() : TempFile(temp_directory()) {}

TempFile::TempFile(const std::filesystem::path& directory)
    : directory_(directory),
      fd_(open_anonymous(directory)),
      buffer_(std::make_unique_for_overwrite<char[]>(buffer_bytes)),
      capacity_(buffer_bytes) {}

TempFile::TempFile(TempFile&& other) noexcept
    : directory_(std::move(other.directory_)),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      capacity_(std::exchange(other.capacity_, 0)),
      used_(std::exchange(other.used_, 0)),
      written_(std::exchange(other.written_, 0)),
      reading_(std::exchange(other.reading_, false)) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    directory_ = std::move(other.directory_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    capacity_ = std::exchange(other.capacity_, 0);
    used_ = std::exchange(other.used_, 0);
    written_ = std::exchange(other.written_, 0);
    reading_ = std::exchange(other.reading_, false);
  }
  return *this;
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
}

void TempFile::flush() {
  detail::write_all(fd_, buffer_.get(), used_, directory_ / "(temporary file)");
  written_ += used_;
  used_ = 0;
}

void TempFile::write_through(const void* data, std::size_t size) {
  if (reading_) throw std::logic_error("TempFile::write after rewind()");
  flush();
  if (size >= capacity_) {
    detail::write_all(fd_, static_cast<const char*>(data), size, directory_ / "(temporary file)");
    written_ += size;
  } else {
    std::memcpy(buffer_.get(), data, size);
    used_ = size;
  }
}

void TempFile::rewind() {
  flush();
  if (::lseek(fd_, 0, SEEK_SET) < 0) fail("io.read_failed", directory_, "cannot seek", errno);
  reading_ = true;
  capacity_ = 0;  // so that write() goes to write_through, which refuses
}

std::size_t TempFile::read(void* data, std::size_t size) {
  return detail::read_full(fd_, static_cast<char*>(data), size, directory_ / "(temporary file)");
}

}  // namespace sipas::io
