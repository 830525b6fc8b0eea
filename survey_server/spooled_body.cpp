// Request bodies streamed to an anonymous temporary file.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/error.hpp"
#include "survey_server/http_types.hpp"

namespace sipas::survey_server {

SpooledBody::SpooledBody() {
  std::error_code ec;
  auto directory = std::filesystem::temp_directory_path(ec);
  if (ec) directory = "/tmp";
  // No name, so an upload (personal data) never outlives the process, even
  // when it is killed; 0600 whatever the umask.
  fd_ = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd_ < 0) {
    // File systems without O_TMPFILE: create, then unlink at once.
    std::string pattern = (directory / "sipas-upload-XXXXXX").string();
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ >= 0) ::unlink(pattern.c_str());
  }
  if (fd_ < 0) {
    throw Error("server.spool_failed", "cannot create a temporary file in " + directory.string() +
                                           ": " + std::strerror(errno));
  }
  ::fchmod(fd_, S_IRUSR | S_IWUSR);
}

SpooledBody::~SpooledBody() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SpooledBody::path() const {
  return "/proc/self/fd/" + std::to_string(fd_);
}

std::uint64_t SpooledBody::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace sipas::survey_server
