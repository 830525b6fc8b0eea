#include "io/csv_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <stdexcept>
#include <utility>

#include "io/file.hpp"
#include "io/posix_file.hpp"

namespace sipas::io {
namespace {

constexpr std::size_t buffer_bytes = std::size_t{1} << 20;

}  // namespace

CsvWriter::CsvWriter(const std::filesystem::path& path, CsvWriterOptions options)
    : path_(path), options_(options) {
  const char d = options_.delimiter;
  if (d == '"' || d == '\n' || d == '\r') {
    throw std::invalid_argument("CsvWriter: the delimiter cannot be a quote or a line break");
  }
  std::random_device entropy;
  temporary_ = path_;
  temporary_ += ".tmp-" + std::to_string(entropy());
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw IoError("io.write_failed",
                  path_.string() + ": cannot create: " + detail::describe_errno(errno));
  }
  buffer_.reserve(buffer_bytes + buffer_bytes / 4);
  if (options_.bom) buffer_ += "\xEF\xBB\xBF";
}

CsvWriter::CsvWriter(CsvWriter&& other) noexcept
    : path_(std::move(other.path_)),
      temporary_(std::move(other.temporary_)),
      options_(other.options_),
      fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      rows_(other.rows_) {}

CsvWriter& CsvWriter::operator=(CsvWriter&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    temporary_ = std::move(other.temporary_);
    options_ = other.options_;
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    rows_ = other.rows_;
  }
  return *this;
}

CsvWriter::~CsvWriter() {
  discard();
}

void CsvWriter::discard() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
  fd_ = -1;
}

void append_csv_row(std::string& out, std::span<const std::string_view> fields,
                    const CsvWriterOptions& options) {
  const char d = options.delimiter;
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"";
  } else {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(d);
      std::string_view field = fields[i];
      // A leading U+FEFF is quoted too: at the start of a file, a reader would
      // take it for a byte order mark and drop it.
      bool quote =
          !field.empty() && (field.front() == ' ' || field.front() == '\t' || field.back() == ' ' ||
                             field.back() == '\t' || field.starts_with("\xEF\xBB\xBF"));
      for (std::size_t k = 0; !quote && k < field.size(); ++k) {
        char c = field[k];
        quote = c == d || c == '"' || c == '\n' || c == '\r';
      }
      if (!quote) {
        out.append(field);
        continue;
      }
      out.push_back('"');
      for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
  }
  out += options.crlf ? "\r\n" : "\n";
}

void CsvWriter::write_row(std::span<const std::string_view> fields) {
  if (fd_ < 0) throw std::logic_error("CsvWriter: write_row after commit");
  append_csv_row(buffer_, fields, options_);
  ++rows_;
  if (buffer_.size() >= buffer_bytes) flush();
}

void CsvWriter::write_row(std::initializer_list<std::string_view> fields) {
  write_row(std::span<const std::string_view>(fields.begin(), fields.size()));
}

void CsvWriter::flush() {
  detail::write_all(fd_, buffer_.data(), buffer_.size(), path_);
  buffer_.clear();
}

void CsvWriter::commit() {
  if (fd_ < 0) throw std::logic_error("CsvWriter: commit called twice");
  flush();
  auto fail = [&](const char* what) {
    int error = errno;
    discard();
    throw IoError("io.write_failed",
                  path_.string() + ": " + what + ": " + detail::describe_errno(error));
  };
  if (::fsync(fd_) != 0) fail("fsync failed");
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temporary_.c_str());
    throw IoError("io.write_failed",
                  path_.string() + ": close failed: " + detail::describe_errno(error));
  }
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    int error = errno;
    ::unlink(temporary_.c_str());
    throw IoError("io.write_failed",
                  path_.string() + ": rename failed: " + detail::describe_errno(error));
  }
  // Make the rename itself durable. Best effort: some file systems refuse
  // fsync on a directory, and the file is complete either way.
  auto directory = path_.parent_path();
  if (directory.empty()) directory = ".";
  int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace sipas::io
