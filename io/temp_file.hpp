#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>

namespace sipas::io {

// An anonymous temporary file, for data one run writes once and reads back
// in order (state that would not fit the memory budget). It has no name: it is
// opened with O_TMPFILE, or created and unlinked at once where the file system
// cannot do that, so nothing is left behind, even when the process is killed.
// Write, rewind(), then read: writes go through a 1 MiB buffer, reads go
// straight to the file (the caller reads in large pieces).
//
// Not safe to use from two threads at once. Move-only.
class TempFile {
 public:
  // In std::filesystem::temp_directory_path() ($TMPDIR, else /tmp), or in
  // `directory`. Throws IoError io.write_failed naming the directory.
  TempFile();
  explicit TempFile(const std::filesystem::path& directory);
  TempFile(TempFile&&) noexcept;
  TempFile& operator=(TempFile&&) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  // Appends `size` bytes. Throws IoError io.write_failed (a full disk), and
  // std::logic_error after rewind().
  void write(const void* data, std::size_t size) {
    if (size <= capacity_ - used_) {
      std::memcpy(buffer_.get() + used_, data, size);
      used_ += size;
    } else {
      write_through(data, size);
    }
  }
  // Flushes what was written, and reads from the start from now on.
  void rewind();
  // Reads up to `size` bytes; fewer only at the end (0 there). Throws IoError
  // io.read_failed.
  std::size_t read(void* data, std::size_t size);
  // Bytes written so far.
  std::uint64_t size() const { return written_ + used_; }

 private:
  void write_through(const void* data, std::size_t size);
  void flush();

  std::filesystem::path directory_;  // for messages
  int fd_ = -1;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;       // writing: bytes in the buffer
  std::uint64_t written_ = 0;  // writing: bytes in the file
  bool reading_ = false;
};

}  // namespace sipas::io
