#include "io/csv_parser.hpp"

#include <csv.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

#include "io/formula_guard.hpp"
#include "io/utf8.hpp"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace sipas::io::detail {
namespace {

// libcsv grows its field buffer by a fixed step (128 bytes by default, so a
// 1 MiB field would cost 8,192 reallocations); 64 KiB keeps that to 16.
constexpr std::size_t libcsv_growth_bytes = std::size_t{64} << 10;
constexpr std::uint32_t no_more_spaces = UINT32_MAX;

// libcsv trims spaces and tabs around unquoted fields unless told that no
// character is a space. RFC 4180: "Spaces are considered part of a field".
int no_spaces(unsigned char) {
  return 0;
}

bool has_line_break(std::string_view text) {
  return std::memchr(text.data(), '\n', text.size()) != nullptr ||
         std::memchr(text.data(), '\r', text.size()) != nullptr;
}

std::size_t find_byte(const char* data, std::size_t from, std::size_t size, char byte) {
  const void* found = std::memchr(data + from, byte, size - from);
  return found ? static_cast<std::size_t>(static_cast<const char*>(found) - data) : size;
}

// Why the space function matters, and when it does not. Calling no_spaces
// once per character costs about a quarter of libcsv's time; without a space
// function libcsv tests `c == ' ' || c == '\t'` inline. In libcsv 3.0.3 the
// answer only changes what happens to a space or tab (1) at the start of a
// field, where the default skips it; (2) at the end of an unquoted field (just
// before a delimiter, a line break or the end of the input), where the default
// trims it; (3) right after a quote, where the default allows spaces after a
// closing quote and we call that text after the quote. Everywhere else (inside
// a field, between other characters) both count it as data. So each line is
// given to libcsv without a space function unless it holds a space or tab next
// to a delimiter, a quote, a line break or either end of the block: the
// records are exactly those of no_spaces, at the inline test's speed. These
// are the positions of such spaces in `data`.
void find_edge_spaces(const char* data, std::size_t size, char delimiter,
                      std::vector<std::uint32_t>& out) {
  out.clear();
  const auto is_edge = [delimiter](char c) {
    return c == delimiter || c == '"' || c == '\n' || c == '\r';
  };
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
#ifdef __SSE2__
  // 64 bytes at a time: bit masks of spaces and of edges, and a space is kept
  // when the edge mask shifted by one either way has its bit.
  const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
  const __m128i delim = _mm_set1_epi8(delimiter), quote = _mm_set1_epi8('"');
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  std::uint64_t edge_before = 1;  // the byte before the block counts as an edge
  for (; i + 64 <= size; i += 64) {
    std::uint64_t spaces = 0, edges = 0;
    for (int k = 0; k < 4; ++k) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 16 * k));
      __m128i s = _mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, tab));
      __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, quote)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
      spaces |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(s))} << (16 * k);
      edges |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(e))} << (16 * k);
    }
    if (spaces != 0) {
      std::uint64_t edge_after = i + 64 < size ? is_edge(data[i + 64]) : 1;
      std::uint64_t hits = spaces & ((edges << 1 | edge_before) | (edges >> 1 | edge_after << 63));
      while (hits != 0) {
        out.push_back(
            static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctzll(hits))));
        hits &= hits - 1;
      }
    }
    edge_before = edges >> 63;
  }
#endif
  for (; i < size; ++i) {
    if (is_space(data[i]) &&
        (i == 0 || is_edge(data[i - 1]) || i + 1 == size || is_edge(data[i + 1]))) {
      out.push_back(static_cast<std::uint32_t>(i));
    }
  }
  out.push_back(no_more_spaces);
}

}  // namespace

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
struct CsvParser::Libcsv {
  csv_parser state{};
  explicit Libcsv(char delimiter) { init(delimiter); }
  Libcsv(const Libcsv&) = delete;
  Libcsv& operator=(const Libcsv&) = delete;
  ~Libcsv() { csv_free(&state); }

  void init(char delimiter) {
    // Strict: a quote inside an unquoted field, or text after a closing quote,
    // is an error, and so is a quoted field still open at the end (STRICT_FINI).
    // REPALL_NL reports every line break outside a field, which is how blank
    // lines are counted in line numbers; they make no record. No APPEND_NULL:
    // fields are taken by length.
    csv_init(&state, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
    csv_set_delim(&state, static_cast<unsigned char>(delimiter));
    csv_set_space_func(&state, no_spaces);
    csv_set_blk_size(&state, libcsv_growth_bytes);
  }
  // Back to the start of a record, keeping the field buffer: csv_fini resets
  // the state (given no callbacks, it hands nothing over), and without
  // STRICT_FINI it does so even inside a quoted field.
  void reset() {
    const int options = csv_get_opts(&state);
    csv_set_opts(&state, static_cast<unsigned char>(options & ~CSV_STRICT_FINI));
    csv_fini(&state, nullptr, nullptr, nullptr);
    csv_set_opts(&state, static_cast<unsigned char>(options));
  }
};

void CsvBatch::drop_records() {
  // Records of empty fields take no arena bytes: their bounds go all the same.
  std::size_t keep_from = bounds[partial_first];
  bounds.erase(bounds.begin(), bounds.begin() + static_cast<std::ptrdiff_t>(partial_first));
  if (keep_from > 0) {
    arena.erase(0, keep_from);
    for (auto& bound : bounds)
      bound -= keep_from;
  }
  partial_first = 0;
  lines.clear();
  offsets.clear();
}

void CsvBatch::continue_from(const CsvBatch& previous) {
  const std::size_t base = previous.bounds[previous.partial_first];
  arena.assign(previous.arena, base);
  bounds.assign(1, 0);
  for (std::size_t i = previous.partial_first + 1; i < previous.bounds.size(); ++i)
    bounds.push_back(previous.bounds[i] - base);
  lines.clear();
  offsets.clear();
  partial_first = 0;
  partial_fields = previous.partial_fields;
  error.reset();
  exception = nullptr;
  end = false;
  size = skipped = 0;
  last = false;
}

CsvParser::CsvParser(std::string source, CsvOptions options)
    : source_(std::move(source)), options_(options) {
  const auto delimiter = static_cast<unsigned char>(options_.delimiter);
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter >= 0x80) {
    throw std::invalid_argument(
        "CsvReader: the delimiter must be an ASCII character other than a quote or a line break");
  }
  if (options_.max_fields == 0) throw std::invalid_argument("CsvReader: max_fields is 0");
  libcsv_ = std::make_unique<Libcsv>(options_.delimiter);
}

CsvParser::~CsvParser() = default;

void CsvParser::on_field(void* data, std::size_t size, void* self) {
  static_cast<CsvParser*>(self)->add_field(static_cast<const char*>(data), size);
}

void CsvParser::on_row(int terminator, void* self) {
  static_cast<CsvParser*>(self)->end_row(terminator);
}

void CsvParser::fail(const char* id, std::string message) {
  if (failed_) return;
  failed_ = true;
  batch_->error.emplace(id, std::move(message));
}

void CsvParser::open_block(CsvBatch& batch, std::uint64_t offset, bool last) {
  batch_ = &batch;
  std::string_view data(batch.bytes.get(), batch.size);
  constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
  batch.skipped = offset == 0 && data.starts_with(utf8_bom) ? utf8_bom.size() : 0;
  data.remove_prefix(batch.skipped);
  if (offset == 0) row_start_ = batch.skipped;
  data_ = data.data();
  size_ = data.size();
  pos_ = 0;
  offset_ = offset + batch.skipped;
  last_ = last;
  block_done_ = false;
  next_lf_ = find_byte(data_, 0, size_, '\n');
  next_cr_ = find_byte(data_, 0, size_, '\r');
  find_edge_spaces(data_, size_, options_.delimiter, edge_spaces_);
  next_edge_space_ = 0;
}

// One past the next line break at or after pos_, or the end of the block.
std::size_t CsvParser::chunk_end() {
  if (next_lf_ < pos_) next_lf_ = find_byte(data_, pos_, size_, '\n');
  if (next_cr_ < pos_) next_cr_ = find_byte(data_, pos_, size_, '\r');
  std::size_t line_break = std::min(next_lf_, next_cr_);
  return line_break < size_ ? line_break + 1 : size_;
}

void CsvParser::parse(CsvBatch& batch, bool until_record) {
  batch_ = &batch;
  const std::size_t records_before = batch.records();
  csv_parser& state = libcsv_->state;
  while (pos_ < size_ && !failed_) {
    const std::size_t end = chunk_end();
    while (edge_spaces_[next_edge_space_] < pos_)
      ++next_edge_space_;
    state.is_space = edge_spaces_[next_edge_space_] < end ? no_spaces : nullptr;
    const std::size_t length = end - pos_;
    std::size_t parsed = csv_parse(&state, data_ + pos_, length, on_field, on_row, this);
    if (failed_) return;
    if (parsed < length) {
      std::size_t index = batch.partial_fields;
      std::string_view entry(reinterpret_cast<const char*>(state.entry_buf), state.entry_pos);
      switch (csv_error(&state)) {
        case CSV_EPARSE:
          // The character at data_[pos_ + parsed] broke the quoting: a quote
          // inside an unquoted field, or something other than a delimiter or
          // line break after a closing quote.
          return fail("csv.malformed",
                      at(field_line(line_, index) + count_line_breaks(entry)) + ": " +
                          describe_field(index) +
                          (state.quoted != 0
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
    pos_ = end;
    // A row can only end at a line break, the last byte of the chunk: the
    // next record starts after it (or after blank lines that follow).
    if (row_ended_) {
      row_start_ = offset_ + end;
      row_ended_ = false;
    } else {
      row_spans_chunks_ = true;
    }
    if (until_record && batch.records() > records_before) break;
  }
  if (!failed_ && pos_ == size_ && !block_done_) finish_block();
}

void CsvParser::finish_block() {
  block_done_ = true;
  csv_parser& state = libcsv_->state;
  // A field still open at the end of the block: libcsv's buffer holds it
  // (plus perhaps the closing quote), and it must not grow without limit.
  if (size_ > 0 && state.entry_pos > options_.max_field_bytes + 1) {
    std::size_t index = batch_->partial_fields;
    return fail("csv.too_long", at(field_line(line_, index)) + ": " + describe_field(index) +
                                    " is longer than " + std::to_string(options_.max_field_bytes) +
                                    " bytes");
  }
  if (!last_) return;
  std::size_t index = batch_->partial_fields;
  if (csv_fini(&state, on_field, on_row, this) != 0) {
    fail("csv.malformed", at(field_line(line_, index)) + ": " + describe_field(index) +
                              " opens a quote that is never closed");
  }
  finished_ = true;
  if (!failed_) batch_->end = true;
}

void CsvParser::restart(std::uint64_t offset, std::size_t line) {
  if (in_header_) throw std::logic_error("CsvParser::restart before the header");
  libcsv_->reset();
  batch_ = nullptr;
  data_ = nullptr;
  size_ = pos_ = 0;
  offset_ = offset;
  last_ = false;
  block_done_ = true;  // no block open
  edge_spaces_.assign(1, no_more_spaces);
  next_edge_space_ = 0;
  line_ = line;
  row_start_ = offset;
  row_ended_ = false;
  row_spans_chunks_ = false;
  after_cr_ = false;
  failed_ = false;
  finished_ = false;
}

void CsvParser::add_field(const char* data, std::size_t size) {
  if (failed_) return;
  after_cr_ = false;
  CsvBatch& b = *batch_;
  std::size_t index = b.partial_fields++;
  if (in_header_) {
    if (index >= options_.max_fields) {
      return fail("csv.too_long", at(field_line(line_, index)) + ": the header has more than " +
                                      std::to_string(options_.max_fields) + " fields");
    }
    // Column names are short: a header is held to the limit of one field, so
    // that max_fields long names cannot take max_fields times that memory.
    if (b.arena.size() + size > options_.max_field_bytes) {
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
  b.arena.append(data, size);
  b.bounds.push_back(b.arena.size());
}

void CsvParser::end_row(int terminator) {
  if (failed_) return;
  row_ended_ = true;
  const bool spans_chunks = std::exchange(row_spans_chunks_, false);
  CsvBatch& b = *batch_;
  if (b.partial_fields == 0) {
    // A line break outside any record: a blank line, or the LF of a CRLF.
    if (!(terminator == '\n' && after_cr_)) ++line_;
    after_cr_ = terminator == '\r';
    return;
  }
  std::size_t start_line = line_;
  std::size_t kept = b.bounds.size() - 1 - b.partial_first;
  std::string_view bytes(b.arena.data() + b.bounds[b.partial_first],
                         b.arena.size() - b.bounds[b.partial_first]);
  // Chunks end at line breaks: a record within one chunk has none in its fields.
  if (spans_chunks && has_line_break(bytes)) {
    // Per field: a CR ending one field and an LF starting the next are two breaks.
    for (std::size_t i = 0; i < kept; ++i)
      line_ += count_line_breaks(b.field(b.partial_first + i));
  }
  if (terminator == '\n' || terminator == '\r') ++line_;
  after_cr_ = terminator == '\r';

  if (in_header_) return finish_header(start_line);
  if (b.partial_fields != width_) {
    return fail("csv.field_count", at(start_line) + ": expected " + std::to_string(width_) +
                                       " fields, found " + std::to_string(b.partial_fields));
  }
  b.lines.push_back(start_line);
  b.offsets.push_back(row_start_);
  b.partial_first = b.bounds.size() - 1;
  b.partial_fields = 0;
}

void CsvParser::finish_header(std::size_t line) {
  CsvBatch& b = *batch_;
  header_.reserve(b.partial_fields);
  for (std::size_t i = 0; i < b.partial_fields; ++i) {
    auto name = b.field(i);
    if (!is_valid_utf8(name)) {
      return fail("csv.invalid_utf8", at(field_line(line, i)) + ": header field " +
                                          std::to_string(i + 1) + " is not valid UTF-8");
    }
    header_.emplace_back(options_.restore_neutralised ? restore_formula_guarded(name) : name);
  }
  // header_ is complete and never changes again, so views of its strings stay valid.
  columns_.reserve(header_.size());
  for (std::size_t i = 0; i < header_.size(); ++i) {
    auto [it, inserted] = columns_.emplace(header_[i], i);
    if (!inserted) {
      return fail("csv.duplicate_column", at(line) + ": duplicate column '" + header_[i] +
                                              "' (fields " + std::to_string(it->second + 1) +
                                              " and " + std::to_string(i + 1) + ")");
    }
  }
  width_ = header_.size();
  header_line_ = line;
  in_header_ = false;
  b.arena.clear();
  b.bounds.assign(1, 0);
  b.partial_first = 0;
  b.partial_fields = 0;
}

// The line where field `index` of the record in progress starts, given the
// line the record starts on (the fields before it are in the batch).
std::size_t CsvParser::field_line(std::size_t start_line, std::size_t index) const {
  const CsvBatch& b = *batch_;
  std::size_t line = start_line;
  std::size_t stored = std::min(index, b.bounds.size() - 1 - b.partial_first);
  for (std::size_t i = 0; i < stored; ++i)
    line += count_line_breaks(b.field(b.partial_first + i));
  return line;
}

std::string CsvParser::describe_field(std::size_t index) const {
  if (!in_header_ && index < width_) return "column '" + header_[index] + "'";
  return (in_header_ ? "header field " : "field ") + std::to_string(index + 1);
}

std::optional<std::size_t> CsvParser::column(std::string_view name) const {
  auto it = columns_.find(name);
  if (it == columns_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sipas::io::detail
