#include "analysis/table.hpp"

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
  codes_.push_back(code);
}

std::int64_t Column::first_non_numeric_row() const {
  for (std::size_t i = 0; i < codes_.size(); ++i) {
    if (!levels_[codes_[i]].empty() && std::isnan(numbers_[codes_[i]]))
      return static_cast<std::int64_t>(i);
  }
  return -1;
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
    t.lines_.push_back(reader.line());
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
  for (std::size_t i = 0; i < t.rows_; ++i)
    t.lines_.push_back(i + 2);
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
