#include "io/csv_reader.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "io/csv_parser.hpp"
#include "io/formula_guard.hpp"
#include "io/posix_file.hpp"
#include "io/sha256.hpp"
#include "io/utf8.hpp"

namespace sipas::io {
namespace {

namespace fs = std::filesystem;
using detail::CsvBatch;

constexpr std::size_t read_block_bytes = std::size_t{1} << 20;
// After seek(), reads start this small and double up to read_block_bytes:
// reading a few records again should cost a few records, not a block.
constexpr std::size_t seek_block_bytes = std::size_t{2} << 10;
// With a background parser: the one it fills, the one the caller reads, and
// two ready in between, so that neither waits for the other's every block.
constexpr std::size_t background_batches = 4;
// Columns listed in a csv.missing_column message before "and N more".
constexpr std::size_t listed_columns = 30;

bool is_ascii(std::string_view text) {
  unsigned char seen = 0;
  for (char c : text)
    seen |= static_cast<unsigned char>(c);
  return seen < 0x80;
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

std::unique_ptr<CsvBatch> new_batch() {
  auto batch = std::make_unique<CsvBatch>();
  batch->bytes = std::make_unique_for_overwrite<char[]>(read_block_bytes);
  return batch;
}

}  // namespace

// Two halves: reading and parsing blocks (read_into, detail::CsvParser), and
// handing out records (next) after hashing each block and checking it as
// UTF-8 (accept). Synchronously, next() parses just enough for one more
// record. With parse_in_background, a thread runs the first half a block at a
// time into batches, and next() takes them in order from a queue.
class CsvReader::Impl {
 public:
  Impl(const fs::path& path, CsvOptions options);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { stop_background(); }

  bool next();
  void seek(const CsvPosition& position);

  const std::vector<std::string>& header() const { return parser_.header(); }
  std::optional<std::size_t> column(std::string_view name) const { return parser_.column(name); }
  std::size_t require_column(std::string_view name) const;
  std::span<const std::string_view> fields() const { return current_; }
  std::string_view field(std::size_t column) const;
  std::size_t line() const { return current_line_; }
  std::size_t record() const { return record_number_; }
  CsvPosition position() const { return {current_offset_, current_line_, record_number_}; }
  const std::string& source() const { return parser_.source(); }
  std::string where() const { return parser_.at(current_line_); }
  std::string sha256() const {
    if (!hash_valid_) throw std::logic_error("CsvReader::sha256 after seek()");
    return hash_.hex_digest();
  }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  void read_into(CsvBatch& batch);
  void produce();
  void accept(const CsvBatch& batch);
  void check_utf8(std::string_view data);
  void check_record(const CsvBatch& batch, std::size_t record);
  void start_background();
  void stop_background();
  void background_loop();
  void take_ready_batch();

  fs::path path_;
  detail::CsvParser parser_;
  bool restore_neutralised_;

  // Reading (the background thread's, once started).
  detail::FileDescriptor fd_;
  std::uint64_t file_offset_ = 0;  // of the next read
  std::size_t block_size_ = read_block_bytes;

  // Handing out (the caller's thread).
  Sha256 hash_;
  bool hash_valid_ = true;
  std::uint64_t bytes_read_ = 0;
  // UTF-8 is checked on whole blocks (see check_utf8); only once a block
  // fails are records checked field by field, to name the record and column.
  bool check_fields_ = false;
  std::array<char, 3> utf8_carry_{};  // a sequence cut by the block's end
  std::size_t utf8_carry_size_ = 0;
  std::unique_ptr<CsvBatch> own_ = new_batch();  // the batch when synchronous
  CsvBatch* batch_ = own_.get();                 // the batch records come from
  std::size_t cursor_ = 0;                       // its next record
  std::optional<CsvError> failed_;               // a record failed the UTF-8 check
  std::vector<std::string_view> current_;
  std::size_t current_line_ = 1;
  std::uint64_t current_offset_ = 0;
  std::size_t record_number_ = 0;

  // The background parser: batches go from free_ to it, to ready_, to the
  // caller, and back to free_.
  std::vector<std::unique_ptr<CsvBatch>> pool_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<CsvBatch*> ready_;
  std::vector<CsvBatch*> free_;
  bool stop_ = false;
  std::thread thread_;
};

CsvReader::Impl::Impl(const fs::path& path, CsvOptions options)
    : path_(path),
      parser_(path.filename().string(), options),
      restore_neutralised_(options.restore_neutralised) {
  fd_ = detail::open_for_reading(path);
  CsvBatch& batch = *own_;
  while (parser_.in_header() && !parser_.failed()) {
    if (parser_.block_done()) {
      if (parser_.finished()) break;
      read_into(batch);
      accept(batch);
    }
    parser_.parse(batch, true);
  }
  // An error after the header waits for next(): the records before it come first.
  if (parser_.in_header() && batch.error) throw *batch.error;
  if (parser_.in_header()) {
    throw CsvError("csv.empty", parser_.source() + ": empty file: no header row");
  }
  current_line_ = parser_.header_line();
  current_.resize(parser_.width());
  if (options.parse_in_background) start_background();
}

// Reads the next block into `batch` (which already holds the record in
// progress) and opens it for the parser. At the end of the file, closes it.
void CsvReader::Impl::read_into(CsvBatch& batch) {
  batch.size = detail::read_full(fd_.get(), batch.bytes.get(), block_size_, path_);
  const bool last = batch.size < block_size_;
  batch.last = last;
  parser_.open_block(batch, file_offset_, last);
  file_offset_ += batch.size;
  block_size_ = std::min(block_size_ * 2, read_block_bytes);
  if (last) fd_ = detail::FileDescriptor();
}

// Synchronously: parses until one more record is complete, reading the next
// block when the open one is done.
void CsvReader::Impl::produce() {
  CsvBatch& batch = *own_;
  if (parser_.block_done()) {
    batch.drop_records();
    cursor_ = 0;
    try {
      read_into(batch);
    } catch (...) {
      batch.exception = std::current_exception();
      return;
    }
    accept(batch);
  }
  parser_.parse(batch, true);
}

// Hashes a block and checks it as UTF-8, before any of its records is handed out.
void CsvReader::Impl::accept(const CsvBatch& batch) {
  std::string_view data(batch.bytes.get(), batch.size);
  if (hash_valid_) hash_.update(data);
  bytes_read_ += data.size();
  data.remove_prefix(batch.skipped);
  if (!check_fields_) check_utf8(data);
  if (batch.last && utf8_carry_size_ > 0) check_fields_ = true;  // the file ends inside a sequence
}

// Checks a block's bytes as UTF-8. Every byte of a field comes from the file
// unchanged, and what libcsv drops (delimiters, quotes, line breaks) is ASCII,
// which never splits a UTF-8 sequence: so when the file's bytes are valid
// UTF-8, so is every field. That takes one fast pass over the block instead of
// one call per field. A sequence cut by the block's end is carried into the
// next block's check.
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

// Once a block has failed the UTF-8 check: the first field of a record that
// is not UTF-8 is an error, with its line and column.
void CsvReader::Impl::check_record(const CsvBatch& batch, std::size_t record) {
  const std::size_t width = parser_.width();
  const std::size_t first = record * width;
  std::string_view bytes(batch.arena.data() + batch.bounds[first],
                         batch.bounds[first + width] - batch.bounds[first]);
  if (is_ascii(bytes)) return;
  std::size_t line = batch.lines[record];
  for (std::size_t i = 0; i < width; ++i) {
    auto field = batch.field(first + i);
    if (!is_valid_utf8(field)) {
      failed_.emplace("csv.invalid_utf8",
                      parser_.at(line) + ": " + parser_.describe_field(i) + " is not valid UTF-8");
      throw *failed_;
    }
    line += detail::count_line_breaks(field);
  }
}

bool CsvReader::Impl::next() {
  if (failed_) throw *failed_;
  while (cursor_ == batch_->records()) {
    if (batch_->error) throw *batch_->error;
    if (batch_->exception) std::rethrow_exception(batch_->exception);
    if (batch_->end) {
      current_.clear();
      return false;
    }
    if (thread_.joinable()) {
      take_ready_batch();
    } else {
      produce();
    }
  }
  const CsvBatch& batch = *batch_;
  if (check_fields_) check_record(batch, cursor_);
  const std::size_t width = parser_.width();
  const std::size_t* bound = batch.bounds.data() + cursor_ * width;
  for (std::size_t i = 0; i < width; ++i) {
    std::string_view field(batch.arena.data() + bound[i], bound[i + 1] - bound[i]);
    if (restore_neutralised_ && !field.empty() && field.front() == formula_guard) {
      field = restore_formula_guarded(field);
    }
    current_[i] = field;
  }
  current_line_ = batch.lines[cursor_];
  current_offset_ = batch.offsets[cursor_];
  ++cursor_;
  ++record_number_;
  return true;
}

// ------------------------------------------------------------ background

void CsvReader::Impl::start_background() {
  // The rest of the first block is parsed here, so that the thread starts on
  // a block of its own.
  parser_.parse(*own_, false);
  if (parser_.failed() || parser_.finished()) return;  // nothing left for a thread
  for (std::size_t i = 0; i < background_batches; ++i) {
    pool_.push_back(new_batch());
    free_.push_back(pool_.back().get());
  }
  thread_ = std::thread([this] { background_loop(); });
}

void CsvReader::Impl::background_loop() {
  // The batch before: it holds the record in progress. The caller cannot
  // release it before the next batch is ready, so reading it here is safe.
  const CsvBatch* previous = own_.get();
  for (;;) {
    CsvBatch* batch = nullptr;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
      if (stop_) return;
      batch = free_.back();
      free_.pop_back();
    }
    batch->continue_from(*previous);
    try {
      read_into(*batch);
      parser_.parse(*batch, false);
    } catch (...) {
      batch->exception = std::current_exception();
    }
    const bool done = batch->end || batch->error || batch->exception;
    {
      std::lock_guard lock(mutex_);
      ready_.push_back(batch);
    }
    changed_.notify_all();
    if (done) return;
    previous = batch;
  }
}

// Moves on to the next batch the thread has parsed, and gives the one read
// back to it.
void CsvReader::Impl::take_ready_batch() {
  CsvBatch* next = nullptr;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty(); });
    next = ready_.front();
    ready_.pop_front();
    if (batch_ != own_.get()) free_.push_back(batch_);
  }
  changed_.notify_all();
  batch_ = next;
  cursor_ = 0;
  accept(*batch_);
}

void CsvReader::Impl::stop_background() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

// ------------------------------------------------------------ seek

void CsvReader::Impl::seek(const CsvPosition& position) {
  if (position.line == 0 || position.record == 0) {
    throw std::invalid_argument("CsvReader::seek: line and record are 1-based");
  }
  stop_background();
  ready_.clear();
  free_.clear();
  pool_.clear();
  stop_ = false;

  CsvBatch& batch = *own_;
  batch.arena.clear();
  batch.bounds.assign(1, 0);
  batch.lines.clear();
  batch.offsets.clear();
  batch.partial_first = batch.partial_fields = 0;
  batch.error.reset();
  batch.exception = nullptr;
  batch.end = false;
  batch.size = batch.skipped = 0;
  batch.last = false;
  batch_ = &batch;
  cursor_ = 0;
  failed_.reset();

  if (fd_.get() < 0) fd_ = detail::open_for_reading(path_);
  detail::seek_to(fd_.get(), position.offset, path_);
  file_offset_ = position.offset;
  block_size_ = seek_block_bytes;
  parser_.restart(position.offset, position.line);

  // Only a few records are usually read after a seek: checking their fields
  // costs less than checking whole blocks, and finds the same errors.
  hash_valid_ = false;
  check_fields_ = true;
  utf8_carry_size_ = 0;
  current_.assign(parser_.width(), std::string_view());
  current_line_ = position.line;
  current_offset_ = position.offset;
  record_number_ = position.record - 1;
}

// ------------------------------------------------------------ columns

std::size_t CsvReader::Impl::require_column(std::string_view name) const {
  if (auto index = column(name)) return *index;
  throw CsvError("csv.missing_column", parser_.source() + ": no column '" + std::string(name) +
                                           "' (columns: " + list_columns(parser_.header()) + ")");
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
CsvPosition CsvReader::position() const {
  return impl_->position();
}
void CsvReader::seek(const CsvPosition& position) {
  impl_->seek(position);
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

std::string list_columns(const std::vector<std::string>& names) {
  std::string listed;
  for (std::size_t i = 0; i < names.size() && i < listed_columns; ++i) {
    if (i > 0) listed += ", ";
    listed += names[i];
  }
  if (names.size() > listed_columns) {
    listed += ", and " + std::to_string(names.size() - listed_columns) + " more";
  }
  return listed;
}

}  // namespace sipas::io
