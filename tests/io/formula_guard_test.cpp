// Spreadsheet formula injection: what the CSV writer guards, what it leaves,
// and that the reader gives every cell back as it was given.

#include "io/formula_guard.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/file.hpp"

#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::io::CsvReader;
using sipas::io::CsvWriter;
using sipas::io::CsvWriterOptions;
using sipas::io::is_decimal_number;
using sipas::io::needs_formula_guard;
using sipas::io::restore_formula_guarded;

std::string row(std::vector<std::string_view> fields, const CsvWriterOptions& options = {}) {
  std::string out;
  sipas::io::append_csv_row(out, fields, options);
  return out;
}

// Every leading character of OWASP's rule.
TEST(FormulaGuard, EveryLeadingCharacterOfTheRuleIsGuarded) {
  EXPECT_EQ(row({"=HYPERLINK(\"http://x\",\"y\")"}),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n");
  EXPECT_EQ(row({"=1+1"}), "'=1+1\n");
  EXPECT_EQ(row({"+1+1"}), "'+1+1\n");
  EXPECT_EQ(row({"-2+3"}), "'-2+3\n");
  EXPECT_EQ(row({"@SUM(1+1)"}), "'@SUM(1+1)\n");
  EXPECT_EQ(row({"\tcmd"}), "'\tcmd\n");
  // A carriage return is quoted (it is a line break) and guarded inside the quotes.
  EXPECT_EQ(row({"\rcmd"}), "\"'\rcmd\"\n");
  EXPECT_EQ(row({"="}), "'=\n");
  EXPECT_EQ(row({"-"}), "'-\n");
  EXPECT_EQ(row({"+84 91 234 5678"}), "'+84 91 234 5678\n");
  EXPECT_EQ(row({"-A1b2_c3"}), "'-A1b2_c3\n");  // a token that starts with '-'
  EXPECT_EQ(row({"a", "=x", "b"}), "a,'=x,b\n");
}

TEST(FormulaGuard, NumbersStayNumbers) {
  for (const char* number : {"-5", "-0.25", "+3", "-1e3", "1E-3", "-.5", "+5.", "0", "12", "-0",
                             "3.14159", "-2.5e+10", "+1e-300"}) {
    EXPECT_TRUE(is_decimal_number(number)) << number;
    EXPECT_FALSE(needs_formula_guard(number)) << number;
    EXPECT_EQ(row({number}), std::string(number) + "\n");
  }
  for (const char* text : {"-", "+", ".", "-.", "-e3", "1e", "1e+", "--5", "-5-", "-5 ", " -5",
                           "-1,000", "-inf", "-nan", "+0x10", "-5%", "1.2.3", "-1e3.5"}) {
    EXPECT_FALSE(is_decimal_number(text)) << text;
  }
  EXPECT_TRUE(needs_formula_guard("-inf"));
  EXPECT_TRUE(needs_formula_guard("-5-"));
  EXPECT_TRUE(needs_formula_guard("+1e"));
}

TEST(FormulaGuard, OtherCellsAreLeftAlone) {
  for (const char* cell : {"", "x=1", "a-b", "Nguyễn", "0912345678", " =1", "'", "'x", "'5", "''",
                           "1+1", "P01-D01", "18-24", "60+"}) {
    EXPECT_FALSE(needs_formula_guard(cell)) << cell;
    EXPECT_EQ(restore_formula_guarded(cell), cell) << cell;
  }
  // A leading space is not in the rule: the cell is quoted for the space only.
  EXPECT_EQ(row({" =1"}), "\" =1\"\n");
}

// A text that already begins with apostrophes before a formula character gets
// one more, so that reading back takes exactly one off; a number with an
// apostrophe in front is text.
TEST(FormulaGuard, ApostrophesBeforeAFormulaCharacterGetOneMore) {
  EXPECT_TRUE(needs_formula_guard("'=x"));
  EXPECT_TRUE(needs_formula_guard("''@x"));
  EXPECT_TRUE(needs_formula_guard("'-5"));
  EXPECT_EQ(row({"'=x"}), "''=x\n");
  EXPECT_EQ(row({"'-5"}), "''-5\n");
  EXPECT_EQ(restore_formula_guarded("''=x"), "'=x");
  EXPECT_EQ(restore_formula_guarded("'=x"), "=x");
  EXPECT_EQ(restore_formula_guarded("'-5"), "'-5");  // never written by the guard: kept
}

TEST(FormulaGuard, RawOptionWritesTheBytesAsTheyAre) {
  const CsvWriterOptions raw{.neutralise_formulas = false};
  EXPECT_EQ(row({"=1+1", "+1", "-x", "@SUM(1)", "'=x"}, raw), "=1+1,+1,-x,@SUM(1),'=x\n");
  EXPECT_EQ(row({"\tcmd"}, raw), "\"\tcmd\"\n");
  EXPECT_EQ(row({"\rcmd"}, raw), "\"\rcmd\"\n");
}

TEST(FormulaGuard, RestoreIsTheInverseOfTheGuard) {
  for (std::string cell :
       {"=1+1", "+1+1", "-2+3", "@SUM(1+1)", "\tx", "\rx", "=", "-",      "'=x",  "''=x", "'''+",
        "'-5",  "-5",   "'",    "''",        "'x",  "x",   "",  "+84 91", "-1e3", "'\t",  "''\r"}) {
    const std::string written = needs_formula_guard(cell) ? "'" + cell : cell;
    EXPECT_EQ(restore_formula_guarded(written), cell)
        << "[" << cell << "] written [" << written << "]";
  }
}

class FormulaGuardFileTest : public ::testing::Test {
 protected:
  sipas::test::TempDir temp_;
};

// What sipas writes, sipas reads back as it was: CsvReader takes the guard off
// by default, in the header too; restore_neutralised = false reads the bytes.
TEST_F(FormulaGuardFileTest, CsvWriterThenCsvReaderGivesEveryCellBack) {
  const std::vector<std::vector<std::string>> rows = {
      {"id", "=col", "text"}, {"1", "=HYPERLINK(\"http://x\",\"y\")", "@SUM(1+1)"},
      {"2", "+1+1", "-2+3"},  {"3", "\tstarts with a tab", "\rstarts with CR"},
      {"4", "-5", "-0.25"},   {"5", "'=already", "''@twice"},
      {"6", "'", "'-5"},      {"7", "-", "+84 91 234 5678"},
  };
  const auto path = temp_.path() / "guarded.csv";
  for (bool neutralise : {true, false}) {
    {
      CsvWriter writer(path, {.neutralise_formulas = neutralise});
      for (const auto& r : rows)
        writer.write_row(std::vector<std::string_view>(r.begin(), r.end()));
      writer.commit();
    }
    CsvReader reader(path);
    EXPECT_EQ(reader.header(), rows[0]);
    std::size_t r = 1;
    while (reader.next()) {
      std::vector<std::string> fields(reader.fields().begin(), reader.fields().end());
      if (neutralise || r != 5) {
        EXPECT_EQ(fields, rows[r]) << "row " << r << " neutralise " << neutralise;
      } else {
        // Raw, a text that begins with an apostrophe and = reads back without it:
        // the one thing --raw-csv cannot give back to sipas's own reader.
        EXPECT_EQ(fields, (std::vector<std::string>{"5", "=already", "'@twice"}));
      }
      ++r;
    }
    EXPECT_EQ(r, rows.size());
  }

  {
    CsvWriter writer(path);
    for (const auto& r : rows)
      writer.write_row(std::vector<std::string_view>(r.begin(), r.end()));
    writer.commit();
  }
  EXPECT_EQ(sipas::io::read_file(path, 1000),
            "id,'=col,text\n"
            "1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(1+1)\n"
            "2,'+1+1,'-2+3\n"
            "3,'\tstarts with a tab,\"'\rstarts with CR\"\n"
            "4,-5,-0.25\n"
            "5,''=already,'''@twice\n"
            "6,',''-5\n"
            "7,'-,'+84 91 234 5678\n");
  CsvReader bytes(path, {.restore_neutralised = false});
  EXPECT_EQ(bytes.header(), (std::vector<std::string>{"id", "'=col", "text"}));
  ASSERT_TRUE(bytes.next());
  EXPECT_EQ(bytes.field(1), "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(bytes.field(2), "'@SUM(1+1)");
}

// Reading in the background gives the same restored cells.
TEST_F(FormulaGuardFileTest, BackgroundReaderRestoresToo) {
  const auto path = temp_.path() / "many.csv";
  {
    CsvWriter writer(path);
    writer.write_row({"id", "answer"});
    for (int i = 0; i < 200000; ++i)
      writer.write_row(
          {std::to_string(i), i % 2 ? "=x" + std::to_string(i) : "-" + std::to_string(i)});
    writer.commit();
  }
  CsvReader reader(path, {.parse_in_background = true});
  int i = 0;
  while (reader.next()) {
    ASSERT_EQ(reader.field(1), (i % 2 ? "=x" : "-") + std::to_string(i));
    ++i;
  }
  EXPECT_EQ(i, 200000);
}

}  // namespace
