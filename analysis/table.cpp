#include "analysis/table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

double parse(std::string_view s) {
  if (s.empty() || s == "NA") return Column::missing;
  double x;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(x)) return Column::missing;
  return x;
}

std::uint64_t hash_of(std::string_view s) {
  std::uint64_t x;
  if (s.size() <= 8) {
    // Most cells are short (codes, Likert answers, weights): their bytes are the key.
    x = 0;
    if (!s.empty()) std::memcpy(&x, s.data(), s.size());
    x ^= static_cast<std::uint64_t>(s.size()) << 59;
  } else {
    x = std::hash<std::string_view>{}(s);
  }
  return x * 0x9E3779B97F4A7C15ULL;  // Fibonacci hashing: the slot is in the top bits
}

}  // namespace

void Column::push(std::string_view value) {
  // R writes NA as an empty field or "NA"; both are missing.
  if (value == "NA") value = {};
  if (slots_.empty()) grow_slots();
  const std::uint64_t mask = (std::uint64_t{1} << slot_bits_) - 1;
  std::uint64_t slot = hash_of(value) >> (64 - slot_bits_);
  for (;; slot = (slot + 1) & mask) {
    const std::uint32_t entry = slots_[slot];
    if (entry == 0) break;
    const std::string& level = levels_[entry - 1];
    if (level.size() == value.size() && std::memcmp(level.data(), value.data(), value.size()) == 0)
      return push_code(entry - 1);
  }
  const double x = parse(value);
  if (!value.empty() && std::isnan(x)) numeric_ = false;
  push_code(add_level(value, x));
}

std::uint32_t Column::add_level(std::string_view text, double number) {
  const auto code = static_cast<std::uint32_t>(levels_.size());
  levels_.emplace_back(text);
  numbers_.push_back(number);
  if (slots_.empty() || 2 * levels_.size() > slots_.size()) {
    grow_slots();  // places every level, this one included
  } else {
    const std::uint64_t mask = slots_.size() - 1;
    std::uint64_t slot = hash_of(text) >> (64 - slot_bits_);
    while (slots_[slot] != 0)
      slot = (slot + 1) & mask;
    slots_[slot] = code + 1;
  }
  return code;
}

void Column::grow_slots() {
  slot_bits_ = std::max(slot_bits_ + 1, 4);
  while ((std::size_t{1} << slot_bits_) < 2 * levels_.size())
    ++slot_bits_;
  slots_.assign(std::size_t{1} << slot_bits_, 0);
  const std::uint64_t mask = slots_.size() - 1;
  for (std::uint32_t code = 0; code < levels_.size(); ++code) {
    std::uint64_t slot = hash_of(levels_[code]) >> (64 - slot_bits_);
    while (slots_[slot] != 0)
      slot = (slot + 1) & mask;
    slots_[slot] = code + 1;
  }
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

void Column::push_code(std::uint32_t code) {
  // Widen the codes when a level no longer fits.
  if (width_ == 1 && code > 0xff) {
    codes16_.reserve(std::max(codes8_.capacity(), std::size_t{16}));
    codes16_.assign(codes8_.begin(), codes8_.end());
    std::vector<std::uint8_t>().swap(codes8_);
    width_ = 2;
  } else if (width_ == 2 && code > 0xffff) {
    codes32_.reserve(std::max(codes16_.capacity(), std::size_t{16}));
    codes32_.assign(codes16_.begin(), codes16_.end());
    std::vector<std::uint16_t>().swap(codes16_);
    width_ = 4;
  }
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

Table Table::select_rows(const std::vector<std::size_t>& rows) const {
  Table t;
  t.source_ = source_;
  t.sha256_ = sha256_;
  t.names_ = names_;
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
  throw AnalysisError("data.missing_column", source_ + ": no column '" + std::string(name) + "'");
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
