// sipas report --sample-design, run as a statistician runs it: `sipas sample`
// draws communes by PPS (the seat certain) and people by SRS with reserves
// from a small frame written here, `sipas analyze` runs on the report's
// fixture answers, then `sipas report` takes the design record the first
// wrote. The sample and the answers are not the same people: the test
// follows the files, not a survey.

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

class ReportSampleDesignCommandTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (temp_.path() / name).string(); }

  // 3 districts of 4 communes (the first the seat), 6 + 2c people each.
  void write_frame_and_design() const {
    std::ofstream frame(path("frame.csv"));
    frame << "id,district,commune,is_seat\n";
    for (int d = 1; d <= 3; ++d) {
      for (int c = 1; c <= 4; ++c) {
        for (int k = 0; k < 6 + 2 * c; ++k)
          frame << "p" << d << c << "-" << k << ",D" << d << ",C" << c << "," << (c == 1) << "\n";
      }
    }
    std::ofstream(path("design.json")) << R"({
      "format": "sipas-design/1",
      "strata": ["district"],
      "stages": [
        {"unit": "commune", "method": "pps", "n": 2,
         "certainty": {"column": "is_seat", "values": ["1"]}},
        {"method": "srs", "n": 3, "reserve": 1}
      ]
    })";
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

std::vector<std::string> stage_items(const Document& doc) {
  std::vector<std::string> out;
  const auto lists = doc.find("ol", "sample-stages");
  if (lists.empty()) return out;
  for (auto li : doc.find("li", "", lists.front()))
    out.push_back(doc.text(li));
  return out;
}

TEST_F(ReportSampleDesignCommandTest, TheMethodsSayHowTheSampleWasDrawn) {
  write_frame_and_design();
  auto s =
      sipas({"sample", "--frame", path("frame.csv"), "--design", path("design.json"), "--seed", "7",
             "--quiet", "--out", path("sample.csv"), "--design-out", path("sample.design.json")});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  analyze();

  auto r = sipas({"report", "--results", path("results.json"), "--sample-design",
                  path("sample.design.json"), "--lang", "en", "--out", path("report.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Document en(slurp(path("report.html")));
  EXPECT_THAT(stage_items(en),
              ElementsAre(HasSubstr("Stage 1: communes, probability proportional to size, without "
                                    "replacement (Sampford's method"),
                          "Stage 2: people, simple random sampling without replacement, 3 per "
                          "commune, reserves: 1 per commune"));
  EXPECT_THAT(stage_items(en)[0], HasSubstr("2 per stratum, certain: is_seat = 1 (3 taken)"));
  EXPECT_EQ(en.text(en.find("span", "seed").at(0)), "7 (given with --seed)");
  EXPECT_EQ(en.text(en.find("span", "sample-size").at(0)), "18 main, 6 reserves");
  EXPECT_THAT(en.source(), HasSubstr("<code>frame.csv</code>, 132 rows"));
  EXPECT_THAT(en.source(), HasSubstr("sipas sample --frame"));  // the command it recorded

  r = sipas({"report", "--results", path("results.json"), "--sample-design",
             path("sample.design.json"), "--out", path("report-vi.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Document vi(slurp(path("report-vi.html")));
  EXPECT_THAT(stage_items(vi),
              ElementsAre(HasSubstr("Giai đoạn 1: xã/phường, chọn với xác suất tỷ lệ với quy mô"),
                          "Giai đoạn 2: người, chọn ngẫu nhiên đơn giản không hoàn lại, 3 mỗi "
                          "xã/phường, dự phòng: 1 mỗi xã/phường"));

  r = sipas({"report", "--help"});
  EXPECT_THAT(r.out, HasSubstr("--sample-design"));
}

TEST_F(ReportSampleDesignCommandTest, AFileThatIsNotADesignRecordWritesNothing) {
  analyze();
  auto r = sipas({"report", "--results", path("results.json"), "--sample-design",
                  path("results.json"), "--out", path("report.html")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("results.json: format: missing"));
  EXPECT_FALSE(fs::exists(path("report.html")));

  std::ofstream(path("design.json")) << R"({"format": "sipas-design/1"})";
  r = sipas({"report", "--results", path("results.json"), "--sample-design", path("design.json"),
             "--out", path("report.html")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("design.json: format: expected \"sipas-sample-design/1\""));
  EXPECT_THAT(r.err, HasSubstr("[report.invalid_format]"));
  EXPECT_FALSE(fs::exists(path("report.html")));
}

}  // namespace
