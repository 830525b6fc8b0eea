// The HTML report rendered from a results file written here by hand: the
// numbers it shows are the file's, units are ranked by their estimates,
// whiskers sit at their intervals, every input string is escaped, the words
// follow the language, and nothing outside the page is needed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "questionnaires/questionnaire.hpp"
#include "reports/error.hpp"
#include "reports/report.hpp"
#include "tests/reports/report_dom_test.hpp"

namespace {

using namespace sipas::reports;
using sipas::test::dom::Document;
using sipas::test::dom::percent_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string hostile = "<script>alert(1)</script> & \"x\"";

Json estimate(const std::string& statistic, const std::string& variable, const std::string& unit,
              Json value, Json low, Json high, double n) {
  return {{"statistic", statistic},
          {"variable", variable},
          {"domain", unit.empty() ? Json(nullptr) : Json{{"district", unit}}},
          {"estimate", value},
          {"se", 1.5},
          {"ci_low", low},
          {"ci_high", high},
          {"ci_method", "wald"},
          {"df", 12},
          {"n", n},
          {"weighted_n", n * 5.25},
          {"deff", nullptr}};
}

// Units and their overall index: a tie at two decimals (70.004 and 69.996
// both print 70.00) and one with no estimate.
struct UnitRow {
  std::string code;
  Json value, low, high;
};
const std::vector<UnitRow> units = {{"H03", 70.004, 64.2, 75.8},
                                    {"H01", 88.2, 84.1, 92.3},
                                    {hostile, 75.0, 69.5, 80.5},
                                    {"H05", nullptr, nullptr, nullptr},
                                    {"H04", 69.996, 61.0, 78.992}};

Json results_json() {
  Json estimates = Json::array();
  estimates.push_back(estimate("overall_index", "overall", "", 82.6612, 80.1234, 85.2049, 200));
  estimates.push_back(estimate("element_index", "E3", "", 84.5, 81.25, 87.75, 200));
  estimates.push_back(estimate("element_index", "E4", "", 80.125, 76.0, 84.25, 198));
  estimates.push_back(estimate("element_index", "E5", "", 83.4, 80.0, 86.8, 190));
  for (const auto& u : units) {
    estimates.push_back(estimate("overall_index", "overall", u.code, u.value, u.low, u.high, 40));
    for (const char* e : {"E3", "E4", "E5"})
      estimates.push_back(estimate("element_index", e, u.code, 77.5, 70.0, 85.0, 40));
  }
  const double shares[] = {5, 10, 15, 40, 30};
  for (int code = 1; code <= 5; ++code) {
    estimates.push_back(
        estimate("answer_share", "s1=" + std::to_string(code), "", shares[code - 1], 0, 50, 200));
  }
  Json design = {{"kind", "linearization"},
                 {"variance", "Taylor linearization (ultimate cluster, R's svyrecvar)"},
                 {"strata", "district"},
                 {"psu", {"commune"}},
                 {"weights", "w"},
                 {"fpc", Json::array()},
                 {"lonely_psu", "fail"},
                 {"rows", 200},
                 {"weight_sum", 1050.5},
                 {"df", 12},
                 {"level", 0.95},
                 {"calibration",
                  {{"method", "raking"},
                   {"margins", {{"file", "margins.csv"}, {"sha256", std::string(64, 'a')}}},
                   {"iterations", 6},
                   {"weight_min", 1.5},
                   {"weight_max", 9.25},
                   {"g_min", 0.5},
                   {"g_max", 2.0},
                   {"max_margin_error", 1e-12}}},
                 {"replicates", nullptr},
                 {"inputs",
                  {{"data", {{"file", "answers.csv"}, {"sha256", std::string(64, 'b')}}},
                   {"questionnaire",
                    {{"file", "sipas-short.json"},
                     {"sha256", std::string(64, 'c')},
                     {"id", "sipas-short"},
                     {"version", "2024.1"}}}}},
                 {"command", "sipas analyze --data answers.csv --by district"}};
  return {{"design", design}, {"estimates", estimates}};
}

ReportInputs inputs(bool with_questionnaire = true) {
  ReportInputs in;
  in.results = parse_results(results_json().dump(), "results.json");
  if (with_questionnaire) {
    in.questionnaire.emplace(sipas::questionnaires::load_questionnaire_file(
        std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-short.json"));
    in.questionnaire_source = "sipas-short.json";
  }
  return in;
}

std::string render(Language language, const ReportInputs& in = inputs()) {
  ReportOptions options;
  options.language = language;
  return render_report(in, options);
}

// Fixed decimals with the language's decimal mark, written independently of
// the report's formatter (no grouping needed below 1000).
std::string fixed(double x, int decimals, Language language) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  std::string s = buffer;
  if (language == Language::Vi) std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

std::size_t first(const Document& doc, const std::string& name, const std::string& css,
                  std::size_t within = std::string::npos) {
  const auto found = doc.find(name, css, within);
  if (found.empty()) throw std::runtime_error("no " + name + "." + css);
  return found.front();
}

TEST(ReportRenderTest, HeadlineShowsTheOverallIndexAndItsInterval) {
  const Json results = results_json();
  const Json& overall = results["estimates"][0];
  for (Language language : {Language::Vi, Language::En}) {
    const Document doc(render(language));
    const auto card = first(doc, "div", "kpi-main");
    EXPECT_EQ(doc.text(first(doc, "div", "kpi-value", card)),
              fixed(overall["estimate"].get<double>(), 2, language) + "%");
    const std::string ci = fixed(overall["ci_low"].get<double>(), 2, language) + " \xE2\x80\x93 " +
                           fixed(overall["ci_high"].get<double>(), 2, language);
    EXPECT_EQ(doc.text(first(doc, "div", "kpi-ci", card)),
              (language == Language::Vi ? "KTC 95%: " : "95% CI: ") + ci);
    EXPECT_EQ(doc.text(first(doc, "div", "kpi-n", card)),
              language == Language::Vi ? "200 phiếu trả lời" : "200 responses");
  }
}

TEST(ReportRenderTest, ElementTableHoldsTheFileNumbersAndLabels) {
  const Json results = results_json();
  const Document doc(render(Language::En));
  const auto table = first(doc, "table", "elements-table");
  const auto rows = doc.find("tr", "", table);
  ASSERT_EQ(rows.size(), 4u);  // header and E3, E4, E5
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const Json& e = results["estimates"][r];
    std::vector<std::string> cells;
    for (auto c : doc.find("", "", rows[r])) {
      if (doc[c].name == "th" || doc[c].name == "td") cells.push_back(doc.text(c));
    }
    ASSERT_EQ(cells.size(), 5u);
    EXPECT_THAT(cells[0], HasSubstr(e["variable"].get<std::string>()));
    EXPECT_EQ(cells[1], fixed(e["estimate"].get<double>(), 2, Language::En));
    EXPECT_EQ(cells[2], fixed(e["ci_low"].get<double>(), 2, Language::En) + " \xE2\x80\x93 " +
                            fixed(e["ci_high"].get<double>(), 2, Language::En));
    EXPECT_EQ(cells[4], fixed(e["n"].get<double>(), 0, Language::En));
  }
  // Labels from the questionnaire, in English.
  EXPECT_THAT(doc.text(table), HasSubstr("Civil servants handling the case"));
}

TEST(ReportRenderTest, UnitsAreRankedByTheirEstimatesWithTiesSharingARank) {
  const Document doc(render(Language::Vi));
  const auto chart = doc.by_id("ranking-chart");
  std::vector<std::string> keys, labels;
  for (auto r : doc.find("g", "row", chart)) {
    keys.push_back(doc[r].attr("data-key"));
    labels.push_back(doc.text(first(doc, "text", "label", r)));
  }
  // Sorted by hand: 88.2, 75.0, 70.004, 69.996, then the unit with no estimate.
  EXPECT_THAT(keys, ElementsAre("H01", hostile, "H03", "H04", "H05"));
  // 70.004 and 69.996 both print 70,00: they share rank 3 and the next would be 5.
  EXPECT_THAT(labels, ElementsAre("1. H01", "2. " + hostile, "3. H03", "3. H04", "H05"));
}

TEST(ReportRenderTest, WhiskersSitAtEachUnitsIntervalOnTheAxis) {
  const Document doc(render(Language::En));
  const auto chart = doc.by_id("ranking-chart");
  const auto& plot = doc[first(doc, "g", "plot", chart)];
  const double min = std::stod(plot.attr("data-axis-min")),
               max = std::stod(plot.attr("data-axis-max"));
  const double from = std::stod(plot.attr("data-x-from")), to = std::stod(plot.attr("data-x-to"));
  auto x = [&](double v) { return from + (v - min) / (max - min) * (to - from); };
  std::size_t checked = 0;
  for (auto r : doc.find("g", "row", chart)) {
    const auto it = std::find_if(units.begin(), units.end(), [&](const UnitRow& u) {
      return u.code == doc[r].attr("data-key");
    });
    ASSERT_NE(it, units.end());
    const auto whiskers = doc.find("line", "whisker", r);
    if (it->low.is_null()) {
      EXPECT_TRUE(whiskers.empty());
      continue;
    }
    ASSERT_EQ(whiskers.size(), 1u);
    EXPECT_NEAR(percent_of(doc[whiskers[0]].attr("x1")), x(it->low.get<double>()), 1e-3);
    EXPECT_NEAR(percent_of(doc[whiskers[0]].attr("x2")), x(it->high.get<double>()), 1e-3);
    const auto bar = first(doc, "rect", "bar", r);
    EXPECT_NEAR(percent_of(doc[bar].attr("width")), x(it->value.get<double>()) - x(min), 1e-3);
    ++checked;
  }
  EXPECT_EQ(checked, 4u);
  // The province's value as the reference line.
  const auto reference = first(doc, "line", "reference-line", chart);
  EXPECT_NEAR(percent_of(doc[reference].attr("x1")), x(82.6612), 1e-3);
}

TEST(ReportRenderTest, EveryInputStringIsEscaped) {
  const std::string html = render(Language::Vi);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
  const Document doc(html);  // well-formed: the name broke nothing
  // The name reads back as written in the ranking chart, its table and the
  // unit's profile.
  const auto chart = doc.by_id("ranking-chart");
  const auto row = doc.find("g", "row", chart).at(1);
  EXPECT_EQ(doc[row].attr("data-key"), hostile);
  EXPECT_EQ(doc.text(first(doc, "text", "label", row)), "2. " + hostile);
  EXPECT_EQ(doc.text(doc.find("title", "", row).at(0)), "2. " + hostile);
  const auto table_rows = doc.find("tr", "", first(doc, "table", "ranking-table"));
  EXPECT_EQ(doc.text(first(doc, "td", "name", table_rows.at(2))), hostile);
  std::size_t profiles = 0;
  for (auto f : doc.find("figure", "profile")) {
    if (doc[f].attr("data-unit") != hostile) continue;
    ++profiles;
    EXPECT_EQ(doc.text(first(doc, "span", "profile-name", f)), "2. " + hostile);
    EXPECT_THAT(doc[doc.find("svg", "", f).at(0)].attr("aria-label"), HasSubstr(hostile));
  }
  EXPECT_EQ(profiles, 1u);
}

TEST(ReportRenderTest, WordsFollowTheLanguage) {
  const std::string vi = render(Language::Vi);
  const std::string en = render(Language::En);
  EXPECT_THAT(vi, HasSubstr("<html lang=\"vi\">"));
  EXPECT_THAT(en, HasSubstr("<html lang=\"en\">"));
  for (const char* word : {"Kết quả chung", "Chỉ số hài lòng chung", "Xếp hạng đơn vị",
                           "Phân bố câu trả lời", "Phương pháp", "Khoảng tin cậy 95%",
                           "lặp tỷ lệ theo biên (raking)", "Bậc tự do", "Rất hài lòng"}) {
    EXPECT_THAT(vi, HasSubstr(word));
    EXPECT_THAT(en, Not(HasSubstr(word)));
  }
  for (const char* word :
       {"Headline", "Overall satisfaction index", "Units ranked", "Answer distributions", "Methods",
        "95% confidence interval", "Degrees of freedom", "Very satisfied"}) {
    EXPECT_THAT(en, HasSubstr(word));
    EXPECT_THAT(vi, Not(HasSubstr(word)));
  }
}

TEST(ReportRenderTest, ThePageNeedsNothingOutsideIt) {
  const std::string html = render(Language::En);
  for (const char* outside : {"<script", "<link", " src=", "url(", "@import", "<img", "<iframe"})
    EXPECT_THAT(html, Not(HasSubstr(outside))) << outside;
  // The only address is the SVG namespace, which is a name, not a request.
  std::size_t at = 0;
  while ((at = html.find("http", at)) != std::string::npos) {
    const bool svg_namespace = html.compare(at, 26, "http://www.w3.org/2000/svg") == 0;
    const bool csp = html.compare(at, 10, "http-equiv") == 0;
    EXPECT_TRUE(svg_namespace || csp) << html.substr(at, 40);
    at += 4;
  }
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
}

TEST(ReportRenderTest, MethodsComeFromTheDesignBlock) {
  const Document doc(render(Language::En));
  const std::string methods = doc.text(doc.by_id("methods"));
  EXPECT_THAT(methods, HasSubstr("Strata"
                                 "district"));
  EXPECT_THAT(methods, HasSubstr("commune"));
  EXPECT_THAT(methods, HasSubstr("Calibrationraking"));
  EXPECT_THAT(methods, HasSubstr("Iterations6"));
  EXPECT_THAT(methods, HasSubstr("margins.csv"));
  EXPECT_THAT(methods, HasSubstr("Degrees of freedom12"));
  EXPECT_THAT(methods, HasSubstr("Rows of data200"));
  EXPECT_THAT(methods, HasSubstr("Sum of weights1,050.5"));
  EXPECT_THAT(methods, HasSubstr("Wald, t with the design's degrees of freedom, 95% level"));
  EXPECT_THAT(methods, HasSubstr("1.0e-12"));
  EXPECT_THAT(methods, HasSubstr(std::string(64, 'b')));
  EXPECT_THAT(methods, HasSubstr("sipas analyze --data answers.csv --by district"));
}

TEST(ReportRenderTest, AnswerSharesAreStackedWithTheScalesLabels) {
  const Document doc(render(Language::Vi));
  const auto section = doc.by_id("answers");
  const auto shares = doc.find("g", "segment", section);
  ASSERT_EQ(shares.size(), 5u);
  EXPECT_EQ(doc[shares[0]].attr("data-category"), "Rất không hài lòng");
  EXPECT_EQ(doc[shares[4]].attr("data-category"), "Rất hài lòng");
  EXPECT_EQ(std::stod(doc[shares[3]].attr("data-share")), 40);
  // s1 is an E3 item: its chart is under E3's heading, labelled with its text.
  EXPECT_THAT(doc.text(section), HasSubstr("E3 · Công chức trực tiếp giải quyết công việc"));
  EXPECT_THAT(doc.text(first(doc, "g", "row", section)),
              HasSubstr("Công chức có thái độ giao tiếp lịch sự."));
}

TEST(ReportRenderTest, WithoutAQuestionnaireIdsAndCodesLabelTheReport) {
  const Document doc(render(Language::En, inputs(false)));
  EXPECT_THAT(doc.text(first(doc, "table", "elements-table")), Not(HasSubstr("Civil servants")));
  const auto shares = doc.find("g", "segment");
  ASSERT_EQ(shares.size(), 5u);
  EXPECT_EQ(doc[shares[0]].attr("data-category"), "1");
  EXPECT_EQ(doc.text(doc.find("title").at(0)), "Satisfaction survey report");
}

TEST(ReportRenderTest, OptionalSectionsOnlyWithTheirInputs) {
  const std::string plain = render(Language::En);
  EXPECT_THAT(plain, Not(HasSubstr("id=\"par-index\"")));
  EXPECT_THAT(plain, Not(HasSubstr("id=\"rates\"")));
  ReportInputs in = inputs();
  in.progress = parse_progress(
      R"({"survey": "s", "overall": {"invited": 80, "opened": 60, "responded": 50,
          "response_rate": 0.625, "open_rate": 0.75, "open_link_responses": 0},
          "strata": [{"stratum": "H01", "invited": 80, "opened": 60, "responded": 50,
                      "response_rate": 0.625, "open_rate": 0.75, "reserves_waiting": 3}]})",
      "progress.json");
  in.par_index = parse_par_index(
      R"({"format": "sipas-par-index-result/1",
          "scheme": {"id": "p", "title": {"vi": "CCHC", "en": "PAR"}},
          "thresholds": [{"group": "A", "min": 90}, {"group": "B", "min": 80}],
          "precision": 1, "nodes": [],
          "units": [{"unit": "H01", "name": "Đông Anh", "points": 81.24, "max_points": 100,
                     "index": 81.24, "rank": 2, "group": "B", "rescaled": true,
                     "survey_missing": ["S1"]},
                    {"unit": "H03", "name": "Mê Linh", "points": 92, "max_points": 100,
                     "index": 92, "rank": 1, "group": "A"},
                    {"unit": "H05", "name": "<script>alert(1)</script> & \"x\"", "points": 50,
                     "max_points": 100, "index": 50, "rank": null, "group": null,
                     "ranked": false}]})",
      "par-index.json");
  const Document doc(render(Language::En, in));
  EXPECT_THAT(doc.source(), Not(HasSubstr("<script")));
  const auto par = doc.find("tr", "", first(doc, "table", "par-table"));
  ASSERT_EQ(par.size(), 4u);
  EXPECT_EQ(doc.text(par[3]), "\xE2\x80\x93" + hostile +
                                  "50.0\xE2\x80\x93"
                                  "50.0100.0not ranked");
  EXPECT_EQ(doc.text(par[1]), "1Mê Linh92.0A92.0100.0");
  EXPECT_THAT(doc.text(par[2]), HasSubstr("2Đông Anh81.2B81.2100.0"));  // 81.24 to one decimal
  EXPECT_THAT(doc.text(par[2]), HasSubstr("rescaled to the remaining maximum"));
  EXPECT_THAT(doc.text(par[2]), HasSubstr("survey points missing: S1"));
  // PAR names label the ranking's units too.
  EXPECT_THAT(doc.text(doc.by_id("ranking-chart")), HasSubstr("1. Đông Anh"));
  const auto rates = doc.find("tr", "", first(doc, "table", "rates-table"));
  ASSERT_EQ(rates.size(), 3u);
  EXPECT_EQ(doc.text(rates[1]), "H0180605062.5%75.0%3");
  EXPECT_EQ(doc.text(first(doc, "div", "kpi-rate")), "Response rate62.5%Responded: 50 / 80");
}

}  // namespace

// The publishing rule's flags: a suppressed element shows "(F)" and no bar,
// one to use with caution its value and "(E)", and the methods section
// states the rule, its source in the report's language and the counts.
TEST(ReportRenderTest, FlaggedEstimatesAreMarkedAndSuppressedOnesLeftOutOfTheCharts) {
  Json results = results_json();
  for (auto& e : results["estimates"])
    e["flag"] = "ok";
  results["estimates"][1]["flag"] = "suppressed";  // E3, everyone
  results["estimates"][1]["flag_reason"] = "n 12 < 30";
  results["estimates"][2]["flag"] = "caution";  // E4, everyone
  results["design"]["publishing_rule"] = {
      {"name", "cv-16-33"},
      {"file", "embedded:cv-16-33"},
      {"sha256", std::string(64, 'd')},
      {"example", true},
      {"min_n", 30},
      {"min_n_eff", nullptr},
      {"caution_cv", 0.165},
      {"suppress_cv", 0.333},
      {"source", {{"vi", "Nguồn tiếng Việt"}, {"en", "English source"}}}};
  ReportInputs in = inputs();
  in.results = parse_results(results.dump(), "results.json");
  for (Language language : {Language::Vi, Language::En}) {
    const Document doc(render(language, in));
    const auto table = first(doc, "table", "elements-table");
    const auto rows = doc.find("tr", "", table);
    ASSERT_EQ(rows.size(), 4u);
    auto cell = [&](std::size_t row, std::size_t column) {
      std::vector<std::string> cells;
      for (auto c : doc.find("", "", rows[row])) {
        if (doc[c].name == "th" || doc[c].name == "td") cells.push_back(doc.text(c));
      }
      return cells.at(column);
    };
    EXPECT_EQ(cell(1, 1), "(F)");
    EXPECT_EQ(cell(2, 1), fixed(80.125, 2, language) + " (E)");
    EXPECT_EQ(cell(3, 1), fixed(83.4, 2, language));
    // The elements chart draws no bar for E3.
    const auto chart = doc.by_id("elements-chart");
    for (auto r : doc.find("g", "row", chart)) {
      if (doc[r].attr("data-key") == "E3") {
        EXPECT_TRUE(doc.find("rect", "bar", r).empty()) << "a bar for a suppressed estimate";
      }
    }
    const std::string methods = doc.text(doc.by_id("methods"));
    EXPECT_THAT(methods, HasSubstr("cv-16-33"));
    EXPECT_THAT(methods,
                HasSubstr(language == Language::Vi ? "Nguồn tiếng Việt" : "English source"));
    const std::size_t ok = results["estimates"].size() - 2;
    EXPECT_THAT(methods,
                HasSubstr(language == Language::Vi
                              ? std::to_string(ok) +
                                    " ước lượng đạt, 1 cần thận trọng (E), 1 không công bố (F)"
                              : std::to_string(ok) +
                                    " estimates ok, 1 to use with caution (E), 1 suppressed (F)"));
    EXPECT_THAT(methods, HasSubstr(language == Language::Vi ? "không phải văn bản chính thức"
                                                            : "not an official text"));
  }
}
