#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace sipas::io {

struct CsvWriterOptions {
  char delimiter = ',';
  bool crlf = false;  // end rows with CRLF (RFC 4180) instead of LF
  bool bom = false;   // start with a UTF-8 BOM (Excel then reads the file as UTF-8)
};

// Appends one CSV row to `out`, quoted as CsvWriter quotes (below): for CSV
// that goes somewhere other than a file (an HTTP body).
void append_csv_row(std::string& out, std::span<const std::string_view> fields,
                    const CsvWriterOptions& options = {});

// Writes a CSV file atomically: rows go through a 1 MiB buffer to a temporary
// file beside the target; commit() flushes it, fsyncs it and renames it over
// the target. Until commit() succeeds the target is untouched, and the
// destructor removes the temporary, so a failed run leaves nothing behind.
//
// A field is quoted only when it must be: when it contains the delimiter, a
// quote, CR or LF, or starts or ends with a space or a tab (which readers that
// trim, libcsv's default among them, would lose). A row of one empty field is
// written as "" so that it does not read back as a blank line.
//
// Errors are IoError io.write_failed naming the target. Move-only; not safe
// to use from two threads at once.
class CsvWriter {
 public:
  explicit CsvWriter(const std::filesystem::path& path, CsvWriterOptions options = {});
  CsvWriter(CsvWriter&& other) noexcept;
  CsvWriter& operator=(CsvWriter&& other) noexcept;
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  ~CsvWriter();

  void write_row(std::span<const std::string_view> fields);
  void write_row(std::initializer_list<std::string_view> fields);
  // Makes the file appear at the target, complete. Nothing may be written after.
  void commit();

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t rows_written() const { return rows_; }

 private:
  void flush();
  void discard() noexcept;

  std::filesystem::path path_;
  std::filesystem::path temporary_;
  CsvWriterOptions options_;
  int fd_ = -1;  // open while rows may be written
  std::string buffer_;
  std::uint64_t rows_ = 0;
};

}  // namespace sipas::io
