#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sipas::analysis {

// One column of survey data, dictionary-encoded: each row holds the index of
// its distinct value, so a million rows of Likert answers take 4 MB, and every
// distinct value is parsed as a number once. The empty string is missing (NA).
class Column {
 public:
  static constexpr double missing = std::numeric_limits<double>::quiet_NaN();

  std::size_t size() const { return codes_.size(); }
  std::uint32_t code(std::size_t row) const { return codes_[row]; }
  const std::string& text(std::size_t row) const { return levels_[codes_[row]]; }
  bool is_missing(std::size_t row) const { return levels_[codes_[row]].empty(); }
  // The row's number, NaN when missing; nullopt-like check via numeric().
  double number(std::size_t row) const { return numbers_[codes_[row]]; }
  const std::vector<std::string>& levels() const { return levels_; }
  // The number of a distinct value (NaN when it is not a number).
  double numbers_of_level(std::size_t level) const { return numbers_[level]; }
  // True when every non-missing value reads as a number.
  bool numeric() const { return numeric_; }
  // The first row whose value is not a number (for error messages), or -1.
  std::int64_t first_non_numeric_row() const;

  void push(std::string_view value);

 private:
  std::vector<std::uint32_t> codes_;
  std::vector<std::string> levels_;
  std::vector<double> numbers_;
  std::unordered_map<std::string, std::uint32_t> index_;
  bool numeric_ = true;
};

// Survey data held in memory: only the columns an analysis asks for.
class Table {
 public:
  // Loads `columns` of a CSV file (all columns when empty). Throws
  // io::CsvError / io::IoError, or AnalysisError for a missing column.
  static Table load(const std::filesystem::path& path,
                    const std::vector<std::string>& columns = {});

  std::size_t rows() const { return rows_; }
  const std::string& source() const { return source_; }
  bool has(std::string_view name) const;
  // The names of the loaded columns, in file order.
  const std::vector<std::string>& names() const { return names_; }
  const Column& column(std::string_view name) const;  // throws AnalysisError naming the file
  // The column as numbers; a non-numeric value is an error naming the file,
  // line and column. Missing values are NaN.
  std::vector<double> numbers(std::string_view name) const;
  // The 1-based CSV line of a data row (for messages).
  std::size_t line_of(std::size_t row) const { return row < lines_.size() ? lines_[row] : 0; }

  // Builds a table in memory (tests, generated data).
  static Table from_columns(std::string source,
                            std::vector<std::pair<std::string, std::vector<std::string>>> columns);

 private:
  std::string source_;
  std::size_t rows_ = 0;
  std::vector<std::string> names_;
  std::vector<Column> columns_;
  std::vector<std::size_t> lines_;
};

}  // namespace sipas::analysis
