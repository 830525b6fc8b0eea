// compare.json (sipas compare) and the small-area estimates (sipas
// small-area) in the report: the parsers take the files the analysis code
// writes (each unit of tests/reference/compare_this_year.csv against
// everyone and against last year across the unit map; the Fay–Herriot fit
// of milk), name the field of every error, and the page shows the tables
// with the files' numbers, the marks of significance, how last year's figure
// was found, and the EBLUP beside the direct estimate; every string from the
// files is escaped.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "analysis/compare_run.hpp"
#include "analysis/small_area.hpp"
#include "analysis/table.hpp"
#include "reports/error.hpp"
#include "reports/report.hpp"
#include "tests/reports/report_dom_test.hpp"
#include "tests/support/reference_values.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace a = sipas::analysis;
using namespace sipas::reports;
using sipas::test::reference_file;
using sipas::test::dom::Document;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string hostile = "<script>alert(1)</script> & \"x\"";

// compare.json as `sipas compare --each-vs-all --last-year last.json
// --unit-map compare_unit_map.csv` writes it for the fixture.
Json fixture_compare() {
  static const Json doc = [] {
    sipas::test::TempDir dir;
    a::AnalysisRequest last;
    last.data = reference_file("compare_last_year.csv");
    last.design.strata = "stype";
    last.design.weights = "pw";
    last.design.fpc = {"fpc"};
    last.statistics = {a::parse_statistic(a::StatisticRequest::Kind::Mean, "score")};
    last.by = {"unit"};
    const auto path = dir.path() / "last.json";
    std::ofstream(path) << a::to_json(a::run_analysis(last)).dump();

    a::CompareRequest r;
    r.analysis.data = reference_file("compare_this_year.csv");
    r.analysis.design.fpc = {"fpc"};
    r.analysis.statistics = {a::parse_statistic(a::StatisticRequest::Kind::Mean, "score")};
    r.analysis.by = {"unit"};
    r.each_vs_all = true;
    r.last_year = path;
    r.unit_map = reference_file("compare_unit_map.csv");
    return a::to_json(a::run_compare(r));
  }();
  return doc;
}

// The small-area results of milk: MajorArea as a factor, REML, 50 bootstrap
// replicates for the ranks.
Json fixture_small_area() {
  static const Json doc = [] {
    a::AreaColumns columns;
    columns.area = "SmallArea";
    columns.direct = "yi";
    columns.variance = "D";
    columns.factors = {"MajorArea"};
    const a::AreaData data =
        a::read_area_data(a::Table::load(reference_file("small_area_milk.csv")), columns);
    const a::FayHerriotFit fit = a::fit_fay_herriot(data);
    a::RankOptions ranks;
    ranks.replicates = 50;
    const a::AreaRanks r = a::bootstrap_ranks(data, fit, {}, ranks);
    a::SmallAreaOutputOptions out;
    out.factors = columns.factors;
    return a::small_area_json(data, fit, &r, ranks, out);
  }();
  return doc;
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
  Json design = {{"kind", "linearization"}, {"rows", 126}, {"df", 123}, {"level", 0.95}};
  return {{"design", design}, {"estimates", Json::array({overall})}};
}

std::string render(Language language, const Json& compare, const Json& small_area) {
  ReportInputs in;
  in.results = parse_results(results_json().dump(), "results.json");
  in.compare = parse_compare(compare.dump(), "compare.json");
  in.small_area = parse_small_area(small_area.dump(), "small-area.json");
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

std::size_t first(const Document& doc, const std::string& name, const std::string& css,
                  std::size_t within = std::string::npos) {
  const auto found = doc.find(name, css, within);
  if (found.empty()) throw std::runtime_error("no <" + name + " class=" + css + ">");
  return found.front();
}

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

const std::vector<std::string>& row_of(const std::vector<std::vector<std::string>>& rows,
                                       const std::string& first_cell, std::size_t column = 0) {
  for (const auto& r : rows) {
    if (r.size() > column && r[column] == first_cell) return r;
  }
  throw std::runtime_error("no row " + first_cell);
}

// A number as the report prints it with `decimals` decimals (no grouping:
// the fixture's values are below 1000).
std::string number(double x, int decimals, Language language) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  std::string text = buffer;
  if (language == Language::Vi) std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

const Json& entry(const Json& list, const char* key, const std::string& value) {
  for (const auto& e : list) {
    if (e[key] == value) return e;
  }
  throw std::runtime_error("no entry " + value);
}

TEST(ReportComparisonsTest, ParsesTheFilesTheAnalysisWrites) {
  const Json doc = fixture_compare();
  const CompareSummary c = parse_compare(doc.dump(), "compare.json");
  EXPECT_EQ(c.statistic, "mean");
  EXPECT_EQ(c.variable, "score");
  EXPECT_EQ(c.by, "unit");
  EXPECT_EQ(c.adjust, "holm");
  EXPECT_EQ(c.level, 0.95);
  ASSERT_EQ(c.comparisons.size(), doc["comparisons"].size());
  EXPECT_EQ(c.comparisons[0].a, doc["comparisons"][0]["a"]);
  EXPECT_EQ(c.comparisons[0].b, "all");
  EXPECT_EQ(c.comparisons[0].difference, doc["comparisons"][0]["difference"].get<double>());
  ASSERT_TRUE(c.has_year_on_year);
  ASSERT_EQ(c.year_on_year.size(), doc["year_on_year"].size());
  EXPECT_EQ(c.year_on_year_test, "independent samples: variances added, normal reference");
  bool none = false, combined = false;
  for (const auto& y : c.year_on_year) {
    none |= y.past == "none";
    if (y.unit == "East Bay") {
      combined = true;
      EXPECT_EQ(y.past, "combined");
      ASSERT_EQ(y.from.size(), 2u);
      EXPECT_EQ(y.from[0].unit, "Alameda");
    }
  }
  EXPECT_TRUE(none);
  EXPECT_TRUE(combined);

  const Json sa = fixture_small_area();
  const SmallAreaSummary s = parse_small_area(sa.dump(), "small-area.json");
  EXPECT_EQ(s.method, "reml");
  EXPECT_EQ(s.covariates, (std::vector<std::string>{"MajorArea=2", "MajorArea=3", "MajorArea=4"}));
  ASSERT_EQ(s.beta.size(), 4u);
  EXPECT_EQ(s.sigma2_v, sa["sigma2_v"].get<double>());
  EXPECT_EQ(s.rank_replicates, 50);
  ASSERT_EQ(s.areas.size(), 43u);
  EXPECT_EQ(s.areas[0].area, "1");
  EXPECT_EQ(s.areas[0].gamma, sa["areas"][0]["gamma"].get<double>());
  ASSERT_TRUE(s.areas[0].rank_low.has_value());
}

TEST(ReportComparisonsTest, ABadFileNamesTheField) {
  Json doc = fixture_compare();
  doc["format"] = "sipas-compare/2";
  EXPECT_EQ(error_of([&] { parse_compare(doc.dump(), "compare.json"); }),
            std::make_pair(std::string("report.invalid_format"),
                           std::string("compare.json: format: expected \"sipas-compare/1\"")));
  doc = fixture_compare();
  doc["comparisons"][2]["p_adjusted"] = "0.3";
  EXPECT_EQ(
      error_of([&] { parse_compare(doc.dump(), "compare.json"); }),
      std::make_pair(std::string("report.invalid_field"),
                     std::string("compare.json: comparisons[2].p_adjusted: expected a number or "
                                 "null")));
  doc = fixture_compare();
  doc["year_on_year"][1]["past"] = "namesake";
  EXPECT_EQ(error_of([&] { parse_compare(doc.dump(), "compare.json"); }).second,
            "compare.json: year_on_year[1].past: expected same, mapped, combined or none");

  Json sa = fixture_small_area();
  sa["format"] = "sipas-compare/1";
  EXPECT_EQ(error_of([&] { parse_small_area(sa.dump(), "small-area.json"); }).first,
            "report.invalid_format");
  sa = fixture_small_area();
  sa["areas"][4]["gamma"] = nullptr;
  EXPECT_EQ(error_of([&] { parse_small_area(sa.dump(), "small-area.json"); }),
            std::make_pair(std::string("report.invalid_field"),
                           std::string("small-area.json: areas[4].gamma: expected a number")));
  sa = fixture_small_area();
  sa["beta"].erase(sa["beta"].size() - 1);
  EXPECT_THAT(error_of([&] { parse_small_area(sa.dump(), "small-area.json"); }).second,
              HasSubstr("small-area.json: beta: expected the intercept"));
}

class ReportComparisonsPageTest : public ::testing::TestWithParam<Language> {};

TEST_P(ReportComparisonsPageTest, ShowsTheTablesWithTheFilesNumbers) {
  const Language lang = GetParam();
  const bool vi = lang == Language::Vi;
  const Json compare = fixture_compare();
  const std::string html = render(lang, compare, fixture_small_area());
  const Document doc(html);
  ASSERT_FALSE(doc.find("section").empty());
  EXPECT_THAT(html, HasSubstr("<section id=\"comparisons\">"));
  EXPECT_THAT(html, HasSubstr("<section id=\"small-areas\">"));
  EXPECT_THAT(html, HasSubstr(vi ? "So với toàn tỉnh" : "Against the province"));
  EXPECT_THAT(html, HasSubstr(vi ? "So với năm trước" : "Against last year"));
  EXPECT_THAT(html, HasSubstr(vi ? "phương pháp Holm" : "Holm&#39;s method"));

  // Every unit against everyone: estimate, difference, interval, adjusted p.
  const auto rows = rows_of(doc, "comparisons-table");
  ASSERT_EQ(rows.size(), compare["comparisons"].size());
  bool marked = false;
  for (const auto& c : compare["comparisons"]) {
    const auto& row = row_of(rows, c["a"].get<std::string>());
    ASSERT_EQ(row.size(), 6u);
    EXPECT_EQ(row[1], number(c["estimate_a"].get<double>(), 2, lang));
    const double d = c["difference"];
    EXPECT_EQ(row[2], (d > 0 ? "+" : "") + number(d, 2, lang));
    const double p = c["p_adjusted"];
    if (p >= 0.001) {
      EXPECT_EQ(row[4], number(p, 3, lang));
    }
    if (c["significant"] == true) {
      marked = true;
      EXPECT_EQ(row[5], c["direction"] == "above"
                            ? (vi ? "cao hơn có ý nghĩa" : "significantly above")
                            : (vi ? "thấp hơn có ý nghĩa" : "significantly below"));
    } else {
      EXPECT_EQ(row[5], "");
    }
  }
  // Year on year: a significant change is marked, and a unit without a past
  // says so and shows no last year.
  const auto years = rows_of(doc, "year-on-year-table");
  ASSERT_EQ(years.size(), compare["year_on_year"].size());
  for (const auto& y : compare["year_on_year"]) {
    const auto& row = row_of(years, y["unit"].get<std::string>());
    ASSERT_EQ(row.size(), 8u);
    if (y["past"] == "none") {
      EXPECT_EQ(row[2], "\xE2\x80\x93");
      EXPECT_THAT(row[7], HasSubstr(vi ? "không có số liệu so sánh được" : "no comparable past"));
    }
    if (y["significant"] == true) {
      marked = true;
      EXPECT_THAT(row[6], HasSubstr(vi ? "có ý nghĩa" : "significantly"));
    }
  }
  EXPECT_TRUE(marked) << "the fixture should have at least one significant difference";
  const auto& east_bay = row_of(years, "East Bay");
  EXPECT_EQ(east_bay[2],
            number(entry(compare["year_on_year"], "unit", "East Bay")["last_year"], 2, lang));
  EXPECT_THAT(east_bay[7], HasSubstr("Alameda + Contra Costa"));

  // Small areas: sorted by rank, the direct estimate beside the EBLUP.
  const Json sa = fixture_small_area();
  const auto areas = rows_of(doc, "small-area-table");
  ASSERT_EQ(areas.size(), 43u);
  EXPECT_EQ(areas[0][0], "1");
  const Json& one = entry(sa["areas"], "area", "1");
  const auto& area1 = row_of(areas, "1", 1);
  EXPECT_EQ(area1[2],
            number(one["direct"], 2, lang) + " \xC2\xB1 " + number(one["direct_se"], 2, lang));
  EXPECT_EQ(area1[3], number(one["eblup"], 2, lang) + " (" + number(one["rmse"], 2, lang) + ")");
  EXPECT_EQ(area1[4], number(one["gamma"], 2, lang));
  EXPECT_EQ(area1[5], std::to_string(one["rank_low"].get<int>()) + " \xE2\x80\x93 " +
                          std::to_string(one["rank_high"].get<int>()));
  EXPECT_THAT(html, HasSubstr(vi ? "không thể phân biệt được" : "cannot be told apart"));

  // The methods.
  EXPECT_THAT(html, HasSubstr(vi ? "So sánh và ước lượng cho đơn vị nhỏ"
                                 : "Comparisons and small-area estimation"));
  EXPECT_THAT(html, HasSubstr(vi ? "Prasad–Rao" : "Prasad–Rao"));
  EXPECT_THAT(html, HasSubstr("Benjamini"));
  EXPECT_THAT(html, HasSubstr(vi ? "B = 50 lần lặp" : "B = 50 replicates"));
  EXPECT_THAT(html, HasSubstr("MajorArea=2"));
}

INSTANTIATE_TEST_SUITE_P(Languages, ReportComparisonsPageTest,
                         ::testing::Values(Language::Vi, Language::En));

TEST(ReportComparisonsTest, EscapesTheFilesStrings) {
  Json compare = fixture_compare();
  compare["comparisons"][0]["a"] = hostile;
  compare["year_on_year"][0]["unit"] = hostile;
  compare["variable"] = hostile;
  Json sa = fixture_small_area();
  sa["areas"][0]["area"] = hostile;
  sa["covariates"][0] = hostile;
  for (const Language lang : {Language::Vi, Language::En}) {
    const std::string html = render(lang, compare, sa);
    EXPECT_THAT(html, Not(HasSubstr("<script>")));
    EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
    const Document doc(html);  // still well-formed
    EXPECT_FALSE(doc.find("table", "small-area-table").empty());
  }
}

}  // namespace
