#include "io/csv_reader.hpp"

#include <csv.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <stdexcept>
#include <unordered_map>

#include "io/posix_file.hpp"
#include "io/sha256.hpp"
#include "io/utf8.hpp"

namespace sipas::io {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t read_block_bytes = std::size_t{1} << 20;
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
// libcsv grows its field buffer by a fixed step (128 bytes by default, so a
// 1 MiB field would cost 8,192 reallocations); 64 KiB keeps that to 16.
constexpr std::size_t libcsv_growth_bytes = std::size_t{64} << 10;
// Columns listed in a csv.missing_column message before "and N more".
constexpr std::size_t listed_columns = 30;

// libcsv trims spaces and tabs around unquoted fields unless told that no
// character is a space. RFC 4180: "Spaces are considered part of a field".
int no_spaces(unsigned char) {
  return 0;
}

bool is_ascii(std::string_view text) {
  unsigned char seen = 0;
  for (char c : text)
    seen |= static_cast<unsigned char>(c);
  return seen < 0x80;
}

bool has_line_break(std::string_view text) {
  return std::memchr(text.data(), '\n', text.size()) != nullptr ||
         std::memchr(text.data(), '\r', text.size()) != nullptr;
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// How many bytes at the end of `text` start a UTF-8 sequence that the next
// block may complete (0 when it ends on a boundary, or on bytes that no next
// block can make valid: validation will reject those).
std::size_t incomplete_tail(std::string_view text) {
  for (std::size_t k = 1; k <= 3 && k <= text.size(); ++k) {
    auto c = static_cast<unsigned char>(text[text.size() - k]);
    if (is_continuation(static_cast<char>(c))) continue;
    if (c < 0xC0) return 0;
    std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    return length > k ? k : 0;
  }
  return 0;
}

// Line breaks are LF, CRLF and a lone CR, as libcsv ends records on each.
std::size_t count_line_breaks(std::string_view text) {
  if (!has_line_break(text)) return 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++count;
    } else if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) {
      ++count;
    }
  }
  return count;
}

// Owns libcsv's parser state (its field buffer), also when a constructor throws.
struct Parser {
  csv_parser state{};
  explicit Parser(unsigned char options) { csv_init(&state, options); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser() { csv_free(&state); }
};

}  // namespace

class CsvReader::Impl {
 public:
  Impl(const fs::path& path, CsvOptions options);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() = default;

  bool next();

  const std::vector<std::string>& header() const { return header_; }
  std::optional<std::size_t> column(std::string_view name) const;
  std::size_t require_column(std::string_view name) const;
  std::span<const std::string_view> fields() const { return current_; }
  std::string_view field(std::size_t column) const;
  std::size_t line() const { return current_line_; }
  std::size_t record() const { return record_number_; }
  const std::string& source() const { return source_; }
  std::string where() const { return at(current_line_); }
  std::string sha256() const { return hash_.hex_digest(); }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  static void on_field(void* data, std::size_t size, void* self) {
    static_cast<Impl*>(self)->add_field(static_cast<const char*>(data), size);
  }
  static void on_row(int terminator, void* self) { static_cast<Impl*>(self)->end_row(terminator); }

  void add_field(const char* data, std::size_t size);
  void end_row(int terminator);
  void finish_header(std::size_t header_line);
  void read_block();
  void check_utf8(std::string_view data);
  void compact();

  std::string at(std::size_t line) const { return source_ + ":" + std::to_string(line); }
  std::string describe_field(std::size_t index) const;
  std::string_view stored_field(std::size_t index) const {
    return {arena_.data() + bounds_[index], bounds_[index + 1] - bounds_[index]};
  }
  // The line where field `index` of the record in progress starts, given the
  // line the record starts on (the fields before it are in the arena).
  std::size_t field_line(std::size_t start_line, std::size_t index) const;
  void fail(const char* id, std::string message) {
    if (!pending_) pending_.emplace(id, std::move(message));
  }

  fs::path path_;
  std::string source_;
  CsvOptions options_;
  detail::FileDescriptor fd_;
  std::unique_ptr<char[]> block_;
  Sha256 hash_;
  std::uint64_t bytes_read_ = 0;
  // Strict: a quote inside an unquoted field, or text after a closing quote,
  // is an error, and so is a quoted field still open at the end (STRICT_FINI).
  // REPALL_NL reports every line break outside a field, which is how blank
  // lines are counted in line numbers; they make no record. No APPEND_NULL:
  // fields are taken by length.
  Parser parser_{CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL};
  bool end_of_input_ = false;

  // UTF-8 is checked on whole blocks (see check_utf8); only once a block
  // fails are fields checked one by one, to name the record and column.
  bool check_fields_ = false;
  std::array<char, 3> utf8_carry_{};  // a sequence cut by the block's end
  std::size_t utf8_carry_size_ = 0;

  std::vector<std::string> header_;
  std::unordered_map<std::string_view, std::size_t> columns_;
  std::size_t width_ = 0;
  bool in_header_ = true;

  // Records libcsv has completed but next() has not delivered yet, and the
  // fields of the record in progress after them. libcsv cannot be paused
  // inside a block, so a block's records are kept here (bounded by the block
  // size) and handed out one by one. Field i is arena_[bounds_[i],
  // bounds_[i + 1]); data record r is fields [r * width_, (r + 1) * width_).
  std::string arena_;
  std::vector<std::size_t> bounds_{0};
  std::vector<std::size_t> record_lines_;
  std::size_t cursor_ = 0;
  std::size_t partial_first_ = 0;    // the record in progress: its first field
  std::size_t partial_fields_ = 0;   // and its field count (kept or not)
  std::size_t line_ = 1;             // the line the next record starts on
  bool after_cr_ = false;            // the last thing libcsv saw was a CR
  std::optional<CsvError> pending_;  // thrown once the records before it are out

  std::vector<std::string_view> current_;
  std::size_t current_line_ = 1;
  std::size_t record_number_ = 0;
};

CsvReader::Impl::Impl(const fs::path& path, CsvOptions options)
    : path_(path), source_(path.filename().string()), options_(options) {
  const auto delimiter = static_cast<unsigned char>(options_.delimiter);
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter >= 0x80) {
    throw std::invalid_argument(
        "CsvReader: the delimiter must be an ASCII character other than a quote or a line break");
  }
  if (options_.max_fields == 0) throw std::invalid_argument("CsvReader: max_fields is 0");
  fd_ = detail::open_for_reading(path);
  block_ = std::make_unique_for_overwrite<char[]>(read_block_bytes);
  csv_set_delim(&parser_.state, static_cast<unsigned char>(options_.delimiter));
  csv_set_space_func(&parser_.state, no_spaces);
  csv_set_blk_size(&parser_.state, libcsv_growth_bytes);

  while (in_header_ && !pending_ && !end_of_input_)
    read_block();
  // An error after the header waits for next(): the records before it come first.
  if (in_header_ && pending_) throw *pending_;
  if (in_header_) throw CsvError("csv.empty", source_ + ": empty file: no header row");
}

void CsvReader::Impl::add_field(const char* data, std::size_t size) {
  if (pending_) return;
  after_cr_ = false;
  std::size_t index = partial_fields_++;
  if (in_header_) {
    if (index >= options_.max_fields) {
      return fail("csv.too_long", at(field_line(line_, index)) + ": the header has more than " +
                                      std::to_string(options_.max_fields) + " fields");
    }
    // Column names are short: a header is held to the limit of one field, so
    // that max_fields long names cannot take max_fields times that memory.
    if (arena_.size() + size > options_.max_field_bytes) {
      return fail("csv.too_long", at(field_line(line_, index)) + ": the header is longer than " +
                                      std::to_string(options_.max_field_bytes) + " bytes");
    }
  } else if (index >= width_) {
    return;  // counted only; end_row reports the count
  }
  if (size > options_.max_field_bytes) {
    return fail("csv.too_long", at(field_line(line_, index)) + ": " + describe_field(index) +
                                    " is longer than " + std::to_string(options_.max_field_bytes) +
                                    " bytes");
  }
  arena_.append(data, size);
  bounds_.push_back(arena_.size());
}

void CsvReader::Impl::end_row(int terminator) {
  if (pending_) return;
  if (partial_fields_ == 0) {
    // A line break outside any record: a blank line, or the LF of a CRLF.
    if (!(terminator == '\n' && after_cr_)) ++line_;
    after_cr_ = terminator == '\r';
    return;
  }
  std::size_t start_line = line_;
  std::size_t kept = bounds_.size() - 1 - partial_first_;
  std::string_view bytes(arena_.data() + bounds_[partial_first_],
                         arena_.size() - bounds_[partial_first_]);
  if (has_line_break(bytes)) {
    // Per field: a CR ending one field and an LF starting the next are two breaks.
    for (std::size_t i = 0; i < kept; ++i)
      line_ += count_line_breaks(stored_field(partial_first_ + i));
  }
  if (terminator == '\n' || terminator == '\r') ++line_;
  after_cr_ = terminator == '\r';

  if (in_header_) return finish_header(start_line);
  if (partial_fields_ != width_) {
    return fail("csv.field_count", at(start_line) + ": expected " + std::to_string(width_) +
                                       " fields, found " + std::to_string(partial_fields_));
  }
  if (check_fields_ && !is_ascii(bytes)) {
    for (std::size_t i = 0; i < width_; ++i) {
      if (!is_valid_utf8(stored_field(partial_first_ + i))) {
        return fail("csv.invalid_utf8", at(field_line(start_line, i)) + ": " + describe_field(i) +
                                            " is not valid UTF-8");
      }
    }
  }
  record_lines_.push_back(start_line);
  partial_first_ = bounds_.size() - 1;
  partial_fields_ = 0;
}

void CsvReader::Impl::finish_header(std::size_t header_line) {
  header_.reserve(partial_fields_);
  for (std::size_t i = 0; i < partial_fields_; ++i) {
    auto name = stored_field(i);
    if (!is_valid_utf8(name)) {
      return fail("csv.invalid_utf8", at(field_line(header_line, i)) + ": header field " +
                                          std::to_string(i + 1) + " is not valid UTF-8");
    }
    header_.emplace_back(name);
  }
  // header_ is complete and never changes again, so views of its strings stay valid.
  columns_.reserve(header_.size());
  for (std::size_t i = 0; i < header_.size(); ++i) {
    auto [it, inserted] = columns_.emplace(header_[i], i);
    if (!inserted) {
      return fail("csv.duplicate_column", at(header_line) + ": duplicate column '" + header_[i] +
                                              "' (fields " + std::to_string(it->second + 1) +
                                              " and " + std::to_string(i + 1) + ")");
    }
  }
  width_ = header_.size();
  in_header_ = false;
  current_line_ = header_line;
  current_.resize(width_);
  arena_.clear();
  bounds_.assign(1, 0);
  partial_first_ = 0;
  partial_fields_ = 0;
}

std::size_t CsvReader::Impl::field_line(std::size_t start_line, std::size_t index) const {
  std::size_t line = start_line;
  std::size_t stored = std::min(index, bounds_.size() - 1 - partial_first_);
  for (std::size_t i = 0; i < stored; ++i)
    line += count_line_breaks(stored_field(partial_first_ + i));
  return line;
}

std::string CsvReader::Impl::describe_field(std::size_t index) const {
  if (!in_header_ && index < width_) return "column '" + header_[index] + "'";
  return (in_header_ ? "header field " : "field ") + std::to_string(index + 1);
}

// Drops the records next() has handed out, keeping the record in progress.
void CsvReader::Impl::compact() {
  std::size_t keep_from = bounds_[partial_first_];
  if (keep_from > 0) {
    arena_.erase(0, keep_from);
    bounds_.erase(bounds_.begin(), bounds_.begin() + static_cast<std::ptrdiff_t>(partial_first_));
    for (auto& bound : bounds_)
      bound -= keep_from;
  }
  partial_first_ = 0;
  record_lines_.clear();
  cursor_ = 0;
}

// Reads one block, hashes it and runs libcsv over it; at the end of the file,
// ends the last record. Errors found on the way wait in pending_.
void CsvReader::Impl::read_block() {
  compact();
  std::size_t size = detail::read_full(fd_.get(), block_.get(), read_block_bytes, path_);
  std::string_view data(block_.get(), size);
  hash_.update(data);
  if (bytes_read_ == 0 && data.starts_with(utf8_bom)) data.remove_prefix(utf8_bom.size());
  bytes_read_ += size;

  if (!check_fields_) check_utf8(data);
  if (!data.empty()) {
    std::size_t parsed =
        csv_parse(&parser_.state, data.data(), data.size(), on_field, on_row, this);
    if (pending_) return;
    std::size_t index = partial_fields_;
    std::string_view entry(reinterpret_cast<const char*>(parser_.state.entry_buf),
                           parser_.state.entry_pos);
    if (parsed < data.size()) {
      switch (csv_error(&parser_.state)) {
        case CSV_EPARSE:
          // The character at data[parsed] broke the quoting: a quote inside an
          // unquoted field, or something other than a delimiter or line break
          // after a closing quote.
          return fail("csv.malformed",
                      at(field_line(line_, index) + count_line_breaks(entry)) + ": " +
                          describe_field(index) +
                          (parser_.state.quoted != 0
                               ? ": text after the closing quote (a quote inside a quoted field is "
                                 "written twice: \"\")"
                               : ": a quote inside an unquoted field (quote the whole field and "
                                 "write the inner quote twice: \"\")"));
        case CSV_ENOMEM:
          throw std::bad_alloc();
        default:
          return fail("csv.too_long",
                      at(field_line(line_, index)) + ": " + describe_field(index) + " is too long");
      }
    }
    // A field still open at the end of the block: its buffer holds it (plus
    // perhaps the closing quote), and it must not grow without limit.
    if (entry.size() > options_.max_field_bytes + 1) {
      return fail("csv.too_long", at(field_line(line_, index)) + ": " + describe_field(index) +
                                      " is longer than " +
                                      std::to_string(options_.max_field_bytes) + " bytes");
    }
  }
  if (size < read_block_bytes) {
    if (utf8_carry_size_ > 0) check_fields_ = true;  // the file ends inside a sequence
    std::size_t index = partial_fields_;
    if (csv_fini(&parser_.state, on_field, on_row, this) != 0) {
      fail("csv.malformed", at(field_line(line_, index)) + ": " + describe_field(index) +
                                " opens a quote that is never closed");
    }
    end_of_input_ = true;
    fd_ = detail::FileDescriptor();
  }
}

// Checks a block's bytes as UTF-8 before libcsv parses them. Every byte of a
// field comes from the file unchanged, and what libcsv drops (delimiters,
// quotes, line breaks) is ASCII, which never splits a UTF-8 sequence: so when
// the file's bytes are valid UTF-8, so is every field. That takes one fast
// pass over the block instead of one call per field. A sequence cut by the
// block's end is carried into the next block's check.
void CsvReader::Impl::check_utf8(std::string_view data) {
  if (utf8_carry_size_ > 0 || (!data.empty() && is_continuation(data.front()))) {
    std::array<char, 6> joined{};
    std::size_t size = utf8_carry_size_;
    std::copy_n(utf8_carry_.begin(), size, joined.begin());
    while (size < joined.size() && !data.empty() && is_continuation(data.front())) {
      joined[size++] = data.front();
      data.remove_prefix(1);
    }
    utf8_carry_size_ = 0;
    if (!is_valid_utf8({joined.data(), size})) {
      check_fields_ = true;
      return;
    }
  }
  std::size_t tail = incomplete_tail(data);
  if (!is_valid_utf8(data.substr(0, data.size() - tail))) {
    check_fields_ = true;
    return;
  }
  std::copy_n(data.end() - static_cast<std::ptrdiff_t>(tail), tail, utf8_carry_.begin());
  utf8_carry_size_ = tail;
}

bool CsvReader::Impl::next() {
  while (cursor_ == record_lines_.size()) {
    if (pending_) throw *pending_;
    if (end_of_input_) {
      current_.clear();
      return false;
    }
    read_block();
  }
  const std::size_t* bound = bounds_.data() + cursor_ * width_;
  for (std::size_t i = 0; i < width_; ++i)
    current_[i] = std::string_view(arena_.data() + bound[i], bound[i + 1] - bound[i]);
  current_line_ = record_lines_[cursor_];
  ++cursor_;
  ++record_number_;
  return true;
}

std::optional<std::size_t> CsvReader::Impl::column(std::string_view name) const {
  auto it = columns_.find(name);
  if (it == columns_.end()) return std::nullopt;
  return it->second;
}

std::size_t CsvReader::Impl::require_column(std::string_view name) const {
  if (auto index = column(name)) return *index;
  std::string listed;
  for (std::size_t i = 0; i < header_.size() && i < listed_columns; ++i) {
    if (i > 0) listed += ", ";
    listed += header_[i];
  }
  if (header_.size() > listed_columns) {
    listed += ", and " + std::to_string(header_.size() - listed_columns) + " more";
  }
  throw CsvError("csv.missing_column",
                 source_ + ": no column '" + std::string(name) + "' (columns: " + listed + ")");
}

std::string_view CsvReader::Impl::field(std::size_t column) const {
  if (column >= current_.size()) {
    throw std::out_of_range("CsvReader::field: column " + std::to_string(column) +
                            " of a record with " + std::to_string(current_.size()) + " fields");
  }
  return current_[column];
}

CsvReader::CsvReader(const fs::path& path, CsvOptions options)
    : impl_(std::make_unique<Impl>(path, options)) {}
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

const std::vector<std::string>& CsvReader::header() const {
  return impl_->header();
}
std::optional<std::size_t> CsvReader::column(std::string_view name) const {
  return impl_->column(name);
}
std::size_t CsvReader::require_column(std::string_view name) const {
  return impl_->require_column(name);
}
bool CsvReader::next() {
  return impl_->next();
}
std::span<const std::string_view> CsvReader::fields() const {
  return impl_->fields();
}
std::string_view CsvReader::field(std::size_t column) const {
  return impl_->field(column);
}
std::size_t CsvReader::line() const {
  return impl_->line();
}
std::size_t CsvReader::record() const {
  return impl_->record();
}
const std::string& CsvReader::source() const {
  return impl_->source();
}
std::string CsvReader::where() const {
  return impl_->where();
}
std::string CsvReader::sha256() const {
  return impl_->sha256();
}
std::uint64_t CsvReader::bytes_read() const {
  return impl_->bytes_read();
}

}  // namespace sipas::io
