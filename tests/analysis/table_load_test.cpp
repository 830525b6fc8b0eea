// Table::load (the fast scan, with CsvReader for what it declines) against a
// table built cell by cell from io::CsvReader, the reading every other
// command uses: the same values, numbers, lines and hash on the shipped data
// sets, and the same errors (id, file and line) on bad files.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analysis/error.hpp"
#include "analysis/table.hpp"
#include "io/csv_reader.hpp"
#include "io/sha256.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::analysis::Table;

// The data set's cells as CsvReader gives them ("NA" is missing, as in Table).
struct Expected {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> cells;  // [column][row]
  std::vector<std::size_t> lines;
};

Expected read_with_reader(const fs::path& path) {
  sipas::io::CsvReader reader(path);
  Expected e;
  e.header = reader.header();
  e.cells.resize(e.header.size());
  while (reader.next()) {
    for (std::size_t c = 0; c < e.header.size(); ++c) {
      const std::string_view f = reader.field(c);
      e.cells[c].emplace_back(f == "NA" ? std::string_view() : f);
    }
    e.lines.push_back(reader.line());
  }
  return e;
}

void expect_same(const Table& t, const Expected& e, const fs::path& path) {
  SCOPED_TRACE(path.filename().string());
  ASSERT_EQ(t.names(), e.header);
  ASSERT_EQ(t.rows(), e.lines.size());
  EXPECT_EQ(t.sha256(), sipas::io::sha256_file(path));
  for (std::size_t row = 0; row < t.rows(); ++row)
    ASSERT_EQ(t.line_of(row), e.lines[row]) << "row " << row;
  for (std::size_t c = 0; c < e.header.size(); ++c) {
    const auto& column = t.column(e.header[c]);
    bool numeric = true;
    for (std::size_t row = 0; row < t.rows(); ++row) {
      const std::string& want = e.cells[c][row];
      ASSERT_EQ(column.text(row), want) << e.header[c] << " row " << row;
      ASSERT_EQ(column.is_missing(row), want.empty());
      char* end = nullptr;
      const double x = want.empty() ? NAN : std::strtod(want.c_str(), &end);
      const bool is_number = !want.empty() && end == want.c_str() + want.size() && std::isfinite(x);
      numeric &= want.empty() || is_number;
      if (is_number) {
        ASSERT_EQ(column.number(row), x) << e.header[c] << " row " << row;
      } else {
        ASSERT_TRUE(std::isnan(column.number(row))) << e.header[c] << " row " << row;
      }
    }
    EXPECT_EQ(column.numeric(), numeric) << e.header[c];
  }
}

TEST(TableLoadTest, TheApiDataSetsLoadAsCsvReaderReadsThem) {
  const fs::path api = fs::path(SIPAS_SOURCE_DIR) / ".." / "shared" / "data" / "api";
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(api)) {
    if (entry.path().extension() != ".csv") continue;
    ++files;
    expect_same(Table::load(entry.path()), read_with_reader(entry.path()), entry.path());
  }
  EXPECT_GE(files, 6u);
}

TEST(TableLoadTest, ChosenColumnsOnlyAndAMissingOneIsNamedWhenUsed) {
  const fs::path path =
      fs::path(SIPAS_SOURCE_DIR) / ".." / "shared" / "data" / "api" / "apistrat.csv";
  const Table some = Table::load_if(path, [](std::string_view name) {
    return name == "api00" || name == "pw" || name == "nothing";
  });
  EXPECT_EQ(some.names(), (std::vector<std::string>{"api00", "pw"}));
  EXPECT_EQ(some.rows(), 200u);
  try {
    (void)some.column("nothing");
    FAIL() << "no error for a column the file lacks";
  } catch (const sipas::analysis::AnalysisError& e) {
    EXPECT_EQ(std::string(e.id()), "data.missing_column");
    EXPECT_NE(std::string(e.what()).find("apistrat.csv: no column 'nothing'"), std::string::npos)
        << e.what();
    // The file's columns, not only the loaded ones.
    EXPECT_NE(std::string(e.what()).find("(columns: cds, stype, name, sname, snum, "),
              std::string::npos)
        << e.what();
  }
  // A table made from rows of another keeps the file's columns for messages.
  EXPECT_EQ(some.select_rows({0, 1}).file_columns(), some.file_columns());
  EXPECT_EQ(some.canonical().file_columns(), some.file_columns());
  EXPECT_GT(some.file_columns().size(), 30u);
  // By name, in the order asked for; a missing name is CsvReader's error.
  const Table named = Table::load(path, {"pw", "api00"});
  EXPECT_EQ(named.names(), (std::vector<std::string>{"pw", "api00"}));
  try {
    (void)Table::load(path, {"pw", "district"});
    FAIL() << "no error for a missing column";
  } catch (const sipas::io::CsvError& e) {
    EXPECT_EQ(std::string(e.id()), "csv.missing_column");
    EXPECT_NE(std::string(e.what()).find("no column 'district'"), std::string::npos) << e.what();
  }
}

// A file over 1 MiB without quotes is split in two parts read on two threads
// and joined: the same table, lines and levels as CsvReader's reading, with
// blank lines and CRLF around the cut, and a column whose second half brings
// thousands of new levels (its codes widen from 1 to 2 bytes when joined).
TEST(TableLoadTest, AFileReadInTwoPartsLoadsAsCsvReaderReadsIt) {
  sipas::test::TempDir dir("sipas-table-load");
  const auto path = dir / "big.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "id,code,weight,note\r\n";
    for (int i = 0; i < 80000; ++i) {
      out << i << ',' << (i % 5 + 1) << ',' << (i < 40000 ? "1.5" : std::to_string(i % 3000)) << ','
          << (i % 7 == 0 ? "NA" : "x") << (i % 2 ? "\r\n" : "\n");
      if (i % 9973 == 0) out << "\n\r\n";  // blank lines
    }
  }
  ASSERT_GT(std::filesystem::file_size(path), std::size_t{1} << 20);
  const Table t = Table::load(path);
  expect_same(t, read_with_reader(path), path);
  EXPECT_EQ(t.column("weight").levels().size(), 3001u);  // 1.5 and 0..2999
}

// Bad files: Table::load's error is CsvReader's, word for word.
TEST(TableLoadTest, BadFilesGiveCsvReadersErrorWithItsLine) {
  sipas::test::TempDir dir("sipas-table-load");
  const std::vector<std::string> bad = {
      "",
      "id,w\n1,2\n2\n",
      "id,w\n1,2\n2,3,4\n",
      "id,w\n1,2\n2,a\"b\n",
      "id,w\n1,2\n\n\n2,\"3\"x\n",
      "id,w\n1,\"two\nlines\"\n2,\"never closed\n3,4\n",
      "id,w\n1,2\n2,\xc3(\n",
      "id,id\n1,2\n",
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto path = dir / ("bad" + std::to_string(i) + ".csv");
    std::ofstream(path, std::ios::binary) << bad[i];
    SCOPED_TRACE(bad[i]);
    std::string expected;
    try {
      read_with_reader(path);
      FAIL() << "CsvReader takes it";
    } catch (const sipas::io::CsvError& e) {
      expected = std::string(e.id()) + " " + e.what();
    }
    try {
      (void)Table::load(path);
      FAIL() << "Table::load takes it";
    } catch (const sipas::io::CsvError& e) {
      EXPECT_EQ(std::string(e.id()) + " " + e.what(), expected);
    }
  }
}

}  // namespace

// Issue 17: the canonical order (Table::canonical) numbers every column's
// levels in byte order of their texts and sorts the rows by them, the leading
// columns first; the same rows in another order give the same table, and each
// row keeps its line.
namespace {

std::vector<std::string> rows_of(const Table& t) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    std::string row;
    for (const auto& name : t.names())
      row += t.column(name).text(i) + "|";
    out.push_back(row + std::to_string(t.line_of(i)));
  }
  return out;
}

}  // namespace

TEST(TableOrderTest, CanonicalRowsAndLevelsDoNotDependOnTheFilesOrder) {
  const Table a = Table::from_columns(
      "a.csv", {{"z", {"2", "1", "2", "", "1"}}, {"s", {"B", "A", "B", "A", "C"}}});
  const Table b = Table::from_columns(
      "b.csv", {{"z", {"1", "2", "", "1", "2"}}, {"s", {"C", "B", "A", "A", "B"}}});
  const Table ca = a.canonical({"s"}), cb = b.canonical({"s"});
  // Levels in byte order (missing first), the same numbers in both.
  EXPECT_EQ(ca.column("s").levels(), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(ca.column("z").levels(), (std::vector<std::string>{"", "1", "2"}));
  EXPECT_EQ(cb.column("z").levels(), ca.column("z").levels());
  // Rows by s, then z; each with its line in its own file (data from line 2).
  EXPECT_EQ(rows_of(ca), (std::vector<std::string>{"|A|5", "1|A|3", "2|B|2", "2|B|4", "1|C|6"}));
  EXPECT_EQ(rows_of(cb), (std::vector<std::string>{"|A|4", "1|A|5", "2|B|3", "2|B|6", "1|C|2"}));
  // The first row in the file with a problem, not the first in this order.
  const auto& s = ca.column("s");
  EXPECT_EQ(ca.line_of(ca.first_in_file([&](std::size_t i) { return s.text(i) != "C"; })), 2u);
  EXPECT_EQ(ca.first_in_file([](std::size_t) { return false; }), ca.rows());
  // A selection keeps the lines too.
  const Table picked = ca.select_rows({4, 0});
  EXPECT_EQ(picked.line_of(0), 6u);
  EXPECT_EQ(picked.line_of(1), 5u);
  // Without leading columns the key is every column by name: s, then z.
  EXPECT_EQ(rows_of(a.canonical()), rows_of(ca));
}
