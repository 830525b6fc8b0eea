// weights.json (sipas weights) in the report: the parser takes the file the
// weighting code writes for the R fixture (tests/reference/nonresponse_sample.csv)
// and names the field of every error; the methods page shows the AAPOR rates
// by stratum (computed here from the fixture's counts by the formulas), the
// steps, the collapses with their reasons, and how the variance took the
// adjustment in; every string from the file is escaped.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "analysis/calibration.hpp"
#include "analysis/nonresponse.hpp"
#include "analysis/nonresponse_output.hpp"
#include "analysis/table.hpp"
#include "reports/error.hpp"
#include "reports/report.hpp"
#include "tests/reports/report_dom_test.hpp"
#include "tests/support/reference_values.hpp"

namespace {

namespace a = sipas::analysis;
using namespace sipas::reports;
using sipas::test::reference_file;
using sipas::test::dom::Document;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string hostile = "<script>alert(1)</script> & \"x\"";

// weights.json as `sipas weights` writes it for the fixture: strata as
// classes (H, 18 respondents, joins E), raked to the margins.
Json fixture_weights(bool replicates = false) {
  a::FieldworkColumns columns;
  columns.disposition = "disposition";
  const a::FieldworkSample sample =
      a::read_fieldwork(a::Table::load(reference_file("nonresponse_sample.csv")), columns);
  a::NonresponseOptions o;
  o.margins = a::load_margins(reference_file("nonresponse_margins.csv"));
  o.calibration.method = a::CalibrationOptions::Raking;
  if (replicates) o.replicates = a::ReplicateRequest{};
  return a::weights_report(sample, a::adjust_weights(sample, o), o);
}

const Json& fixture_counts() {
  return sipas::test::reference_json("nonresponse_reference.json")["fixture"];
}

Json results_json() {
  Json overall = {{"statistic", "overall_index"},
                  {"variable", "overall"},
                  {"domain", nullptr},
                  {"estimate", 80},
                  {"se", 2},
                  {"ci_low", 76},
                  {"ci_high", 84},
                  {"n", 126},
                  {"weighted_n", 6194}};
  Json design = {{"kind", "linearization"},
                 {"strata", "stratum"},
                 {"weights", "weight"},
                 {"rows", 126},
                 {"df", 123},
                 {"level", 0.95}};
  return {{"design", design}, {"estimates", Json::array({overall})}};
}

std::string render(Language language, const Json& weights, const Json& results = results_json()) {
  ReportInputs in;
  in.results = parse_results(results.dump(), "results.json");
  in.weights = parse_weights(weights.dump(), "weights.json");
  ReportOptions options;
  options.language = language;
  return render_report(in, options);
}

std::pair<std::string, std::string> error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const sipas::Error& e) {
    return {e.id(), e.what()};
  }
  return {"(none)", ""};
}

std::pair<std::string, std::string> weights_error(const Json& doc) {
  return error_of([&] { parse_weights(doc.dump(), "weights.json"); });
}

std::size_t first(const Document& doc, const std::string& name, const std::string& css,
                  std::size_t within = std::string::npos) {
  const auto found = doc.find(name, css, within);
  if (found.empty()) throw std::runtime_error("no <" + name + " class=" + css + ">");
  return found.front();
}

// The cells' texts of every body row of the table with class `css`.
std::vector<std::vector<std::string>> rows_of(const Document& doc, const std::string& css) {
  std::vector<std::vector<std::string>> out;
  const auto body = first(doc, "tbody", "", first(doc, "table", css));
  for (auto tr : doc.find("tr", "", body)) {
    std::vector<std::string> cells;
    for (auto cell : doc.find("", "", tr)) {
      if (doc[cell].name == "th" || doc[cell].name == "td") cells.push_back(doc.text(cell));
    }
    out.push_back(cells);
  }
  return out;
}

// A share as the report prints it: one decimal, the language's decimal mark.
std::string percent(double share, Language language) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * share);
  std::string text = buffer;
  if (language == Language::Vi) std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// AAPOR Standard Definitions (10th edition, 2023), from the counts: I
// respondents, N nonrespondents, X ineligible, U unknown eligibility.
std::vector<std::string> expected_row(const std::string& label, const Json& counts,
                                      Language language) {
  const double i = counts["respondent"], n = counts["nonrespondent"], x = counts["ineligible"],
               u = counts["unknown"];
  const double e = (i + n) / (i + n + x);
  const double rr1 = i / (i + n + u);
  const double rr3 = i / (i + n + e * u);
  auto whole = [](double v) { return std::to_string(static_cast<int>(v)); };
  return {label,
          whole(i),
          whole(n),
          whole(x),
          whole(u),
          percent(e, language),
          percent(rr1, language),
          percent(rr3, language)};
}

TEST(ReportWeightingTest, ParsesTheWeightsFileTheWeightingCodeWrites) {
  const WeightsSummary w = parse_weights(fixture_weights(true).dump(), "weights.json");
  EXPECT_EQ(w.source, "weights.json");
  ASSERT_TRUE(w.has_rates);
  ASSERT_EQ(w.strata.size(), 3u);
  const Json& by = fixture_counts()["by_stratum"];
  for (std::size_t k = 0; k < 3; ++k) {
    const std::string stratum(1, "EHM"[k]);  // order of first appearance
    EXPECT_EQ(w.strata[k].stratum, stratum);
    EXPECT_EQ(w.strata[k].respondents, by[stratum]["respondent"].get<std::int64_t>());
    EXPECT_EQ(w.strata[k].unknown, by[stratum]["unknown"].get<std::int64_t>());
  }
  // E: I 71, N 21, X 4, U 6.
  EXPECT_DOUBLE_EQ(w.strata[0].e, 92.0 / 96);
  EXPECT_DOUBLE_EQ(w.strata[0].rr1, 71.0 / 98);
  EXPECT_DOUBLE_EQ(w.strata[0].rr3, 71.0 / (92 + 92.0 / 96 * 6));
  EXPECT_EQ(w.overall.respondents, 126);
  EXPECT_EQ(w.overall.ineligible, 6);
  ASSERT_EQ(w.steps.size(), 4u);
  EXPECT_EQ(w.steps[0].column, "w_design");
  EXPECT_EQ(w.steps[3].column, "w_calibrated");
  EXPECT_EQ(w.steps[3].n, 126);
  EXPECT_GT(w.steps[3].deff_kish, 1);
  EXPECT_EQ(w.class_columns, std::vector<std::string>{"stratum"});
  EXPECT_EQ(w.classes, 2u);
  EXPECT_EQ(w.min_respondents, 20);
  EXPECT_EQ(w.max_factor, 2);
  ASSERT_EQ(w.collapsed.size(), 1u);
  EXPECT_EQ(w.collapsed[0].label, "H");
  EXPECT_EQ(w.collapsed[0].into, "E");
  EXPECT_EQ(w.collapsed[0].respondents, 18);
  EXPECT_EQ(w.collapsed[0].reason, "18 respondents, fewer than 20");
  EXPECT_EQ(w.calibration_method, "raking");
  ASSERT_TRUE(w.replicates.has_value());
  EXPECT_EQ(w.replicates->reptype, "jkn");
  EXPECT_EQ(w.replicates->count, 205);
}

TEST(ReportWeightingTest, ABadFileNamesTheField) {
  const Json good = fixture_weights();
  Json doc = good;
  doc["format"] = "sipas-weights/2";
  EXPECT_EQ(weights_error(doc),
            std::make_pair(std::string("report.invalid_format"),
                           std::string("weights.json: format: expected \"sipas-weights/1\"")));
  doc = good;
  doc["steps"][2]["cv"] = "0.4";
  EXPECT_EQ(weights_error(doc),
            std::make_pair(std::string("report.invalid_field"),
                           std::string("weights.json: steps[2].cv: expected a number")));
  doc = good;
  doc["steps"][1]["cv"] = nullptr;
  EXPECT_EQ(weights_error(doc).second, "weights.json: steps[1].cv: expected a number");
  doc = good;
  doc["response_rates"]["by_stratum"][1]["rr3"] = 1.5;
  EXPECT_EQ(weights_error(doc).second,
            "weights.json: response_rates.by_stratum[1].rr3: expected a rate from 0 to 1");
  doc = good;
  doc["response_rates"]["overall"]["unknown"] = -1;
  EXPECT_EQ(weights_error(doc).second,
            "weights.json: response_rates.overall.unknown: expected a whole number >= 0");
  doc = good;
  doc["classes"]["collapsed"][0].erase("reason");
  EXPECT_EQ(weights_error(doc).second, "weights.json: classes.collapsed[0].reason: missing");
  doc = good;
  doc.erase("steps");
  EXPECT_EQ(weights_error(doc).second, "weights.json: steps: missing");
  doc = good;
  doc["calibration"] = {{"iterations", 3}};
  EXPECT_EQ(weights_error(doc).second, "weights.json: calibration.method: missing");
  EXPECT_EQ(error_of([] { parse_weights("{\"format\": ", "weights.json"); }).first,
            "report.invalid_json");

  // A file written before the rates were added still reads, without them.
  doc = good;
  doc.erase("response_rates");
  EXPECT_FALSE(parse_weights(doc.dump(), "weights.json").has_rates);
}

TEST(ReportWeightingTest, ResultsMayRecordTheNonresponseAdjustment) {
  Json results = results_json();
  results["design"]["nonresponse"] = {{"weights_file", "weights.csv"},
                                      {"sha256", std::string(64, 'd')},
                                      {"class_column", "weighting_class"},
                                      {"classes", 3},
                                      {"calibrated", true}};
  const ResultsFile r = parse_results(results.dump(), "results.json");
  ASSERT_TRUE(r.design.nonresponse.has_value());
  EXPECT_EQ(r.design.nonresponse->class_column, "weighting_class");
  EXPECT_EQ(r.design.nonresponse->classes, 3);
  EXPECT_TRUE(r.design.nonresponse->calibrated);
  results["design"]["nonresponse"]["classes"] = "3";
  EXPECT_EQ(error_of([&] { parse_results(results.dump(), "results.json"); }).second,
            "results.json: design.nonresponse.classes: expected a whole number >= 0");
  EXPECT_FALSE(parse_results(results_json().dump(), "results.json").design.nonresponse);
}

TEST(ReportWeightingTest, TheRatesTableHoldsTheAaporRatesOfEachStratum) {
  const Json weights = fixture_weights();
  for (Language language : {Language::Vi, Language::En}) {
    SCOPED_TRACE(language == Language::Vi ? "vi" : "en");
    const Document doc(render(language, weights));
    const auto rows = rows_of(doc, "aapor-table");
    const Json& fx = fixture_counts();
    ASSERT_EQ(rows.size(), 4u);
    for (std::size_t k = 0; k < 3; ++k) {
      const std::string stratum(1, "EHM"[k]);
      EXPECT_EQ(rows[k], expected_row(stratum, fx["by_stratum"][stratum], language));
    }
    const std::string total = language == Language::Vi ? "Tổng" : "Total";
    EXPECT_EQ(rows[3], expected_row(total, fx["dispositions"], language));
  }
  // E by hand: RR1 = 71/98, RR3 = 71/(92 + 6 · 92/96) = 71/97.75.
  const std::string vi = render(Language::Vi, weights);
  EXPECT_THAT(vi, HasSubstr("<td class=\"num\">72,4%</td><td class=\"num\">72,6%</td>"));
  EXPECT_THAT(vi, HasSubstr("Tỷ lệ phản hồi theo AAPOR, theo tầng"));
  EXPECT_THAT(vi, HasSubstr("AAPOR, Standard Definitions, ấn bản thứ 10, 2023"));
  const std::string en = render(Language::En, weights);
  EXPECT_THAT(en, HasSubstr("<td class=\"num\">72.4%</td><td class=\"num\">72.6%</td>"));
  EXPECT_THAT(en, HasSubstr("AAPOR response rates by stratum"));
  EXPECT_THAT(en, HasSubstr("RR3 = I/(I + N + e·U)"));
  EXPECT_THAT(en, HasSubstr("AAPOR, Standard Definitions, 10th edition, 2023"));
}

TEST(ReportWeightingTest, TheStepsTableShowsEachStepsSpreadAndTheCollapses) {
  const Json weights = fixture_weights();
  const Document en(render(Language::En, weights));
  const auto rows = rows_of(en, "weighting-steps-table");
  ASSERT_EQ(rows.size(), 4u);
  const char* columns[] = {"w_design", "w_eligible", "w_nonresponse", "w_calibrated"};
  for (std::size_t s = 0; s < 4; ++s) {
    const Json& step = weights["steps"][s];
    EXPECT_EQ(rows[s][0], columns[s]);
    EXPECT_EQ(rows[s][2], "126");
    char deff[32], cv[32];
    std::snprintf(cv, sizeof cv, "%.3f", step["cv"].get<double>());
    std::snprintf(deff, sizeof deff, "%.3f", step["deff_kish"].get<double>());
    EXPECT_EQ(rows[s][5], cv) << columns[s];
    EXPECT_EQ(rows[s][6], deff) << columns[s];
  }
  EXPECT_EQ(rows[0][1], "Design weight 1/π");
  EXPECT_EQ(rows[2][1], "Weighting-class nonresponse adjustment: × (R + N)/R");
  EXPECT_EQ(en.text(first(en, "span", "weighting-classes")), "2 classes, on stratum");
  const auto merged = en.find("li", "", first(en, "ul", "collapses"));
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(en.text(merged[0]), "H into E: 18 respondents, fewer than 20");
  EXPECT_THAT(en.source(), HasSubstr("each class needs at least 20 respondents and an adjustment "
                                     "factor (R + N)/R of at most 2"));
  EXPECT_THAT(en.source(), HasSubstr("Kish&#39;s design effect of weighting"));
  EXPECT_THAT(en.source(), HasSubstr("<dt>Calibration of the weights</dt><dd>raking</dd>"));

  const Document vi(render(Language::Vi, weights));
  EXPECT_EQ(rows_of(vi, "weighting-steps-table")[0][1], "Trọng số thiết kế 1/π");
  EXPECT_EQ(vi.text(first(vi, "span", "weighting-classes")), "2 lớp, theo stratum");
  // The reason is data from the file (English), shown as it is.
  EXPECT_EQ(vi.text(vi.find("li", "", first(vi, "ul", "collapses"))[0]),
            "H gộp vào E: 18 respondents, fewer than 20");
  EXPECT_THAT(vi.source(), HasSubstr("Các bước tính trọng số"));
  EXPECT_THAT(vi.source(),
              HasSubstr("<dt>Hiệu chỉnh khi tính trọng số</dt><dd>lặp tỷ lệ theo biên (raking)"));
}

TEST(ReportWeightingTest, StringsFromTheWeightsFileAreEscaped) {
  Json weights = fixture_weights();
  weights["response_rates"]["by_stratum"][0]["stratum"] = hostile;
  weights["classes"]["collapsed"][0]["reason"] = hostile;
  weights["classes"]["columns"] = {hostile};
  const std::string html = render(Language::En, weights);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  const Document doc(html);  // well-formed: the strings broke nothing
  EXPECT_EQ(rows_of(doc, "aapor-table")[0][0], hostile);
  EXPECT_EQ(doc.text(doc.find("li", "", first(doc, "ul", "collapses"))[0]), "H into E: " + hostile);
  EXPECT_EQ(doc.text(first(doc, "span", "weighting-classes")), "2 classes, on " + hostile);
}

TEST(ReportWeightingTest, TheVarianceSaysHowTheAdjustmentWasTakenIn) {
  const Json weights = fixture_weights(true);
  // Linearization with the weights' classes: the adjustment as a calibration.
  Json results = results_json();
  results["design"]["nonresponse"] = {{"weights_file", "weights.csv"},
                                      {"sha256", std::string(64, 'd')},
                                      {"class_column", "weighting_class"},
                                      {"classes", 2},
                                      {"calibrated", true}};
  Document doc(render(Language::En, weights, results));
  EXPECT_EQ(doc.text(first(doc, "span", "variance-nonresponse")),
            "The variance treats the nonresponse adjustment as a calibration step: "
            "post-stratification of the respondents on the weighting classes to the classes' "
            "estimated eligible totals, then the calibration to the margins (Särndal and Lundström "
            "2005, Estimation in Surveys with Nonresponse, ch. 7–8).");
  EXPECT_THAT(doc.source(), HasSubstr("Weights file weights.csv, column weighting_class, 2 "
                                      "classes."));
  doc = Document(render(Language::Vi, weights, results));
  EXPECT_THAT(doc.text(first(doc, "span", "variance-nonresponse")),
              HasSubstr("Särndal và Lundström 2005, Estimation in Surveys with Nonresponse, "
                        "chương 7–8"));

  // Replicates that went through every step again.
  EXPECT_THAT(doc.source(), HasSubstr("<dt>Trọng số lặp lại</dt><dd>JKn, 205 lần lặp</dd>"));
  results = results_json();
  results["design"]["kind"] = "replicate";
  results["design"]["replicates"] = {{"type", "JKn"}, {"replicates", 205}, {"scale", 1}};
  doc = Document(render(Language::En, weights, results));
  EXPECT_EQ(doc.text(first(doc, "span", "variance-nonresponse")),
            "Every replicate was adjusted again as the full sample was (eligibility, weighting "
            "classes, calibration), so the standard errors include the adjustments (Valliant, "
            "Dever and Kreuter 2013, ch. 15).");

  // Neither: no sentence.
  doc = Document(render(Language::En, weights));
  EXPECT_TRUE(doc.find("span", "variance-nonresponse").empty());
}

TEST(ReportWeightingTest, NoWeightsNoWeightingTables) {
  ReportInputs in;
  in.results = parse_results(results_json().dump(), "results.json");
  const std::string html = render_report(in, {});
  EXPECT_THAT(html, Not(HasSubstr("aapor-table")));
  EXPECT_THAT(html, Not(HasSubstr("weighting-steps-table")));
  Json old = fixture_weights();
  old.erase("response_rates");
  const std::string without_rates = render(Language::En, old);
  EXPECT_THAT(without_rates, Not(HasSubstr("aapor-table")));
  EXPECT_THAT(without_rates, HasSubstr("weighting-steps-table"));
}

}  // namespace
