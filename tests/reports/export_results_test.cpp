// sipas export results, library level: results.json and par-index.json as an
// XLSX workbook read back cell by cell with unzip, and as CSV. Expected values
// come from the JSON written here.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "io/csv_reader.hpp"
#include "io/error.hpp"
#include "reports/error.hpp"
#include "reports/results_export.hpp"
#include "tests/reports/xlsx_readback.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace r = sipas::reports;
using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Json results_json() {
  return Json::parse(R"json({
    "design": {"kind": "linearization", "variance": "Taylor linearization (ultimate clusters)",
               "strata": "stratum", "psu": ["psu"], "weights": "design_weight", "fpc": [],
               "lonely_psu": "fail", "rows": 120, "weight_sum": 5321.5, "df": 39, "level": 0.95,
               "calibration": {"method": "raking",
                               "margins": {"file": "margins.csv", "sha256": "ab12"},
                               "iterations": 7, "weight_min": 10.5, "weight_max": 88.25,
                               "g_min": 0.8, "g_max": 1.3, "max_margin_error": 1e-12},
               "replicates": null,
               "inputs": {"data": {"file": "answers.csv", "sha256": "0123abcd"}},
               "command": "sipas analyze --data answers.csv"},
    "estimates": [
      {"statistic": "index", "variable": "overall", "domain": null, "estimate": 82.66123456789,
       "se": 1.2345, "ci_low": 80.1, "ci_high": 85.2, "ci_method": "logit", "df": 39, "n": 120,
       "weighted_n": 5321.5, "deff": 1.7},
      {"statistic": "index", "variable": "E1", "domain": {"district": "Ba Đình"},
       "estimate": 0.1234567890123456789, "se": null, "ci_low": null, "ci_high": null,
       "ci_method": null, "df": 39, "n": 40, "weighted_n": 1800, "deff": null},
      {"statistic": "mean", "variable": "q_overall", "domain": {"district": "Sóc Sơn", "sex": "2"},
       "estimate": 4.125, "se": 0.05, "ci_low": 4.02, "ci_high": 4.23, "ci_method": "wald",
       "df": 39, "n": 30, "weighted_n": 1410.75, "deff": 0.9}
    ]})json");
}

Json par_json() {
  return Json::parse(R"json({
    "format": "sipas-par-index-result/1",
    "scheme": {"id": "provincial-2024", "decision": "876/QĐ-BNV", "year": 2024,
               "level": "province",
               "title": {"vi": "Chỉ số cải cách hành chính cấp tỉnh", "en": "Provincial PAR index"},
               "survey_max": 30},
    "thresholds": [{"group": "A", "min": 90}, {"group": "B", "min": 80}, {"group": "C", "min": 70}],
    "precision": 2,
    "nodes": [
      {"id": "A1", "parent": null, "depth": 0, "max_points": 10, "method": null,
       "label": {"vi": "Công tác chỉ đạo, điều hành", "en": "Direction and management"}},
      {"id": "A1.1", "parent": "A1", "depth": 1, "max_points": 10, "method": "appraised",
       "label": {"vi": "Kế hoạch cải cách", "en": "Reform plan"}},
      {"id": "A2", "parent": null, "depth": 0, "max_points": 20, "method": null,
       "label": {"vi": "Cải cách thể chế", "en": "Institutional reform"}}],
    "units": [
      {"unit": "SO_TP", "name": "Sở Tư pháp", "ranked": true, "points": 27.5, "max_points": 30,
       "index": 91.66666666666667, "rank": 1, "group": "A", "rescaled": false,
       "survey_missing": [],
       "nodes": {"A1": {"points": 9.5, "max_points": 10, "index": 95},
                 "A1.1": {"points": 9.5, "max_points": 10, "index": 95},
                 "A2": {"points": 18, "max_points": 20, "index": 90}}},
      {"unit": "H_SS", "name": "Huyện Sóc Sơn", "ranked": true, "points": 21, "max_points": 28,
       "index": 75, "rank": 2, "group": "C", "rescaled": true, "survey_missing": ["A2"],
       "nodes": {"A1": {"points": 8, "max_points": 10, "index": 80},
                 "A2": {"points": 13, "max_points": 18, "index": 72.22222222222223}}}]})json");
}

void write_json(const std::filesystem::path& path, const Json& json) {
  std::ofstream(path) << json.dump(2);
}

// Equal to the 16 significant digits a spreadsheet keeps.
void expect_close(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-15 * std::max(1.0, std::fabs(expected)));
}

struct Fixture {
  sipas::test::TempDir dir;
  std::filesystem::path results = dir / "results.json";
  std::filesystem::path par = dir / "par-index.json";
  Fixture() {
    write_json(results, results_json());
    write_json(par, par_json());
  }
  r::ResultsExport request(const std::string& out, r::ResultsFormat format) const {
    r::ResultsExport e;
    e.results = results;
    e.par_index = par;
    e.out = dir / out;
    e.format = format;
    return e;
  }
};

// The number format and the boldness of a cell's style, read from xl/styles.xml.
struct Style {
  std::string number_format;
  bool bold = false;
};

Style style_of(const std::filesystem::path& xlsx, const std::string& index) {
  const std::string xml = sipas::test::unzip_member(xlsx, "xl/styles.xml");
  std::map<std::string, std::string> formats;
  const std::regex num_fmt(R"re(<numFmt numFmtId="(\d+)" formatCode="([^"]*)")re");
  for (std::sregex_iterator it(xml.begin(), xml.end(), num_fmt), end; it != end; ++it)
    formats[(*it)[1]] = sipas::test::xml_unescape((*it)[2]);
  auto section = [&](const std::string& tag) {
    const auto begin = xml.find("<" + tag);
    return xml.substr(begin, xml.find("</" + tag + ">", begin) - begin);
  };
  std::vector<std::string> fonts;
  const std::string font_xml = section("fonts");
  const std::regex font(R"(<font>([\s\S]*?)</font>)");
  for (std::sregex_iterator it(font_xml.begin(), font_xml.end(), font), end; it != end; ++it)
    fonts.push_back((*it)[1]);
  std::vector<std::pair<std::string, std::string>> xfs;  // numFmtId, fontId
  const std::string xf_xml = section("cellXfs");
  const std::regex xf(R"re(<xf numFmtId="(\d+)" fontId="(\d+)")re");
  for (std::sregex_iterator it(xf_xml.begin(), xf_xml.end(), xf), end; it != end; ++it)
    xfs.emplace_back((*it)[1], (*it)[2]);
  const auto& [fmt, font_id] = xfs.at(index.empty() ? 0 : std::stoul(index));
  Style s;
  s.number_format = formats.count(fmt) ? formats[fmt] : "builtin " + fmt;
  s.bold = fonts.at(std::stoul(font_id)).find("<b/>") != std::string::npos;
  return s;
}

TEST(ResultsXlsxTest, SheetsInOrder) {
  Fixture f;
  auto summary = r::export_results(f.request("results.xlsx", r::ResultsFormat::Xlsx));
  EXPECT_EQ(summary.estimates, 3u);
  EXPECT_EQ(summary.units, 2u);
  sipas::test::XlsxBook book(f.dir / "results.xlsx");
  EXPECT_THAT(book.sheet_names(), ElementsAre("estimates", "design", "PAR index"));
}

TEST(ResultsXlsxTest, EstimatesCellByCell) {
  Fixture f;
  r::export_results(f.request("results.xlsx", r::ResultsFormat::Xlsx));
  const auto xlsx = f.dir / "results.xlsx";
  sipas::test::XlsxBook book(xlsx);
  const auto cells = book.cells(1);
  // Header: the domain columns (in order of first appearance), then the words in Vietnamese.
  const std::vector<std::string> header = {"district",
                                           "sex",
                                           "Thống kê",
                                           "Biến",
                                           "Ước lượng",
                                           "Sai số chuẩn",
                                           "Cận dưới khoảng tin cậy",
                                           "Cận trên khoảng tin cậy",
                                           "Cỡ mẫu",
                                           "Cỡ mẫu có trọng số",
                                           "Hiệu ứng thiết kế",
                                           "Cỡ mẫu hiệu dụng",
                                           "Hệ số biến thiên",
                                           "Mức tin cậy để công bố",
                                           "Phương pháp khoảng tin cậy",
                                           "Bậc tự do"};
  for (std::size_t c = 0; c < header.size(); ++c) {
    const auto ref = sipas::test::column_letters(static_cast<int>(c)) + "1";
    ASSERT_TRUE(cells.count(ref)) << ref;
    EXPECT_TRUE(cells.at(ref).is_string);
    EXPECT_EQ(cells.at(ref).text, header[c]) << ref;
    EXPECT_TRUE(style_of(xlsx, cells.at(ref).style).bold) << ref;
  }
  EXPECT_EQ(cells.count("P1"), 1u);
  EXPECT_EQ(cells.count("Q1"), 0u);
  const Json in = results_json();
  // Row 2: everyone (no domain cells), numbers as numbers.
  EXPECT_EQ(cells.count("A2"), 0u);
  EXPECT_EQ(cells.at("C2").text, "index");
  EXPECT_EQ(cells.at("D2").text, "overall");
  EXPECT_FALSE(cells.at("E2").is_string);
  expect_close(cells.at("E2").number, 82.66123456789);
  expect_close(cells.at("F2").number, in["estimates"][0]["se"].get<double>());
  EXPECT_EQ(cells.at("I2").number, 120);
  EXPECT_EQ(cells.at("O2").text, "logit");
  EXPECT_EQ(cells.at("P2").number, 39);
  EXPECT_EQ(style_of(xlsx, cells.at("E2").style).number_format, "0.0000");
  EXPECT_EQ(style_of(xlsx, cells.at("I2").style).number_format, "#,##0");
  EXPECT_EQ(style_of(xlsx, cells.at("K2").style).number_format, "0.00");
  // Row 3: a Vietnamese domain level; a null se and CI are empty cells.
  EXPECT_EQ(cells.at("A3").text, "Ba Đình");
  expect_close(cells.at("E3").number, in["estimates"][1]["estimate"].get<double>());
  // (The results file has no flags: n_eff, cv and flag, L to N, are empty.)
  for (const char* empty : {"B3", "F3", "G3", "H3", "K3", "L3", "M3", "N3", "O3"})
    EXPECT_EQ(cells.count(empty), 0u) << empty;
  // Row 4: two domain columns.
  EXPECT_EQ(cells.at("A4").text, "Sóc Sơn");
  EXPECT_EQ(cells.at("B4").text, "2");
  expect_close(cells.at("J4").number, 1410.75);
  // The header row is frozen.
  EXPECT_THAT(book.sheet_xml(1), HasSubstr(R"(<pane ySplit="1" topLeftCell="A2")"));
  EXPECT_THAT(book.sheet_xml(1), HasSubstr(R"(state="frozen")"));
}

TEST(ResultsXlsxTest, EnglishHeaders) {
  Fixture f;
  auto request = f.request("results.xlsx", r::ResultsFormat::Xlsx);
  request.language = r::Language::En;
  r::export_results(request);
  sipas::test::XlsxBook book(f.dir / "results.xlsx");
  const auto cells = book.cells(1);
  EXPECT_EQ(cells.at("C1").text, "Statistic");
  EXPECT_EQ(cells.at("E1").text, "Estimate");
  EXPECT_EQ(cells.at("F1").text, "Standard error");
  const auto par = book.cells(3);
  EXPECT_EQ(par.at("I1").text, "Direction and management");
  EXPECT_EQ(par.at("J1").text, "Institutional reform");
  EXPECT_EQ(par.at("H3").text, "rescaled without survey points; survey missing: A2");
}

TEST(ResultsXlsxTest, DesignSheet) {
  Fixture f;
  r::export_results(f.request("results.xlsx", r::ResultsFormat::Xlsx));
  sipas::test::XlsxBook book(f.dir / "results.xlsx");
  const auto cells = book.cells(2);
  std::map<std::string, sipas::test::XlsxCell> by_key;
  for (int row = 2; cells.count("A" + std::to_string(row)); ++row) {
    by_key[cells.at("A" + std::to_string(row)).text] = cells.at("C" + std::to_string(row));
    EXPECT_TRUE(cells.count("B" + std::to_string(row)));  // a description on every row
  }
  EXPECT_EQ(by_key.at("kind").text, "linearization");
  EXPECT_EQ(by_key.at("variance").text, "Taylor linearization (ultimate clusters)");
  EXPECT_EQ(by_key.at("df").number, 39);
  EXPECT_EQ(by_key.at("rows").number, 120);
  EXPECT_EQ(by_key.at("psu").text, "psu");
  EXPECT_EQ(by_key.at("calibration.method").text, "raking");
  EXPECT_EQ(by_key.at("calibration.iterations").number, 7);
  EXPECT_EQ(by_key.at("calibration.margins.file").text, "margins.csv");
  EXPECT_EQ(by_key.at("inputs.data.sha256").text, "0123abcd");
  EXPECT_EQ(by_key.at("command").text, "sipas analyze --data answers.csv");
  EXPECT_EQ(by_key.count("replicates.type"), 0u);  // null in the file
  EXPECT_EQ(cells.at("A1").text, "Khóa");
  EXPECT_EQ(cells.at("C1").text, "Giá trị");
}

TEST(ResultsXlsxTest, ParIndexSheet) {
  Fixture f;
  r::export_results(f.request("results.xlsx", r::ResultsFormat::Xlsx));
  const auto xlsx = f.dir / "results.xlsx";
  sipas::test::XlsxBook book(xlsx);
  const auto cells = book.cells(3);
  // unit, name, points, max, index, rank, group, flags, then the two areas (A1.1 is not one).
  const std::vector<std::string> header = {"Mã đơn vị",
                                           "Tên đơn vị",
                                           "Điểm",
                                           "Điểm tối đa",
                                           "Chỉ số",
                                           "Xếp hạng",
                                           "Nhóm",
                                           "Ghi chú",
                                           "Công tác chỉ đạo, điều hành",
                                           "Cải cách thể chế"};
  for (std::size_t c = 0; c < header.size(); ++c)
    EXPECT_EQ(cells.at(sipas::test::column_letters(static_cast<int>(c)) + "1").text, header[c]);
  EXPECT_EQ(cells.count("K1"), 0u);
  EXPECT_EQ(cells.at("A2").text, "SO_TP");
  EXPECT_EQ(cells.at("B2").text, "Sở Tư pháp");
  EXPECT_EQ(cells.at("C2").number, 27.5);
  expect_close(cells.at("E2").number, 91.66666666666667);
  EXPECT_EQ(style_of(xlsx, cells.at("E2").style).number_format, "0.00");  // the precision
  EXPECT_EQ(cells.at("F2").number, 1);
  EXPECT_EQ(cells.at("G2").text, "A");
  EXPECT_EQ(cells.count("H2"), 0u);  // no flags
  EXPECT_EQ(cells.at("I2").number, 95);
  EXPECT_EQ(cells.at("J2").number, 90);
  EXPECT_EQ(cells.at("B3").text, "Huyện Sóc Sơn");
  EXPECT_EQ(cells.at("G3").text, "C");
  EXPECT_EQ(cells.at("H3").text, "quy đổi lại do thiếu điểm khảo sát; thiếu khảo sát: A2");
  expect_close(cells.at("J3").number, 72.22222222222223);
  // The Vietnamese labels are in the shared strings as written.
  EXPECT_THAT(book.shared_strings(), ::testing::Contains("Cải cách thể chế"));
}

TEST(ResultsXlsxTest, ParIndexAlone) {
  Fixture f;
  auto request = f.request("par.xlsx", r::ResultsFormat::Xlsx);
  request.results.reset();
  r::export_results(request);
  sipas::test::XlsxBook book(f.dir / "par.xlsx");
  EXPECT_THAT(book.sheet_names(), ElementsAre("PAR index"));
}

std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path) {
  sipas::io::CsvReader reader(path);
  std::vector<std::vector<std::string>> rows = {reader.header()};
  while (reader.next()) {
    std::vector<std::string> row;
    for (auto field : reader.fields())
      row.emplace_back(field);
    rows.push_back(row);
  }
  return rows;
}

TEST(ResultsCsvTest, EstimatesWithCodes) {
  Fixture f;
  auto request = f.request("results.csv", r::ResultsFormat::Csv);
  request.par_index.reset();
  r::export_results(request);
  const auto rows = read_csv(request.out);
  EXPECT_THAT(rows[0], ElementsAre("district", "sex", "statistic", "variable", "estimate", "se",
                                   "ci_low", "ci_high", "n", "weighted_n", "deff", "n_eff", "cv",
                                   "flag", "ci_method", "df"));
  ASSERT_EQ(rows.size(), 4u);
  const Json in = results_json();
  // Numbers read back to the same double.
  EXPECT_EQ(std::stod(rows[1][4]), in["estimates"][0]["estimate"].get<double>());
  EXPECT_EQ(std::stod(rows[2][4]), in["estimates"][1]["estimate"].get<double>());
  EXPECT_EQ(rows[2][0], "Ba Đình");
  EXPECT_EQ(rows[2][5], "");  // se null
  EXPECT_EQ(rows[3][1], "2");
  EXPECT_EQ(rows[3][14], "wald");
}

TEST(ResultsCsvTest, ParIndexWithCodes) {
  Fixture f;
  auto request = f.request("par.csv", r::ResultsFormat::Csv);
  request.results.reset();
  request.language = r::Language::En;  // CSV keeps codes whatever the language
  r::export_results(request);
  const auto rows = read_csv(request.out);
  EXPECT_THAT(rows[0], ElementsAre("unit", "name", "points", "max_points", "index", "rank", "group",
                                   "flags", "index_A1", "index_A2"));
  EXPECT_THAT(rows[2], ElementsAre("H_SS", "Huyện Sóc Sơn", "21", "28", "75", "2", "C",
                                   "rescaled; survey_missing=A2", "80", "72.22222222222223"));
}

void expect_error(const r::ResultsExport& request, const std::string& id,
                  const std::string& expected) {
  try {
    r::export_results(request);
    ADD_FAILURE() << "expected " << id;
  } catch (const sipas::Error& e) {
    EXPECT_EQ(e.id(), id) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(expected));
  }
  EXPECT_FALSE(std::filesystem::exists(request.out));
}

TEST(ResultsExportErrorsTest, InvalidInputsNameTheField) {
  Fixture f;
  Json bad = results_json();
  bad["estimates"][1]["se"] = "large";
  write_json(f.results, bad);
  expect_error(f.request("results.xlsx", r::ResultsFormat::Xlsx), "report.invalid_field",
               "estimates[1].se: expected a number or null");
  write_json(f.results, results_json());
  Json bad_par = par_json();
  bad_par["units"][0]["rank"] = "first";
  write_json(f.par, bad_par);
  expect_error(f.request("results.xlsx", r::ResultsFormat::Xlsx), "report.invalid_field",
               "units[0].rank");
  write_json(f.par, par_json());
  std::ofstream(f.results) << "{\"design\": ";
  expect_error(f.request("results.xlsx", r::ResultsFormat::Xlsx), "report.invalid_json",
               "results.json");
  auto missing = f.request("results.xlsx", r::ResultsFormat::Xlsx);
  missing.results = f.dir / "none.json";
  expect_error(missing, "io.not_found", "none.json");
}

TEST(ResultsExportErrorsTest, Options) {
  Fixture f;
  expect_error(f.request("both.csv", r::ResultsFormat::Csv), "export.invalid_option",
               "a CSV file holds one table");
  auto none = f.request("none.xlsx", r::ResultsFormat::Xlsx);
  none.results.reset();
  none.par_index.reset();
  expect_error(none, "export.missing_input", "--results");
  try {
    r::parse_results_format("sav");
    ADD_FAILURE();
  } catch (const r::ReportError& e) {
    EXPECT_EQ(e.id(), "export.unknown_format");
  }
  EXPECT_EQ(r::results_format_of("x/out.xlsx"), r::ResultsFormat::Xlsx);
  EXPECT_EQ(r::results_format_of("out.txt"), std::nullopt);
}

}  // namespace
