#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/csv_reader.hpp"

namespace sipas::io {

// The fast way to load chosen columns of a whole CSV file into memory (the
// analysis tables): the file is read at once, hashed with SHA-256 on a second
// thread, checked as UTF-8, and split into records in one pass over its
// bytes, handing the fields of the chosen columns to a sink as views: no
// allocation per field, no copy of a field that needs no unescaping.
//
// It takes only what it reads exactly as CsvReader does: RFC 4180 records
// (quoted fields with doubled quotes, delimiters and line breaks; LF, CRLF or
// a lone CR; blank lines skipped; an optional UTF-8 BOM; spaces are data), the
// formula guard taken off as CsvOptions::restore_neutralised says. Anything
// else (a quote out of place, a quote never closed, a record with the wrong
// number of fields, bytes that are not UTF-8, a field or header over the
// limits, a duplicate column, no header) stops it: header_ok() or scan()
// says false, and the caller reads the file with CsvReader, which names the
// problem and its line as every other command does. So both readers give the
// same records, lines and errors by construction; tests compare them.
//
// Memory: the file's size, plus a field's worth for unescaped fields.
class CsvFastScan {
 public:
  // Reads the whole file and its header. Throws IoError (io.not_found,
  // io.is_directory, io.read_failed) as CsvReader does.
  explicit CsvFastScan(const std::filesystem::path& path, CsvOptions options = {});
  CsvFastScan(const CsvFastScan&) = delete;
  CsvFastScan& operator=(const CsvFastScan&) = delete;
  ~CsvFastScan();

  // False when the header is not one the fast scan takes (see above).
  bool header_ok() const { return header_ok_; }
  const std::vector<std::string>& header() const { return header_; }
  // The index of a column of the header, or -1.
  std::ptrdiff_t column(std::string_view name) const;
  // The file name used in messages: the path's last component.
  const std::string& source() const { return source_; }

  // Called for each data record with its 1-based starting line and the
  // fields of the chosen columns, in the order asked for (valid only during
  // the call).
  using Sink = void (*)(void* context, std::size_t line, const std::string_view* fields);
  // Hands every data record to `sink`, once. Returns false at the first
  // thing the fast scan does not take; the records handed out before it are
  // then to be dropped. `columns` are indices into the header.
  bool scan(std::span<const std::size_t> columns, Sink sink, void* context);

  // The records split into `wanted` parts (or fewer) at record boundaries,
  // to be scanned at once on several threads: only where a line break always
  // ends a record, in a file without quotes (else one part: the whole).
  struct Part {
    std::size_t begin = 0, end = 0;  // byte offsets in the file
  };
  std::vector<Part> parts(std::size_t wanted) const;
  // Scans one part as scan() does, the records' lines counted from
  // `first_line` (a later part does not know its first line until the parts
  // before it are scanned: count from 1 and shift afterwards). `end_line`
  // gets the line after the part's last. Safe to call for different parts
  // from different threads at once; the UTF-8 check of the whole file is
  // finish()'s.
  bool scan_part(const Part& part, std::size_t first_line, std::span<const std::size_t> columns,
                 Sink sink, void* context, std::size_t* end_line) const;
  // After scanning parts: false when the file is not UTF-8 (the records are
  // then to be dropped).
  bool finish();
  // The line the first data record after the header is counted from.
  std::size_t first_line() const { return header_line_end_; }

  // About how many data records there are (the line breaks after the
  // header), for reserving memory; exact for a file without quoted line
  // breaks or blank lines.
  std::size_t estimated_records() const;

  // Lowercase hex SHA-256 of the file's bytes (waits for the hashing thread).
  std::string sha256();
  std::uint64_t size() const { return size_; }

 private:
  struct Cursor;
  bool read_header();
  void join_hash();

  // Anonymous memory for the file, asked for in huge pages where the kernel
  // gives them: reading 70 MB into small pages costs tens of thousands of
  // page faults.
  class Buffer {
   public:
    explicit Buffer(std::size_t capacity);
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();
    char* get() const { return data_; }
    std::size_t capacity() const { return capacity_; }

   private:
    char* data_ = nullptr;
    std::size_t capacity_ = 0, mapped_ = 0;
  };

  std::string source_;
  CsvOptions options_;
  std::unique_ptr<Buffer> bytes_;
  std::size_t size_ = 0;
  std::size_t body_ = 0;  // where the records start (after the BOM and the header)
  std::size_t header_line_end_ = 1;
  bool header_ok_ = false;
  std::vector<std::string> header_;
  struct Hashing;
  std::unique_ptr<Hashing> hashing_;
};

}  // namespace sipas::io
