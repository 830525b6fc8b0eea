#include "io/csv_fast_scan.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "io/csv_parser.hpp"
#include "io/formula_guard.hpp"
#include "io/posix_file.hpp"
#include "io/sha256.hpp"
#include "io/utf8.hpp"

namespace sipas::io {

namespace fs = std::filesystem;

// The hash and the UTF-8 check of the whole file, on a thread of their own
// while the records are split.
struct CsvFastScan::Hashing {
  std::thread thread;
  std::string digest;
  bool utf8 = false;
  std::exception_ptr error;
};

// Walks the bytes one field at a time, as CsvReader's libcsv in strict mode
// with spaces as data reads them.
struct CsvFastScan::Cursor {
  enum class End { Field, Record, File, Bad };

  const char* p;
  const char* end;
  char delimiter;
  std::size_t max_field_bytes;
  std::size_t line;
  std::array<bool, 256> stops{};  // bytes that end an unquoted field (or break it: a quote)

  Cursor(const char* begin, const char* stop, const CsvOptions& options, std::size_t first_line)
      : p(begin),
        end(stop),
        delimiter(options.delimiter),
        max_field_bytes(options.max_field_bytes),
        line(first_line) {
    for (char c : {delimiter, '\n', '\r', '"'})
      stops[static_cast<unsigned char>(c)] = true;
  }

  // Skips blank lines; false at the end of the file.
  bool at_record() {
    while (p < end && (*p == '\n' || *p == '\r')) {
      if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
      ++p;
      ++line;
    }
    return p < end;
  }

  // What follows a field: a delimiter, a line break or the end.
  End after_field() {
    if (p == end) return End::File;
    const char c = *p++;
    if (c == delimiter) return End::Field;
    if (c == '\n') {
      ++line;
      return End::Record;
    }
    if (c == '\r') {
      if (p < end && *p == '\n') ++p;
      ++line;
      return End::Record;
    }
    return End::Bad;  // text after a closing quote
  }

  // Reads one field into `field`. A quoted field with doubled quotes is
  // unescaped into `scratch` when `want` (else only its bounds matter).
  End next(std::string_view& field, std::string& scratch, bool want) {
    if (p < end && *p == '"') {
      const char* start = ++p;
      bool doubled = false;
      const char* close;
      for (;;) {
        close = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
        if (!close) return End::Bad;  // a quote never closed
        if (close + 1 < end && close[1] == '"') {
          doubled = true;
          p = close + 2;
          continue;
        }
        break;
      }
      const std::string_view raw(start, static_cast<std::size_t>(close - start));
      if (raw.size() > max_field_bytes) return End::Bad;
      line += detail::count_line_breaks(raw);
      if (doubled && want) {
        scratch.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
          scratch.push_back(raw[i]);
          if (raw[i] == '"') ++i;  // the second of a doubled quote
        }
        field = scratch;
      } else {
        field = raw;
      }
      p = close + 1;
      return after_field();
    }
    const char* start = p;
    while (p < end && !stops[static_cast<unsigned char>(*p)])
      ++p;
    if (p < end && *p == '"') return End::Bad;  // a quote inside an unquoted field
    field = std::string_view(start, static_cast<std::size_t>(p - start));
    if (field.size() > max_field_bytes) return End::Bad;
    return after_field();
  }
};

CsvFastScan::Buffer::Buffer(std::size_t capacity) : capacity_(capacity) {
  constexpr std::size_t huge_page = std::size_t{2} << 20;
  mapped_ = (capacity + huge_page - 1) / huge_page * huge_page;
  void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  ::madvise(p, mapped_, MADV_HUGEPAGE);  // a hint: without it, small pages
  data_ = static_cast<char*>(p);
}

CsvFastScan::Buffer::~Buffer() {
  ::munmap(data_, mapped_);
}

CsvFastScan::CsvFastScan(const fs::path& path, CsvOptions options)
    : source_(path.filename().string()), options_(options) {
  const auto delimiter = static_cast<unsigned char>(options_.delimiter);
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter >= 0x80) {
    throw std::invalid_argument(
        "CsvFastScan: the delimiter must be an ASCII character other than a quote or a line "
        "break");
  }
  auto fd = detail::open_for_reading(path);
  struct stat st {};
  std::size_t capacity = 1 << 16;
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0)
    capacity = static_cast<std::size_t>(st.st_size) + 1;
  bytes_ = std::make_unique<Buffer>(capacity);
  // One byte more than the size seen, so that a file that grew is read whole.
  for (;;) {
    size_ += detail::read_full(fd.get(), bytes_->get() + size_, capacity - size_, path);
    if (size_ < capacity) break;
    auto bigger = std::make_unique<Buffer>(capacity * 2);
    std::memcpy(bigger->get(), bytes_->get(), size_);
    bytes_ = std::move(bigger);
    capacity *= 2;
  }
  hashing_ = std::make_unique<Hashing>();
  hashing_->thread = std::thread([this] {
    try {
      const std::string_view all(bytes_->get(), size_);
      Sha256 hash;
      hash.update(all);
      hashing_->digest = hash.hex_digest();
      hashing_->utf8 = is_valid_utf8(all);
    } catch (...) {
      hashing_->error = std::current_exception();
    }
  });
  header_ok_ = read_header();
}

CsvFastScan::~CsvFastScan() {
  join_hash();
}

void CsvFastScan::join_hash() {
  if (hashing_ && hashing_->thread.joinable()) hashing_->thread.join();
}

bool CsvFastScan::read_header() {
  constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
  const std::string_view all(bytes_->get(), size_);
  const std::size_t skipped = all.starts_with(utf8_bom) ? utf8_bom.size() : 0;
  Cursor cursor(bytes_->get() + skipped, bytes_->get() + size_, options_, 1);
  if (!cursor.at_record()) return false;  // no header row
  std::string scratch;
  std::size_t bytes = 0;
  std::unordered_set<std::string_view> seen;
  for (;;) {
    std::string_view field;
    const auto ended = cursor.next(field, scratch, true);
    if (ended == Cursor::End::Bad) return false;
    if (header_.size() >= options_.max_fields) return false;
    bytes += field.size();
    if (bytes > options_.max_field_bytes) return false;
    header_.emplace_back(options_.restore_neutralised ? restore_formula_guarded(field) : field);
    if (ended != Cursor::End::Field) break;
  }
  header_.shrink_to_fit();
  for (const auto& name : header_) {
    if (!seen.insert(name).second) return false;  // a duplicate column
  }
  body_ = static_cast<std::size_t>(cursor.p - bytes_->get());
  header_line_end_ = cursor.line;
  return true;
}

std::size_t CsvFastScan::estimated_records() const {
  if (!header_ok_ || size_ == body_) return 0;
  // From the length of the first records: counting every line break would
  // cost a pass over the file.
  const char* begin = bytes_->get() + body_;
  const char* end = bytes_->get() + size_;
  const char* p = begin;
  std::size_t lines = 0;
  while (lines < 64 && p < end) {
    const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (!lf) break;
    p = static_cast<const char*>(lf) + 1;
    ++lines;
  }
  if (lines == 0 || p == begin) return 1;
  const double per_line = static_cast<double>(p - begin) / static_cast<double>(lines);
  return static_cast<std::size_t>(static_cast<double>(end - begin) / per_line * 1.05) + 1;
}

std::ptrdiff_t CsvFastScan::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

std::vector<CsvFastScan::Part> CsvFastScan::parts(std::size_t wanted) const {
  std::vector<Part> out;
  if (!header_ok_) return out;
  out.push_back({body_, size_});
  const char* data = bytes_->get();
  const std::size_t length = size_ - body_;
  // Small files, or any quote (a quoted field may hold a line break): one part.
  if (wanted < 2 || length < (std::size_t{1} << 20) ||
      std::memchr(data + body_, '"', length) != nullptr)
    return out;
  out.clear();
  std::size_t begin = body_;
  for (std::size_t k = 1; k < wanted; ++k) {
    std::size_t at = body_ + length * k / wanted;
    if (at <= begin) continue;
    // After the next line break, a CRLF taken whole.
    const void* lf = std::memchr(data + at, '\n', size_ - at);
    const void* cr = std::memchr(data + at, '\r', size_ - at);
    if (!lf && !cr) break;
    std::size_t cut = static_cast<std::size_t>(
        (lf && (!cr || lf < cr) ? static_cast<const char*>(lf) : static_cast<const char*>(cr)) -
        data);
    cut += (data[cut] == '\r' && cut + 1 < size_ && data[cut + 1] == '\n') ? 2 : 1;
    if (cut >= size_) break;
    out.push_back({begin, cut});
    begin = cut;
  }
  out.push_back({begin, size_});
  return out;
}

bool CsvFastScan::scan_part(const Part& part, std::size_t first_line,
                            std::span<const std::size_t> columns, Sink sink, void* context,
                            std::size_t* end_line) const {
  if (!header_ok_) return false;
  const std::size_t width = header_.size();
  // Per column of the file: its place among the chosen ones, or -1.
  std::vector<std::ptrdiff_t> slot(width, -1);
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (columns[k] >= width) throw std::out_of_range("CsvFastScan::scan: no such column");
    slot[columns[k]] = static_cast<std::ptrdiff_t>(k);
  }
  std::vector<std::string_view> fields(columns.size());
  std::vector<std::string> scratch(columns.size() + 1);
  Cursor cursor(bytes_->get() + part.begin, bytes_->get() + part.end, options_, first_line);
  const bool restore = options_.restore_neutralised;
  while (cursor.at_record()) {
    const std::size_t line = cursor.line;
    std::size_t index = 0;
    for (;;) {
      if (index >= width) return false;  // more fields than the header
      const std::ptrdiff_t k = slot[index];
      std::string_view field;
      const auto ended =
          cursor.next(field, scratch[k < 0 ? columns.size() : static_cast<std::size_t>(k)], k >= 0);
      if (ended == Cursor::End::Bad) return false;
      if (k >= 0) {
        if (restore && !field.empty() && field.front() == formula_guard)
          field = restore_formula_guarded(field);
        fields[static_cast<std::size_t>(k)] = field;
      }
      ++index;
      if (ended != Cursor::End::Field) break;
    }
    if (index != width) return false;  // fewer fields than the header
    sink(context, line, fields.data());
  }
  if (end_line) *end_line = cursor.line;
  return true;
}

bool CsvFastScan::finish() {
  join_hash();
  if (hashing_->error) std::rethrow_exception(hashing_->error);
  return hashing_->utf8;
}

bool CsvFastScan::scan(std::span<const std::size_t> columns, Sink sink, void* context) {
  const Part whole{body_, size_};
  return scan_part(whole, header_line_end_, columns, sink, context, nullptr) && finish();
}

std::string CsvFastScan::sha256() {
  join_hash();
  if (hashing_->error) std::rethrow_exception(hashing_->error);
  return hashing_->digest;
}

}  // namespace sipas::io
