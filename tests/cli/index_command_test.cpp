// sipas index, run as a reform office runs it: officials' cross-ratings
// through sipas analyze --scheme, then the index, checked by hand.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "io/file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sipas::test::sipas;
using sipas::test::slurp;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// Two departments and two districts. Department leaders (lead_dept) rate the
// districts, district leaders (lead_local) the departments, council deputies
// (hdnd) both; deputies weigh 2, leaders 1, civil servants 0.
const char* cross_scheme = R"({
  "format": "sipas-par-index/1", "id": "cross", "decision": "1/QĐ-UBND", "year": 2024,
  "level": "province", "title": {"vi": "Chéo", "en": "Cross"},
  "survey": {"unit_column": "target_unit", "group_column": "respondent_group",
             "group_weights": {"hdnd": 2, "lead_dept": 1, "lead_local": 1, "civil_servant": 0},
             "conversion": {"method": "linear", "low": 1, "high": 5}, "excluded_codes": [9]},
  "areas": [
    {"id": "1", "label": {"vi": "Một", "en": "One"}, "children": [
      {"id": "1.1", "label": {"vi": "a", "en": "a"}, "max_points": 6, "method": "appraised"},
      {"id": "1.2", "label": {"vi": "b", "en": "b"}, "max_points": 4, "method": "survey",
       "items": ["q1"], "groups": ["hdnd", "lead_dept", "lead_local"]}]},
    {"id": "2", "label": {"vi": "Hai", "en": "Two"}, "children": [
      {"id": "2.1", "label": {"vi": "c", "en": "c"}, "max_points": 4, "method": "appraised"},
      {"id": "2.2", "label": {"vi": "d", "en": "d"}, "max_points": 6, "method": "survey",
       "items": ["q2", "q3"]}]}]})";

const char* officials_csv =
    "respondent_group,target_unit,q1,q2,q3\n"
    "lead_dept,DIS1,5,4,4\n"
    "lead_dept,DIS1,4,3,9\n"
    "hdnd,DIS1,3,5,5\n"
    "lead_dept,DIS2,2,2,2\n"
    "lead_dept,DIS2,3,9,3\n"
    "lead_local,DEP1,5,5,5\n"
    "lead_local,DEP1,4,4,4\n"
    "lead_local,DEP1,3,3,3\n"
    "hdnd,DEP1,1,2,3\n"
    "civil_servant,DEP1,1,1,1\n"
    "lead_local,DEP2,4,4,5\n"
    "hdnd,DEP2,5,5,5\n"
    "hdnd,DEP2,4,4,4\n";

const char* units_csv =
    "unit,name,ranked\n"
    "DEP1,Sở Tư pháp,yes\n"
    "DEP2,Sở Y tế,yes\n"
    "DIS1,Huyện A,yes\n"
    "DIS2,Huyện B,yes\n";

// DEP2: 2.1 does not apply.
const char* appraisal_csv =
    "unit,criterion,points,note\n"
    "DEP1,1.1,5,\n"
    "DEP1,2.1,3.5,\n"
    "DEP2,1.1,6,\n"
    "DEP2,2.1,n/a,no such work\n"
    "DIS1,1.1,4.5,\n"
    "DIS1,2.1,4,\n"
    "DIS2,1.1,3,\n"
    "DIS2,2.1,2,\n";

// An answer's score on the 1-5 scale.
double s(int code) {
  return (code - 1) / 4.0;
}

// The survey points by hand: in each group the mean over the criterion's
// items of the mean item score of the unit's raters; groups combined by
// their weights over the groups that rated the unit; times the maximum.
struct Expected {
  double p12, p22, a11, a21, max;  // a21 0 where 2.1 does not apply
};
std::map<std::string, Expected> expected() {
  const double w_hdnd = 2, w_lead = 1;
  std::map<std::string, Expected> e;
  // DIS1: department leaders 5, 4 and a deputy 3 on q1; on q2 4, 3 and 5;
  // on q3 4 (9 = don't know) and 5.
  e["DIS1"] = {4 * (w_lead * (s(5) + s(4)) / 2 + w_hdnd * s(3)) / (w_lead + w_hdnd),
               6 * (w_lead * ((s(4) + s(3)) / 2 + s(4)) / 2 + w_hdnd * (s(5) + s(5)) / 2) /
                   (w_lead + w_hdnd),
               4.5, 4, 20};
  // DIS2: department leaders only.
  e["DIS2"] = {4 * (s(2) + s(3)) / 2, 6 * (s(2) + (s(2) + s(3)) / 2) / 2, 3, 2, 20};
  // DEP1: district leaders 5, 4, 3 and a deputy; the civil servant weighs 0.
  e["DEP1"] = {4 * (w_lead * (s(5) + s(4) + s(3)) / 3 + w_hdnd * s(1)) / (w_lead + w_hdnd),
               6 *
                   (w_lead * ((s(5) + s(4) + s(3)) / 3 + (s(5) + s(4) + s(3)) / 3) / 2 +
                    w_hdnd * (s(2) + s(3)) / 2) /
                   (w_lead + w_hdnd),
               5, 3.5, 20};
  // DEP2: 2.1 does not apply, so its maximum is 16.
  e["DEP2"] = {
      4 * (w_lead * s(4) + w_hdnd * (s(5) + s(4)) / 2) / (w_lead + w_hdnd),
      6 * (w_lead * (s(4) + s(5)) / 2 + w_hdnd * ((s(5) + s(4)) / 2 + (s(5) + s(4)) / 2) / 2) /
          (w_lead + w_hdnd),
      6, 0, 16};
  return e;
}

class IndexCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("cross.json", cross_scheme);
    write("officials.csv", officials_csv);
    write("units.csv", units_csv);
    write("appraisal.csv", appraisal_csv);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
    return (dir_ / name).string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // sipas analyze --scheme on the officials' answers.
  void analyze() {
    auto r = sipas({"analyze", "--data", path("officials.csv"), "--scheme", path("cross.json"),
                    "--out", path("results.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::vector<std::string> index_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"index",
                                     "--scheme",
                                     path("cross.json"),
                                     "--appraisal",
                                     path("appraisal.csv"),
                                     "--units",
                                     path("units.csv"),
                                     "--survey",
                                     path("results.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  sipas::test::TempDir dir_;
};

const Json& unit_of(const Json& doc, const std::string& id) {
  for (const auto& u : doc["units"]) {
    if (u["unit"] == id) return u;
  }
  throw std::runtime_error("no unit " + id);
}

TEST_F(IndexCommandTest, CrossRatingEndToEnd) {
  analyze();
  // The survey points of every unit come from the answers about it.
  auto results = Json::parse(slurp(path("results.json")));
  std::map<std::string, double> points;
  for (const auto& e : results["estimates"]) {
    if (e["statistic"] == "par_points")
      points[e["variable"].get<std::string>() + "@" +
             e["domain"]["target_unit"].get<std::string>()] = e["estimate"];
  }
  const auto want = expected();
  for (const auto& [unit, x] : want) {
    EXPECT_NEAR(points["1.2@" + unit], x.p12, 1e-12) << unit;
    EXPECT_NEAR(points["2.2@" + unit], x.p22, 1e-12) << unit;
  }

  auto r = sipas(index_args({"--out", path("par-index.json")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("4 units, 4 ranked, 0 rescaled"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("warning")));
  auto doc = Json::parse(slurp(path("par-index.json")));
  EXPECT_EQ(doc["format"], "sipas-par-index-result/1");
  EXPECT_EQ(doc["scheme"]["survey_max"], 10.0);
  EXPECT_THAT(doc["command_line"].get<std::string>(), HasSubstr("sipas index --scheme"));
  EXPECT_EQ(doc["inputs"]["survey"][0]["path"], path("results.json"));
  std::map<std::string, double> index;
  for (const auto& [unit, x] : want) {
    const Json& u = unit_of(doc, unit);
    const double total = x.a11 + x.a21 + x.p12 + x.p22;
    EXPECT_NEAR(u["points"].get<double>(), total, 1e-12) << unit;
    EXPECT_EQ(u["max_points"].get<double>(), x.max) << unit;
    EXPECT_NEAR(u["index"].get<double>(), 100 * total / x.max, 1e-12) << unit;
    EXPECT_NEAR(u["nodes"]["1.2"]["points"].get<double>(), x.p12, 1e-12) << unit;
    EXPECT_NEAR(u["nodes"]["2"]["points"].get<double>(), x.a21 + x.p22, 1e-12) << unit;
    index[unit] = 100 * total / x.max;
  }
  EXPECT_EQ(unit_of(doc, "DEP2")["nodes"]["2"]["max_points"], 6.0);
  // DEP2 91.15 (A), DIS1 81.88 (B), DEP1 62.50 (no group), DIS2 41.88.
  EXPECT_GT(index["DEP2"], 90);
  EXPECT_GT(index["DIS1"], 80);
  EXPECT_LT(index["DEP1"], 70);
  EXPECT_EQ(doc["units"][0]["unit"], "DEP2");
  EXPECT_EQ(doc["units"][0]["rank"], 1);
  EXPECT_EQ(doc["units"][0]["group"], "A");
  EXPECT_EQ(doc["units"][0]["name"], "Sở Y tế");
  EXPECT_EQ(doc["units"][1]["unit"], "DIS1");
  EXPECT_EQ(doc["units"][1]["group"], "B");
  EXPECT_EQ(doc["units"][2]["unit"], "DEP1");
  EXPECT_TRUE(doc["units"][2]["group"].is_null());
  EXPECT_EQ(doc["units"][3]["unit"], "DIS2");
  EXPECT_EQ(doc["units"][3]["rank"], 4);
}

TEST_F(IndexCommandTest, CsvThresholdsAndStandardOutput) {
  analyze();
  auto r = sipas(index_args({"--thresholds", "Tốt=80,Khá=60", "--out", path("par-index.csv")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = slurp(path("par-index.csv"));
  EXPECT_THAT(csv, HasSubstr("unit,name,points,max_points,index,rank,group,rescaled,"
                             "survey_missing,index_1,index_2\n"));
  EXPECT_THAT(csv, HasSubstr("\nDEP1,Sở Tư pháp,12.5,20,62.5,3,Khá,false,,"));
  auto out = sipas(index_args({"--precision", "0"}));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  auto doc = Json::parse(out.out);
  EXPECT_EQ(doc["precision"], 0);
  EXPECT_EQ(doc["thresholds"].size(), 3u);
}

TEST_F(IndexCommandTest, UnitsWithoutSurveyAreRescaledAndFlagged) {
  auto r = sipas({"index", "--scheme", path("cross.json"), "--appraisal", path("appraisal.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no --survey given"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("warning")));
  auto doc = Json::parse(r.out);
  EXPECT_TRUE(doc["inputs"]["units"].is_null());
  const Json& dep1 = unit_of(doc, "DEP1");
  EXPECT_EQ(dep1["rescaled"], true);
  EXPECT_EQ(dep1["survey_missing"], Json({"1.2", "2.2"}));
  // 100 × (5 + 3.5) / (20 − 10).
  EXPECT_NEAR(dep1["index"].get<double>(), 100 * 8.5 / (20 - 10), 1e-12);
  EXPECT_EQ(dep1["name"], "DEP1");
}

TEST_F(IndexCommandTest, EmbeddedProvincialScheme) {
  // The shipped scheme, every appraised leaf at its maximum, an officials'
  // survey of two provinces by one group: p1_1 answered 5 and 3 about P1.
  auto scheme = Json::parse(sipas::io::read_file(
      std::string(SIPAS_SOURCE_DIR) + "/analysis/schemes/par-province-876.json", 1 << 22));
  std::string appraisal = "unit,criterion,points\n";
  double appraised = 0;
  std::function<void(const Json&)> walk = [&](const Json& n) {
    if (n.contains("children")) {
      for (const auto& c : n["children"])
        walk(c);
    } else if (n["method"] == "appraised") {
      for (const std::string unit : {"P1", "P2"})
        appraisal += unit + "," + n["id"].get<std::string>() + "," + n["max_points"].dump() + "\n";
      appraised += n["max_points"].get<double>();
    }
  };
  for (const auto& area : scheme["areas"])
    walk(area);
  EXPECT_DOUBLE_EQ(appraised, 68);
  write("province-appraisal.csv", appraisal);
  std::string data = "target_unit,respondent_group";
  for (int area = 1; area <= 8; ++area) {
    for (int k = 1; k <= (area == 8 ? 1 : 2); ++k)
      data += ",p" + std::to_string(area) + "_" + std::to_string(k);
  }
  data += "\n";
  for (const auto& [unit, code] :
       std::vector<std::pair<std::string, int>>{{"P1", 5}, {"P1", 3}, {"P2", 2}}) {
    data += unit + ",lead_dept";
    for (int i = 0; i < 15; ++i)
      data += "," + std::to_string(code);
    data += "\n";
  }
  write("province-officials.csv", data);
  auto a = sipas({"analyze", "--data", path("province-officials.csv"), "--scheme",
                  "par-province-876", "--out", path("province-results.json")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto results = Json::parse(slurp(path("province-results.json")));
  EXPECT_EQ(results["design"]["inputs"]["scheme"]["file"], "par-province-876.json");
  int par_points = 0;
  for (const auto& e : results["estimates"])
    par_points += e["statistic"] == "par_points" ? 1 : 0;
  EXPECT_EQ(par_points, 2 * 15);
  auto r = sipas({"index", "--scheme", "par-province-876", "--appraisal",
                  path("province-appraisal.csv"), "--survey", path("province-results.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = Json::parse(r.out);
  EXPECT_EQ(doc["inputs"]["scheme"]["path"], "embedded:par-province-876");
  EXPECT_EQ(doc["scheme"]["survey_max"], 32.0);
  // P1: 15 items at (s(5) + s(3))/2 = 0.75 of 2 points each; no SIPAS value, so
  // 30 of the 32 survey points are at stake: (68 + 15 × 1.5) / 98.
  const Json& p1 = unit_of(doc, "P1");
  EXPECT_EQ(p1["survey_missing"], Json({"8.1"}));
  // No SIPAS results were given: the warning names the leaf and both units.
  EXPECT_THAT(r.err, HasSubstr("sipas: warning: 2 units have no survey points for leaf 8.1: "));
  EXPECT_THAT(r.err, HasSubstr("cảnh báo: 2 đơn vị không có điểm khảo sát cho tiêu chí 8.1: "));
  EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("8.1: P1, P2 ("), HasSubstr("8.1: P2, P1 (")));
  EXPECT_THAT(r.err, HasSubstr("--by COLUMN"));
  EXPECT_EQ(p1["rescaled"], false);
  EXPECT_NEAR(p1["index"].get<double>(), 100 * (68 + 15 * 2 * (s(5) + s(3)) / 2) / 98, 1e-9);
  EXPECT_NEAR(unit_of(doc, "P2")["index"].get<double>(), 100 * (68 + 15 * 2 * s(2)) / 98, 1e-9);
}

TEST(IndexCommandListTest, ListsTheEmbeddedSchemes) {
  auto r = sipas({"index", "--list-schemes"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("par-province-876"));
  EXPECT_THAT(r.out, HasSubstr("8 areas, 100 points of which 32 from the survey"));
  EXPECT_THAT(r.out, HasSubstr("par-ministry-876"));
  EXPECT_THAT(r.out, HasSubstr("7 areas, 100 points of which 31.5 from the survey"));
}

TEST(IndexCommandListTest, HelpNamesEveryOption) {
  auto r = sipas({"index", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* option : {"--scheme", "--appraisal", "--units", "--survey", "--thresholds",
                             "--precision", "--out", "--list-schemes", "n/a", "rescaled"})
    EXPECT_THAT(r.out, HasSubstr(option));
}

// ---------------------------------------------------------------------------
// Errors: exit 1, the id and the file:line, and no output written.

struct BadRun {
  std::string name;
  std::string file;  // replaced input
  std::string text;
  std::string message;  // with the id
};

class IndexCommandErrorTest : public IndexCommandTest,
                              public ::testing::WithParamInterface<BadRun> {};

TEST_P(IndexCommandErrorTest, NothingIsWritten) {
  analyze();
  write(GetParam().file, GetParam().text);
  write("par-index.json", "earlier run\n");
  auto r = sipas(index_args({"--out", path("par-index.json")}));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr(GetParam().message));
  EXPECT_EQ(slurp(path("par-index.json")), "earlier run\n");
  auto csv = sipas(index_args({"--out", path("par-index.csv")}));
  EXPECT_EQ(csv.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(path("par-index.csv")));
}

std::string appraisal_with(const std::string& replaced, const std::string& by) {
  std::string text = appraisal_csv;
  const auto at = text.find(replaced);
  if (at == std::string::npos) throw std::logic_error(replaced);
  return text.replace(at, replaced.size(), by);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, IndexCommandErrorTest,
    ::testing::Values(
        BadRun{"UnknownUnit", "appraisal.csv", appraisal_with("DIS2,2.1", "DIS3,2.1"),
               "appraisal.csv:9: unit 'DIS3' is not in the units file [index.unknown_unit]"},
        BadRun{"UnknownCriterion", "appraisal.csv", appraisal_with("DEP1,2.1", "DEP1,3.1"),
               "appraisal.csv:3: criterion '3.1' is not in scheme 'cross' "
               "[index.unknown_criterion]"},
        BadRun{"SurveyLeaf", "appraisal.csv", appraisal_with("DEP1,2.1", "DEP1,2.2"),
               "appraisal.csv:3: criterion '2.2' is not an appraised leaf (it is a survey leaf, "
               "whose points come from --survey) [index.not_appraised]"},
        BadRun{"AboveMax", "appraisal.csv", appraisal_with("DIS1,1.1,4.5", "DIS1,1.1,6.5"),
               "appraisal.csv:6: points 6.5 for '1.1' must be between 0 and its maximum 6 "
               "[index.points_out_of_range]"},
        BadRun{"Negative", "appraisal.csv", appraisal_with("DIS1,2.1,4", "DIS1,2.1,-1"),
               "appraisal.csv:7: points -1 for '2.1' must be between 0 and its maximum 4 "
               "[index.points_out_of_range]"},
        BadRun{"NonNumeric", "appraisal.csv", appraisal_with("DEP1,1.1,5", "DEP1,1.1,năm"),
               "appraisal.csv:2: points 'năm' is not a number (write n/a when it does not "
               "apply) [index.invalid_points]"},
        BadRun{"Duplicate", "appraisal.csv", appraisal_csv + std::string("DIS2,1.1,2,\n"),
               "appraisal.csv:10: unit 'DIS2', criterion '1.1' appears twice (first at "
               "appraisal.csv:8) [index.duplicate_row]"},
        BadRun{"MissingRow", "appraisal.csv", appraisal_with("DIS1,2.1,4,\n", ""),
               "appraisal.csv: unit 'DIS1' has no row for appraised criterion '2.1' (write n/a "
               "in points when it does not apply) [index.missing_appraisal]"},
        BadRun{"AppraisalUnitNotInUnits", "units.csv", "unit,name\nDEP1,a\nDEP2,b\nDIS1,c\n",
               "appraisal.csv:8: unit 'DIS2' is not in the units file [index.unknown_unit]"},
        BadRun{"SchemeError", "cross.json",
               [] {
                 Json doc = Json::parse(cross_scheme);
                 doc["areas"][1]["children"][0]["max_points"] = -4;
                 return doc.dump();
               }(),
               "cross.json: areas[1].children[0].max_points: must be > 0 [scheme.invalid]"}),
    [](const ::testing::TestParamInfo<BadRun>& p) { return p.param.name; });

TEST_F(IndexCommandTest, ResultsUnitsOutsideTheAppraisalWithoutUnitsFile) {
  // Checked in the parameterized cases with --units; here without it.
  analyze();
  write("appraisal.csv", appraisal_with("DIS2,1.1,3,\nDIS2,2.1,2,\n", ""));
  auto r = sipas({"index", "--scheme", path("cross.json"), "--appraisal", path("appraisal.csv"),
                  "--survey", path("results.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("results.json: unit 'DIS2' is not in the appraisal appraisal.csv "
                               "[index.unknown_unit]"));
  EXPECT_TRUE(r.out.empty());
}

TEST_F(IndexCommandTest, OptionErrors) {
  auto no_scheme = sipas({"index", "--appraisal", path("appraisal.csv")});
  EXPECT_EQ(no_scheme.exit_code, 1);
  EXPECT_THAT(no_scheme.err, HasSubstr("[index.missing_option]"));
  auto bad_out = sipas(index_args({"--out", path("par-index.txt")}));
  EXPECT_EQ(bad_out.exit_code, 1);
  EXPECT_THAT(bad_out.err, HasSubstr("must end in .json or .csv [index.invalid_option]"));
  auto bad_thresholds = sipas(index_args({"--thresholds", "A=80,B=90"}));
  EXPECT_EQ(bad_thresholds.exit_code, 1);
  EXPECT_THAT(bad_thresholds.err, HasSubstr("[index.invalid_thresholds]"));
  auto bad_precision = sipas(index_args({"--precision", "9"}));
  EXPECT_EQ(bad_precision.exit_code, 1);
  EXPECT_THAT(bad_precision.err, HasSubstr("[index.invalid_option]"));
  auto no_scheme_file =
      sipas({"index", "--scheme", path("nowhere.json"), "--appraisal", path("appraisal.csv")});
  EXPECT_EQ(no_scheme_file.exit_code, 1);
  EXPECT_THAT(no_scheme_file.err, HasSubstr("no such file, and no embedded scheme of that name"));
}

}  // namespace
