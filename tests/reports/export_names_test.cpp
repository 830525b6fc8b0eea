// Variable names made valid for SPSS and Stata, and labels cut to what the
// formats hold, checked by hand.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "reports/error.hpp"
#include "reports/readstat_writer.hpp"
#include "reports/variable_names.hpp"

namespace {

namespace r = sipas::reports;
using r::StatFormat;

TEST(VariableNamesTest, ValidNamesAreKept) {
  for (auto format : {StatFormat::Sav, StatFormat::Dta}) {
    EXPECT_EQ(r::clean_variable_name("q9_01", format), "q9_01");
    EXPECT_EQ(r::clean_variable_name("design_weight", format), "design_weight");
  }
}

TEST(VariableNamesTest, OtherCharactersBecomeUnderscores) {
  // "quận-1": q, u, ậ (three bytes, one character), n, -, 1.
  EXPECT_EQ(r::clean_variable_name("quận-1", StatFormat::Dta), "qu_n_1");
  EXPECT_EQ(r::clean_variable_name("quận-1", StatFormat::Sav), "qu_n_1");
  EXPECT_EQ(r::clean_variable_name("sch.wide", StatFormat::Dta), "sch_wide");
}

TEST(VariableNamesTest, FirstCharacter) {
  // Stata allows '_' first; SPSS needs a letter.
  EXPECT_EQ(r::clean_variable_name("2024_score", StatFormat::Dta), "_2024_score");
  EXPECT_EQ(r::clean_variable_name("2024_score", StatFormat::Sav), "v2024_score");
  EXPECT_EQ(r::clean_variable_name("_x", StatFormat::Dta), "_x");
  EXPECT_EQ(r::clean_variable_name("_x", StatFormat::Sav), "v_x");
}

TEST(VariableNamesTest, ReservedWords) {
  EXPECT_EQ(r::clean_variable_name("int", StatFormat::Dta), "int_");
  EXPECT_EQ(r::clean_variable_name("str12", StatFormat::Dta), "str12_");
  EXPECT_EQ(r::clean_variable_name("_n", StatFormat::Dta), "_n_");
  EXPECT_EQ(r::clean_variable_name("int", StatFormat::Sav), "int");
  EXPECT_EQ(r::clean_variable_name("by", StatFormat::Sav), "by_");
  EXPECT_EQ(r::clean_variable_name("WITH", StatFormat::Sav), "WITH_");
  EXPECT_EQ(r::clean_variable_name("by", StatFormat::Dta), "by");
}

TEST(VariableNamesTest, LongNamesAreCut) {
  const std::string name(70, 'a');
  EXPECT_EQ(r::clean_variable_name(name, StatFormat::Dta), std::string(32, 'a'));
  EXPECT_EQ(r::clean_variable_name(name, StatFormat::Sav), std::string(64, 'a'));
}

TEST(VariableNamesTest, CollisionsAfterCleaningAreErrors) {
  try {
    r::clean_variable_names({"a", "x-1", "x_1"}, StatFormat::Dta);
    FAIL();
  } catch (const r::ReportError& e) {
    EXPECT_EQ(e.id(), "export.name_collision");
    EXPECT_EQ(std::string(e.what()),
              "columns 'x-1' and 'x_1' both become the variable name 'x_1' in a Stata .dta file; "
              "rename one of them");
  }
  // SPSS names ignore case; Stata names do not.
  EXPECT_THROW(r::clean_variable_names({"Q1", "q1"}, StatFormat::Sav), r::ReportError);
  EXPECT_EQ(r::clean_variable_names({"Q1", "q1"}, StatFormat::Dta),
            (std::vector<std::string>{"Q1", "q1"}));
  // Two long names equal in their first 32 characters.
  EXPECT_THROW(r::clean_variable_names({std::string(33, 'b') + "x", std::string(33, 'b') + "y"},
                                       StatFormat::Dta),
               r::ReportError);
}

TEST(CutUtf8Test, NeverInsideACharacter) {
  // "Giới tính": G i ớ(3) i space t í(2) n h = 13 bytes, 9 characters.
  const std::string text = "Giới tính";
  EXPECT_EQ(r::cut_utf8(text, 100, 100), text);
  EXPECT_EQ(r::cut_utf8(text, 4, 100), "Gi");  // ớ would need bytes 3-5
  EXPECT_EQ(r::cut_utf8(text, 5, 100), "Giớ");
  EXPECT_EQ(r::cut_utf8(text, 100, 4), "Giới");
  EXPECT_EQ(r::cut_utf8(text, 0, 100), "");
}

}  // namespace
