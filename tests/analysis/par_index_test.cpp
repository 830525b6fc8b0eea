// The PAR index of a small scheme, computed by hand: points and applicable
// maxima per node, a criterion that does not apply, the Hà Nội rescaling of a
// unit without survey points, ties at the published precision, groups, an
// unranked unit; and every input error, named by file and line.

#include "analysis/par_index.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "analysis/error.hpp"
#include "io/csv_reader.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sipas::analysis;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// Area 1: 1.1 appraised (4), 1.2 appraised (2), 1.3 survey (4).
// Area 2: 2.1 appraised (6), 2.2 SIPAS overall index (4). Total 20, survey 8.
const char* scheme_text = R"({
  "format": "sipas-par-index/1", "id": "small", "decision": "1/QĐ-X", "year": 2024,
  "level": "province", "title": {"vi": "Nhỏ", "en": "Small"},
  "areas": [
    {"id": "1", "label": {"vi": "Một", "en": "One"}, "children": [
      {"id": "1.1", "label": {"vi": "a", "en": "a"}, "max_points": 4, "method": "appraised"},
      {"id": "1.2", "label": {"vi": "b", "en": "b"}, "max_points": 2, "method": "appraised"},
      {"id": "1.3", "label": {"vi": "c", "en": "c"}, "max_points": 4, "method": "survey",
       "items": ["q1"]}]},
    {"id": "2", "label": {"vi": "Hai", "en": "Two"}, "children": [
      {"id": "2.1", "label": {"vi": "d", "en": "d"}, "max_points": 6, "method": "appraised"},
      {"id": "2.2", "label": {"vi": "e", "en": "e"}, "max_points": 4, "method": "sipas"}]}]})";

const char* units_text =
    "unit,name,ranked\n"
    "U1,Unit one,yes\n"
    "U2,Unit two,\n"
    "U3,Unit three,yes\n"
    "U4,Unit four,YES\n"
    "U5,Special body,no\n"
    "U6,Unit six,yes\n";

// U2: 1.2 does not apply. Extra columns are ignored.
const char* appraisal_text =
    "unit,criterion,points,comment\n"
    "U1,1.1,4,\n"
    "U1,1.2,2,\n"
    "U1,2.1,5,\n"
    "U2,1.1,3,\n"
    "U2,1.2,n/a,does not apply\n"
    "U2,2.1,6,\n"
    "U3,1.1,4,\n"
    "U3,1.2,1.5,\n"
    "U3,2.1,4.5,\n"
    "U4,1.1,4,\n"
    "U4,1.2,2,\n"
    "U4,2.1,6,\n"
    "U5,1.1,4,\n"
    "U5,1.2,2,\n"
    "U5,2.1,6,\n"
    "U6,1.1,1,\n"
    "U6,1.2,1,\n"
    "U6,2.1,2,\n";

// U4's survey points make its index 83.3349: 83.33 at 2 decimals, as U3's.
constexpr double u4_survey = 1.333584;

Json estimate(const std::string& statistic, const std::string& variable, Json domain, Json value) {
  return {{"statistic", statistic}, {"variable", variable}, {"domain", domain},
          {"estimate", value},      {"se", nullptr},        {"n", 3}};
}

// Officials: par_points of 1.3 (U3 has no answers: null).
Json officials_results() {
  Json e = Json::array();
  e.push_back(estimate("par_points", "1.3", {{"target_unit", "U1"}}, 3));
  e.push_back(estimate("par_points", "1.3", {{"target_unit", "U2"}}, 4));
  e.push_back(estimate("par_points", "1.3", {{"target_unit", "U3"}}, nullptr));
  e.push_back(estimate("par_points", "1.3", {{"target_unit", "U4"}}, u4_survey));
  e.push_back(estimate("par_points", "1.3", {{"target_unit", "U5"}}, 4));
  e.push_back(estimate("par_points", "1.3", {{"target_unit", "U6"}}, 2));
  return {{"design", Json::object()}, {"estimates", e}};
}

// Citizens: the overall index by district; the whole-sample estimate, a domain
// that is no unit and another statistic are not SIPAS values of a unit.
Json citizens_results() {
  Json e = Json::array();
  e.push_back(estimate("overall_index", "overall", nullptr, 75));
  e.push_back(estimate("overall_index", "overall", {{"district", "U1"}}, 90));
  e.push_back(estimate("overall_index", "overall", {{"district", "U2"}}, 80));
  e.push_back(estimate("overall_index", "overall", {{"district", "U5"}}, 100));
  e.push_back(estimate("overall_index", "overall", {{"district", "U6"}}, 50));
  e.push_back(estimate("overall_index", "overall", {{"sex", "F"}}, 70));
  e.push_back(estimate("element_index", "E1", {{"district", "U4"}}, 60));
  return {{"design", Json::object()}, {"estimates", e}};
}

class ParIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("scheme.json", scheme_text);
    write("units.csv", units_text);
    write("appraisal.csv", appraisal_text);
    write("officials.json", officials_results().dump());
    write("citizens.json", citizens_results().dump());
  }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
    return dir_ / name;
  }
  std::filesystem::path path(const std::string& name) const { return dir_ / name; }

  ParIndexRequest request() const {
    ParIndexRequest r;
    r.scheme = path("scheme.json").string();
    r.appraisal = path("appraisal.csv");
    r.units = path("units.csv");
    r.survey = {path("officials.json"), path("citizens.json")};
    r.command_line = "sipas index ...";
    return r;
  }

  static const UnitIndex& unit(const ParIndexResult& r, const std::string& id) {
    for (const auto& u : r.units) {
      if (u.unit.id == id) return u;
    }
    throw std::runtime_error("no unit " + id);
  }

  static std::size_t unit_position(const ParIndexResult& r, const std::string& id) {
    for (std::size_t i = 0; i < r.units.size(); ++i) {
      if (r.units[i].unit.id == id) return i;
    }
    throw std::runtime_error("no unit " + id);
  }

  static std::size_t node(const ParIndexResult& r, const std::string& id) {
    for (std::size_t k = 0; k < r.scheme.nodes.size(); ++k) {
      if (r.scheme.nodes[k].id == id) return k;
    }
    throw std::runtime_error("no node " + id);
  }

  sipas::test::TempDir dir_;
};

TEST_F(ParIndexTest, IndexByHand) {
  auto r = run_par_index(request());
  // U1: 4 + 2 + 3 + 5 + 4 × 90/100 = 17.6 of 20.
  const auto& u1 = unit(r, "U1");
  EXPECT_NEAR(u1.total.points, 4 + 2 + 3 + 5 + 4 * 0.90, 1e-12);
  EXPECT_DOUBLE_EQ(u1.total.max_points, 20);
  EXPECT_NEAR(u1.total.index(), 88.0, 1e-12);
  EXPECT_NEAR(u1.nodes[node(r, "2.2")].points, 3.6, 1e-12);
  // U2: 1.2 does not apply, so every maximum above it is 2 smaller:
  // (3 + 4 + 6 + 4 × 0.8) / 18 = 16.2 / 18 = 90.
  const auto& u2 = unit(r, "U2");
  EXPECT_DOUBLE_EQ(u2.total.max_points, 18);
  EXPECT_NEAR(u2.total.index(), 100 * 16.2 / 18, 1e-12);
  EXPECT_DOUBLE_EQ(u2.nodes[node(r, "1")].max_points, 8);
  EXPECT_NEAR(u2.nodes[node(r, "1")].index(), 100 * 7.0 / 8, 1e-12);
  EXPECT_TRUE(std::isnan(u2.nodes[node(r, "1.2")].index()));
  EXPECT_FALSE(u2.rescaled);
  // U3 has no survey value at all: index = 100 × appraised / (applicable
  // max − survey max) = 100 × (4 + 1.5 + 4.5) / (20 − 8) (domain.md §2.4).
  const auto& u3 = unit(r, "U3");
  EXPECT_TRUE(u3.rescaled);
  EXPECT_THAT(u3.survey_missing, ElementsAre("1.3", "2.2"));
  EXPECT_NEAR(u3.total.points, 10, 1e-12);
  EXPECT_NEAR(u3.total.index(), 100 * 10.0 / (20 - 8), 1e-12);
  EXPECT_NEAR(u3.nodes[node(r, "1")].index(), 100 * 5.5 / 6, 1e-12);
  EXPECT_NEAR(u3.nodes[node(r, "2")].index(), 100 * 4.5 / 6, 1e-12);
  // U4 lacks only the SIPAS value: not rescaled, 4 points fewer at stake.
  const auto& u4 = unit(r, "U4");
  EXPECT_FALSE(u4.rescaled);
  EXPECT_THAT(u4.survey_missing, ElementsAre("2.2"));
  EXPECT_NEAR(u4.total.index(), 100 * (12 + u4_survey) / 16, 1e-12);
  // U5 (special body, 100) and U6 (8 of 20 = 40).
  EXPECT_NEAR(unit(r, "U5").total.index(), 100, 1e-12);
  EXPECT_NEAR(unit(r, "U6").total.index(), 40, 1e-12);
}

// What `sipas index` warns about: each survey leaf with the units it has no
// value for, in the scheme's order, the units in the result's order.
TEST_F(ParIndexTest, MissingSurveyLeavesNameTheUnitsLeafByLeaf) {
  auto r = run_par_index(request());
  ASSERT_EQ(r.survey_missing.size(), 2u);
  EXPECT_EQ(r.survey_missing[0].leaf, "1.3");
  EXPECT_EQ(r.survey_missing[0].method, IndexNode::Method::Survey);
  EXPECT_THAT(r.survey_missing[0].units, ::testing::Contains("U3"));
  EXPECT_EQ(r.survey_missing[1].leaf, "2.2");
  EXPECT_EQ(r.survey_missing[1].method, IndexNode::Method::Sipas);
  EXPECT_THAT(r.survey_missing[1].units, ::testing::IsSupersetOf({"U3", "U4"}));
  std::size_t pairs = 0, listed = 0;
  for (const auto& u : r.units)
    pairs += u.survey_missing.size();
  for (const auto& gap : r.survey_missing) {
    listed += gap.units.size();
    for (std::size_t i = 0; i < gap.units.size(); ++i) {
      EXPECT_THAT(unit(r, gap.units[i]).survey_missing, ::testing::Contains(gap.leaf));
      if (i > 0) {
        EXPECT_LT(unit_position(r, gap.units[i - 1]), unit_position(r, gap.units[i]));
      }
    }
  }
  EXPECT_EQ(listed, pairs);
  // Every value found: nothing to warn about.
  EXPECT_TRUE(missing_survey_leaves(r.scheme, {}).empty());
}

TEST_F(ParIndexTest, RanksTiesGroupsAndOrder) {
  auto r = run_par_index(request());
  std::vector<std::string> order;
  for (const auto& u : r.units)
    order.push_back(u.unit.id);
  // U2 90.00, U1 88.00, U3 83.33 = U4 83.33 (83.3333 and 83.3349), U6 40;
  // U5 is not ranked and comes last, whatever its index.
  EXPECT_THAT(order, ElementsAre("U2", "U1", "U3", "U4", "U6", "U5"));
  EXPECT_EQ(unit(r, "U2").rank, 1);
  EXPECT_EQ(unit(r, "U1").rank, 2);
  EXPECT_EQ(unit(r, "U3").rank, 3);
  EXPECT_EQ(unit(r, "U4").rank, 3);
  EXPECT_EQ(unit(r, "U6").rank, 5);
  EXPECT_EQ(unit(r, "U5").rank, std::nullopt);
  EXPECT_EQ(unit(r, "U2").group, "A");  // 90.00 >= 90
  EXPECT_EQ(unit(r, "U1").group, "B");
  EXPECT_EQ(unit(r, "U4").group, "B");
  EXPECT_EQ(unit(r, "U6").group, std::nullopt);  // below every threshold
  EXPECT_EQ(unit(r, "U5").group, std::nullopt);  // not ranked
  EXPECT_FALSE(unit(r, "U5").unit.ranked);
  EXPECT_EQ(unit(r, "U5").unit.name, "Special body");
}

TEST_F(ParIndexTest, TiesDependOnThePublishedPrecision) {
  auto req = request();
  req.precision = 3;  // 83.333 and 83.335 differ
  auto r = run_par_index(req);
  EXPECT_EQ(unit(r, "U4").rank, 3);
  EXPECT_EQ(unit(r, "U3").rank, 4);
  EXPECT_EQ(unit(r, "U6").rank, 5);
  req.precision = 0;  // 90 and 88 differ, 83 = 83
  r = run_par_index(req);
  EXPECT_EQ(unit(r, "U3").rank, 3);
  EXPECT_EQ(unit(r, "U4").rank, 3);
}

TEST_F(ParIndexTest, ThresholdsAreConfigurable) {
  auto req = request();
  req.thresholds = std::vector<GroupThreshold>{{"Tốt", 85}, {"Khá", 40}};
  auto r = run_par_index(req);
  EXPECT_EQ(unit(r, "U2").group, "Tốt");
  EXPECT_EQ(unit(r, "U1").group, "Tốt");
  EXPECT_EQ(unit(r, "U3").group, "Khá");
  EXPECT_EQ(unit(r, "U6").group, "Khá");  // 40.00 >= 40
}

TEST(PublishedIndexTest, RoundsHalfUpFromTheDecimalValue) {
  EXPECT_EQ(published(83.3349, 2), 83.33);
  EXPECT_EQ(published(100 * 13.3336 / 16, 2), 83.34);  // 83.335
  EXPECT_EQ(published(100 * 16.999 / 20, 2), 85.0);    // 84.995
  EXPECT_EQ(published_key(99.995, 2), 10000);
  EXPECT_EQ(published_key(89.994999, 2), 8999);
  EXPECT_EQ(published(72.45, 1), 72.5);
  EXPECT_EQ(published(72.44, 0), 72);
}

TEST_F(ParIndexTest, WithoutAUnitsFileTheUnitsAreTheAppraisals) {
  auto req = request();
  req.units.reset();
  auto r = run_par_index(req);
  ASSERT_EQ(r.units.size(), 6u);
  EXPECT_EQ(unit(r, "U5").rank, 1);  // ranked now: 100
  EXPECT_EQ(unit(r, "U5").unit.name, "U5");
  EXPECT_FALSE(r.units_file.has_value());
}

TEST_F(ParIndexTest, WithoutSurveyFilesEveryUnitIsRescaled) {
  auto req = request();
  req.survey.clear();
  auto r = run_par_index(req);
  for (const auto& u : r.units)
    EXPECT_TRUE(u.rescaled) << u.unit.id;
  // U1: 11 appraised of 12.
  EXPECT_NEAR(unit(r, "U1").total.index(), 100 * 11.0 / 12, 1e-12);
}

TEST_F(ParIndexTest, JsonAndCsvShapes) {
  auto r = run_par_index(request());
  auto j = par_index_json(r);
  EXPECT_EQ(j["format"], "sipas-par-index-result/1");
  EXPECT_EQ(j["scheme"]["id"], "small");
  EXPECT_EQ(j["scheme"]["survey_max"], 8.0);
  EXPECT_EQ(j["thresholds"][0]["group"], "A");
  EXPECT_EQ(j["precision"], 2);
  EXPECT_EQ(j["inputs"]["units"]["path"], path("units.csv").string());
  EXPECT_EQ(j["inputs"]["survey"].size(), 2u);
  EXPECT_EQ(j["inputs"]["appraisal"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["command_line"], "sipas index ...");
  ASSERT_EQ(j["nodes"].size(), 7u);
  EXPECT_EQ(j["nodes"][0]["id"], "1");
  EXPECT_TRUE(j["nodes"][0]["parent"].is_null());
  EXPECT_TRUE(j["nodes"][0]["method"].is_null());
  EXPECT_EQ(j["nodes"][1]["parent"], "1");
  EXPECT_EQ(j["nodes"][1]["depth"], 1);
  EXPECT_EQ(j["nodes"][3]["method"], "survey");
  EXPECT_EQ(j["nodes"][6]["method"], "sipas");
  EXPECT_EQ(j["units"][0]["unit"], "U2");
  EXPECT_EQ(j["units"][0]["group"], "A");
  EXPECT_TRUE(j["units"][0]["nodes"]["1.2"]["index"].is_null());
  EXPECT_EQ(j["units"][0]["nodes"]["1"]["max_points"], 8.0);
  EXPECT_TRUE(j["units"][5]["rank"].is_null());
  EXPECT_THAT(j["units"][2]["survey_missing"].get<std::vector<std::string>>(),
              ElementsAre("1.3", "2.2"));
  EXPECT_EQ(j["units"][2]["rescaled"], true);

  write("out.csv", par_index_csv(r));
  sipas::io::CsvReader csv(path("out.csv"));
  EXPECT_THAT(csv.header(),
              ElementsAre("unit", "name", "points", "max_points", "index", "rank", "group",
                          "rescaled", "survey_missing", "index_1", "index_2"));
  ASSERT_TRUE(csv.next());
  EXPECT_EQ(csv.field(0), "U2");
  EXPECT_NEAR(std::stod(std::string(csv.field(4))), 90, 1e-12);
  EXPECT_EQ(csv.field(5), "1");
  EXPECT_EQ(csv.field(9), "87.5");
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(csv.next());
  EXPECT_EQ(csv.field(0), "U3");
  EXPECT_EQ(csv.field(7), "true");
  EXPECT_EQ(csv.field(8), "1.3;2.2");
  EXPECT_EQ(csv.field(10), "75");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(csv.next());
  EXPECT_EQ(csv.field(0), "U5");
  EXPECT_EQ(csv.field(5), "");
  EXPECT_EQ(csv.field(6), "");
}

// ---------------------------------------------------------------------------
// Errors: the exact id, and the file and line.

struct BadInput {
  std::string name;
  std::string file;  // which input file is replaced
  std::string text;
  std::string id;
  std::string message;
};

class ParIndexInputErrorTest : public ParIndexTest,
                               public ::testing::WithParamInterface<BadInput> {};

TEST_P(ParIndexInputErrorTest, IsNamed) {
  write(GetParam().file, GetParam().text);
  try {
    run_par_index(request());
    FAIL() << "accepted";
  } catch (const sipas::Error& e) {
    EXPECT_EQ(e.id(), GetParam().id);
    EXPECT_THAT(e.what(), HasSubstr(GetParam().message));
  }
}

std::string appraisal_with(const std::string& replaced, const std::string& by) {
  std::string text = appraisal_text;
  const auto at = text.find(replaced);
  if (at == std::string::npos) throw std::logic_error(replaced);
  return text.replace(at, replaced.size(), by);
}

std::string results_with(const Json& extra) {
  Json doc = officials_results();
  doc["estimates"].push_back(extra);
  return doc.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ParIndexInputErrorTest,
    ::testing::Values(
        BadInput{"UnknownUnit", "appraisal.csv", appraisal_with("U6,2.1,2", "U9,2.1,2"),
                 "index.unknown_unit", "appraisal.csv:19: unit 'U9' is not in the units file"},
        BadInput{"UnknownCriterion", "appraisal.csv", appraisal_with("U1,1.2,2", "U1,1.9,2"),
                 "index.unknown_criterion",
                 "appraisal.csv:3: criterion '1.9' is not in scheme 'small'"},
        BadInput{"SurveyLeafAppraised", "appraisal.csv",
                 appraisal_text + std::string("U1,1.3,2,\n"), "index.not_appraised",
                 "appraisal.csv:20: criterion '1.3' is not an appraised leaf (it is a survey leaf"},
        BadInput{"InnerNodeAppraised", "appraisal.csv", appraisal_text + std::string("U1,1,8,\n"),
                 "index.not_appraised",
                 "appraisal.csv:20: criterion '1' is not an appraised leaf (it has sub-criteria"},
        BadInput{"NegativePoints", "appraisal.csv", appraisal_with("U1,1.1,4", "U1,1.1,-0.5"),
                 "index.points_out_of_range",
                 "appraisal.csv:2: points -0.5 for '1.1' must be between 0 and its maximum 4"},
        BadInput{"PointsAboveMax", "appraisal.csv", appraisal_with("U2,2.1,6", "U2,2.1,6.25"),
                 "index.points_out_of_range",
                 "appraisal.csv:7: points 6.25 for '2.1' must be between 0 and its maximum 6"},
        BadInput{"TooManyFields", "appraisal.csv", appraisal_with("U1,1.1,4", "U1,1.1,4,5"),
                 "csv.field_count", "appraisal.csv:2"},
        BadInput{"NonNumeric", "appraisal.csv", appraisal_with("U1,1.1,4", "U1,1.1,four"),
                 "index.invalid_points", "appraisal.csv:2: points 'four' is not a number"},
        BadInput{"DecimalComma", "appraisal.csv", appraisal_with("U3,1.2,1.5", "U3,1.2,\"1,5\""),
                 "index.invalid_points", "appraisal.csv:9: points '1,5' is not a number"},
        BadInput{"Duplicate", "appraisal.csv", appraisal_text + std::string("U2,1.1,2,\n"),
                 "index.duplicate_row",
                 "appraisal.csv:20: unit 'U2', criterion '1.1' appears twice (first at "
                 "appraisal.csv:5)"},
        BadInput{"MissingRow", "appraisal.csv", appraisal_with("U6,1.2,1,\n", ""),
                 "index.missing_appraisal",
                 "appraisal.csv: unit 'U6' has no row for appraised criterion '1.2'"},
        BadInput{"UnitWithoutRows", "units.csv", units_text + std::string("U7,Unit seven,yes\n"),
                 "index.missing_appraisal",
                 "appraisal.csv: unit 'U7' has no row for appraised criterion '1.1'"},
        BadInput{"MissingColumn", "appraisal.csv", "unit,criterion,score\nU1,1.1,4\n",
                 "csv.missing_column", "no column 'points'"},
        BadInput{"EmptyUnit", "appraisal.csv", appraisal_with("U1,1.1,4", ",1.1,4"),
                 "index.empty_field", "appraisal.csv:2: unit is empty"},
        BadInput{"DuplicateUnit", "units.csv", units_text + std::string("U1,Again,yes\n"),
                 "index.duplicate_unit", "units.csv:8: unit 'U1' appears twice"},
        BadInput{"BadRanked", "units.csv", "unit,name,ranked\nU1,One,maybe\n",
                 "index.invalid_ranked", "units.csv:2: ranked must be yes or no, not 'maybe'"},
        BadInput{"SurveyUnitNotListed", "officials.json",
                 results_with(estimate("par_points", "1.3", {{"target_unit", "U9x"}}, 1)),
                 "index.unknown_unit", "officials.json: unit 'U9x' is not in units.csv"},
        BadInput{"SurveyPointsAboveMax", "officials.json",
                 [] {
                   Json doc = officials_results();
                   doc["estimates"][0]["estimate"] = 4.001;
                   return doc.dump();
                 }(),
                 "index.survey_out_of_range",
                 "officials.json: estimates[0]: par_points of '1.3' for unit 'U1' gives 4.001 "
                 "points, outside 0 to the leaf's maximum 4"},
        BadInput{"SipasAbove100", "citizens.json",
                 [] {
                   Json doc = citizens_results();
                   doc["estimates"][1]["estimate"] = 100.5;
                   return doc.dump();
                 }(),
                 "index.survey_out_of_range",
                 "citizens.json: estimates[1]: overall_index 100.5 for unit 'U1' is not a "
                 "percentage"},
        BadInput{"PointsOfAnAppraisedLeaf", "officials.json",
                 results_with(estimate("par_points", "1.1", {{"target_unit", "U1"}}, 1)),
                 "index.unknown_criterion",
                 "officials.json: estimates[6]: par_points of '1.1', which is not a survey leaf "
                 "of scheme 'small'"},
        BadInput{"TwiceTheSameValue", "citizens.json",
                 [] {
                   Json doc = citizens_results();
                   doc["estimates"].push_back(
                       estimate("overall_index", "overall", {{"department", "U2"}}, 70));
                   return doc.dump();
                 }(),
                 "index.duplicate_survey",
                 "citizens.json: estimates[7]: a second value of leaf '2.2' for unit 'U2' (first "
                 "at citizens.json: estimates[2])"},
        BadInput{"TwoFilesSameLeaf", "citizens.json", officials_results().dump(),
                 "index.duplicate_survey",
                 "citizens.json: estimates[0]: a second value of leaf '1.3' for unit 'U1' (first "
                 "at officials.json: estimates[0])"},
        BadInput{"NotJson", "officials.json", "{\"estimates\": [", "index.invalid_survey",
                 "officials.json: not valid JSON"},
        // nlohmann's out_of_range, not a parse_error: it used to escape untyped.
        BadInput{"NumberBeyondADouble", "officials.json", "{\"estimates\": [1e400]}",
                 "index.invalid_survey",
                 "officials.json: not valid JSON (number overflow parsing '1e400')"},
        BadInput{"NotAResultsFile", "officials.json", "{\"units\": []}", "index.invalid_survey",
                 "officials.json: no \"estimates\" array"}),
    [](const ::testing::TestParamInfo<BadInput>& p) { return p.param.name; });

TEST_F(ParIndexTest, SipasDomainColumnsRestrictTheSearch) {
  Json scheme = Json::parse(scheme_text);
  scheme["areas"][1]["children"][1]["domain_columns"] = {"district"};
  write("scheme.json", scheme.dump());
  Json citizens = citizens_results();
  // A department column is not looked at: no duplicate for U2.
  citizens["estimates"].push_back(estimate("overall_index", "overall", {{"department", "U2"}}, 1));
  write("citizens.json", citizens.dump());
  auto r = run_par_index(request());
  EXPECT_NEAR(unit(r, "U2").nodes[node(r, "2.2")].points, 4 * 0.8, 1e-12);
  // In a named column, a level that is no unit is an error.
  citizens["estimates"].push_back(estimate("overall_index", "overall", {{"district", "D9"}}, 1));
  write("citizens.json", citizens.dump());
  try {
    run_par_index(request());
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "index.unknown_unit");
    EXPECT_THAT(e.what(), HasSubstr("citizens.json: unit 'D9' is not in units.csv"));
  }
}

}  // namespace
