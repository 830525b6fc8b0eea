// sipas report --weights, run as a statistician runs it: `sipas weights` on a
// small sample file written here (dispositions chosen so the AAPOR rates are
// easy to compute by hand), `sipas analyze` on the report's fixture answers,
// then `sipas report` with the weights.json the first wrote. The sample and
// the answers are not the same people: the test follows the files, not a
// survey.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/reports/report_dom_test.hpp"
#include "tests/support/process.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using sipas::test::sipas;
using sipas::test::slurp;
using sipas::test::source_file;
using sipas::test::dom::Document;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ReportWeightsCommandTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (temp_.path() / name).string(); }

  // H02 first in the file: I 6, N 3, X 1, U 2; then H01: I 8, N 2.
  void write_sample() const {
    std::ofstream out(path("sample.csv"));
    out << "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,outcome\n";
    int id = 0;
    auto rows = [&](const char* stratum, const char* outcome, int count) {
      for (int k = 0; k < count; ++k, ++id)
        out << "u" << id << "," << stratum << ",p" << id << ",0.1,10,main,," << outcome << "\n";
    };
    rows("H02", "respondent", 6);
    rows("H02", "nonrespondent", 3);
    rows("H02", "ineligible", 1);
    rows("H02", "unknown", 2);
    rows("H01", "respondent", 8);
    rows("H01", "nonrespondent", 2);
  }

  void analyze() const {
    auto r = sipas({"analyze", "--data", source_file("tests/reports/fixtures/answers.csv"),
                    "--strata", "district", "--psu", "commune", "--weights", "weight", "--index",
                    source_file("questionnaires/forms/sipas-short.json"), "--by", "district",
                    "--out", path("results.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  sipas::test::TempDir temp_;
};

// The cells' texts of every body row of the table with class `css`.
std::vector<std::vector<std::string>> rows_of(const Document& doc, const std::string& css) {
  std::vector<std::vector<std::string>> out;
  const auto tables = doc.find("table", css);
  if (tables.empty()) return out;
  const auto body = doc.find("tbody", "", tables.front()).at(0);
  for (auto tr : doc.find("tr", "", body)) {
    std::vector<std::string> cells;
    for (auto cell : doc.find("", "", tr)) {
      if (doc[cell].name == "th" || doc[cell].name == "td") cells.push_back(doc.text(cell));
    }
    out.push_back(cells);
  }
  return out;
}

TEST_F(ReportWeightsCommandTest, TheMethodsShowTheRatesAndStepsOfWeightsJson) {
  write_sample();
  // H02 has 6 respondents, fewer than 7: it joins H01.
  auto w = sipas({"weights", "--sample", path("sample.csv"), "--disposition", "outcome",
                  "--min-respondents", "7", "--out", path("weights.csv")});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  // RR1 = 14/21, RR3 = 14/(19 + 0.95 · 2), e = 19/20.
  EXPECT_THAT(w.out, HasSubstr("AAPOR response rates: RR1 66.67%, RR3 66.99% (e = 0.9500"));
  analyze();

  auto r = sipas({"report", "--results", path("results.json"), "--weights", path("weights.json"),
                  "--lang", "en", "--out", path("report.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Document en(slurp(path("report.html")));
  const auto rates = rows_of(en, "aapor-table");
  ASSERT_EQ(rates.size(), 3u);
  // H02: e = 9/10, RR1 = 6/11, RR3 = 6/(9 + 0.9 · 2); H01: no unknown, no
  // ineligible: 8/10 both.
  EXPECT_THAT(rates[0], ElementsAre("H02", "6", "3", "1", "2", "90.0%", "54.5%", "55.6%"));
  EXPECT_THAT(rates[1], ElementsAre("H01", "8", "2", "0", "0", "100.0%", "80.0%", "80.0%"));
  EXPECT_THAT(rates[2], ElementsAre("Total", "14", "5", "1", "2", "95.0%", "66.7%", "67.0%"));
  const auto steps = rows_of(en, "weighting-steps-table");
  ASSERT_EQ(steps.size(), 3u);  // no margins: no calibration step
  EXPECT_EQ(steps[2][0], "w_nonresponse");
  EXPECT_THAT(en.source(), HasSubstr("H02 into H01: 6 respondents, fewer than 7"));

  r = sipas({"report", "--results", path("results.json"), "--weights", path("weights.json"),
             "--out", path("report-vi.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Document vi(slurp(path("report-vi.html")));
  EXPECT_THAT(rows_of(vi, "aapor-table")[0],
              ElementsAre("H02", "6", "3", "1", "2", "90,0%", "54,5%", "55,6%"));
  EXPECT_THAT(vi.source(), HasSubstr("Tỷ lệ phản hồi theo AAPOR, theo tầng"));
  EXPECT_THAT(vi.source(), HasSubstr("H02 gộp vào H01: 6 respondents, fewer than 7"));

  r = sipas({"report", "--help"});
  EXPECT_THAT(r.out, HasSubstr("--weights"));
}

TEST_F(ReportWeightsCommandTest, AFileThatIsNotWeightsJsonWritesNothing) {
  analyze();
  auto r = sipas({"report", "--results", path("results.json"), "--weights", path("results.json"),
                  "--out", path("report.html")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("results.json: format: missing"));
  EXPECT_FALSE(fs::exists(path("report.html")));

  std::ofstream(path("weights.json")) << R"({"format": "sipas-weights/9"})";
  r = sipas({"report", "--results", path("results.json"), "--weights", path("weights.json"),
             "--out", path("report.html")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("weights.json: format: expected \"sipas-weights/1\""));
  EXPECT_THAT(r.err, HasSubstr("[report.invalid_format]"));
  EXPECT_FALSE(fs::exists(path("report.html")));
}

}  // namespace
