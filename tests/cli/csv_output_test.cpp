// What every command that writes a file leaves on disk, run as a user runs
// it: personal data owner-only (0600) whatever the umask, aggregates shared,
// and in every CSV a text cell that a spreadsheet would run as a formula
// guarded with an apostrophe (--raw-csv: the bytes as they are), which sipas
// takes off again when it reads its own files back.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "io/file.hpp"
#include "tests/reports/xlsx_readback.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string hyperlink = "=HYPERLINK(\"http://x\",\"y\")";
// The same as a CSV field: quoted (it has quotes), the quotes doubled.
const std::string hyperlink_csv = "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"";
const std::string hyperlink_guarded_csv = "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"";

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// The commands run with umask 0 (inherited), so a file that is 0600 was made
// so by sipas, not by the umask.
class CsvOutputTest : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = ::umask(0); }
  void TearDown() override { ::umask(old_umask_); }
  fs::path path(const std::string& name) const { return dir_.path() / name; }
  std::string p(const std::string& name) const { return path(name).string(); }

  sipas::test::TempDir dir_;
  mode_t old_umask_ = 0;
};

std::string citizen_form() {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-citizen.json";
}

// A frame whose carried columns hold a contact with a leading '+' and notes
// that begin with formula characters; every row is drawn (n = N).
void write_frame(const fs::path& path) {
  std::ofstream(path) << "id,stratum,phone,note\n"
                         "a1,A,+84 91 234 5678,"
                      << hyperlink_csv
                      << "\n"
                         "a2,A,0912345678,-\n"
                         "a3,A,+84912345678,@SUM(1+1)\n"
                         "b1,B,0987654321,-5\n"
                         "b2,B,+84 98 765 4321,+1+1\n"
                         "b3,B,0900000000,plain\n";
}

TEST_F(CsvOutputTest, SampleIsOwnerOnlyGuardedAndReadBackByInviteImport) {
  write_frame(path("frame.csv"));
  auto r = sipas({"sample", "--frame", p("frame.csv"), "--strata", "stratum", "--n", "6", "--seed",
                  "7", "--carry", "phone,note", "--out", p("sample.csv"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("sample.csv")), 0600u) << "ids and contacts";
  EXPECT_EQ(mode_of(path("design.json")), 0644u) << "sizes and hashes only";
  const std::string sample = slurp(path("sample.csv"));
  EXPECT_THAT(sample, HasSubstr(",'+84 91 234 5678," + hyperlink_guarded_csv + "\n"));
  EXPECT_THAT(sample, HasSubstr(",0912345678,'-\n"));
  EXPECT_THAT(sample, HasSubstr(",+84912345678,'@SUM(1+1)\n")) << "a number stays a number";
  EXPECT_THAT(sample, HasSubstr(",0987654321,-5\n")) << "a number stays a number";
  EXPECT_THAT(sample, HasSubstr(",'+84 98 765 4321,'+1+1\n"));
  EXPECT_THAT(sample, Not(HasSubstr(",-,")));

  r = sipas({"sample", "--frame", p("frame.csv"), "--strata", "stratum", "--n", "6", "--seed", "7",
             "--carry", "phone,note", "--out", p("raw-sample.csv"), "--design-out",
             p("raw-design.json"), "--quiet", "--raw-csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("raw-sample.csv")), 0600u);
  const std::string raw = slurp(path("raw-sample.csv"));
  EXPECT_THAT(raw, HasSubstr(",+84 91 234 5678," + hyperlink_csv + "\n"));
  EXPECT_THAT(raw, HasSubstr(",0912345678,-\n"));
  EXPECT_THAT(raw, HasSubstr(",+84 98 765 4321,+1+1\n"));

  // sipas invite import reads the guarded sample as the values were: the
  // contacts it stores are the phone numbers, not the apostrophes.
  const std::string db = p("survey.db");
  ASSERT_EQ(sipas({"survey", "create", "--db", db, "--survey", "s1", "--standard", "sipas-short"})
                .exit_code,
            0);
  ASSERT_EQ(sipas({"survey", "open", "--db", db, "--survey", "s1"}).exit_code, 0);
  r = sipas({"invite", "import", "--db", db, "--survey", "s1", "--sample", p("sample.csv"),
             "--contact", "phone", "--base-url", "https://x.example", "--raw-csv", "--out",
             p("links-raw.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("links-raw.csv")), 0600u);
  const std::string links_raw = slurp(path("links-raw.csv"));
  EXPECT_THAT(links_raw, HasSubstr(",+84 91 234 5678\n"));
  EXPECT_THAT(links_raw, HasSubstr(",+84 98 765 4321\n"));
  EXPECT_THAT(links_raw, Not(HasSubstr("'+84")));

  // The same contacts in a guarded links file: one apostrophe, never two.
  ASSERT_EQ(sipas({"survey", "create", "--db", db, "--survey", "s2", "--standard", "sipas-short"})
                .exit_code,
            0);
  ASSERT_EQ(sipas({"survey", "open", "--db", db, "--survey", "s2"}).exit_code, 0);
  r = sipas({"invite", "import", "--db", db, "--survey", "s2", "--sample", p("sample.csv"),
             "--contact", "phone", "--base-url", "https://x.example", "--out", p("links.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("links.csv")), 0600u);
  const std::string links = slurp(path("links.csv"));
  EXPECT_THAT(links, HasSubstr(",'+84 91 234 5678\n"));
  EXPECT_THAT(links, Not(HasSubstr("''")));

  // The notes became the invitations' attributes as they were in the frame
  // (the JSON export shows them without any apostrophe). Owner-only.
  r = sipas({"responses", "export", "--db", db, "--survey", "s2", "--format", "json", "--out",
             p("responses.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("responses.json")), 0600u);
  r = sipas({"responses", "export", "--db", db, "--survey", "s2", "--out", p("responses.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("responses.csv")), 0600u);

  // Reserves activated later: the same links file, the same mode, an id that
  // begins with '-' guarded (and --raw-csv not).
  std::ofstream(path("reserves.csv"))
      << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
         "m1,A,A,0.5,2,main,\n"
         "-r1,A,A,0.5,2,reserve,1\n"
         "-r2,A,A,0.5,2,reserve,2\n";
  ASSERT_EQ(sipas({"survey", "create", "--db", db, "--survey", "s3", "--standard", "sipas-short"})
                .exit_code,
            0);
  ASSERT_EQ(sipas({"survey", "open", "--db", db, "--survey", "s3"}).exit_code, 0);
  r = sipas({"invite", "import", "--db", db, "--survey", "s3", "--sample", p("reserves.csv"),
             "--base-url", "https://x.example", "--out", p("main-links.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = sipas({"invite", "activate-reserves", "--db", db, "--survey", "s3", "--stratum", "A",
             "--base-url", "https://x.example", "--out", p("reserve-links.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("reserve-links.csv")), 0600u);
  EXPECT_THAT(slurp(path("reserve-links.csv")), HasSubstr("\n'-r1,A,A,reserve,1,"));
  r = sipas({"invite", "activate-reserves", "--db", db, "--survey", "s3", "--stratum", "A",
             "--base-url", "https://x.example", "--raw-csv", "--out", p("reserve-raw.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("reserve-raw.csv")), 0600u);
  EXPECT_THAT(slurp(path("reserve-raw.csv")), HasSubstr("\n-r2,A,A,reserve,2,"));
}

// Answers as `sipas responses export` writes them (guarded), with free text
// that begins with formula characters.
void write_guarded_responses(const fs::path& path) {
  std::ofstream(path)
      << "respondent_id,stratum,psu,design_weight,district,a_sex,a_age,q_overall,q11\n"
         "R1,urban,P1,50,'-,1,3,5,"
      << hyperlink_guarded_csv
      << "\n"
         "R2,urban,P2,80,'-,2,1,4,'@SUM(1+1)\n"
         "R3,rural,P7,80,Sóc Sơn,2,1,3,'+1+1\n"
         "R4,rural,P8,70,Sóc Sơn,1,2,4,-5\n"
         "R5,rural,P9,60,Sóc Sơn,1,2,2,''=already\n";
}

TEST_F(CsvOutputTest, ExportResponsesIsOwnerOnlyInEveryFormatAndGuardsOnce) {
  write_guarded_responses(path("responses.csv"));
  for (const char* name : {"out.csv", "out.sav", "out.dta", "labels.csv"}) {
    std::vector<std::string> args = {
        "export",           "responses", "--questionnaire", citizen_form(), "--data",
        p("responses.csv"), "--keep",    "district",        "--out",        p(name)};
    if (std::string(name) == "labels.csv") {
      args.push_back("--labels");
      args.push_back("en");
    }
    auto r = sipas(args);
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(mode_of(path(name)), 0600u) << name;
  }
  // Read back and written again: the apostrophes are the output's own, one each.
  const std::string csv = slurp(path("out.csv"));
  EXPECT_EQ(csv,
            "respondent_id,stratum,psu,design_weight,district,a_sex,a_age,q_overall,q11\n"
            "R1,urban,P1,50,'-,1,3,5," +
                hyperlink_guarded_csv +
                "\n"
                "R2,urban,P2,80,'-,2,1,4,'@SUM(1+1)\n"
                "R3,rural,P7,80,Sóc Sơn,2,1,3,'+1+1\n"
                "R4,rural,P8,70,Sóc Sơn,1,2,4,-5\n"
                "R5,rural,P9,60,Sóc Sơn,1,2,2,''=already\n");
  EXPECT_THAT(slurp(path("labels.csv")), HasSubstr(",'@SUM(1+1)\n"));
  // Stata and SPSS are not spreadsheets: the text as the respondent typed it.
  const std::string dta = slurp(path("out.dta"));
  EXPECT_THAT(dta, HasSubstr(hyperlink));
  EXPECT_THAT(dta, Not(HasSubstr("'=HYPERLINK")));
  EXPECT_THAT(dta, HasSubstr(std::string("'=already")));
  EXPECT_THAT(dta, Not(HasSubstr("''=already")));

  auto r = sipas({"export", "responses", "--questionnaire", citizen_form(), "--data",
                  p("responses.csv"), "--keep", "district", "--raw-csv", "--out", p("raw.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("raw.csv")), 0600u);
  EXPECT_EQ(slurp(path("raw.csv")),
            "respondent_id,stratum,psu,design_weight,district,a_sex,a_age,q_overall,q11\n"
            "R1,urban,P1,50,-,1,3,5," +
                hyperlink_csv +
                "\n"
                "R2,urban,P2,80,-,2,1,4,@SUM(1+1)\n"
                "R3,rural,P7,80,Sóc Sơn,2,1,3,+1+1\n"
                "R4,rural,P8,70,Sóc Sơn,1,2,4,-5\n"
                "R5,rural,P9,60,Sóc Sơn,1,2,2,'=already\n");
}

// sipas analyze reads a guarded export as the values were: the estimates, and
// a domain level "-", are those of the raw file.
TEST_F(CsvOutputTest, AnalyzeReadsAGuardedExportAsTheRawOne) {
  write_guarded_responses(path("guarded.csv"));
  auto r = sipas({"export", "responses", "--questionnaire", citizen_form(), "--data",
                  p("guarded.csv"), "--keep", "district", "--raw-csv", "--out", p("raw.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json estimates[2];
  int k = 0;
  for (const char* data : {"guarded.csv", "raw.csv"}) {
    const std::string out = p(std::string(data) + ".json");
    r = sipas({"analyze", "--data", p(data), "--strata", "stratum", "--weights", "design_weight",
               "--mean", "q_overall", "--by", "district", "--out", out});
    ASSERT_EQ(r.exit_code, 0) << data << ": " << r.err;
    EXPECT_EQ(mode_of(out), 0644u) << "estimates only";
    estimates[k++] = Json::parse(slurp(out))["estimates"];
  }
  EXPECT_EQ(estimates[0], estimates[1]);
  bool dash = false;
  for (const auto& e : estimates[0])
    dash = dash || (e["domain"].is_object() && e["domain"].value("district", "") == "-");
  EXPECT_TRUE(dash) << estimates[0].dump();

  // The CSV form of the results: domain cells start with the column's name,
  // numbers (a negative one too) are numbers.
  r = sipas({"analyze", "--data", p("guarded.csv"), "--strata", "stratum", "--weights",
             "design_weight", "--mean", "q_overall", "--by", "district", "--format", "csv", "--out",
             p("results.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("results.csv")), 0644u);
  EXPECT_THAT(slurp(path("results.csv")), HasSubstr(",district=-,"));
}

const char* results_json = R"json({"design": {"kind": "linearization", "rows": 2, "df": 1,
    "level": 0.95},
  "estimates": [
    {"statistic": "mean", "variable": "q9_01", "domain": {"district": "=HYPERLINK(\"http://x\",\"y\")"},
     "estimate": -4.5, "se": 0.25, "ci_low": -7.7, "ci_high": -1.3, "ci_method": "wald",
     "df": 1, "n": 2, "weighted_n": 130, "deff": null},
    {"statistic": "mean", "variable": "q9_01", "domain": {"district": "@SUM(1+1)"},
     "estimate": 4.5, "se": 0.25, "ci_low": 1.3, "ci_high": 7.7, "ci_method": "wald",
     "df": 1, "n": 2, "weighted_n": 130, "deff": null}]})json";

TEST_F(CsvOutputTest, ExportResultsCsvIsGuardedAndXlsxHoldsStringsNotFormulas) {
  std::ofstream(path("results.json")) << results_json;
  auto r = sipas({"export", "results", "--results", p("results.json"), "--out", p("results.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(path("results.csv")), 0644u) << "estimates only";
  const std::string csv = slurp(path("results.csv"));
  EXPECT_THAT(csv, HasSubstr(hyperlink_guarded_csv + ",mean,q9_01,-4.5,0.25,-7.7,-1.3,"));
  EXPECT_THAT(csv, HasSubstr("\n'@SUM(1+1),mean,q9_01,4.5,"));

  r = sipas(
      {"export", "results", "--results", p("results.json"), "--raw-csv", "--out", p("raw.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string raw = slurp(path("raw.csv"));
  EXPECT_THAT(raw, HasSubstr(hyperlink_csv + ",mean,q9_01,-4.5,"));
  EXPECT_THAT(raw, HasSubstr("\n@SUM(1+1),mean,q9_01,4.5,"));

  const auto xlsx = path("results.xlsx");
  r = sipas({"export", "results", "--results", p("results.json"), "--out", xlsx.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(xlsx), 0644u);
  const std::string sheet = sipas::test::unzip_member(xlsx, "xl/worksheets/sheet1.xml");
  EXPECT_THAT(sheet, Not(HasSubstr("<f>"))) << "no cell is a formula";
  EXPECT_THAT(sheet, Not(HasSubstr("<f ")));
  EXPECT_THAT(sheet, HasSubstr("<c r=\"A2\" t=\"s\">")) << "a shared string";
  EXPECT_THAT(sheet, HasSubstr("<c r=\"A3\" t=\"s\">"));
  sipas::test::XlsxBook book(xlsx);
  const auto cells = book.cells(1);
  EXPECT_TRUE(cells.at("A2").is_string);
  EXPECT_EQ(cells.at("A2").text, hyperlink) << "the text as it is, no apostrophe";
  EXPECT_TRUE(cells.at("A3").is_string);
  EXPECT_EQ(cells.at("A3").text, "@SUM(1+1)");
  EXPECT_FALSE(cells.at("D2").is_string);
  EXPECT_EQ(cells.at("D2").number, -4.5) << "numbers stay numbers";
}

const char* appraised_scheme = R"({
  "format": "sipas-par-index/1", "id": "t", "decision": "1/QĐ-UBND", "year": 2024,
  "level": "province", "title": {"vi": "T", "en": "T"},
  "areas": [
    {"id": "1", "label": {"vi": "Một", "en": "One"}, "children": [
      {"id": "1.1", "label": {"vi": "a", "en": "a"}, "max_points": 6, "method": "appraised"}]}]})";

TEST_F(CsvOutputTest, IndexCsvGuardsUnitNames) {
  std::ofstream(path("scheme.json")) << appraised_scheme;
  std::ofstream(path("units.csv")) << "unit,name,ranked\n"
                                      "U1,"
                                   << hyperlink_csv
                                   << ",yes\n"
                                      "U2,@SUM(1+1),yes\n"
                                      "U3,-,yes\n";
  std::ofstream(path("appraisal.csv")) << "unit,criterion,points\nU1,1.1,5\nU2,1.1,4\nU3,1.1,3\n";
  for (bool raw : {false, true}) {
    const std::string out = p(raw ? "raw.csv" : "par-index.csv");
    std::vector<std::string> args = {
        "index",       "--scheme",         p("scheme.json"), "--units", p("units.csv"),
        "--appraisal", p("appraisal.csv"), "--out",          out};
    if (raw) args.push_back("--raw-csv");
    auto r = sipas(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(mode_of(out), 0644u) << "points of units, no person's data";
    const std::string csv = slurp(out);
    if (raw) {
      EXPECT_THAT(csv, HasSubstr("\nU1," + hyperlink_csv + ",5,6,"));
      EXPECT_THAT(csv, HasSubstr("\nU2,@SUM(1+1),4,6,"));
      EXPECT_THAT(csv, HasSubstr("\nU3,-,3,6,"));
    } else {
      EXPECT_THAT(csv, HasSubstr("\nU1," + hyperlink_guarded_csv + ",5,6,"));
      EXPECT_THAT(csv, HasSubstr("\nU2,'@SUM(1+1),4,6,"));
      EXPECT_THAT(csv, HasSubstr("\nU3,'-,3,6,"));
    }
  }
}

TEST(CsvOutputHelpTest, EveryCommandThatWritesCsvHasRawCsv) {
  const std::vector<std::vector<std::string>> commands = {{"sample"},
                                                          {"analyze"},
                                                          {"index"},
                                                          {"invite", "import"},
                                                          {"invite", "activate-reserves"},
                                                          {"responses", "export"},
                                                          {"export", "responses"},
                                                          {"export", "results"},
                                                          {"demo"}};
  for (auto args : commands) {
    args.push_back("--help");
    auto r = sipas(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_THAT(r.out, HasSubstr("--raw-csv")) << args[0] << " " << args[1];
  }
}

}  // namespace
