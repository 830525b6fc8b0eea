// sipas export, run as a user runs it: formats, the whitelist, help, and
// errors (exit 1, the error id, nothing written).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "io/file.hpp"
#include "tests/reports/xlsx_readback.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using ::testing::HasSubstr;
using ::testing::Not;

std::string citizen_form() {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-citizen.json";
}

// Answers to sipas-citizen with the contact columns of a sample file beside them.
void write_answers(const std::filesystem::path& path, const std::string& q9_01_of_row2 = "") {
  std::ofstream out(path);
  out << "respondent_id,stratum,psu,design_weight,district,phone,email,a_sex,a_age,q9_01,q11\n"
      << "R1,urban,P1,50,Ba Đình,0912345678,an@example.vn,1,3,5,Tốt\n"
      << "R2,rural,P7,80,Sóc Sơn,0987654321,binh@example.vn,2,1," << q9_01_of_row2 << ",\n";
}

std::string read(const std::filesystem::path& path) {
  return sipas::io::read_file(path, 1 << 24);
}

TEST(ExportCommandTest, ResponsesAsCsvKeepOnlyTheWhitelist) {
  sipas::test::TempDir dir;
  write_answers(dir / "responses.csv", "4");
  const auto out = (dir / "out.csv").string();
  auto r = sipas({"export", "responses", "--questionnaire", citizen_form(), "--data",
                  (dir / "responses.csv").string(), "--format", "csv", "--keep", "district",
                  "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("2 responses, 9 columns"));
  EXPECT_EQ(read(out),
            "respondent_id,stratum,psu,design_weight,district,a_sex,a_age,q9_01,q11\n"
            "R1,urban,P1,50,Ba Đình,1,3,5,Tốt\n"
            "R2,rural,P7,80,Sóc Sơn,2,1,4,\n");
}

TEST(ExportCommandTest, ResponsesWithEnglishLabels) {
  sipas::test::TempDir dir;
  write_answers(dir / "responses.csv", "4");
  const auto out = (dir / "labels.csv").string();
  auto r = sipas({"export", "responses", "--questionnaire", citizen_form(), "--data",
                  (dir / "responses.csv").string(), "--labels", "en", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // sipas-citizen: a_sex 1 Male, 2 Female; a_age 3 "35–49", 1 "18–24"; sat5 5 and 4.
  EXPECT_EQ(read(out),
            "respondent_id,stratum,psu,design_weight,a_sex,a_age,q9_01,q11\n"
            "R1,urban,P1,50,Male,35–49,Very satisfied,Tốt\n"
            "R2,rural,P7,80,Female,18–24,Satisfied,\n");
}

TEST(ExportCommandTest, SpssAndStataFilesFromTheExtension) {
  sipas::test::TempDir dir;
  write_answers(dir / "responses.csv");
  for (const auto& [name, magic] : {std::pair{"out.sav", std::string("$FL2")},
                                    std::pair{"out.dta", std::string("<stata_dta>")}}) {
    const auto out = (dir / name).string();
    auto r = sipas({"export", "responses", "--questionnaire", citizen_form(), "--data",
                    (dir / "responses.csv").string(), "--out", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string bytes = read(out);
    EXPECT_EQ(bytes.substr(0, magic.size()), magic) << name;
    for (const char* contact : {"0912345678", "an@example.vn", "phone", "email"})
      EXPECT_THAT(bytes, Not(HasSubstr(contact))) << name;
  }
}

TEST(ExportCommandTest, ResultsAsXlsx) {
  sipas::test::TempDir dir;
  std::ofstream(dir / "results.json") << R"json({"design": {"kind": "linearization", "rows": 2,
      "df": 1, "level": 0.95},
    "estimates": [{"statistic": "mean", "variable": "q9_01", "domain": {"district": "Ba Đình"},
      "estimate": 4.5, "se": 0.25, "ci_low": 1.3, "ci_high": 7.7, "ci_method": "wald",
      "df": 1, "n": 2, "weighted_n": 130, "deff": null}]})json";
  const auto out = dir / "results.xlsx";
  auto r = sipas(
      {"export", "results", "--results", (dir / "results.json").string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 estimates"));
  // Cell by cell from the sheet XML and the shared strings.
  const std::string sheet = sipas::test::unzip_member(out, "xl/worksheets/sheet1.xml");
  const std::string shared = sipas::test::unzip_member(out, "xl/sharedStrings.xml");
  EXPECT_THAT(shared, HasSubstr("<t>Ước lượng</t>"));
  EXPECT_THAT(shared, HasSubstr("<t>Ba Đình</t>"));
  EXPECT_THAT(sheet, HasSubstr("<v>4.5</v>"));
  sipas::test::XlsxBook book(out);
  const auto cells = book.cells(1);
  EXPECT_EQ(cells.at("A1").text, "district");
  EXPECT_EQ(cells.at("D1").text, "Ước lượng");
  EXPECT_EQ(cells.at("A2").text, "Ba Đình");
  EXPECT_EQ(cells.at("D2").number, 4.5);
  EXPECT_EQ(cells.at("E2").number, 0.25);
  EXPECT_EQ(cells.count("J2"), 0u);  // deff null
}

TEST(ExportCommandTest, Help) {
  auto r = sipas({"export", "responses", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--questionnaire", "--data", "--format", "--labels", "--keep",
                             "--repweights", "--out", "never written", "csv | sav | dta"})
    EXPECT_THAT(r.out, HasSubstr(option));
  r = sipas({"export", "results", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option :
       {"--results", "--par-index", "--format", "--labels", "--out", "xlsx | csv", "PAR index"})
    EXPECT_THAT(r.out, HasSubstr(option));
  r = sipas({"export", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("responses"));
  EXPECT_THAT(r.out, HasSubstr("results"));
}

// A user error: exit 1, the id in the message, and no output file.
void expect_user_error(const std::vector<std::string>& args, const std::string& id,
                       const std::string& expected, const std::filesystem::path& out) {
  auto r = sipas(args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[" + id + "]"));
  EXPECT_THAT(r.err, HasSubstr(expected));
  EXPECT_FALSE(std::filesystem::exists(out)) << out;
}

TEST(ExportCommandTest, Errors) {
  sipas::test::TempDir dir;
  const auto data = (dir / "responses.csv").string();
  write_answers(data, "6");  // sat5 has no code 6
  const auto out = dir / "out.sav";
  // q9_01 is the 10th column; row 2 is on line 3.
  expect_user_error({"export", "responses", "--questionnaire", citizen_form(), "--data", data,
                     "--out", out.string()},
                    "export.unknown_code", "responses.csv:3:10: column 'q9_01': '6'", out);
  write_answers(data, "4");
  expect_user_error({"export", "responses", "--questionnaire", citizen_form(), "--data", data,
                     "--format", "xls", "--out", out.string()},
                    "export.unknown_format", "unknown format 'xls'", out);
  expect_user_error({"export", "responses", "--questionnaire", citizen_form(), "--data",
                     (dir / "missing.csv").string(), "--out", out.string()},
                    "io.not_found", "missing.csv", out);
  expect_user_error({"export", "responses", "--questionnaire", citizen_form(), "--data", data,
                     "--out", (dir / "out.txt").string()},
                    "export.missing_option", "--format csv|sav|dta", dir / "out.txt");
  expect_user_error({"export", "responses", "--data", data, "--out", out.string()},
                    "export.missing_option", "--questionnaire", out);
  std::ofstream(dir / "results.json") << R"json({"design": {"kind": "linearization", "rows": 2,
      "df": 1, "level": 0.95}, "estimates": [{"statistic": "mean", "variable": "x",
      "estimate": "4.5"}]})json";
  const auto xlsx = dir / "results.xlsx";
  expect_user_error(
      {"export", "results", "--results", (dir / "results.json").string(), "--out", xlsx.string()},
      "report.invalid_field", "estimates[0].estimate", xlsx);
  expect_user_error({"export", "results", "--results", (dir / "results.json").string(), "--format",
                     "pdf", "--out", xlsx.string()},
                    "export.unknown_format", "'pdf'", xlsx);
  // Nothing else was left in the folder (no temporary files).
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"responses.csv", "results.json"}));
}

}  // namespace
