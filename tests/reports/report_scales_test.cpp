// The scales' quality in the report's methods section: the numbers of the
// results file's "scales", in both languages, and through the real
// executables (sipas analyze --index, then sipas report).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "questionnaires/questionnaire.hpp"
#include "reports/error.hpp"
#include "reports/report.hpp"
#include "tests/reports/report_dom_test.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sipas::reports;
using sipas::test::dom::Document;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string dash = "\xE2\x80\x93";

Json design() {
  return {{"kind", "linearization"},
          {"psu", Json::array()},
          {"fpc", Json::array()},
          {"rows", 200},
          {"df", 199},
          {"level", 0.95}};
}

// E3: three items of sipas-short; E5: four, s9 without variance; T: a
// two-item scale of the user's, with a null.
Json scales_json() {
  return Json::array({{{"name", "E3"},
                       {"source", "element"},
                       {"items", {"s1", "s2", "s3"}},
                       {"rows", 200},
                       {"alpha", 0.81234},
                       {"std_alpha", 0.8},
                       {"alpha_weighted", 0.79},
                       {"item_rest", {0.6, 0.55, 0.5}},
                       {"alpha_if_dropped", {0.7, 0.75, 0.76}},
                       {"valid_n", {190, 180, 150}},
                       {"dont_know_share", {0.025, 0.05, 0.2}},
                       {"missing_share", {0.025, 0.05, 0.05}},
                       {"no_variance", Json::array()}},
                      {{"name", "E5"},
                       {"source", "element"},
                       {"items", {"s6", "s7", "s8", "s9"}},
                       {"rows", 200},
                       {"alpha", 0.7},
                       {"std_alpha", 0.71},
                       {"alpha_weighted", 0.69},
                       {"item_rest", {0.4, 0.45, 0.5, nullptr}},
                       {"alpha_if_dropped", {0.6, 0.61, 0.62, nullptr}},
                       {"valid_n", {200, 200, 200, 150}},
                       {"dont_know_share", {0, 0, 0, 0.2}},
                       {"missing_share", {0, 0, 0, 0.05}},
                       {"no_variance", {"s9"}}},
                      {{"name", "T<&>"},
                       {"source", "option"},
                       {"items", {"s4", "s5"}},
                       {"rows", 200},
                       {"alpha", 0.5},
                       {"std_alpha", nullptr},
                       {"alpha_weighted", 0.4567},
                       {"item_rest", {0.33, 0.33}},
                       {"alpha_if_dropped", {0.25, 0.4}},
                       {"valid_n", {200, 200}},
                       {"dont_know_share", {0, 0}},
                       {"missing_share", {0, 0.125}},
                       {"no_variance", Json::array()}}});
}

// The report needs an index of the whole population to stand on.
Json estimates() {
  return Json::array({{{"statistic", "overall_index"},
                       {"variable", "overall"},
                       {"domain", nullptr},
                       {"estimate", 82.5},
                       {"se", 1.5},
                       {"ci_low", 79.5},
                       {"ci_high", 85.5},
                       {"ci_method", "wald"},
                       {"df", 199},
                       {"n", 200},
                       {"weighted_n", 1000},
                       {"deff", nullptr}}});
}

ReportInputs inputs(const Json& scales) {
  ReportInputs in;
  Json results = {{"design", design()}, {"estimates", estimates()}};
  if (!scales.is_null()) results["scales"] = scales;
  in.results = parse_results(results.dump(), "results.json");
  in.questionnaire.emplace(sipas::questionnaires::load_questionnaire_file(
      std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-short.json"));
  return in;
}

std::string render(Language language, const ReportInputs& in) {
  ReportOptions options;
  options.language = language;
  return render_report(in, options);
}

// The cells of each body row of the table (header cell first).
std::vector<std::vector<std::string>> body_rows(const Document& doc, std::size_t table) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t tbody : doc.find("tbody", "", table)) {
    for (std::size_t tr : doc.find("tr", "", tbody)) {
      std::vector<std::string> cells;
      for (std::size_t i = tr + 1; i < doc.elements().size() && doc.is_inside(i, tr); ++i) {
        if (doc[i].name == "th" || doc[i].name == "td") cells.push_back(doc.text(i));
      }
      out.push_back(cells);
    }
  }
  return out;
}

TEST(ReportScalesTest, MethodsShowEachScaleAndItsItems) {
  const Document doc(render(Language::En, inputs(scales_json())));
  const auto methods = doc.by_id("methods");
  const auto tables = doc.find("table", "scales-table", methods);
  ASSERT_EQ(tables.size(), 1u);
  std::vector<std::string> header;
  for (std::size_t th : doc.find("th", "", doc.find("thead", "", tables[0]).at(0)))
    header.push_back(doc.text(th));
  EXPECT_THAT(header, ElementsAre("Scale / item", "Cronbach's alpha", "Standardized alpha",
                                  "Weighted alpha", "Item–rest correlation",
                                  "Alpha if item dropped", "Don't know (%)", "Missing (%)"));
  const auto rows = body_rows(doc, tables[0]);
  ASSERT_EQ(rows.size(), 12u);  // three scales, nine items
  EXPECT_THAT(rows[0][0], HasSubstr("E3"));
  EXPECT_THAT(rows[0], ElementsAre(rows[0][0], "0.812", "0.800", "0.790", "", "", "", ""));
  EXPECT_THAT(rows[1][0], HasSubstr("s1"));
  EXPECT_THAT(rows[1], ElementsAre(rows[1][0], "", "", "", "0.600", "0.700", "2.5", "2.5"));
  EXPECT_THAT(rows[3], ElementsAre(rows[3][0], "", "", "", "0.500", "0.760", "20.0", "5.0"));
  // s9 has no variance: left out of the alpha, its answers still counted.
  EXPECT_THAT(rows[4][0], HasSubstr("E5"));
  EXPECT_THAT(rows[7], ElementsAre(rows[7][0], "", "", "", "0.500", "0.620", "0.0", "0.0"));
  EXPECT_THAT(rows[8], ElementsAre(rows[8][0], "", "", "", dash, dash, "20.0", "5.0"));
  // The scale's name is the user's text, escaped; a null prints as the dash.
  EXPECT_THAT(rows[9], ElementsAre("T<&>", "0.500", dash, "0.457", "", "", "", ""));
  // Two items: no alpha is left when one is dropped, whatever the file says.
  EXPECT_THAT(rows[10], ElementsAre(rows[10][0], "", "", "", "0.330", dash, "0.0", "0.0"));
  EXPECT_THAT(rows[11], ElementsAre(rows[11][0], "", "", "", "0.330", dash, "0.0", "12.5"));
  EXPECT_THAT(doc.text(methods), HasSubstr("psych::alpha"));
}

TEST(ReportScalesTest, VietnameseWordsAndDecimalCommas) {
  const Document doc(render(Language::Vi, inputs(scales_json())));
  const auto methods = doc.by_id("methods");
  const std::string text = doc.text(methods);
  EXPECT_THAT(text, HasSubstr("Độ tin cậy của thang đo"));
  EXPECT_THAT(text, HasSubstr("Tương quan biến – tổng hiệu chỉnh"));
  EXPECT_THAT(text, HasSubstr("Alpha nếu loại câu hỏi"));
  EXPECT_THAT(text, HasSubstr("Không biết (%)"));
  const auto rows = body_rows(doc, doc.find("table", "scales-table", methods).at(0));
  EXPECT_THAT(rows[0], ElementsAre(rows[0][0], "0,812", "0,800", "0,790", "", "", "", ""));
  EXPECT_EQ(rows[1][6], "2,5");
}

TEST(ReportScalesTest, NoScalesNoTable) {
  const Document doc(render(Language::En, inputs(Json())));
  EXPECT_TRUE(doc.find("table", "scales-table").empty());
  EXPECT_THAT(doc.text(doc.by_id("methods")), ::testing::Not(HasSubstr("Scale quality")));
}

TEST(ReportScalesTest, AnArrayOfTheWrongLengthNamesTheField) {
  Json scales = scales_json();
  scales[2]["item_rest"] = {0.3};
  try {
    inputs(scales);
    ADD_FAILURE();
  } catch (const ReportError& e) {
    EXPECT_EQ(e.id(), "report.invalid_field");
    EXPECT_THAT(e.what(), HasSubstr("results.json: scales[2].item_rest: expected an array of 2"));
  }
}

TEST(ReportScalesTest, TheCommandsCarryTheElementsAlphasIntoTheReport) {
  sipas::test::TempDir dir;
  const std::string results = (dir / "results.json").string();
  const std::string html = (dir / "report.html").string();
  const std::string form = std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-short.json";
  auto a = sipas::test::sipas(
      {"analyze", "--data", std::string(SIPAS_SOURCE_DIR) + "/tests/reports/fixtures/answers.csv",
       "--strata", "district", "--psu", "commune", "--weights", "weight", "--index", form, "--out",
       results});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto r = sipas::test::sipas(
      {"report", "--results", results, "--questionnaire", form, "--lang", "en", "--out", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json scales = Json::parse(sipas::test::slurp(results))["scales"];
  ASSERT_EQ(scales.size(), 3u);  // E3, E4, E5
  const Document doc(sipas::test::slurp(html));
  const auto rows = body_rows(doc, doc.find("table", "scales-table", doc.by_id("methods")).at(0));
  std::size_t row = 0;
  for (const auto& scale : scales) {
    ASSERT_LT(row, rows.size());
    EXPECT_THAT(rows[row][0], HasSubstr(scale["name"].get<std::string>()));
    char alpha[32];
    std::snprintf(alpha, sizeof alpha, "%.3f", scale["alpha"].get<double>());
    EXPECT_EQ(rows[row][1], alpha);
    row += 1 + scale["items"].size();
  }
  EXPECT_EQ(row, rows.size());
}

}  // namespace
