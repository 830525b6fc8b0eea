#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/file.hpp"
#include "io/sha256.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::io::CsvError;
using sipas::io::CsvOptions;
using sipas::io::CsvReader;
using sipas::io::CsvWriter;
using sipas::io::CsvWriterOptions;

constexpr std::size_t block = std::size_t{1} << 20;  // the reader's read block

struct Row {
  std::size_t line;
  std::vector<std::string> fields;
  bool operator==(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
  out << "line " << row.line << ":";
  for (const auto& f : row.fields)
    out << " [" << f << "]";
  return out;
}

std::vector<Row> read_all(CsvReader& reader) {
  std::vector<Row> rows;
  while (reader.next()) {
    EXPECT_EQ(reader.record(), rows.size() + 1);
    rows.push_back({reader.line(), {reader.fields().begin(), reader.fields().end()}});
  }
  return rows;
}

class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.path(); }

  fs::path write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  std::vector<Row> read(const std::string& name, const std::string& bytes,
                        CsvOptions options = {}) {
    CsvReader reader(write(name, bytes), options);
    return read_all(reader);
  }
  // The CsvError thrown while opening and reading the whole file.
  CsvError error_of(const std::string& name, const std::string& bytes, CsvOptions options = {}) {
    try {
      CsvReader reader(write(name, bytes), options);
      while (reader.next()) {
      }
    } catch (const CsvError& e) {
      return e;
    }
    ADD_FAILURE() << name << ": expected a CsvError";
    return CsvError("none", "none");
  }
  sipas::test::TempDir temp_;
  fs::path dir_;
};

TEST_F(CsvTest, ReadsHeaderAndRecords) {
  CsvReader reader(write("frame.csv", "id,stratum,name\n1,a,An\n2,b,Binh\n"));
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"id", "stratum", "name"}));
  EXPECT_EQ(reader.column("stratum"), 1u);
  EXPECT_EQ(reader.column("district"), std::nullopt);
  EXPECT_EQ(reader.require_column("name"), 2u);
  EXPECT_EQ(reader.source(), "frame.csv");
  EXPECT_EQ(reader.line(), 1u);
  EXPECT_EQ(reader.record(), 0u);

  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.fields().size(), 3u);
  EXPECT_EQ(reader.field(0), "1");
  EXPECT_EQ(reader.field(2), "An");
  EXPECT_EQ(reader.line(), 2u);
  EXPECT_EQ(reader.record(), 1u);
  EXPECT_EQ(reader.where(), "frame.csv:2");
  EXPECT_THROW(reader.field(3), std::out_of_range);

  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.field(1), "b");
  EXPECT_EQ(reader.where(), "frame.csv:3");
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.fields().empty());
  EXPECT_FALSE(reader.next());
}

TEST_F(CsvTest, QuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  auto rows = read("q.csv",
                   "id,name,note\n"
                   "1,\"Le, Van\",\"say \"\"hi\"\"\"\n"
                   "2,\"three\nline\nfield\",\"\"\n"
                   "3,plain,\"a\r\nb\"\n"
                   "4,\"\"\"\",\",\"\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (Row{2, {"1", "Le, Van", "say \"hi\""}}));
  EXPECT_EQ(rows[1], (Row{3, {"2", "three\nline\nfield", ""}}));
  EXPECT_EQ(rows[2], (Row{6, {"3", "plain", "a\r\nb"}}));  // after the two breaks in record 2
  EXPECT_EQ(rows[3], (Row{8, {"4", "\"", ","}}));          // CRLF inside a field is one break
}

TEST_F(CsvTest, SpacesAroundUnquotedFieldsAreData) {
  auto rows = read("s.csv", "id,name\n 1 ,\tAn\t\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{" 1 ", "\tAn\t"}));
}

TEST_F(CsvTest, ByteOrderMarkIsSkippedButHashed) {
  std::string bytes = "\xEF\xBB\xBFid,name\n1,Nguy\xE1\xBB\x85n\n";
  CsvReader reader(write("bom.csv", bytes));
  EXPECT_EQ(reader.header().front(), "id");
  EXPECT_EQ(reader.column("id"), 0u);
  auto rows = read_all(reader);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Row{2, {"1", "Nguy\xE1\xBB\x85n"}}));
  EXPECT_EQ(reader.bytes_read(), bytes.size());
  EXPECT_EQ(reader.sha256(), sipas::io::sha256_file(dir_ / "bom.csv"));
  sipas::io::Sha256 hash;
  hash.update(bytes);
  EXPECT_EQ(reader.sha256(), hash.hex_digest());
}

TEST_F(CsvTest, CrLfLineEnds) {
  auto rows = read("crlf.csv", "id,name\r\n1,a\r\n2,\"b\"\r\n\r\n3,c\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (Row{2, {"1", "a"}}));
  EXPECT_EQ(rows[1], (Row{3, {"2", "b"}}));
  EXPECT_EQ(rows[2], (Row{5, {"3", "c"}}));
}

TEST_F(CsvTest, LoneCarriageReturnLineEnds) {
  auto rows = read("mac.csv", "id,name\r1,a\r\r2,b\r");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (Row{2, {"1", "a"}}));
  EXPECT_EQ(rows[1], (Row{4, {"2", "b"}}));
}

TEST_F(CsvTest, MissingFinalLineBreak) {
  EXPECT_EQ(read("a.csv", "id,name\n1,a\n2,b"),
            (std::vector<Row>{{2, {"1", "a"}}, {3, {"2", "b"}}}));
  EXPECT_EQ(read("b.csv", "id,name\n1,\"a\nb\""), (std::vector<Row>{{2, {"1", "a\nb"}}}));
  EXPECT_EQ(read("c.csv", "id,name\n1,"), (std::vector<Row>{{2, {"1", ""}}}));
  EXPECT_TRUE(read("d.csv", "id,name").empty());
}

TEST_F(CsvTest, BlankLinesAreSkippedButCounted) {
  auto rows = read("blank.csv", "\nid,name\n\n1,a\n\r\n\n2,b\n\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (Row{4, {"1", "a"}}));
  EXPECT_EQ(rows[1], (Row{7, {"2", "b"}}));
}

TEST_F(CsvTest, EmptyFieldsAreNotBlankLines) {
  auto rows = read("e.csv", "id,name\n,\n\"\",x\n");
  EXPECT_EQ(rows, (std::vector<Row>{{2, {"", ""}}, {3, {"", "x"}}}));
  // With one column, a lone "" is an empty value; a bare empty line is skipped.
  EXPECT_EQ(read("one.csv", "id\n\"\"\n\n7\n"), (std::vector<Row>{{2, {""}}, {4, {"7"}}}));
}

TEST_F(CsvTest, OtherDelimiters) {
  EXPECT_EQ(read("semi.csv", "id;name\n1;\"a;b\"\n", {.delimiter = ';'}),
            (std::vector<Row>{{2, {"1", "a;b"}}}));
  EXPECT_EQ(read("tab.tsv", "id\tname\n1\t a b \n", {.delimiter = '\t'}),
            (std::vector<Row>{{2, {"1", " a b "}}}));
}

TEST_F(CsvTest, FieldCountErrorNamesFileAndLine) {
  CsvReader reader(write("frame.csv", "a,b,c,d,e\n1,2,3,4,5\n\n\"x\ny\",2,3,4,5\n1,2,3,4\n"));
  ASSERT_TRUE(reader.next());
  ASSERT_TRUE(reader.next());  // the records before the bad one come out first
  EXPECT_EQ(reader.line(), 4u);
  try {
    reader.next();
    FAIL() << "expected an error";
  } catch (const CsvError& e) {
    EXPECT_EQ(e.id(), "csv.field_count");
    EXPECT_STREQ(e.what(), "frame.csv:6: expected 5 fields, found 4");
  }
  EXPECT_THROW(reader.next(), CsvError);  // stays failed

  auto more = error_of("more.csv", "a,b\n1,2,3\n");
  EXPECT_EQ(more.id(), "csv.field_count");
  EXPECT_STREQ(more.what(), "more.csv:2: expected 2 fields, found 3");
}

TEST_F(CsvTest, QuoteInsideUnquotedFieldIsMalformed) {
  auto e = error_of("bad.csv", "id,name\n1,ok\n2,ab\"c\n");
  EXPECT_EQ(e.id(), "csv.malformed");
  EXPECT_EQ(std::string(e.what()).rfind("bad.csv:3: column 'name': a quote inside an unquoted", 0),
            0u)
      << e.what();
}

TEST_F(CsvTest, TextAfterClosingQuoteIsMalformed) {
  auto e = error_of("bad.csv", "id,name,x\n1,\"two\nlines\"oops,3\n");
  EXPECT_EQ(e.id(), "csv.malformed");
  // The line of the offending character, inside the record that starts on line 2.
  EXPECT_EQ(std::string(e.what()).rfind("bad.csv:3: column 'name': text after the closing", 0), 0u)
      << e.what();
  EXPECT_EQ(error_of("space.csv", "id,name\n1,\"a\" \n").id(), "csv.malformed");
}

TEST_F(CsvTest, UnclosedQuoteAtTheEndIsMalformed) {
  auto e = error_of("open.csv", "id,name\n1,a\n\n2,\"abc\nmore\n");
  EXPECT_EQ(e.id(), "csv.malformed");
  EXPECT_STREQ(e.what(), "open.csv:4: column 'name' opens a quote that is never closed");
}

TEST_F(CsvTest, MalformedHeader) {
  auto e = error_of("h.csv", "id,na\"me\n");
  EXPECT_EQ(e.id(), "csv.malformed");
  EXPECT_EQ(std::string(e.what()).rfind("h.csv:1: header field 2:", 0), 0u) << e.what();
}

TEST_F(CsvTest, InvalidUtf8NamesLineAndColumn) {
  auto e = error_of("utf.csv", "id,name,note\n1,Hu\xE1\xBA\xBF,x\n2,\"a\nb\",\xC3\x28\n");
  EXPECT_EQ(e.id(), "csv.invalid_utf8");
  EXPECT_STREQ(e.what(), "utf.csv:4: column 'note' is not valid UTF-8");

  auto overlong = error_of("over.csv", "id\n\xC0\xAF\n");
  EXPECT_STREQ(overlong.what(), "over.csv:2: column 'id' is not valid UTF-8");

  auto header = error_of("head.csv", "id,\xFF\n");
  EXPECT_EQ(header.id(), "csv.invalid_utf8");
  EXPECT_STREQ(header.what(), "head.csv:1: header field 2 is not valid UTF-8");
}

// A file whose byte number `block` (the first of the second read block) falls
// `split` bytes into `sequence`, inside the name of record 1.
std::string split_across_blocks(const std::string& sequence, std::size_t split) {
  std::string start = "id,name\n1,";
  std::string bytes = start + std::string(block - start.size() - split, 'x') + sequence + "\n2,b\n";
  EXPECT_EQ(bytes.substr(block - split, sequence.size()), sequence);
  return bytes;
}

TEST_F(CsvTest, Utf8SequenceCutByTheReadBlockIsValid) {
  for (std::string sequence : {"\xC3\xA0", "\xE1\xBB\x85", "\xF0\x9F\x98\x80"}) {
    for (std::size_t split = 1; split < sequence.size(); ++split) {
      auto rows = read("split.csv", split_across_blocks(sequence, split));
      ASSERT_EQ(rows.size(), 2u);
      EXPECT_TRUE(rows[0].fields[1].ends_with(sequence));
      EXPECT_EQ(rows[1], (Row{3, {"2", "b"}}));
    }
  }
}

TEST_F(CsvTest, InvalidUtf8CutByTheReadBlockIsFound) {
  // A lead byte ends the first block; the second starts with ASCII, or with
  // one continuation byte too many.
  for (std::string sequence : {"\xE1x", "\xE1\xBB\x85\x85", "\xC3\xA0\xA0"}) {
    for (std::size_t split = 1; split < sequence.size(); ++split) {
      CsvReader reader(write("split.csv", split_across_blocks(sequence, split)));
      try {
        reader.next();
        ADD_FAILURE() << "expected an error, split " << split;
      } catch (const CsvError& e) {
        EXPECT_EQ(e.id(), "csv.invalid_utf8");
        EXPECT_STREQ(e.what(), "split.csv:2: column 'name' is not valid UTF-8");
      }
    }
  }
  // The file ends inside a sequence.
  EXPECT_STREQ(error_of("end.csv", "id,name\n1,ok\n2,\xE1\xBB").what(),
               "end.csv:3: column 'name' is not valid UTF-8");
}

TEST_F(CsvTest, DuplicateHeaderName) {
  auto e = error_of("dup.csv", "id,name,id\n1,a,1\n");
  EXPECT_EQ(e.id(), "csv.duplicate_column");
  EXPECT_STREQ(e.what(), "dup.csv:1: duplicate column 'id' (fields 1 and 3)");
}

TEST_F(CsvTest, MissingColumnListsTheColumns) {
  CsvReader reader(write("frame.csv", "id,stratum,name\n"));
  try {
    reader.require_column("district");
    FAIL() << "expected an error";
  } catch (const CsvError& e) {
    EXPECT_EQ(e.id(), "csv.missing_column");
    EXPECT_STREQ(e.what(), "frame.csv: no column 'district' (columns: id, stratum, name)");
  }
}

TEST_F(CsvTest, EmptyFileHasNoHeader) {
  for (const std::string& bytes :
       {std::string(), std::string("\n\n\r\n"), std::string("\xEF\xBB\xBF")}) {
    auto e = error_of("empty.csv", bytes);
    EXPECT_EQ(e.id(), "csv.empty");
    EXPECT_STREQ(e.what(), "empty.csv: empty file: no header row");
  }
}

TEST_F(CsvTest, MissingFileIsAnIoError) {
  try {
    CsvReader reader(dir_ / "missing.csv");
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.not_found");
    EXPECT_NE(std::string(e.what()).find("missing.csv"), std::string::npos);
  }
}

TEST_F(CsvTest, FieldOverTheLimitIsTooLong) {
  CsvOptions small{.max_field_bytes = 8};
  EXPECT_EQ(read("ok.csv", "id,name\n1,12345678\n", small).size(), 1u);
  auto e = error_of("long.csv", "id,name\n1,123456789\n", small);
  EXPECT_EQ(e.id(), "csv.too_long");
  EXPECT_STREQ(e.what(), "long.csv:2: column 'name' is longer than 8 bytes");
  EXPECT_EQ(error_of("quoted.csv", "id,name\n1,\"123456789\"\n", small).id(), "csv.too_long");

  auto header = error_of("wide.csv", "a,b,c\n", {.max_fields = 2});
  EXPECT_EQ(header.id(), "csv.too_long");
  EXPECT_STREQ(header.what(), "wide.csv:1: the header has more than 2 fields");
  auto names = error_of("names.csv", "abcde,fghij\n", {.max_field_bytes = 8});
  EXPECT_EQ(names.id(), "csv.too_long");
  EXPECT_STREQ(names.what(), "names.csv:1: the header is longer than 8 bytes");
}

TEST_F(CsvTest, UnclosedQuoteStopsAtTheLimitNotAtTheEndOfTheFile) {
  // A hostile file: one quote opens a field that never ends. The reader must
  // give up at the field limit, not buffer the whole file first.
  std::string bytes = "id,name\n1,\"" + std::string(3 * block, 'x');
  CsvReader reader(write("hostile.csv", bytes), {.max_field_bytes = 1000});
  try {
    reader.next();
    FAIL() << "expected an error";
  } catch (const CsvError& e) {
    EXPECT_EQ(e.id(), "csv.too_long");
    EXPECT_STREQ(e.what(), "hostile.csv:2: column 'name' is longer than 1000 bytes");
  }
  EXPECT_LE(reader.bytes_read(), block);
}

// Writes the rows as CSV the plain way, for the tests that check the reader
// against rows they know.
std::string csv_quoted(const std::string& field) {
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

TEST_F(CsvTest, RecordsSpanningReadBlocks) {
  std::string bytes = "id,name,note\n";
  std::vector<Row> expected;
  std::size_t line = 2;
  auto add = [&](std::vector<std::string> fields, const std::string& eol, bool quote_all) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) bytes += ',';
      bytes += quote_all ? csv_quoted(fields[i]) : fields[i];
    }
    bytes += eol;
    expected.push_back({line, fields});
    for (const auto& f : fields)
      line += static_cast<std::size_t>(std::count(f.begin(), f.end(), '\n'));
    ++line;
  };
  std::size_t i = 0;
  auto add_ordinary = [&] {
    ++i;
    std::string name =
        i % 7 == 0 ? "Nguy\xE1\xBB\x85n, Th\xE1\xBB\x8B \"Hoa\"" : "n" + std::to_string(i);
    std::string note = i % 13 == 0 ? "line 1\nline 2" : "x";
    add({std::to_string(i), name, note}, i % 2 ? "\r\n" : "\n", i % 7 == 0 || i % 13 == 0);
  };
  while (bytes.size() < block - 100)
    add_ordinary();
  // A quoted field with line breaks across the first block boundary.
  std::string straddling;
  for (int k = 0; k < 20; ++k)
    straddling += "segment " + std::to_string(k) + "\n";
  ASSERT_LT(bytes.size(), block);
  add({"straddle", "s", straddling}, "\n", true);
  ASSERT_GT(bytes.size(), block);
  while (bytes.size() < 2 * block - 100)
    add_ordinary();
  // A CRLF whose CR ends the second block and whose LF starts the third.
  std::string prefix = "pad,p,";
  std::size_t pad = 2 * block - 1 - bytes.size() - prefix.size();
  add({"pad", "p", std::string(pad, 'z')}, "\r\n", false);
  ASSERT_EQ(bytes[2 * block - 1], '\r');
  ASSERT_EQ(bytes[2 * block], '\n');
  bytes += "\n";  // a blank line right after the split CRLF
  ++line;
  for (int k = 0; k < 1000; ++k)
    add_ordinary();
  // A field longer than a read block (the limit raised for it).
  std::string huge(block + block / 2, 'h');
  huge[1000] = '\n';
  add({"huge", "h", huge}, "", true);

  CsvReader reader(write("big.csv", bytes), {.max_field_bytes = 2 * block});
  auto rows = read_all(reader);
  ASSERT_EQ(rows.size(), expected.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    ASSERT_EQ(rows[r], expected[r]) << "record " << r + 1;
  EXPECT_EQ(reader.bytes_read(), bytes.size());
  EXPECT_EQ(reader.sha256(), sipas::io::sha256_file(dir_ / "big.csv"));
}

TEST_F(CsvTest, EmptyFieldsBeforeARecordCutByTheReadBlock) {
  // Regression: records of empty fields take no bytes, and the record cut by
  // the end of the first block used to come out with their (empty) fields.
  std::string bytes = "a,b\n";
  while (bytes.size() + 2 <= block - 3)
    bytes += ",\n";
  const std::size_t empty_records = (bytes.size() - 4) / 2;
  bytes += "xyz,w\n";  // starts before the block's end, ends after it
  ASSERT_GT(bytes.size(), block);
  auto rows = read("empty.csv", bytes);
  ASSERT_EQ(rows.size(), empty_records + 1);
  EXPECT_EQ(rows.front(), (Row{2, {"", ""}}));
  EXPECT_EQ(rows.back(), (Row{empty_records + 2, {"xyz", "w"}}));
}

TEST_F(CsvTest, PositionIsWhereTheRecordStarts) {
  // Byte offsets by hand: the BOM (0-2), "id,name\r\n" (3-11), "1,a\r\n"
  // (12-16), a blank "\r\n" (17-18), "2,\"b\nc\"\n" (19-26), a blank "\n"
  // (27), " 3, d" from 28 with no final line break.
  std::string bytes = "\xEF\xBB\xBFid,name\r\n1,a\r\n\r\n2,\"b\nc\"\n\n 3, d";
  CsvReader reader(write("pos.csv", bytes));
  std::vector<sipas::io::CsvPosition> positions;
  std::vector<std::vector<std::string>> fields;
  while (reader.next()) {
    positions.push_back(reader.position());
    fields.emplace_back(reader.fields().begin(), reader.fields().end());
  }
  using P = sipas::io::CsvPosition;
  EXPECT_EQ(positions, (std::vector<P>{{12, 2, 1}, {19, 4, 2}, {28, 7, 3}}));
  EXPECT_EQ(fields,
            (std::vector<std::vector<std::string>>{{"1", "a"}, {"2", "b\nc"}, {" 3", " d"}}));
  for (const auto& p : positions)
    EXPECT_NE(bytes[p.offset], '\n');
}

// Line breaks as the reader counts them: LF, CRLF and a lone CR.
std::size_t count_breaks(const std::string& text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++n;
  }
  return n;
}

// A file of about `blocks` read blocks with what makes positions hard: line
// breaks inside quoted fields (LF, CRLF, CR), CRLF and LF line ends, blank
// lines, quotes, spaces at field edges and UTF-8; with the rows and where
// each record starts, taken while writing it.
struct Built {
  std::string bytes;
  std::vector<Row> rows;
  std::vector<sipas::io::CsvPosition> positions;
};

Built build_file(std::size_t blocks, bool bom) {
  Built b;
  if (bom) b.bytes = "\xEF\xBB\xBF";
  b.bytes += "id,name,note\r\n";
  std::size_t line = 2;
  for (std::size_t i = 1; b.bytes.size() < blocks * block; ++i) {
    std::vector<std::string> fields = {std::to_string(i), "Nguy\xE1\xBB\x85n " + std::to_string(i),
                                       "x"};
    if (i % 7 == 0) fields[1] = " lead, \"q\" trail ";
    if (i % 11 == 0) fields[2] = "two\nlines";
    if (i % 13 == 0) fields[2] = "cr\r\nlf and\rcr";
    if (i % 17 == 0) fields[2] = " spaced ";
    const bool quote = i % 7 == 0 || i % 11 == 0 || i % 13 == 0;
    b.positions.push_back({b.bytes.size(), line, i});
    b.rows.push_back({line, fields});
    for (std::size_t f = 0; f < fields.size(); ++f) {
      if (f > 0) b.bytes += ',';
      b.bytes += quote && f > 0 ? csv_quoted(fields[f]) : fields[f];
      line += count_breaks(fields[f]);
    }
    b.bytes += i % 2 ? "\r\n" : "\n";
    ++line;
    if (i % 19 == 0) {
      b.bytes += "\n";  // a blank line
      ++line;
    }
  }
  return b;
}

TEST_F(CsvTest, SeekReadsRecordsAgainFromTheirPositions) {
  for (bool background : {false, true}) {
    Built built = build_file(3, background);
    auto path = write("seek.csv", built.bytes);
    CsvReader reader(path, {.parse_in_background = background});
    std::size_t r = 0;
    while (reader.next()) {
      ASSERT_LT(r, built.rows.size());
      ASSERT_EQ(reader.position(), built.positions[r]) << "record " << r + 1;
      ASSERT_EQ((Row{reader.line(), {reader.fields().begin(), reader.fields().end()}}),
                built.rows[r]);
      ++r;
    }
    ASSERT_EQ(r, built.rows.size());
    // Back and forth, at the end of the file and in the middle of blocks.
    const std::size_t n = built.rows.size();
    for (std::size_t target : {n - 1, std::size_t{0}, n / 2, n / 3, n - 2, std::size_t{5}, n / 2}) {
      reader.seek(built.positions[target]);
      for (std::size_t k = target; k < std::min(n, target + 40); ++k) {
        ASSERT_TRUE(reader.next()) << "after seeking to record " << target + 1;
        EXPECT_EQ(reader.record(), k + 1);
        EXPECT_EQ(reader.position(), built.positions[k]);
        EXPECT_EQ((Row{reader.line(), {reader.fields().begin(), reader.fields().end()}}),
                  built.rows[k]);
      }
      if (target + 40 >= n) {
        EXPECT_FALSE(reader.next());
      }
    }
    // Reading on after a seek crosses into blocks of full size.
    reader.seek(built.positions[1]);
    std::size_t rest = 0;
    while (reader.next())
      ++rest;
    EXPECT_EQ(rest, n - 1);
  }
}

TEST_F(CsvTest, SeekRules) {
  auto path = write("s.csv", "id\n1\n2\n");
  CsvReader reader(path);
  ASSERT_TRUE(reader.next());
  auto first = reader.position();
  EXPECT_EQ(first, (sipas::io::CsvPosition{3, 2, 1}));
  EXPECT_THROW(reader.seek({3, 0, 1}), std::invalid_argument);
  EXPECT_THROW(reader.seek({3, 2, 0}), std::invalid_argument);
  while (reader.next()) {
  }
  EXPECT_EQ(reader.sha256(), sipas::io::sha256_file(path));
  reader.seek(first);  // after the end: the file is opened again
  EXPECT_THROW(reader.sha256(), std::logic_error);
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.field(0), "1");
  EXPECT_EQ(reader.where(), "s.csv:2");
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.field(0), "2");
  EXPECT_FALSE(reader.next());
}

TEST_F(CsvTest, SeekChecksTheRecordsItReadsAsUtf8) {
  // Offsets by hand: "id,name\n" 0-7, "1,a\n" 8-11, "2,\xC3\x28\n" 12-16,
  // "3,c\n" 17-20.
  CsvReader reader(write("u.csv", "id,name\n1,a\n2,\xC3\x28\n3,c\n"));
  reader.seek({17, 4, 3});
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.field(1), "c");
  EXPECT_EQ(reader.where(), "u.csv:4");
  EXPECT_FALSE(reader.next());
  reader.seek({12, 3, 2});
  try {
    reader.next();
    FAIL() << "expected an error";
  } catch (const CsvError& e) {
    EXPECT_EQ(e.id(), "csv.invalid_utf8");
    EXPECT_STREQ(e.what(), "u.csv:3: column 'name' is not valid UTF-8");
  }
}

// Everything a caller can see of one reading: records, positions, the error
// (id and message) and the hash.
struct Reading {
  std::vector<Row> rows;
  std::vector<sipas::io::CsvPosition> positions;
  std::string error;
  std::string sha256;
  std::uint64_t bytes = 0;
  bool operator==(const Reading&) const = default;
};

Reading read_fully(const fs::path& path, bool background) {
  Reading out;
  try {
    CsvReader reader(path, {.parse_in_background = background});
    while (reader.next()) {
      out.rows.push_back({reader.line(), {reader.fields().begin(), reader.fields().end()}});
      out.positions.push_back(reader.position());
    }
    out.sha256 = reader.sha256();
    out.bytes = reader.bytes_read();
  } catch (const CsvError& e) {
    out.error = e.id() + ": " + e.what();
  }
  return out;
}

TEST_F(CsvTest, BackgroundParsingReadsTheSameRecordsAndErrors) {
  Built built = build_file(4, true);
  std::vector<std::pair<std::string, std::string>> files = {{"good.csv", built.bytes}};
  auto broken = [&](const std::string& name, std::size_t at, const std::string& insert) {
    std::string bytes = built.bytes;
    bytes.insert(at, insert);
    files.emplace_back(name, bytes);
  };
  // Errors in later blocks, after many records: every record before them
  // comes out first, in both modes.
  broken("count.csv", built.positions[built.rows.size() * 3 / 4].offset, "1,2\n");
  broken("quote.csv", built.positions[built.rows.size() / 2].offset, "1,a\"b,c\n");
  broken("utf8.csv", built.positions[built.rows.size() / 3].offset, "1,\xC3\x28,c\n");
  broken("open.csv", built.bytes.size(), "9,\"never closed\n");
  broken("early.csv", built.positions[0].offset, "1,2,3,4\n");
  for (const auto& [name, bytes] : files) {
    auto path = write(name, bytes);
    Reading plain = read_fully(path, false);
    Reading background = read_fully(path, true);
    EXPECT_EQ(plain.rows.size(), background.rows.size()) << name;
    EXPECT_EQ(plain.error, background.error) << name;
    EXPECT_TRUE(plain == background) << name;
    if (name == "good.csv") {
      EXPECT_EQ(plain.rows, built.rows);
      EXPECT_EQ(plain.sha256, sipas::io::sha256_file(path));
      EXPECT_EQ(plain.bytes, bytes.size());
    } else {
      EXPECT_FALSE(plain.error.empty()) << name;
    }
  }
  auto count = read_fully(dir_ / "count.csv", true).error;
  EXPECT_TRUE(count.starts_with("csv.field_count: count.csv:") &&
              count.ends_with(": expected 3 fields, found 2"))
      << count;
  auto utf8 = read_fully(dir_ / "utf8.csv", true).error;
  EXPECT_TRUE(utf8.starts_with("csv.invalid_utf8: utf8.csv:") &&
              utf8.ends_with(": column 'name' is not valid UTF-8"))
      << utf8;
}

TEST_F(CsvTest, BackgroundReaderStopsWhenDestroyedEarly) {
  Built built = build_file(6, false);
  auto path = write("big.csv", built.bytes);
  ASSERT_GT(built.rows.size(), 19u * 500);  // every stop below is before the end
  for (std::size_t k = 0; k < 20; ++k) {
    std::vector<Row> read;
    {
      CsvReader reader(path, {.parse_in_background = true});
      while (read.size() < k * 500 && reader.next()) {
        read.push_back({reader.line(), {reader.fields().begin(), reader.fields().end()}});
      }
    }  // the destructor stops its thread, wherever it is
    ASSERT_EQ(read.size(), k * 500);
    EXPECT_TRUE(std::equal(read.begin(), read.end(), built.rows.begin()))
        << "stopped after " << k * 500;
  }
  // The file is not held: read again in full, it gives every record.
  EXPECT_EQ(read_fully(path, true).rows, built.rows);
}

// libcsv is run without its space test where that cannot change a field
// (csv_parser.cpp): fields with spaces and tabs at every edge, next to
// delimiters, quotes and line breaks, and at block boundaries, read back
// exactly as written.
TEST_F(CsvTest, SpacesAtFieldEdgesAreDataEverywhere) {
  std::uint64_t state = 20240601;
  auto random = [&state](std::size_t n) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return static_cast<std::size_t>((z ^ (z >> 31)) % n);
  };
  const std::vector<std::string> pieces = {" ",  "\t",   "a",  "b",        ",",  "\"",
                                           "\n", "\r\n", "\r", "\xC3\xA9", "  ", "\"\" "};
  std::string bytes = "id,f1,f2\n";
  std::vector<Row> expected;
  std::size_t line = 2;
  while (bytes.size() < 2 * block + 5000) {
    std::vector<std::string> fields = {std::to_string(expected.size() + 1)};
    for (int f = 0; f < 2; ++f) {
      std::string field;
      for (std::size_t k = random(6); k > 0; --k)
        field += pieces[random(pieces.size())];
      fields.push_back(field);
    }
    expected.push_back({line, fields});
    for (std::size_t f = 0; f < fields.size(); ++f) {
      if (f > 0) bytes += ',';
      const auto& field = fields[f];
      bool plain = field.find_first_of(",\"\r\n") == std::string::npos && !field.empty();
      bytes += plain ? field : csv_quoted(field);
      line += count_breaks(field);
    }
    bytes += "\n";
    ++line;
  }
  bytes += "last, \t";  // spaces at the very end, with no line break
  expected.push_back({line, {"last", " \t", ""}});
  bytes += ",";
  for (bool background : {false, true}) {
    CsvReader reader(write("spaces.csv", bytes), {.parse_in_background = background});
    auto rows = read_all(reader);
    ASSERT_EQ(rows.size(), expected.size());
    for (std::size_t r = 0; r < rows.size(); ++r)
      ASSERT_EQ(rows[r], expected[r]) << "record " << r + 1;
  }
}

// Raw: a leading tab is also a formula character, which the default guards
// with an apostrophe instead (formula_guard_test.cpp).
TEST_F(CsvTest, WriterQuotesOnlyWhenNeeded) {
  auto path = dir_ / "out.csv";
  CsvWriter writer(path, {.neutralise_formulas = false});
  writer.write_row({"id", "name", "note"});
  writer.write_row({"1", "Nguy\xE1\xBB\x85n", "plain text"});
  writer.write_row({"2", "a,b", "say \"hi\""});
  writer.write_row({"3", " lead", "trail "});
  writer.write_row({"4", "two\nlines", "cr\rx"});
  writer.write_row({"5", "", "\ttab"});
  writer.commit();
  EXPECT_EQ(writer.rows_written(), 6u);
  EXPECT_EQ(sipas::io::read_file(path, 1000),
            "id,name,note\n"
            "1,Nguy\xE1\xBB\x85n,plain text\n"
            "2,\"a,b\",\"say \"\"hi\"\"\"\n"
            "3,\" lead\",\"trail \"\n"
            "4,\"two\nlines\",\"cr\rx\"\n"
            "5,,\"\ttab\"\n");
}

TEST_F(CsvTest, WriterOptions) {
  auto path = dir_ / "out.csv";
  CsvWriter writer(path, {.delimiter = ';', .crlf = true, .bom = true});
  writer.write_row({"id", "a;b", "a,b"});
  writer.commit();
  EXPECT_EQ(sipas::io::read_file(path, 1000), "\xEF\xBB\xBFid;\"a;b\";a,b\r\n");
}

TEST_F(CsvTest, WriterThenReaderRoundTrip) {
  std::vector<std::vector<std::string>> rows = {
      {"id", "text", "other"},
      {"1", "", ""},
      {"2", " lead", "trail "},
      {"3", "a,b", ",,"},
      {"4", "\"", "\"\""},
      {"5", "say \"hi\", then\nleave", "cr\r\nlf"},
      {"6", "\ttab\t", "Ng\xC6\xB0\xE1\xBB\x9Di d\xC3\xA2n"},
      {"7", "\n", "\r"},
      {"8", "\"quoted\"", "x\"y"},
  };
  for (auto options : {CsvWriterOptions{}, CsvWriterOptions{.crlf = true, .bom = true},
                       CsvWriterOptions{.delimiter = '\t'}}) {
    auto path = dir_ / "round.csv";
    {
      CsvWriter writer(path, options);
      for (const auto& row : rows) {
        std::vector<std::string_view> views(row.begin(), row.end());
        writer.write_row(views);
      }
      writer.commit();
    }
    CsvReader reader(path, {.delimiter = options.delimiter});
    EXPECT_EQ(reader.header(), rows[0]);
    std::size_t r = 1;
    while (reader.next()) {
      ASSERT_LT(r, rows.size());
      EXPECT_EQ(std::vector<std::string>(reader.fields().begin(), reader.fields().end()), rows[r]);
      ++r;
    }
    EXPECT_EQ(r, rows.size());
  }
}

// Unquoted at the start of a file, a field's leading U+FEFF read back as a
// byte order mark and was dropped.
TEST_F(CsvTest, WriterQuotesAFieldThatStartsWithAByteOrderMark) {
  const std::string bom = "\xEF\xBB\xBF";
  auto path = dir_ / "bom.csv";
  CsvWriter writer(path);
  writer.write_row({bom + "id", "x"});
  writer.write_row({bom, "a" + bom});
  writer.commit();
  EXPECT_EQ(sipas::io::read_file(path, 100), "\"" + bom + "id\",x\n\"" + bom + "\",a" + bom + "\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.header(), (std::vector<std::string>{bom + "id", "x"}));
  EXPECT_EQ(read_all(reader), (std::vector<Row>{{2, {bom, "a" + bom}}}));
}

TEST_F(CsvTest, WriterSingleEmptyFieldIsNotABlankLine) {
  auto path = dir_ / "one.csv";
  CsvWriter writer(path);
  writer.write_row({"code"});
  writer.write_row({""});
  writer.write_row({"x"});
  writer.commit();
  EXPECT_EQ(sipas::io::read_file(path, 100), "code\n\"\"\nx\n");
  CsvReader reader(path);
  EXPECT_EQ(read_all(reader), (std::vector<Row>{{2, {""}}, {3, {"x"}}}));
}

TEST_F(CsvTest, WriterLeavesNothingWhenNotCommitted) {
  {
    CsvWriter writer(dir_ / "sample.csv");
    writer.write_row({"id", "stratum"});
    for (int i = 0; i < 100000; ++i)
      writer.write_row({std::to_string(i), "a stratum name that fills the buffer"});
  }
  EXPECT_TRUE(fs::is_empty(dir_));

  write("kept.csv", "old\n");
  {
    CsvWriter writer(dir_ / "kept.csv");
    writer.write_row({"new"});
  }
  EXPECT_EQ(sipas::io::read_file(dir_ / "kept.csv", 100), "old\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(CsvTest, WriterCommitReplacesTheTargetAtomically) {
  write("sample.csv", "old\n");
  CsvWriter writer(dir_ / "sample.csv");
  writer.write_row({"new"});
  EXPECT_EQ(sipas::io::read_file(dir_ / "sample.csv", 100), "old\n");  // untouched until commit
  writer.commit();
  EXPECT_EQ(sipas::io::read_file(dir_ / "sample.csv", 100), "new\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  EXPECT_THROW(writer.write_row({"late"}), std::logic_error);
  EXPECT_THROW(writer.commit(), std::logic_error);
}

TEST_F(CsvTest, WriterIntoAMissingDirectoryIsAnIoError) {
  try {
    CsvWriter writer(dir_ / "no" / "such" / "dir.csv");
    FAIL() << "expected an error";
  } catch (const sipas::io::IoError& e) {
    EXPECT_EQ(e.id(), "io.write_failed");
  }
}

TEST_F(CsvTest, MovedReaderAndWriterKeepWorking) {
  CsvWriter first(dir_ / "m.csv");
  first.write_row({"id"});
  CsvWriter writer(std::move(first));
  writer.write_row({"1"});
  writer.commit();
  CsvReader opened(dir_ / "m.csv");
  CsvReader reader(std::move(opened));
  EXPECT_EQ(read_all(reader), (std::vector<Row>{{2, {"1"}}}));
}

}  // namespace
