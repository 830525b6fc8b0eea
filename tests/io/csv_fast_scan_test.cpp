// io::CsvFastScan against io::CsvReader, the reference: on the shipped data
// sets, on hand-written bad files, and on thousands of small random files
// made of the bytes that matter (quotes, delimiters, CR, LF, apostrophes,
// formula characters, UTF-8 and broken UTF-8). Whatever CsvReader reads, the
// scan reads the same (records, fields, lines, hash) or declines; whatever
// CsvReader refuses, the scan declines, so the caller's reading with CsvReader
// reports it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "io/csv_fast_scan.hpp"
#include "io/csv_reader.hpp"
#include "io/sha256.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::io::CsvError;
using sipas::io::CsvFastScan;
using sipas::io::CsvOptions;
using sipas::io::CsvReader;

struct Record {
  std::size_t line;
  std::vector<std::string> fields;
  bool operator==(const Record&) const = default;
};

struct Reading {
  std::vector<std::string> header;
  std::vector<Record> records;
  std::string sha256;
};

// CsvReader's reading of every column, or its error.
std::optional<Reading> by_reader(const fs::path& path, const CsvOptions& options,
                                 std::string* error = nullptr) {
  try {
    CsvReader reader(path, options);
    Reading out;
    out.header = reader.header();
    while (reader.next()) {
      Record r{reader.line(), {}};
      for (auto f : reader.fields())
        r.fields.emplace_back(f);
      out.records.push_back(std::move(r));
    }
    out.sha256 = reader.sha256();
    return out;
  } catch (const CsvError& e) {
    if (error) *error = std::string(e.id()) + ": " + e.what();
    return std::nullopt;
  }
}

struct Collect {
  std::vector<Record>* records;
  std::size_t width;
};

void collect(void* context, std::size_t line, const std::string_view* fields) {
  auto& c = *static_cast<Collect*>(context);
  Record r{line, {}};
  for (std::size_t i = 0; i < c.width; ++i)
    r.fields.emplace_back(fields[i]);
  c.records->push_back(std::move(r));
}

// The scan's reading of every column, or nullopt when it declines.
std::optional<Reading> by_scan(const fs::path& path, const CsvOptions& options) {
  CsvFastScan scan(path, options);
  if (!scan.header_ok()) return std::nullopt;
  Reading out;
  out.header = scan.header();
  std::vector<std::size_t> all(out.header.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  Collect c{&out.records, all.size()};
  if (!scan.scan(all, collect, &c)) return std::nullopt;
  out.sha256 = scan.sha256();
  return out;
}

// Compares the two readers on one file; returns whether the scan took it.
bool compare(const fs::path& path, const CsvOptions& options = {}) {
  SCOPED_TRACE(path.string());
  std::string error;
  const auto expected = by_reader(path, options, &error);
  const auto got = by_scan(path, options);
  if (!expected) {
    EXPECT_FALSE(got.has_value()) << "CsvReader refuses it (" << error << "), the scan took it";
    return false;
  }
  if (!got) return false;
  EXPECT_EQ(got->header, expected->header);
  EXPECT_EQ(got->records.size(), expected->records.size());
  for (std::size_t i = 0; i < std::min(got->records.size(), expected->records.size()); ++i) {
    EXPECT_EQ(got->records[i].line, expected->records[i].line) << "record " << i + 1;
    EXPECT_EQ(got->records[i].fields, expected->records[i].fields) << "record " << i + 1;
  }
  EXPECT_EQ(got->sha256, expected->sha256);
  return true;
}

fs::path write(const sipas::test::TempDir& dir, const std::string& name, const std::string& text) {
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(CsvFastScanTest, ReadsTheShippedDataSetsAsCsvReaderDoes) {
  const fs::path root = SIPAS_SOURCE_DIR;
  std::vector<fs::path> files;
  for (const auto& folder : {root / ".." / "shared" / "data" / "api", root / "tests" / "reference",
                             root / "fuzz" / "corpus" / "csv", root / "fuzz" / "corpus" / "margins",
                             root / "fuzz" / "corpus" / "appraisal"}) {
    if (!fs::exists(folder)) continue;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.path().extension() == ".csv") files.push_back(entry.path());
    }
  }
  ASSERT_GE(files.size(), 20u);
  std::size_t taken = 0;
  for (const auto& f : files)
    taken += compare(f) ? 1 : 0;
  // The api files and the references are plain CSV: the fast scan takes them.
  EXPECT_GE(taken, files.size() - 6) << "of " << files.size();
}

TEST(CsvFastScanTest, DeclinesEveryFileCsvReaderRefuses) {
  sipas::test::TempDir dir("sipas-fast-scan");
  const std::vector<std::string> bad = {
      "",                                  // no header
      "\n\r\n\n",                          // blank lines only
      "id,name\n1\n",                      // too few fields
      "id,name\n1,a,b\n",                  // too many
      "id,name\n1,a\"b\n",                 // a quote inside an unquoted field
      "id,name\n1,\"a\" \n",               // text after a closing quote
      "id,name\n1,\"a\"b\n",               // text after a closing quote
      "id,name\n1,\"never closed\n2,x\n",  // a quote never closed
      "id,name\n1,\xff\n",                 // not UTF-8
      "id,na\xc3\n1,2\n",                  // not UTF-8 in the header
      "id,id\n1,2\n",                      // a duplicate column
      "id,'=x,=x\n1,2,3\n",                // a duplicate once the guard is off
      "id,name\n1,\"a\"\"b\",c\n",         // too many, after a doubled quote
      "id,name\r\n1,a\r\n2\r\n",           // too few, CRLF
      "id,name\r1,a\r2,\"b\r",             // never closed, lone CR
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto path = write(dir, "bad" + std::to_string(i) + ".csv", bad[i]);
    SCOPED_TRACE(bad[i]);
    ASSERT_FALSE(by_reader(path, {}).has_value()) << "CsvReader should refuse it";
    EXPECT_FALSE(compare(path));
  }
  // Over the limits: a long field, a long header, too many columns.
  CsvOptions small;
  small.max_field_bytes = 8;
  small.max_fields = 3;
  for (const std::string& text :
       {std::string("id,name\n1,123456789\n"), std::string("id,name\n1,\"12345678\"\"\"\n"),
        std::string("abcd,efgh,i\n1,2,3\n"), std::string("a,b,c,d\n1,2,3,4\n")}) {
    const auto path = write(dir, "limits.csv", text);
    SCOPED_TRACE(text);
    ASSERT_FALSE(by_reader(path, small).has_value());
    EXPECT_FALSE(compare(path, small));
  }
}

TEST(CsvFastScanTest, TakesQuotedFieldsLineBreaksBlankLinesAndTheGuardAsCsvReaderDoes) {
  sipas::test::TempDir dir("sipas-fast-scan");
  const std::vector<std::string> good = {
      "\xEF\xBB\xBFid,name\n1,a\n",
      "id,name\r\n1,\"a,b\"\r\n\r\n2,\"line\r\nbreak\"\r\n3,\"\"\"quoted\"\"\"\r\n",
      "\n\nid,name\n\n1, spaces are data \n\r\r2,\"\"\n",
      "id,name\r1,a\r2,b",
      "id,name\n1,\"'=HYPERLINK(\"\"x\"\")\"\n2,'-5\n3,''=x\n4,'plain\n",
      "id,note\n1,\"multi\nline\nfield\"\n2,x\n",
      "only\n\"\"\n\n'+1\nx\n",
      "a,b,c\n,,\n\"\",,\"\"\n",
      "id,name\n1,Hà Nội\n2,\"Thừa Thiên \"\"Huế\"\"\"\n",
  };
  for (std::size_t i = 0; i < good.size(); ++i) {
    const auto path = write(dir, "good" + std::to_string(i) + ".csv", good[i]);
    SCOPED_TRACE(good[i]);
    EXPECT_TRUE(compare(path)) << "the fast scan should take this file";
  }
  // Raw reading: the guard stays.
  const auto path = write(dir, "raw.csv", "id,'=x\n1,'-2\n");
  CsvOptions raw;
  raw.restore_neutralised = false;
  EXPECT_TRUE(compare(path, raw));
  // Another delimiter.
  CsvOptions semicolon;
  semicolon.delimiter = ';';
  EXPECT_TRUE(compare(write(dir, "semi.csv", "id;name\n1;\"a;b\"\n2;c,d\n"), semicolon));
}

// Small random files of the bytes that matter: the scan never takes what
// CsvReader refuses, never reads differently what both take, and takes most
// of the well-formed ones (so the comparison is not empty).
TEST(CsvFastScanTest, RandomFilesReadTheSameOrAreDeclined) {
  sipas::test::TempDir dir("sipas-fast-scan");
  const std::vector<std::string> alphabet = {
      "a",  "b", "1", "-2.5", ",", ",", ",", "\"", "\"\"", "\n",   "\n",       "\r\n",
      "\r", " ", "'", "'=",   "=", "+", "@", "\t", "é",    "\xff", "\xe1\xbb", "NA"};
  std::mt19937_64 rng(20261207);
  std::size_t refused = 0, taken = 0, declined = 0;
  for (int round = 0; round < 1200; ++round) {
    std::string text;
    // Mostly files with a plain header and rows of the same width, with a
    // few random pieces in them; sometimes pure noise.
    const bool noise = rng() % 4 == 0;
    if (!noise) {
      const std::size_t width = 1 + rng() % 4;
      for (std::size_t c = 0; c < width; ++c)
        text += (c ? "," : "") + std::string("c") + std::to_string(c);
      text += "\n";
      const std::size_t rows = rng() % 6;
      for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < width; ++c) {
          if (c) text += ",";
          switch (rng() % 5) {
            case 0:
              text += "\"" + alphabet[rng() % alphabet.size()] + "\"";
              break;
            case 1:
              text += alphabet[rng() % alphabet.size()];
              break;
            default:
              text += std::to_string(rng() % 10);
          }
        }
        text += rng() % 3 == 0 ? "\r\n" : "\n";
      }
    } else {
      const std::size_t pieces = rng() % 30;
      for (std::size_t k = 0; k < pieces; ++k)
        text += alphabet[rng() % alphabet.size()];
    }
    const auto path = write(dir, "random.csv", text);
    SCOPED_TRACE(::testing::Message() << "round " << round << ": [" << text << "]");
    const bool reader_ok = by_reader(path, {}).has_value();
    const bool scan_ok = compare(path);
    if (!reader_ok) {
      ++refused;
    } else if (scan_ok) {
      ++taken;
    } else {
      ++declined;
    }
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(refused, 50u);
  EXPECT_GT(taken, 400u);
  // A well-formed file the scan declines costs a second reading, never a
  // wrong value; there should be none among these.
  EXPECT_EQ(declined, 0u);
}

}  // namespace
