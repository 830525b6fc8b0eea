// CSV frames (io/csv_reader.hpp): any bytes read by CsvReader from a file,
// ending in records or a CsvError. Properties checked on every input:
// - parsing on a second thread gives the same records, lines, error and hash;
// - seek() to a record's position reads the same records from there;
// - the records written by CsvWriter read back the same, with the formula
//   guard (apostrophes put in and taken off again) and without it (raw bytes).
// - io::CsvFastScan (the analysis tables' reader) declines what CsvReader
//   refuses, and reads the same header, fields, lines and hash, or declines,
//   where CsvReader reads the file.
// A third reading with small limits and ';' exercises csv.too_long.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "io/csv_fast_scan.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/error.hpp"

namespace {

namespace io = sipas::io;
using sipas::fuzz::expect;

struct Record {
  std::vector<std::string> fields;
  io::CsvPosition position;
  bool operator==(const Record&) const = default;
};

struct Reading {
  std::vector<std::string> header;
  std::vector<Record> records;
  std::optional<std::string> error;  // id and message
  std::string sha256;                // when the whole file was read
  bool operator==(const Reading&) const = default;
};

Record current(const io::CsvReader& reader) {
  Record r;
  for (auto field : reader.fields())
    r.fields.emplace_back(field);
  r.position = reader.position();
  expect(r.fields.size() == reader.header().size(), "a record has the header's width");
  return r;
}

Reading read(const std::filesystem::path& path, io::CsvOptions options) {
  Reading out;
  try {
    io::CsvReader reader(path, options);
    out.header = reader.header();
    while (reader.next())
      out.records.push_back(current(reader));
    out.sha256 = reader.sha256();
  } catch (const io::CsvError& e) {
    out.error = e.id() + ": " + e.what();
  }
  return out;
}

// Reads from the position of record `from` to the end after seek().
void check_seek(const std::filesystem::path& path, const Reading& whole, std::size_t from) {
  io::CsvReader reader(path);
  expect(reader.next(), "the first record is there again");
  reader.seek(whole.records[from].position);
  for (std::size_t i = from; i < whole.records.size(); ++i) {
    expect(reader.next(), "seek() reads every record after the position");
    expect(current(reader) == whole.records[i], "seek() reads the same records");
  }
  try {
    expect(!reader.next(), "seek() reads no record past the end");
  } catch (const io::CsvError&) {
    expect(whole.error.has_value(), "seek() finds an error only where reading did");
  }
}

void check_rewrite(const Reading& whole, bool neutralise) {
  const auto path = sipas::fuzz::scratch().path() / "rewritten.csv";
  io::CsvOptions options;
  options.restore_neutralised = neutralise;
  {
    io::CsvWriterOptions writing;
    writing.neutralise_formulas = neutralise;
    io::CsvWriter writer(path, writing);
    std::vector<std::string_view> row(whole.header.begin(), whole.header.end());
    writer.write_row(row);
    for (const auto& record : whole.records) {
      row.assign(record.fields.begin(), record.fields.end());
      writer.write_row(row);
    }
    writer.commit();
  }
  const Reading again = read(path, options);
  expect(!again.error, "what CsvWriter writes reads without error");
  expect(again.header == whole.header, "the header reads back the same");
  expect(again.records.size() == whole.records.size(), "every record reads back");
  for (std::size_t i = 0; i < whole.records.size(); ++i)
    expect(again.records[i].fields == whole.records[i].fields, "a record reads back the same");
}

// The fast scan against CsvReader's reading of the same file and options.
void check_fast_scan(const std::filesystem::path& path, const io::CsvOptions& options,
                     const Reading& whole) {
  io::CsvFastScan scan(path, options);
  if (!scan.header_ok()) return;
  expect(whole.error || scan.header() == whole.header, "the fast scan reads the same header");
  struct Sink {
    std::vector<std::vector<std::string>> fields;
    std::vector<std::size_t> lines;
    std::size_t width;
  } sink{{}, {}, scan.header().size()};
  std::vector<std::size_t> all(scan.header().size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  const bool took = scan.scan(
      all,
      [](void* context, std::size_t line, const std::string_view* fields) {
        auto& s = *static_cast<Sink*>(context);
        s.lines.push_back(line);
        s.fields.emplace_back(fields, fields + s.width);
      },
      &sink);
  if (!took) return;
  expect(!whole.error, "the fast scan declines what CsvReader refuses");
  expect(sink.fields.size() == whole.records.size(), "the fast scan reads every record");
  for (std::size_t i = 0; i < whole.records.size(); ++i) {
    expect(sink.fields[i] == whole.records[i].fields, "the fast scan reads the same fields");
    expect(sink.lines[i] == whole.records[i].position.line, "the fast scan reads the same lines");
  }
  expect(scan.sha256() == whole.sha256, "the fast scan hashes the same bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = sipas::fuzz::scratch().write("frame.csv", sipas::fuzz::as_text(data, size));
  const Reading whole = read(path, {});
  io::CsvOptions background;
  background.parse_in_background = true;
  expect(read(path, background) == whole, "a background parser reads the same");
  check_fast_scan(path, {}, whole);
  if (!whole.records.empty()) {
    check_seek(path, whole, whole.records.size() / 2);
    if (!whole.error) check_rewrite(whole, true);
    io::CsvOptions raw;
    raw.restore_neutralised = false;
    const Reading bytes = read(path, raw);
    if (!bytes.error && !bytes.records.empty()) check_rewrite(bytes, false);
  }
  io::CsvOptions small;
  small.delimiter = ';';
  small.max_field_bytes = 16;
  small.max_fields = 4;
  check_fast_scan(path, small, read(path, small));
  return 0;
}
