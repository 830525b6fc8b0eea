#pragma once

// Internal to the io library: libcsv driven line by line over read blocks, for
// CsvReader. Not part of the public interface; <csv.h> stays in the .cpp.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/csv_reader.hpp"

namespace sipas::io::detail {

// Line breaks in `text`: LF, CRLF and a lone CR, as libcsv ends records on each.
std::size_t count_line_breaks(std::string_view text);

// One read block and the records completed while parsing it. libcsv cannot be
// paused inside what it is given, so records are kept here and handed out one
// by one. Field i is arena[bounds[i], bounds[i + 1]); complete record r is
// fields [r * width, (r + 1) * width); the fields of the record in progress
// follow from partial_first.
struct CsvBatch {
  // The block as read (for the reader's hash and UTF-8 check). `skipped`
  // leading bytes (a BOM) are hashed but not parsed; `last`: the file ends here.
  std::unique_ptr<char[]> bytes;
  std::size_t size = 0;
  std::size_t skipped = 0;
  bool last = false;

  std::string arena;
  std::vector<std::size_t> bounds{0};
  std::vector<std::size_t> lines;      // per complete record: its first line
  std::vector<std::uint64_t> offsets;  // per complete record: its first byte
  std::size_t partial_first = 0;       // the record in progress: first field
  std::size_t partial_fields = 0;      // and its field count (kept or not)
  std::optional<CsvError> error;       // after the complete records
  std::exception_ptr exception;        // an IoError or bad_alloc, after them
  bool end = false;                    // the file ends after the complete records

  std::size_t records() const { return lines.size(); }
  std::string_view field(std::size_t index) const {
    return {arena.data() + bounds[index], bounds[index + 1] - bounds[index]};
  }
  // Drops the complete records (all handed out), keeping the one in progress.
  void drop_records();
  // Empties this batch and moves `previous`'s record in progress into it.
  void continue_from(const CsvBatch& previous);
};

// Parses blocks of one CSV file with libcsv, in strict mode, one line at a
// time: a record can only end at a line break, so feeding libcsv up to each
// line break tells where every record starts (CsvPosition) and lets a caller
// stop after one record. Counts physical lines, checks field counts and
// limits, and reads the header. UTF-8 is the reader's job (it checks blocks).
//
// One thread at a time; once the header is read, header(), column() and
// describe_field() only read, and may be called from another thread.
class CsvParser {
 public:
  CsvParser(std::string source, CsvOptions options);
  CsvParser(const CsvParser&) = delete;
  CsvParser& operator=(const CsvParser&) = delete;
  ~CsvParser();

  // Starts on the block in `batch` (bytes and size set; `offset`: the file
  // offset of its first byte; `last` when the file ends with it).
  void open_block(CsvBatch& batch, std::uint64_t offset, bool last);
  // Parses the open block into `batch` (which holds the record in progress):
  // all of it, or only until one more record is complete. At the end of the
  // last block, ends the last record. Errors go to batch.error, and parsing
  // stops there for good.
  void parse(CsvBatch& batch, bool until_record);
  // The open block is parsed to its end (true, too, when none is open).
  bool block_done() const { return block_done_; }
  bool finished() const { return finished_; }
  bool failed() const { return failed_; }
  // Starts afresh at a record that starts at byte `offset` on `line`, with the
  // header already known.
  void restart(std::uint64_t offset, std::size_t line);

  bool in_header() const { return in_header_; }
  const std::vector<std::string>& header() const { return header_; }
  std::optional<std::size_t> column(std::string_view name) const;
  std::size_t width() const { return width_; }
  std::size_t header_line() const { return header_line_; }
  const std::string& source() const { return source_; }
  std::string at(std::size_t line) const { return source_ + ":" + std::to_string(line); }
  // "column 'name'", or "header field 3", for messages.
  std::string describe_field(std::size_t index) const;

 private:
  struct Libcsv;
  static void on_field(void* data, std::size_t size, void* self);
  static void on_row(int terminator, void* self);
  void add_field(const char* data, std::size_t size);
  void end_row(int terminator);
  void finish_header(std::size_t line);
  void finish_block();
  std::size_t chunk_end();
  std::size_t field_line(std::size_t start_line, std::size_t index) const;
  void fail(const char* id, std::string message);

  std::string source_;
  CsvOptions options_;
  std::unique_ptr<Libcsv> libcsv_;

  // The open block (the bytes after any BOM) and how far it is parsed.
  CsvBatch* batch_ = nullptr;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::uint64_t offset_ = 0;  // file offset of data_[0]
  bool last_ = false;
  bool block_done_ = true;
  std::size_t next_lf_ = 0, next_cr_ = 0;  // the next line breaks at or after pos_
  // Spaces and tabs that libcsv's own space test might treat differently from
  // "spaces are data" (see the .cpp); ends with a sentinel.
  std::vector<std::uint32_t> edge_spaces_;
  std::size_t next_edge_space_ = 0;

  std::size_t line_ = 1;           // the line the next record starts on
  std::uint64_t row_start_ = 0;    // the byte the next record starts at or after
  bool row_ended_ = false;         // libcsv ended a row in the last chunk
  bool row_spans_chunks_ = false;  // the record in progress began in an earlier chunk
  bool after_cr_ = false;          // the last thing libcsv saw was a CR
  bool failed_ = false;
  bool finished_ = false;

  std::vector<std::string> header_;
  std::unordered_map<std::string_view, std::size_t> columns_;
  std::size_t width_ = 0;
  std::size_t header_line_ = 1;
  bool in_header_ = true;
};

}  // namespace sipas::io::detail
