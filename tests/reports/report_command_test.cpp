// sipas report run as a person runs it: results.json from `sipas analyze` on
// the fixture answers (raked to margins), with the PAR index and fieldwork
// fixtures; the page shows the numbers of those files. Errors exit 1, name
// the file and field, and write nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/file.hpp"
#include "tests/reports/report_dom_test.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using sipas::test::slurp;
using sipas::test::dom::Document;
using sipas::test::dom::percent_of;
using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string fixture(const std::string& name) {
  return std::string(SIPAS_SOURCE_DIR) + "/tests/reports/fixtures/" + name;
}
std::string questionnaire() {
  return std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-short.json";
}

// results.json of the fixture survey, made once by the real executable.
class ReportCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new sipas::test::TempDir("sipas-report");
    results_ = (*dir_ / "results.json").string();
    auto r =
        sipas({"analyze", "--data", fixture("answers.csv"), "--strata", "district", "--psu",
               "commune", "--weights", "weight", "--calibrate", fixture("margins.csv"), "--calfun",
               "raking", "--index", questionnaire(), "--by", "district", "--out", results_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static Json results() { return Json::parse(slurp(results_)); }
  static const Json& find(const Json& results, const std::string& statistic,
                          const std::string& variable, const std::string& unit) {
    for (const auto& e : results["estimates"]) {
      const bool domain =
          unit.empty() ? e["domain"].is_null()
                       : e["domain"].is_object() && e["domain"].value("district", "") == unit;
      if (e["statistic"] == statistic && e["variable"] == variable && domain) return e;
    }
    throw std::runtime_error("no " + statistic + " " + variable + " " + unit);
  }

  static sipas::test::TempDir* dir_;
  static std::string results_;
};
sipas::test::TempDir* ReportCommandTest::dir_ = nullptr;
std::string ReportCommandTest::results_;

std::string vi_fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  std::string s = buffer;
  std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

TEST_F(ReportCommandTest, TheReportShowsTheNumbersOfItsInputs) {
  sipas::test::TempDir out;
  const std::string html_path = (out / "report.html").string();
  auto r =
      sipas({"report", "--results", results_, "--questionnaire", questionnaire(), "--par-index",
             fixture("par-index.json"), "--rates", fixture("progress.json"), "--out", html_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("report.html: report written"));
  const Json res = results();
  const Document doc(slurp(html_path));

  // Headline: the overall index of results.json and its interval.
  const Json& overall = find(res, "overall_index", "overall", "");
  const auto card = doc.find("div", "kpi-main").at(0);
  EXPECT_EQ(doc.text(doc.find("div", "kpi-value", card).at(0)),
            vi_fixed(overall["estimate"].get<double>(), 2) + "%");
  EXPECT_EQ(doc.text(doc.find("div", "kpi-ci", card).at(0)),
            "KTC 95%: " + vi_fixed(overall["ci_low"].get<double>(), 2) + " \xE2\x80\x93 " +
                vi_fixed(overall["ci_high"].get<double>(), 2));

  // Ranking: the districts in the order of their estimates in results.json,
  // named as the PAR index file names them.
  std::vector<std::pair<double, std::string>> by_value;
  for (const char* unit : {"H01", "H02", "H03", "H04"})
    by_value.emplace_back(find(res, "overall_index", "overall", unit)["estimate"].get<double>(),
                          unit);
  std::sort(by_value.rbegin(), by_value.rend());
  const Json par = Json::parse(slurp(fixture("par-index.json")));
  auto name_of = [&](const std::string& unit) {
    for (const auto& u : par["units"]) {
      if (u["unit"] == unit) return u["name"].get<std::string>();
    }
    return unit;
  };
  const auto chart = doc.by_id("ranking-chart");
  const auto rows = doc.find("g", "row", chart);
  ASSERT_EQ(rows.size(), 4u);
  const auto& plot = doc[doc.find("g", "plot", chart).at(0)];
  const double min = std::stod(plot.attr("data-axis-min")),
               max = std::stod(plot.attr("data-axis-max"));
  const double from = std::stod(plot.attr("data-x-from")), to = std::stod(plot.attr("data-x-to"));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string unit = by_value[i].second;
    EXPECT_EQ(doc[rows[i]].attr("data-key"), unit);
    EXPECT_EQ(doc.text(doc.find("text", "label", rows[i]).at(0)),
              std::to_string(i + 1) + ". " + name_of(unit));
    const Json& e = find(res, "overall_index", "overall", unit);
    const auto whisker = doc[doc.find("line", "whisker", rows[i]).at(0)];
    EXPECT_NEAR(percent_of(whisker.attr("x1")),
                from + (e["ci_low"].get<double>() - min) / (max - min) * (to - from), 1e-3);
    EXPECT_NEAR(percent_of(whisker.attr("x2")),
                from + (e["ci_high"].get<double>() - min) / (max - min) * (to - from), 1e-3);
  }

  // One profile per district, each with the three elements of sipas-short.
  const auto profiles = doc.find("figure", "profile");
  ASSERT_EQ(profiles.size(), 4u);
  for (auto f : profiles)
    EXPECT_EQ(doc.find("g", "row", f).size(), 3u);

  // The PAR table in rank order with the file's groups.
  const auto par_rows = doc.find("tr", "", doc.find("table", "par-table").at(0));
  ASSERT_EQ(par_rows.size(), 5u);
  std::vector<std::string> groups;
  for (std::size_t i = 1; i < par_rows.size(); ++i) {
    const auto badge = doc.find("span", "badge", par_rows[i]);
    groups.push_back(badge.empty() ? "-" : doc.text(badge[0]));
  }
  EXPECT_THAT(groups, ::testing::ElementsAre("A", "B", "B", "-"));
  EXPECT_THAT(doc.text(par_rows[2]), HasSubstr("Huyện Gia Lâm88,68"));

  // Response rates: H02 answered 30 of 45.
  const auto rates = doc.find("tr", "", doc.find("table", "rates-table").at(0));
  ASSERT_EQ(rates.size(), 6u);
  EXPECT_EQ(doc.text(rates[2]), "H0245383066,7%84,4%0");

  // Methods: the design of the run.
  const std::string methods = doc.text(doc.by_id("methods"));
  EXPECT_THAT(methods, HasSubstr("Phân tầng theodistrict"));
  EXPECT_THAT(methods, HasSubstr("lặp tỷ lệ theo biên (raking)"));
  EXPECT_THAT(methods,
              HasSubstr("Số vòng lặp" +
                        std::to_string(res["design"]["calibration"]["iterations"].get<int>())));
  EXPECT_THAT(methods, HasSubstr("Bậc tự do8"));  // 12 communes - 4 districts
  EXPECT_THAT(methods, HasSubstr("Số phiếu trong dữ liệu120"));
  EXPECT_THAT(methods, HasSubstr(res["design"]["inputs"]["data"]["sha256"].get<std::string>()));
}

TEST_F(ReportCommandTest, EnglishWithATitle) {
  sipas::test::TempDir out;
  const std::string html_path = (out / "report.html").string();
  auto r = sipas({"report", "--results", results_, "--lang", "en", "--title", "Đông Anh & co",
                  "--out", html_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Document doc(slurp(html_path));
  EXPECT_EQ(doc[doc.find("html").at(0)].attr("lang"), "en");
  EXPECT_EQ(doc.text(doc.find("h1").at(0)), "Đông Anh & co");
  EXPECT_THAT(doc.source(), HasSubstr("Đông Anh &amp; co"));
  EXPECT_THAT(doc.text(doc.by_id("methods")), HasSubstr("Degrees of freedom8"));
  // Without the PAR file, units are named by their codes; no rates section.
  EXPECT_THAT(doc.text(doc.by_id("ranking-chart")), HasSubstr("1. H01"));
  EXPECT_TRUE(doc.find("section", "").size() >= 5);
  EXPECT_THAT(doc.source(), ::testing::Not(HasSubstr("id=\"rates\"")));
}

TEST_F(ReportCommandTest, ErrorsNameTheFileAndFieldAndWriteNothing) {
  sipas::test::TempDir out;
  const std::string html_path = (out / "report.html").string();

  auto r = sipas({"report", "--results", results_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--out report.html is required [report.missing_option]"));

  Json broken = results();
  broken["estimates"][2]["estimate"] = "high";
  const std::string broken_path = (out / "broken.json").string();
  sipas::io::write_file_atomic(broken_path, broken.dump());
  r = sipas({"report", "--results", broken_path, "--out", html_path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(broken_path + ": estimates[2].estimate: expected a number or null "
                                             "[report.invalid_field]"));
  EXPECT_FALSE(std::filesystem::exists(html_path));

  // An existing report is left as it was.
  sipas::io::write_file_atomic(html_path, "old report");
  r = sipas({"report", "--results", results_, "--lang", "fr", "--out", html_path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("[reports.invalid_language]"));
  r = sipas({"report", "--results", results_, "--unit-column", "commune", "--out", html_path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no indices by 'commune' (--unit-column); domain columns: "
                               "district [report.unknown_unit_column]"));
  r = sipas({"report", "--results", results_, "--par-index", fixture("progress.json"), "--out",
             html_path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("progress.json: format: missing [report.invalid_field]"));
  r = sipas({"report", "--results", (out / "none.json").string(), "--out", html_path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("none.json"));
  EXPECT_EQ(slurp(html_path), "old report");
}

TEST_F(ReportCommandTest, HelpListsEveryOption) {
  auto r = sipas({"report", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--results", "--questionnaire", "--par-index", "--rates", "--lang",
                             "--title", "--unit-column", "--out"})
    EXPECT_THAT(r.out, HasSubstr(option));
}

}  // namespace
