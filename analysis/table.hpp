#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sipas::analysis {

// One column of survey data, dictionary-encoded: each row holds the index of
// its distinct value in the narrowest of 1, 2 or 4 bytes that holds every
// index, so a million rows of Likert answers take 1 MB, and every distinct
// value is parsed as a number once. The empty string is missing (NA).
class Column {
 public:
  static constexpr double missing = std::numeric_limits<double>::quiet_NaN();

  std::size_t size() const { return size_; }
  std::uint32_t code(std::size_t row) const {
    switch (width_) {
      case 1:
        return codes8_[row];
      case 2:
        return codes16_[row];
      default:
        return codes32_[row];
    }
  }
  const std::string& text(std::size_t row) const { return levels_[code(row)]; }
  bool is_missing(std::size_t row) const { return levels_[code(row)].empty(); }
  // The row's number, NaN when missing; nullopt-like check via numeric().
  double number(std::size_t row) const { return numbers_[code(row)]; }
  const std::vector<std::string>& levels() const { return levels_; }
  // The number of a distinct value (NaN when it is not a number).
  double numbers_of_level(std::size_t level) const { return numbers_[level]; }
  // True when every non-missing value reads as a number.
  bool numeric() const { return numeric_; }
  // The first row whose value is not a number (for error messages), or -1.
  std::int64_t first_non_numeric_row() const;

  // Adds a row: the value's level, found by hashing its bytes (no string is
  // made unless the value is new).
  void push(std::string_view value);
  // Room for `rows` rows of up to 256 levels without reallocating.
  void reserve(std::size_t rows) { codes8_.reserve(rows); }
  // Adds the rows of `other` after these (its levels mapped onto these).
  void append(const Column& other);
  // The column of the given rows, in that order, with only their values as
  // levels (so numeric() says what it says of these rows).
  Column select(const std::vector<std::size_t>& rows) const;
  // Each level's rank in byte order of the levels' texts (table_order.cpp).
  std::vector<std::uint32_t> level_ranks() const;
  // The column of the given rows, in that order, its level l renumbered
  // rank[l] (a permutation of the levels).
  Column reordered(const std::vector<std::uint32_t>& rows,
                   const std::vector<std::uint32_t>& rank) const;

 private:
  void push_code(std::uint32_t code);
  void widen_for(std::uint32_t code);
  // A new level (its text and number) and its place in the hash table.
  // A level's code + 1, or 0 when the value is not a level yet.
  std::uint32_t find(std::string_view value) const;
  std::uint32_t add_level(std::string_view text, double number);
  void place(std::uint64_t key, std::uint32_t size, std::uint32_t code);
  void grow_slots();

  // The codes of the rows, in the vector of the current width (the others
  // are empty): 1 byte up to 256 levels, 2 up to 65,536, else 4.
  std::vector<std::uint8_t> codes8_;
  std::vector<std::uint16_t> codes16_;
  std::vector<std::uint32_t> codes32_;
  int width_ = 1;
  std::size_t size_ = 0;
  std::vector<std::string> levels_;
  std::vector<double> numbers_;
  // Open addressing over the levels, a power of two at least twice their
  // number. A slot holds the level's key (its bytes when at most 8, else a
  // hash of them), size and code + 1 (0: empty), so that a short value is
  // found without reading the level's string.
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t code = 0;
    std::uint32_t size = 0;
  };
  std::vector<Slot> slots_;
  int slot_bits_ = 0;
  bool numeric_ = true;
};

// Survey data held in memory: only the columns an analysis asks for.
class Table {
 public:
  // Loads `columns` of a CSV file, in that order (all columns, in file
  // order, when empty). Throws io::CsvError (csv.missing_column for a name
  // the file lacks) or io::IoError.
  static Table load(const std::filesystem::path& path,
                    const std::vector<std::string>& columns = {});
  // Loads the columns of a CSV file that `keep` says yes to, in file order.
  // A column the caller needs but the file lacks is no error here: column()
  // names it when it is used, as with a table of every column.
  static Table load_if(const std::filesystem::path& path,
                       const std::function<bool(std::string_view)>& keep);

  std::size_t rows() const { return rows_; }
  const std::string& source() const { return source_; }
  // Lowercase hex SHA-256 of the file the table was loaded from ("" for a
  // table built in memory): the hash a results file records.
  const std::string& sha256() const { return sha256_; }
  bool has(std::string_view name) const;
  // The names of the loaded columns, in file order.
  const std::vector<std::string>& names() const { return names_; }
  // Every column of the file the table was loaded from, loaded or not (the
  // loaded ones for a table built in memory): what a message about a
  // missing column lists.
  const std::vector<std::string>& file_columns() const {
    return file_columns_.empty() ? names_ : file_columns_;
  }
  // Throws AnalysisError data.missing_column naming the file and listing its columns.
  const Column& column(std::string_view name) const;
  // The column as numbers; a non-numeric value is an error naming the file,
  // line and column. Missing values are NaN.
  std::vector<double> numbers(std::string_view name) const;
  // The 1-based CSV line of a data row (for messages); 0 past the end.
  std::size_t line_of(std::size_t row) const;
  // The table of the given rows (in that order), each keeping its CSV line.
  Table select_rows(const std::vector<std::size_t>& rows) const;

  // The same rows in the canonical order (table_order.cpp): every column's
  // levels numbered in byte order of their texts, and the rows sorted by
  // those numbers, the `leading` columns first, then the others by name.
  // Files that hold the same rows in any order give the same table (rows
  // equal in every column are interchangeable), so estimates computed from it
  // do not depend on the order of the file's rows. Each row keeps its line.
  Table canonical(const std::vector<std::string>& leading = {}) const;
  // The row's place among the data rows of the file it was loaded from.
  std::size_t file_row(std::size_t row) const { return file_rows_.empty() ? row : file_rows_[row]; }
  // Of the rows for which `problem(row)` holds, the one that comes first in
  // the file (rows() when there is none): the row an error names, whatever
  // order the rows are in.
  template <typename Problem>
  std::size_t first_in_file(Problem&& problem) const {
    std::size_t first = rows_;
    for (std::size_t row = 0; row < rows_; ++row) {
      if (problem(row) && (first == rows_ || file_row(row) < file_row(first))) first = row;
    }
    return first;
  }

  // Adds a column after the others (a join: analysis/weights_join.cpp).
  // Throws AnalysisError data.invalid when its rows are not the table's or
  // the name is taken.
  void add_column(std::string name, Column column);

  // Builds a table in memory (tests, generated data).
  static Table from_columns(std::string source,
                            std::vector<std::pair<std::string, std::vector<std::string>>> columns);

 private:
  // Which columns a load takes: `names` in that order, each required, or
  // (with `keep`) those of the file it says yes to, in file order.
  struct Selection {
    std::vector<std::string> names;
    std::function<bool(std::string_view)> keep;
  };
  static Table load_selected(const std::filesystem::path& path, const Selection& selection);
  // Through io::CsvFastScan; false when the file is not one it takes.
  static bool load_fast(const std::filesystem::path& path, const Selection& selection, Table& t);
  // Through io::CsvReader, which names every problem of a file.
  static Table load_streamed(const std::filesystem::path& path, const Selection& selection);
  static void take_record(void* table, std::size_t line, const std::string_view* fields);
  // Adds the rows of `other` (the same columns) after these, its lines
  // shifted by `line_shift`.
  void append(const Table& other, std::size_t line_shift);

  std::string source_;
  std::string sha256_;
  std::size_t rows_ = 0;
  std::vector<std::string> names_;
  std::vector<std::string> file_columns_;
  std::vector<Column> columns_;
  // (row, line) for the first row and every row whose line does not follow
  // the previous row's (a record spanning lines): one entry for most files.
  // The rows are those of the file as loaded (file_row()).
  std::vector<std::pair<std::size_t, std::size_t>> line_jumps_;
  // Each row's file_row(), when the rows are not the file's in its order
  // (after select_rows or canonical); empty otherwise.
  std::vector<std::uint32_t> file_rows_;
  void add_line(std::size_t line);
};

}  // namespace sipas::analysis
