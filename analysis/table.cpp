#include "analysis/table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

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

}  // namespace

void Column::push(std::string_view value) {
  // R writes NA as an empty field or "NA"; both are missing.
  if (value == "NA") value = {};
  auto it = index_.find(std::string(value));
  std::uint32_t code;
  if (it == index_.end()) {
    code = static_cast<std::uint32_t>(levels_.size());
    levels_.emplace_back(value);
    double x = parse(value);
    numbers_.push_back(x);
    if (!value.empty() && std::isnan(x)) numeric_ = false;
    index_.emplace(std::string(value), code);
  } else {
    code = it->second;
  }
  push_code(code);
}

Column Column::select(const std::vector<std::size_t>& rows) const {
  Column out;
  // Old level → new level, made as levels are first met: no string hashing
  // per row.
  std::vector<std::uint32_t> renumbered(levels_.size(), std::numeric_limits<std::uint32_t>::max());
  for (const std::size_t row : rows) {
    const std::uint32_t old = code(row);
    if (renumbered[old] == std::numeric_limits<std::uint32_t>::max()) {
      renumbered[old] = static_cast<std::uint32_t>(out.levels_.size());
      out.levels_.push_back(levels_[old]);
      out.numbers_.push_back(numbers_[old]);
      if (!levels_[old].empty() && std::isnan(numbers_[old])) out.numeric_ = false;
      out.index_.emplace(levels_[old], renumbered[old]);
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
  // The last jump at or before the row.
  auto it = std::upper_bound(line_jumps_.begin(), line_jumps_.end(), row,
                             [](std::size_t r, const auto& jump) { return r < jump.first; });
  --it;
  return it->second + (row - it->first);
}

Table Table::load(const std::filesystem::path& path, const std::vector<std::string>& wanted) {
  io::CsvReader reader(path);
  Table t;
  t.source_ = reader.source();
  std::vector<std::size_t> indices;
  if (wanted.empty()) {
    t.names_ = reader.header();
    for (std::size_t i = 0; i < t.names_.size(); ++i)
      indices.push_back(i);
  } else {
    for (const auto& name : wanted) {
      if (t.has(name)) continue;
      indices.push_back(reader.require_column(name));
      t.names_.push_back(name);
    }
  }
  t.columns_.resize(indices.size());
  while (reader.next()) {
    for (std::size_t c = 0; c < indices.size(); ++c)
      t.columns_[c].push(reader.field(indices[c]));
    t.add_line(reader.line());
    ++t.rows_;
  }
  return t;
}

Table Table::select_rows(const std::vector<std::size_t>& rows) const {
  Table t;
  t.source_ = source_;
  t.names_ = names_;
  t.columns_.reserve(columns_.size());
  for (const auto& column : columns_)
    t.columns_.push_back(column.select(rows));
  for (const std::size_t row : rows) {
    t.add_line(line_of(row));
    ++t.rows_;
  }
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
    auto row = static_cast<std::size_t>(c.first_non_numeric_row());
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
