#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/error.hpp"

namespace sipas::io {

// A CSV file is not well formed. Ids: csv.malformed, csv.field_count,
// csv.invalid_utf8, csv.too_long, csv.missing_column, csv.empty,
// csv.duplicate_column. The message starts with "name.csv:LINE: ".
class CsvError : public Error {
 public:
  using Error::Error;
};

struct CsvOptions {
  char delimiter = ',';  // ASCII, and neither a quote nor a line break
  // Limits set where the data enters, so that a hostile file cannot exhaust
  // memory: a field, and the whole header, at most max_field_bytes; a header
  // at most max_fields columns (a data record has exactly the header's).
  // Breaking one is CsvError csv.too_long.
  std::size_t max_field_bytes = std::size_t{1} << 20;
  std::size_t max_fields = 10000;
  // Parse on a second thread, started after the header, while the caller's
  // thread hashes the bytes, checks them as UTF-8 and takes the records: for
  // long files on a machine with a core to spare. The records, errors, lines
  // and hash are the same either way; the parser reads at most a few blocks
  // ahead of the caller (memory stays bounded).
  bool parse_in_background = false;
  // Take off the apostrophe that a formula-guarding writer put in front of a
  // cell (formula_guard.hpp: restore_formula_guarded), in the header and in
  // every field, so that a file CsvWriter wrote reads back as it was given.
  // Only cells that begin with an apostrophe followed by = + - @ TAB or CR
  // (after any further apostrophes) change. False reads the bytes as they are.
  bool restore_neutralised = true;
};

// Where a data record starts, enough to read the file again from there
// (CsvReader::seek): the byte offset of its first byte (a BOM counts), the
// physical line it starts on, and its 1-based record number.
struct CsvPosition {
  std::uint64_t offset = 0;
  std::size_t line = 0;
  std::size_t record = 0;
  bool operator==(const CsvPosition&) const = default;
};

// Streams a CSV file (RFC 4180: a header row, quoted fields with delimiters,
// doubled quotes and line breaks; LF or CRLF; an optional UTF-8 BOM) on
// libcsv, in strict mode. Memory stays bounded by one read block (1 MiB) plus
// one record, whatever the file size. Every field is checked to be UTF-8 and
// every record to have as many fields as the header. Spaces around unquoted
// fields are data, as RFC 4180 says (libcsv's default of trimming them is
// turned off).
//
// The bytes are hashed with SHA-256 as they are read, so an audit record of
// the input costs no second pass.
//
// Every record knows where it starts (position()), and seek() goes back to
// such a position, so a caller can read a few records again without parsing
// the whole file a second time.
//
// Not safe to use from two threads at once (with parse_in_background, the
// reader's own thread only parses, and is stopped by seek() and the
// destructor). Move-only.
class CsvReader {
 public:
  // Opens `path` and reads the header. Throws IoError (io.not_found,
  // io.is_directory, io.read_failed) or CsvError.
  explicit CsvReader(const std::filesystem::path& path, CsvOptions options = {});
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;
  ~CsvReader();

  const std::vector<std::string>& header() const;
  std::optional<std::size_t> column(std::string_view name) const;
  // Throws CsvError csv.missing_column:
  // "frame.csv: no column 'district' (columns: id, stratum, ...)".
  std::size_t require_column(std::string_view name) const;

  // Moves to the next data record; false at the end of the file. Blank lines
  // are skipped. Throws CsvError when the next record is not well formed (the
  // records before it are all delivered first), and IoError on a read error.
  bool next();
  // The current record's fields, one per column. Valid until the next call to
  // next().
  std::span<const std::string_view> fields() const;
  std::string_view field(std::size_t column) const;

  // 1-based physical line where the current record starts (the header's line
  // before the first next()). Line breaks inside quoted fields count: a line
  // break is LF, CRLF or a lone CR.
  std::size_t line() const;
  // 1-based number of the current data record (0 before the first next()).
  std::size_t record() const;
  // Where the current record starts: its first byte, line and number.
  CsvPosition position() const;
  // Reads on from `position`, which position() gave for a data record of this
  // same file: the next next() returns that record, with its line and number.
  // The header stays as read. The parser starts afresh there, with small reads
  // (a few KiB, growing), so reading a few records costs a few records; a
  // background parser is stopped first. Afterwards sha256() throws
  // std::logic_error: the bytes read are no longer the whole file in order.
  // Throws std::invalid_argument for a position with line or record 0, and
  // IoError when the file cannot be opened again.
  void seek(const CsvPosition& position);
  // The file name used in messages: the path's last component.
  const std::string& source() const;
  // "frame.csv:1042": where the current record starts.
  std::string where() const;

  // Lowercase hex SHA-256 of every byte read so far, BOM included; the whole
  // file's hash once next() has returned false. (With parse_in_background,
  // "read" means handed over to the caller's thread: the parser may be a few
  // blocks ahead.) Throws std::logic_error after seek().
  std::string sha256() const;
  std::uint64_t bytes_read() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// "id, stratum, district, and 12 more": the columns a file has, as a message
// about a missing column lists them (the first 30).
std::string list_columns(const std::vector<std::string>& names);

}  // namespace sipas::io
