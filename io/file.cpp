#include "io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace sipas::io {
namespace {

std::string describe_errno(int error) {
  return std::strerror(error);
}

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
  AtomicFile file(path, access);
  file.write(content);
  file.commit();
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
