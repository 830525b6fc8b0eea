#pragma once

// Internal to the io library: POSIX file descriptors for the streaming reader,
// the writer and sha256_file. Not part of the public interface.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sipas::io::detail {

std::string describe_errno(int error);

// Owns a file descriptor; closes it on every path out. Move-only.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();

  int get() const noexcept { return fd_; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Opens `path` for reading. Throws IoError io.not_found, io.is_directory or
// io.read_failed with the same messages as io::read_file.
FileDescriptor open_for_reading(const std::filesystem::path& path);

// Reads until `size` bytes or the end of the file; returns the count (less
// than `size` only at the end). Retries EINTR and short reads. Throws IoError
// io.read_failed naming `path`.
std::size_t read_full(int fd, char* data, std::size_t size, const std::filesystem::path& path);

// Moves the file offset to `offset` from the start. Throws IoError
// io.read_failed naming `path`.
void seek_to(int fd, std::uint64_t offset, const std::filesystem::path& path);

// Writes all of `size` bytes or throws IoError io.write_failed naming `path`.
void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path);

}  // namespace sipas::io::detail
