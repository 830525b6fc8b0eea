#include "analysis/table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <type_traits>

#include "analysis/error.hpp"
#include "io/csv_reader.hpp"

namespace sipas::analysis {
namespace {

double parse(std::string_view s) {
  if (s.empty() || s == "NA") return Column::missing;
  double x;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(x)) return Column::missing;
  return x;
}

// A value's key: its bytes when there are at most 8 (most cells: codes,
// Likert answers, short weights), else a hash of them.
std::uint64_t key_of(std::string_view s) {
  if (s.size() > 8) return std::hash<std::string_view>{}(s);
  std::uint64_t x = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    x |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return x;
}

// The first slot to probe, from the key and size (Fibonacci hashing: the
// slot is in the top bits).
std::uint64_t slot_of(std::uint64_t key, std::size_t size, int bits) {
  return ((key ^ (static_cast<std::uint64_t>(size) << 57)) * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
}

}  // namespace

void Column::push(std::string_view value) {
  // R writes NA as an empty field or "NA"; both are missing.
  if (value.size() == 2 && value[0] == 'N' && value[1] == 'A') value = {};
  if (const std::uint32_t code = find(value)) return push_code(code - 1);
  const double x = parse(value);
  if (!value.empty() && std::isnan(x)) numeric_ = false;
  push_code(add_level(value, x));
}

std::uint32_t Column::find(std::string_view value) const {
  if (slots_.empty()) return 0;
  const std::uint64_t key = key_of(value);
  const auto size = static_cast<std::uint32_t>(value.size());
  const std::uint64_t mask = (std::uint64_t{1} << slot_bits_) - 1;
  for (std::uint64_t slot = slot_of(key, size, slot_bits_);; slot = (slot + 1) & mask) {
    const Slot& s = slots_[slot];
    if (s.code == 0) return 0;
    if (s.key != key || s.size != size) continue;
    if (size <= 8 || std::memcmp(levels_[s.code - 1].data(), value.data(), size) == 0)
      return s.code;
  }
}

std::uint32_t Column::add_level(std::string_view text, double number) {
  const auto code = static_cast<std::uint32_t>(levels_.size());
  levels_.emplace_back(text);
  numbers_.push_back(number);
  if (slots_.empty() || 2 * levels_.size() > slots_.size()) {
    grow_slots();  // places every level, this one included
  } else {
    place(key_of(text), static_cast<std::uint32_t>(text.size()), code);
  }
  return code;
}

void Column::place(std::uint64_t key, std::uint32_t size, std::uint32_t code) {
  const std::uint64_t mask = slots_.size() - 1;
  std::uint64_t slot = slot_of(key, size, slot_bits_);
  while (slots_[slot].code != 0)
    slot = (slot + 1) & mask;
  slots_[slot] = Slot{key, code + 1, size};
}

void Column::grow_slots() {
  slot_bits_ = std::max(slot_bits_ + 1, 4);
  while ((std::size_t{1} << slot_bits_) < 2 * levels_.size())
    ++slot_bits_;
  slots_.assign(std::size_t{1} << slot_bits_, Slot{});
  for (std::uint32_t code = 0; code < levels_.size(); ++code)
    place(key_of(levels_[code]), static_cast<std::uint32_t>(levels_[code].size()), code);
}

Column Column::select(const std::vector<std::size_t>& rows) const {
  Column out;
  // Old level → new level, made as levels are first met: no string hashing
  // per row.
  std::vector<std::uint32_t> renumbered(levels_.size(), std::numeric_limits<std::uint32_t>::max());
  for (const std::size_t row : rows) {
    const std::uint32_t old = code(row);
    if (renumbered[old] == std::numeric_limits<std::uint32_t>::max()) {
      renumbered[old] = out.add_level(levels_[old], numbers_[old]);
      if (!levels_[old].empty() && std::isnan(numbers_[old])) out.numeric_ = false;
    }
    out.push_code(renumbered[old]);
  }
  return out;
}

void Column::append(const Column& other) {
  std::vector<std::uint32_t> remap(other.levels_.size());
  for (std::size_t l = 0; l < other.levels_.size(); ++l) {
    const std::uint32_t found = find(other.levels_[l]);
    remap[l] = found ? found - 1 : add_level(other.levels_[l], other.numbers_[l]);
  }
  numeric_ = numeric_ && other.numeric_;
  // Widen first (to the width the largest code needs), then map the codes
  // in one loop.
  if (!remap.empty()) widen_for(*std::max_element(remap.begin(), remap.end()));
  const std::size_t base = size_;
  size_ += other.size_;
  auto fill = [&](auto& codes) {
    using Code = typename std::remove_reference_t<decltype(codes)>::value_type;
    codes.resize(size_);
    for (std::size_t i = 0; i < other.size_; ++i)
      codes[base + i] = static_cast<Code>(remap[other.code(i)]);
  };
  switch (width_) {
    case 1:
      fill(codes8_);
      break;
    case 2:
      fill(codes16_);
      break;
    default:
      fill(codes32_);
      break;
  }
}

void Column::push_code(std::uint32_t code) {
  widen_for(code);
  switch (width_) {
    case 1:
      codes8_.push_back(static_cast<std::uint8_t>(code));
      break;
    case 2:
      codes16_.push_back(static_cast<std::uint16_t>(code));
      break;
    default:
      codes32_.push_back(code);
      break;
  }
  ++size_;
}

void Column::widen_for(std::uint32_t code) {
  // Widen the codes when a level no longer fits.
  if (width_ == 1 && code > 0xff) {
    codes16_.reserve(std::max(codes8_.capacity(), std::size_t{16}));
    codes16_.assign(codes8_.begin(), codes8_.end());
    std::vector<std::uint8_t>().swap(codes8_);
    width_ = 2;
  }
  if (width_ == 2 && code > 0xffff) {
    codes32_.reserve(std::max(codes16_.capacity(), std::size_t{16}));
    codes32_.assign(codes16_.begin(), codes16_.end());
    std::vector<std::uint16_t>().swap(codes16_);
    width_ = 4;
  }
}

std::int64_t Column::first_non_numeric_row() const {
  for (std::size_t i = 0; i < size_; ++i) {
    const auto c = code(i);
    if (!levels_[c].empty() && std::isnan(numbers_[c])) return static_cast<std::int64_t>(i);
  }
  return -1;
}

void Table::add_line(std::size_t line) {
  const bool follows = !line_jumps_.empty() &&
                       line == line_jumps_.back().second + (rows_ - line_jumps_.back().first);
  if (!follows) line_jumps_.emplace_back(rows_, line);
}

std::size_t Table::line_of(std::size_t row) const {
  if (row >= rows_) return 0;
  const std::size_t loaded = file_row(row);
  // The last jump at or before the row.
  auto it = std::upper_bound(line_jumps_.begin(), line_jumps_.end(), loaded,
                             [](std::size_t r, const auto& jump) { return r < jump.first; });
  --it;
  return it->second + (loaded - it->first);
}

void Table::append(const Table& other, std::size_t line_shift) {
  for (std::size_t c = 0; c < columns_.size(); ++c)
    columns_[c].append(other.columns_[c]);
  // Its rows follow on from one line to the next between its jumps.
  for (const auto& [row, line] : other.line_jumps_) {
    const std::size_t at = rows_ + row, shifted = line + line_shift;
    const bool follows = !line_jumps_.empty() &&
                         shifted == line_jumps_.back().second + (at - line_jumps_.back().first);
    if (!follows) line_jumps_.emplace_back(at, shifted);
  }
  rows_ += other.rows_;
}

Table Table::select_rows(const std::vector<std::size_t>& rows) const {
  Table t;
  t.source_ = source_;
  t.sha256_ = sha256_;
  t.names_ = names_;
  t.file_columns_ = file_columns_;
  t.columns_.reserve(columns_.size());
  for (const auto& column : columns_)
    t.columns_.push_back(column.select(rows));
  t.line_jumps_ = line_jumps_;
  t.file_rows_.reserve(rows.size());
  for (const std::size_t row : rows)
    t.file_rows_.push_back(static_cast<std::uint32_t>(file_row(row)));
  t.rows_ = rows.size();
  return t;
}

void Table::add_column(std::string name, Column column) {
  if (column.size() != rows_) {
    throw AnalysisError("data.invalid", source_ + ": column '" + name + "' has " +
                                            std::to_string(column.size()) + " rows, not " +
                                            std::to_string(rows_));
  }
  if (has(name)) throw AnalysisError("data.invalid", source_ + ": a second column '" + name + "'");
  names_.push_back(std::move(name));
  columns_.push_back(std::move(column));
}

Table Table::from_columns(std::string source,
                          std::vector<std::pair<std::string, std::vector<std::string>>> columns) {
  Table t;
  t.source_ = std::move(source);
  for (auto& [name, values] : columns) {
    t.names_.push_back(name);
    Column column;
    for (const auto& v : values)
      column.push(v);
    if (!t.columns_.empty() && column.size() != t.rows_) {
      throw AnalysisError("data.invalid", "column '" + name + "' has a different number of rows");
    }
    t.rows_ = column.size();
    t.columns_.push_back(std::move(column));
  }
  if (t.rows_ > 0) t.line_jumps_.emplace_back(0, 2);
  return t;
}

bool Table::has(std::string_view name) const {
  for (const auto& n : names_) {
    if (n == name) return true;
  }
  return false;
}

const Column& Table::column(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return columns_[i];
  }
  throw AnalysisError("data.missing_column", source_ + ": no column '" + std::string(name) +
                                                 "' (columns: " + io::list_columns(file_columns()) +
                                                 ")");
}

std::vector<double> Table::numbers(std::string_view name) const {
  const Column& c = column(name);
  if (!c.numeric()) {
    const std::size_t row =
        first_in_file([&](std::size_t i) { return !c.is_missing(i) && std::isnan(c.number(i)); });
    throw AnalysisError("data.not_numeric", source_ + ":" + std::to_string(line_of(row)) +
                                                ": column '" + std::string(name) +
                                                "' must be a number, not '" +
                                                c.text(row).substr(0, 40) + "'");
  }
  std::vector<double> out(c.size());
  for (std::size_t i = 0; i < c.size(); ++i)
    out[i] = c.number(i);
  return out;
}

}  // namespace sipas::analysis
