// The design record of `sipas sample` in the report: records drawn by the
// sampler itself (sample_design_records.hpp) are read field by field, a
// damaged one is refused naming the field, and the methods page states the
// frame, the strata, each stage's units and method in words, n and the
// reserves, the certainty rule, the sample's size and the seed, in both
// languages, with every string from the file escaped.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "reports/error.hpp"
#include "reports/report.hpp"
#include "tests/reports/report_dom_test.hpp"
#include "tests/reports/sample_design_records.hpp"

namespace {

using namespace sipas::reports;
using sipas::test::records;
using sipas::test::sample_seed;
using sipas::test::dom::Document;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;

const std::string hostile = "<script>alert(1)</script> & \"x\"";

std::pair<std::string, std::string> error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const sipas::Error& e) {
    return {e.id(), e.what()};
  }
  return {"(none)", ""};
}

std::string design_error(const Json& doc) {
  return error_of([&] { parse_sample_design(doc.dump(), "sample.design.json"); }).second;
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
                 {"strata", "district"},
                 {"psu", {"commune"}},
                 {"weights", "weight"},
                 {"rows", 126},
                 {"df", 123},
                 {"level", 0.95}};
  return {{"design", design}, {"estimates", Json::array({overall})}};
}

std::string render(Language language, const Json& record) {
  ReportInputs in;
  in.results = parse_results(results_json().dump(), "results.json");
  in.sample_design = parse_sample_design(record.dump(), "sample.design.json");
  ReportOptions options;
  options.language = language;
  return render_report(in, options);
}

std::size_t first(const Document& doc, const std::string& name, const std::string& css,
                  std::size_t within = std::string::npos) {
  const auto found = doc.find(name, css, within);
  if (found.empty()) throw std::runtime_error("no <" + name + " class=" + css + ">");
  return found.front();
}

// A count as the report prints it: 1,234 (en) or 1.234 (vi).
std::string grouped(std::int64_t n, char separator) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

std::vector<std::string> stage_items(const Document& doc) {
  std::vector<std::string> out;
  for (auto li : doc.find("li", "", first(doc, "ol", "sample-stages")))
    out.push_back(doc.text(li));
  return out;
}

std::vector<std::vector<std::string>> strata_rows(const Document& doc) {
  std::vector<std::vector<std::string>> out;
  const auto body = first(doc, "tbody", "", first(doc, "table", "sample-strata-table"));
  for (auto tr : doc.find("tr", "", body)) {
    std::vector<std::string> cells;
    for (auto cell : doc.find("", "", tr)) {
      if (doc[cell].name == "th" || doc[cell].name == "td") cells.push_back(doc.text(cell));
    }
    out.push_back(cells);
  }
  return out;
}

// The <dd> after the <dt> whose text is `term`.
std::string fact(const Document& doc, const std::string& term) {
  for (auto dt : doc.find("dt")) {
    if (doc.text(dt) != term) continue;
    const auto parent = static_cast<std::size_t>(doc[dt].parent);
    return doc.text(first(doc, "dd", "", parent));
  }
  throw std::runtime_error("no fact " + term);
}

TEST(ReportSampleDesignTest, ReadsTheMultiStageRecordTheSamplerWrites) {
  const Json& record = records().multi;
  const SampleDesignSummary d = parse_sample_design(record.dump(), "sample.design.json");
  EXPECT_EQ(d.source, "sample.design.json");
  EXPECT_EQ(d.method, "multi-stage");
  EXPECT_TRUE(d.multi_stage());
  EXPECT_EQ(d.frame_file, "frame.csv");
  EXPECT_EQ(d.frame_rows, static_cast<std::int64_t>(records().frame_rows));
  EXPECT_EQ(d.frame_sha256, record["frame"]["sha256"]);
  EXPECT_EQ(d.frame_sha256.size(), 64u);
  EXPECT_EQ(d.strata_columns, std::vector<std::string>{"district"});
  ASSERT_EQ(d.strata.size(), 6u);
  EXPECT_EQ(d.strata[0].stratum, "P01-D01");
  EXPECT_EQ(d.population(), d.frame_rows);
  EXPECT_EQ(d.seed, sample_seed);
  EXPECT_TRUE(d.seed_given);
  EXPECT_THAT(d.generator, StartsWith("xoshiro256** 1.0"));
  EXPECT_EQ(d.command, "sipas sample --design designs/province-districts.json");
  EXPECT_EQ(d.main, record["sample"]["main"].get<std::int64_t>());
  EXPECT_EQ(d.reserve, record["sample"]["reserve"].get<std::int64_t>());
  EXPECT_EQ(d.main, 6 * 3 * 15);  // 6 districts, 3 communes, 15 people
  EXPECT_EQ(d.reserve, 6 * 3 * 5);

  ASSERT_EQ(d.stages.size(), 2u);
  const SampleStage& communes = d.stages[0];
  EXPECT_EQ(communes.stage, 1);
  EXPECT_EQ(communes.unit, "commune");
  EXPECT_EQ(communes.method, "pps");
  EXPECT_EQ(communes.n, 3);
  EXPECT_EQ(communes.size, "rows");
  EXPECT_EQ(communes.certainty_column, "is_seat");
  EXPECT_EQ(communes.certainty_values, std::vector<std::string>{"1"});
  EXPECT_EQ(communes.selected, 18);
  EXPECT_EQ(communes.certain, 6);  // each district's seat
  std::int64_t selections = 0;
  for (const auto& [algorithm, count] : communes.pps_algorithms)
    selections += count;
  EXPECT_EQ(selections, 6);  // one per stratum
  EXPECT_THAT(communes.pps_rule, StartsWith("Sampford's method where"));
  ASSERT_EQ(communes.units.size(), 6u);
  for (const auto& u : communes.units) {
    EXPECT_EQ(u.units, 12);
    EXPECT_EQ(u.selected, 3);
  }
  const SampleStage& people = d.stages[1];
  EXPECT_TRUE(people.rows());
  EXPECT_EQ(people.method, "srs");
  EXPECT_EQ(people.n, 15);
  EXPECT_EQ(people.reserve, 5);
  EXPECT_TRUE(people.units.empty());
}

TEST(ReportSampleDesignTest, ReadsSingleStageRecords) {
  const SampleDesignSummary d = parse_sample_design(records().single.dump(), "design.json");
  EXPECT_EQ(d.method, "srs");
  EXPECT_FALSE(d.multi_stage());
  ASSERT_TRUE(d.allocation.has_value());
  EXPECT_EQ(d.allocation->method, "proportional");
  EXPECT_EQ(d.allocation->total, 200);
  ASSERT_EQ(d.strata.size(), 6u);
  std::int64_t n = 0;
  for (const auto& s : d.strata) {
    n += s.n;
    EXPECT_EQ(s.reserve, 3);
  }
  EXPECT_EQ(n, 200);
  EXPECT_EQ(d.main, 200);
  EXPECT_EQ(d.reserve, 18);
  EXPECT_TRUE(d.stages.empty());

  const SampleDesignSummary pps = parse_sample_design(records().pps.dump(), "design.json");
  EXPECT_EQ(pps.method, "pps");
  EXPECT_EQ(pps.allocation->method, "given");
  EXPECT_EQ(pps.allocation->file, "n.csv");
  EXPECT_EQ(pps.size_column, "size");
  EXPECT_FALSE(pps.seed_given);
  EXPECT_EQ(pps.seed, sample_seed);  // the request's, recorded as drawn
  EXPECT_EQ(pps.strata[0].pps_algorithm, "sampford");
  EXPECT_EQ(pps.strata[1].pps_algorithm, "maximum-entropy");
  EXPECT_EQ(pps.pps_algorithms,
            (std::map<std::string, std::int64_t>{{"maximum-entropy", 1}, {"sampford", 1}}));

  const SampleDesignSummary many = parse_sample_design(records().many.dump(), "design.json");
  EXPECT_EQ(many.method, "systematic");
  EXPECT_EQ(many.sort_column, "village");
  EXPECT_EQ(many.strata.size(), 72u);
  EXPECT_EQ(many.strata_columns, (std::vector<std::string>{"district", "commune"}));
}

TEST(ReportSampleDesignTest, ABadRecordNamesTheField) {
  const Json good = records().multi;
  Json doc = good;
  doc["format"] = "sipas-sample-design/2";
  EXPECT_EQ(error_of([&] { parse_sample_design(doc.dump(), "sample.design.json"); }),
            std::make_pair(std::string("report.invalid_format"),
                           std::string("sample.design.json: format: expected "
                                       "\"sipas-sample-design/1\"")));
  doc = good;
  doc["stages"][1]["method"] = "cluster";
  EXPECT_EQ(error_of([&] { parse_sample_design(doc.dump(), "sample.design.json"); }),
            std::make_pair(std::string("report.invalid_field"),
                           std::string("sample.design.json: stages[1].method: expected srs, "
                                       "systematic, pps or pps-systematic")));
  doc = good;
  doc["strata"][2]["population"] = "520";
  EXPECT_EQ(design_error(doc),
            "sample.design.json: strata[2].population: expected a whole number >= 0");
  doc = good;
  doc["seed"] = -1;
  EXPECT_EQ(design_error(doc), "sample.design.json: seed: expected a whole number >= 0");
  doc = good;
  doc["seed_source"] = "guessed";
  EXPECT_EQ(design_error(doc), "sample.design.json: seed_source: expected given or drawn");
  doc = good;
  doc["stages"][0]["units"][3]["selected"] = 13;  // of 12
  EXPECT_EQ(design_error(doc),
            "sample.design.json: stages[0].units[3].selected: more than the stratum's units");
  doc = good;
  doc["stages"][0]["selected"][5].erase("certain");
  EXPECT_EQ(design_error(doc), "sample.design.json: stages[0].selected[5].certain: missing");
  doc = good;
  doc["stages"][0]["unit"] = "rows";
  EXPECT_EQ(design_error(doc),
            "sample.design.json: stages[0].unit: \"rows\" is only the last stage");
  doc = good;
  doc["stages"][0]["pps_algorithms"]["poisson"] = 1;
  EXPECT_EQ(design_error(doc),
            "sample.design.json: stages[0].pps_algorithms: unknown algorithm 'poisson' (expected "
            "sampford or maximum-entropy)");
  doc = good;
  doc["frame"]["rows"] = 1;
  EXPECT_THAT(design_error(doc), HasSubstr("sample.design.json: strata: the strata's populations "
                                           "add up to "));
  doc = good;
  doc.erase("stages");
  EXPECT_EQ(design_error(doc), "sample.design.json: stages: missing");
  doc = records().single;
  doc["allocation"]["method"] = "lottery";
  EXPECT_EQ(design_error(doc),
            "sample.design.json: allocation.method: expected proportional, "
            "equal, neyman, power, optimal or given");
  doc = records().single;
  doc["strata"][0].erase("n");
  EXPECT_EQ(design_error(doc), "sample.design.json: strata[0].n: missing");
  EXPECT_EQ(error_of([] { parse_sample_design("{\"format\": ", "sample.design.json"); }).first,
            "report.invalid_json");

  // A seed drawn from the operating system may use all 64 bits.
  doc = good;
  doc["seed"] = std::uint64_t{18446744073709551615u};
  EXPECT_EQ(parse_sample_design(doc.dump(), "x").seed, 18446744073709551615u);
}

TEST(ReportSampleDesignTest, TheMethodsNameEachStagesUnitsAndMethodInWords) {
  const Json& record = records().multi;
  const Document en(render(Language::En, record));
  const auto items = stage_items(en);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_THAT(items[0], StartsWith("Stage 1: communes, probability proportional to size, without "
                                   "replacement (Sampford's method), size: the number of frame "
                                   "rows, 3 per stratum, certain: is_seat = 1 (6 taken)"));
  EXPECT_EQ(items[1],
            "Stage 2: people, simple random sampling without replacement, 15 per commune, "
            "reserves: 5 per commune");
  EXPECT_EQ(fact(en, "Sampling frame"),
            "frame.csv, 6,000 rows SHA-256 " + record["frame"]["sha256"].get<std::string>());
  EXPECT_EQ(fact(en, "Stratification"), "6 strata by district; 6,000 frame rows in all");
  EXPECT_EQ(fact(en, "Sample drawn"), "270 main, 90 reserves");
  EXPECT_EQ(en.text(first(en, "span", "seed")), "20240501 (given with --seed)");
  EXPECT_THAT(fact(en, "Random generator"), StartsWith("xoshiro256** 1.0 seeded by SplitMix64"));
  EXPECT_THAT(fact(en, "Choice of the πps algorithm"), StartsWith("Sampford's method where"));
  EXPECT_EQ(fact(en, "Sampling command"), "sipas sample --design designs/province-districts.json");
  EXPECT_THAT(en.source(), HasSubstr("<h3>Sample selection</h3>"));
  // Right after the analysis design's facts.
  EXPECT_LT(en.source().find("Sampling units by stage"), en.source().find("Sample selection"));

  const auto rows = strata_rows(en);
  ASSERT_EQ(rows.size(), 7u);  // 6 strata and the total
  for (std::size_t h = 0; h < 6; ++h) {
    const Json& s = record["strata"][h];
    EXPECT_THAT(rows[h], ElementsAre(s["stratum"].get<std::string>(),
                                     grouped(s["population"].get<std::int64_t>(), ','), "3 / 12"));
  }
  EXPECT_THAT(rows[6], ElementsAre("Total", "6,000", "18 / 72"));

  const Document vi(render(Language::Vi, record));
  const auto vi_items = stage_items(vi);
  ASSERT_EQ(vi_items.size(), 2u);
  EXPECT_THAT(vi_items[0],
              StartsWith("Giai đoạn 1: xã/phường, chọn với xác suất tỷ lệ với quy mô, không hoàn "
                         "lại (phương pháp Sampford), quy mô: số dòng của khung, 3 mỗi tầng, chọn "
                         "chắc chắn: is_seat = 1 (6 đơn vị)"));
  EXPECT_EQ(vi_items[1],
            "Giai đoạn 2: người, chọn ngẫu nhiên đơn giản không hoàn lại, 15 mỗi xã/phường, dự "
            "phòng: 5 mỗi xã/phường");
  EXPECT_THAT(vi.source(), HasSubstr("<h3>Chọn mẫu</h3>"));
  EXPECT_EQ(fact(vi, "Phân tầng"), "6 tầng theo district; tổng thể 6.000 dòng của khung");
  EXPECT_EQ(fact(vi, "Cỡ mẫu đã chọn"), "270 mẫu chính, 90 dự phòng");
  EXPECT_EQ(vi.text(first(vi, "span", "seed")), "20240501 (cho trước bằng --seed)");
  EXPECT_THAT(strata_rows(vi).back(), ElementsAre("Tổng", "6.000", "18 / 72"));
}

TEST(ReportSampleDesignTest, EveryStageOfTheProvincialDesign) {
  const Document en(render(Language::En, records().papi));
  const auto items = stage_items(en);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_THAT(items[0], StartsWith("Stage 1: districts, probability proportional to size, without "
                                   "replacement ("));
  EXPECT_THAT(items[0], HasSubstr("4 per stratum, certain: is_capital = 1 (1 taken)"));
  EXPECT_THAT(items[1], HasSubstr("2 per district, certain: is_seat = 1 ("));
  EXPECT_EQ(items[2],
            "Stage 3: villages, systematic probability-proportional-to-size sampling, size: the "
            "number of frame rows, 2 per commune");
  EXPECT_EQ(items[3],
            "Stage 4: people, simple random sampling without replacement, 15 per village, "
            "reserves: 5 per village");
  // One stratum (the province), with each clustering stage's counts.
  const auto rows = strata_rows(en);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].size(), 5u);
  EXPECT_EQ(rows[0][2], "4 / 6");
  EXPECT_EQ(rows[0][3], "8 / 72");
  EXPECT_EQ(rows[0][4], "16 / 216");
}

TEST(ReportSampleDesignTest, ASingleStageSampleIsOneLine) {
  const Json& record = records().single;
  std::int64_t low = 1000, high = 0;
  for (const auto& s : record["strata"]) {
    low = std::min(low, s["n"].get<std::int64_t>());
    high = std::max(high, s["n"].get<std::int64_t>());
  }
  ASSERT_LT(low, high);
  const std::string range = std::to_string(low) + "–" + std::to_string(high);
  const Document en(render(Language::En, record));
  EXPECT_TRUE(en.find("ol", "sample-stages").empty());
  EXPECT_EQ(en.text(first(en, "span", "sample-selection")),
            "simple random sampling without replacement within each stratum; allocation "
            "proportional to the strata's sizes, 200 in all; " +
                range + " per stratum; reserves: 3 per stratum");
  const auto rows = strata_rows(en);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0][2], std::to_string(record["strata"][0]["n"].get<int>()));
  EXPECT_EQ(rows[0][3], "3");
  EXPECT_THAT(rows[6], ElementsAre("Total", "6,000", "200", "18"));
  const Document vi(render(Language::Vi, record));
  EXPECT_EQ(vi.text(first(vi, "span", "sample-selection")),
            "chọn ngẫu nhiên đơn giản không hoàn lại trong từng tầng; phân bổ tỷ lệ với quy mô "
            "tầng, tổng 200; " +
                range + " mỗi tầng; dự phòng: 3 mỗi tầng");

  // pps: which algorithm drew where, the sizes given in a file, a drawn seed.
  const Document pps(render(Language::En, records().pps));
  EXPECT_EQ(pps.text(first(pps, "span", "sample-selection")),
            "probability proportional to size, without replacement within each stratum "
            "(Sampford's method in 1 stratum; the maximum-entropy design in the other 1), size: "
            "size; sizes per stratum given in n.csv, 102 in all; 2–100 per stratum; no reserves");
  EXPECT_EQ(pps.text(first(pps, "span", "seed")),
            std::to_string(sample_seed) + " (drawn from the operating system and recorded)");
  const Document pps_vi(render(Language::Vi, records().pps));
  EXPECT_THAT(pps_vi.text(first(pps_vi, "span", "sample-selection")),
              HasSubstr("(phương pháp Sampford ở 1 tầng; thiết kế entropy cực đại ở 1 tầng còn "
                        "lại), quy mô: size; cỡ mẫu từng tầng cho trong tệp n.csv, tổng 102"));
  EXPECT_THAT(pps_vi.text(first(pps_vi, "span", "seed")), HasSubstr("lấy từ hệ điều hành"));
}

TEST(ReportSampleDesignTest, ALongStrataTableShowsTheFirstRowsAndSaysHowManyMore) {
  const Json& record = records().many;
  const Document en(render(Language::En, record));
  EXPECT_EQ(en.text(first(en, "span", "sample-selection")),
            "systematic sampling within each stratum, in the order of village; equal allocation, "
            "144 in all; 2 per stratum; no reserves");
  const auto rows = strata_rows(en);
  ASSERT_EQ(rows.size(), 41u);  // 40 strata and the total
  EXPECT_EQ(rows[0][0], "P01-D01|C01");
  EXPECT_THAT(rows[40], ElementsAre("Total", "6,000", "144", "0"));
  std::int64_t low = 1 << 30, high = 0;
  for (const auto& s : record["strata"]) {
    low = std::min(low, s["population"].get<std::int64_t>());
    high = std::max(high, s["population"].get<std::int64_t>());
  }
  EXPECT_THAT(en.source(),
              HasSubstr("32 more strata are not shown; the strata hold from " + grouped(low, ',') +
                        " to " + grouped(high, ',') + " rows each."));
}

TEST(ReportSampleDesignTest, StringsFromTheRecordAreEscaped) {
  Json record = records().multi;
  record["strata"][0]["stratum"] = hostile;
  record["stages"][0]["units"][0]["stratum"] = hostile;
  record["stages"][0]["unit"] = hostile;
  record["stages"][0]["certainty"]["values"] = {hostile};
  record["frame"]["file"] = hostile;
  record["command"] = hostile;
  record["generator"] = hostile;
  const std::string html = render(Language::En, record);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  const Document doc(html);  // well-formed: the strings broke nothing
  EXPECT_EQ(strata_rows(doc)[0][0], hostile);
  EXPECT_EQ(strata_rows(doc)[0][2], "3 / 12");  // its counts found under the same name
  const auto items = stage_items(doc);
  EXPECT_THAT(items[0], StartsWith("Stage 1: " + hostile + ", probability"));
  EXPECT_THAT(items[0], HasSubstr("certain: is_seat = " + hostile + " (6 taken)"));
  EXPECT_THAT(items[1], HasSubstr("15 per " + hostile));
  EXPECT_THAT(fact(doc, "Sampling frame"), StartsWith(hostile + ", 6,000 rows"));
  EXPECT_EQ(fact(doc, "Sampling command"), hostile);
  EXPECT_EQ(fact(doc, "Random generator"), hostile);
}

TEST(ReportSampleDesignTest, NoRecordNoSampleSelection) {
  ReportInputs in;
  in.results = parse_results(results_json().dump(), "results.json");
  const std::string html = render_report(in, {});
  EXPECT_THAT(html, Not(HasSubstr("Chọn mẫu")));
  EXPECT_THAT(html, Not(HasSubstr("sample-strata-table")));
}

}  // namespace
