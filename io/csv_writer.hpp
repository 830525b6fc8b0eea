#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "io/atomic_file.hpp"

namespace sipas::io {

struct CsvWriterOptions {
  char delimiter = ',';
  bool crlf = false;  // end rows with CRLF (RFC 4180) instead of LF
  bool bom = false;   // start with a UTF-8 BOM (Excel then reads the file as UTF-8)
  // Put an apostrophe in front of a cell that a spreadsheet would take for a
  // formula (formula_guard.hpp: = + - @ TAB CR first, numbers excepted).
  // False writes every cell's bytes as they are (`--raw-csv`, `raw=1`): for
  // tools that are not spreadsheets. CsvReader takes the apostrophe off again.
  bool neutralise_formulas = true;
  // CsvWriter only: the file's mode (atomic_file.hpp). Owner-only unless the
  // file holds no personal data.
  FileAccess access = FileAccess::owner_only;
};

// Appends one CSV row to `out`, quoted and guarded as CsvWriter does (below):
// for CSV that goes somewhere other than a file (an HTTP body).
void append_csv_row(std::string& out, std::span<const std::string_view> fields,
                    const CsvWriterOptions& options = {});

// Writes a CSV file atomically through an AtomicFile (atomic_file.hpp): rows
// go through a 1 MiB buffer to a temporary file beside the target, created
// with options.access's mode; commit() flushes it, fsyncs it and renames it
// over the target. Until commit() succeeds the target is untouched, and the
// destructor removes the temporary, so a failed run leaves nothing behind.
//
// A cell that a spreadsheet would run as a formula gets an apostrophe in
// front unless options.neutralise_formulas is false (formula_guard.hpp).
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
  CsvWriter(CsvWriter&& other) noexcept = default;
  CsvWriter& operator=(CsvWriter&& other) noexcept = default;
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  ~CsvWriter() = default;

  void write_row(std::span<const std::string_view> fields);
  void write_row(std::initializer_list<std::string_view> fields);
  // Makes the file appear at the target, complete. Nothing may be written after.
  void commit();

  const std::filesystem::path& path() const { return file_.target(); }
  std::uint64_t rows_written() const { return rows_; }

 private:
  void flush();

  AtomicFile file_;  // open while rows may be written
  CsvWriterOptions options_;
  std::string buffer_;
  std::uint64_t rows_ = 0;
};

}  // namespace sipas::io
