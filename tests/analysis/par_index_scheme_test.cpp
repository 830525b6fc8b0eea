// The PAR index scheme format (sipas-par-index/1) and the shipped schemes.

#include "analysis/par_index_scheme.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analysis/error.hpp"
#include "analysis/standard_schemes.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/standard_forms.hpp"

namespace {

using namespace sipas::analysis;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// A small scheme: area 1 with an appraised criterion of two sub-criteria and
// a survey leaf; area 2 with an appraised leaf and a SIPAS leaf.
Json small_scheme() {
  return Json::parse(R"({
    "format": "sipas-par-index/1", "id": "small", "decision": "1/QĐ-X", "year": 2024,
    "level": "province", "title": {"vi": "Nhỏ", "en": "Small"},
    "survey": {"unit_column": "target_unit", "group_column": "respondent_group",
               "group_weights": {"hdnd": 2, "lead_dept": 1},
               "conversion": {"method": "linear", "low": 1, "high": 5}, "excluded_codes": [9]},
    "areas": [
      {"id": "1", "label": {"vi": "Một", "en": "One"}, "max_points": 10, "children": [
        {"id": "1.1", "label": {"vi": "a", "en": "a"}, "max_points": 6, "children": [
          {"id": "1.1.1", "label": {"vi": "b", "en": "b"}, "max_points": 2.5, "method": "appraised"},
          {"id": "1.1.2", "label": {"vi": "c", "en": "c"}, "max_points": 3.5, "method": "appraised"}]},
        {"id": "1.2", "label": {"vi": "d", "en": "d"}, "max_points": 4, "method": "survey",
         "items": ["q1", "q2"], "groups": ["hdnd", "lead_dept"]}]},
      {"id": "2", "label": {"vi": "Hai", "en": "Two"}, "children": [
        {"id": "2.1", "label": {"vi": "e", "en": "e"}, "max_points": 7, "method": "appraised"},
        {"id": "2.2", "label": {"vi": "f", "en": "f"}, "max_points": 3, "method": "sipas"}]}]})");
}

IndexScheme parse(const Json& doc) {
  return parse_index_scheme(doc.dump(), "small.json");
}

TEST(ParIndexSchemeTest, TreeInPreOrderWithSummedMaxima) {
  auto s = parse(small_scheme());
  EXPECT_EQ(s.id, "small");
  EXPECT_EQ(s.decision, "1/QĐ-X");
  EXPECT_EQ(s.year, 2024);
  EXPECT_EQ(s.title.vi, "Nhỏ");
  std::vector<std::string> ids;
  for (const auto& n : s.nodes)
    ids.push_back(n.id);
  EXPECT_THAT(ids, ::testing::ElementsAre("1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "2.1", "2.2"));
  EXPECT_EQ(s.nodes[2].depth, 2);
  EXPECT_EQ(s.nodes[s.nodes[2].parent].id, "1.1");
  EXPECT_EQ(s.nodes[0].parent, IndexNode::no_parent);
  // Area 2 states no maximum: 7 + 3.
  EXPECT_DOUBLE_EQ(s.find("2")->max_points, 10);
  EXPECT_DOUBLE_EQ(s.find("1.1")->max_points, 6);
  EXPECT_DOUBLE_EQ(s.max_points(), 20);
  EXPECT_DOUBLE_EQ(s.survey_max(), 4 + 3);
  // Defaults: A/B/C at 90/80/70, 2 decimals, SIPAS leaf on the overall index.
  ASSERT_EQ(s.thresholds.size(), 3u);
  EXPECT_EQ(s.thresholds[1].group, "B");
  EXPECT_EQ(s.thresholds[1].min, 80);
  EXPECT_EQ(s.precision, 2);
  EXPECT_EQ(s.find("2.2")->statistic, "overall_index");
  EXPECT_EQ(s.find("2.2")->variable, "overall");
}

TEST(ParIndexSchemeTest, SurveyLeavesAreAParSurveyScheme) {
  const std::string text = small_scheme().dump();
  auto s = parse_index_scheme(text, "small.json");
  ParScheme p = survey_part(s);
  EXPECT_EQ(p.unit_column, "target_unit");
  EXPECT_EQ(p.group_weights.at("hdnd"), 2);
  EXPECT_EQ(p.conversion.excluded, std::vector<std::string>{"9"});
  ASSERT_EQ(p.criteria.size(), 1u);
  EXPECT_EQ(p.criteria[0].id, "1.2");
  EXPECT_EQ(p.criteria[0].max_points, 4);
  EXPECT_THAT(p.criteria[0].items, ::testing::ElementsAre("q1", "q2"));
  // `sipas analyze --scheme` reads either format through parse_par_scheme.
  ParScheme q = parse_par_scheme(text, "small.json");
  ASSERT_EQ(q.criteria.size(), 1u);
  EXPECT_EQ(q.criteria[0].id, "1.2");
  EXPECT_EQ(q.group_weights, p.group_weights);
}

TEST(ParIndexSchemeTest, AnIndexSchemeWithoutSurveyLeavesGivesAnalyzeNothing) {
  Json doc = small_scheme();
  doc["areas"][0]["children"].erase(1);
  doc["areas"][1]["children"].erase(1);
  doc["areas"][0].erase("max_points");
  try {
    parse_par_scheme(doc.dump(), "small.json");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "scheme.no_survey_leaves");
  }
}

struct BadScheme {
  std::string name;
  std::function<void(Json&)> change;
  std::string message;
};

class ParIndexSchemeErrorTest : public ::testing::TestWithParam<BadScheme> {};

TEST_P(ParIndexSchemeErrorTest, NamesTheJsonPath) {
  Json doc = small_scheme();
  GetParam().change(doc);
  try {
    parse(doc);
    FAIL() << "accepted";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "scheme.invalid");
    EXPECT_EQ(std::string(e.what()), "small.json: " + GetParam().message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ParIndexSchemeErrorTest,
    ::testing::Values(
        BadScheme{"LeafMaxZero", [](Json& d) { d["areas"][1]["children"][0]["max_points"] = 0; },
                  "areas[1].children[0].max_points: must be > 0"},
        BadScheme{"LeafWithoutMax",
                  [](Json& d) { d["areas"][1]["children"][0].erase("max_points"); },
                  "areas[1].children[0].max_points: a leaf needs its maximum points"},
        BadScheme{"InnerMaxNotTheSum", [](Json& d) { d["areas"][0]["max_points"] = 11; },
                  "areas[0].max_points: is 11 but its children sum to 10"},
        BadScheme{"NestedInnerMaxNotTheSum",
                  [](Json& d) { d["areas"][0]["children"][0]["max_points"] = 5.5; },
                  "areas[0].children[0].max_points: is 5.5 but its children sum to 6"},
        BadScheme{"DuplicateId", [](Json& d) { d["areas"][1]["children"][1]["id"] = "1.1.2"; },
                  "areas[1].children[1].id: '1.1.2' appears twice (first at "
                  "areas[0].children[0].children[1].id)"},
        BadScheme{"UnknownMethod",
                  [](Json& d) { d["areas"][1]["children"][0]["method"] = "guessed"; },
                  "areas[1].children[0].method: a leaf's method must be \"appraised\", "
                  "\"survey\" or \"sipas\""},
        BadScheme{"SurveyLeafWithoutItems",
                  [](Json& d) { d["areas"][0]["children"][1].erase("items"); },
                  "areas[0].children[1].items: must name at least one"},
        BadScheme{"AppraisedLeafWithItems",
                  [](Json& d) { d["areas"][1]["children"][0]["items"] = {"q1"}; },
                  "areas[1].children[0].items: an appraised leaf takes its points from the "
                  "appraisal file"},
        BadScheme{"InnerNodeWithMethod", [](Json& d) { d["areas"][0]["method"] = "survey"; },
                  "areas[0].method: only a leaf (a node without children) has this field"},
        BadScheme{"EmptyChildren", [](Json& d) { d["areas"][1]["children"] = Json::array(); },
                  "areas[1].children: must be a non-empty array (leave it out for a leaf)"},
        BadScheme{"UnknownField", [](Json& d) { d["areas"][0]["colour"] = "red"; },
                  "areas[0].colour: unknown field"},
        BadScheme{"MissingLabelLanguage", [](Json& d) { d["areas"][1]["label"].erase("en"); },
                  "areas[1].label.en: must be a non-empty text"},
        BadScheme{"WrongFormat", [](Json& d) { d["format"] = "sipas-par-index/2"; },
                  "format: must be \"sipas-par-index/1\""},
        BadScheme{"BadLevel", [](Json& d) { d["level"] = "commune"; },
                  "level: must be \"province\" or \"ministry\""},
        BadScheme{"BadYear", [](Json& d) { d["year"] = "2024"; },
                  "year: must be a year such as 2022"},
        BadScheme{"NoAreas", [](Json& d) { d["areas"] = Json::array(); },
                  "areas: must be a non-empty array of areas"},
        BadScheme{"GroupWithoutWeight",
                  [](Json& d) { d["areas"][0]["children"][1]["groups"].push_back("citizen"); },
                  "areas[0].children[1].groups: group 'citizen' has no weight in "
                  "survey.group_weights"},
        BadScheme{"BadConversion",
                  [](Json& d) { d["survey"]["conversion"]["method"] = "quadratic"; },
                  "survey.conversion.method: must be linear, top_box or table"},
        BadScheme{"LinearLowAboveHigh", [](Json& d) { d["survey"]["conversion"]["low"] = 6; },
                  "survey.conversion: linear needs low < high"},
        BadScheme{"NegativeGroupWeight", [](Json& d) { d["survey"]["group_weights"]["hdnd"] = -1; },
                  "survey.group_weights.hdnd: must be a number >= 0"},
        BadScheme{"UnknownSurveyField", [](Json& d) { d["survey"]["weights"] = 1; },
                  "survey.weights: unknown field"},
        BadScheme{"ThresholdsNotDecreasing",
                  [](Json& d) {
                    d["thresholds"] = Json::parse(R"([{"group": "A", "min": 80},
                                                      {"group": "B", "min": 85}])");
                  },
                  "thresholds[1]: minima must decrease: 85 is not below 80"},
        BadScheme{"ThresholdAbove100",
                  [](Json& d) { d["thresholds"] = Json::parse(R"([{"group": "A", "min": 101}])"); },
                  "thresholds[0]: min must be between 0 and 100"},
        BadScheme{"PrecisionTooFine", [](Json& d) { d["precision"] = 7; },
                  "precision: must be a whole number of decimals from 0 to 6"},
        BadScheme{"SipasElementWithoutVariable",
                  [](Json& d) { d["areas"][1]["children"][1]["statistic"] = "element_index"; },
                  "areas[1].children[1].variable: name the estimate's variable (e.g. an element "
                  "id)"}),
    [](const ::testing::TestParamInfo<BadScheme>& p) { return p.param.name; });

TEST(ParIndexSchemeTest, NotJson) {
  try {
    parse_index_scheme("{\"format\": ", "broken.json");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "scheme.invalid");
    EXPECT_THAT(e.what(), HasSubstr("broken.json: not valid JSON"));
  }
}

// nlohmann reports a number past a double's range as out_of_range, not as a
// parse_error: it escaped as an untyped exception.
TEST(ParIndexSchemeTest, ANumberBeyondADoubleIsInvalidJson) {
  try {
    parse_index_scheme(R"({"format": "sipas-par-index/1", "year": 41e308})", "broken.json");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "scheme.invalid");
    EXPECT_EQ(std::string(e.what()),
              "broken.json: not valid JSON (number overflow parsing '41e308')");
  }
}

TEST(ParIndexSchemeTest, ThresholdsOption) {
  auto t = parse_thresholds("A=95,B=85.5,C=70");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].group, "A");
  EXPECT_EQ(t[0].min, 95);
  EXPECT_EQ(t[1].min, 85.5);
  EXPECT_TRUE(parse_thresholds("none").empty());
  for (const std::string bad : {"A=90,B=95", "A", "A=x", "A=90,A=80", "A=120", "=90"}) {
    try {
      parse_thresholds(bad);
      FAIL() << bad;
    } catch (const AnalysisError& e) {
      EXPECT_EQ(e.id(), "index.invalid_thresholds") << bad;
      EXPECT_THAT(e.what(), HasSubstr("`thresholds` " + bad)) << bad;
    }
  }
}

// ---------------------------------------------------------------------------
// The shipped schemes.

const sipas::questionnaires::Questionnaire& officials() {
  static const auto q = [] {
    const auto* file = sipas::questionnaires::find_standard_file("forms/par-officials.json");
    if (!file) throw std::runtime_error("par-officials.json is not embedded");
    return sipas::questionnaires::load_questionnaire(file->content, "par-officials.json");
  }();
  return q;
}

IndexScheme shipped(const std::string& name) {
  const auto* file = find_standard_scheme(name);
  if (!file) throw std::runtime_error(name + " is not embedded");
  return parse_index_scheme(std::string(file->content), name + ".json");
}

TEST(ShippedSchemesTest, BothAreEmbeddedAndFoundByName) {
  std::set<std::string> names;
  for (const auto& f : standard_schemes())
    names.insert(scheme_short_name(f));
  EXPECT_EQ(names, (std::set<std::string>{"par-ministry-876", "par-province-876"}));
  EXPECT_NE(find_standard_scheme("par-province-876.json"), nullptr);
  EXPECT_NE(find_standard_scheme("schemes/par-ministry-876.json"), nullptr);
  EXPECT_EQ(find_standard_scheme("par-province-2948"), nullptr);
  auto source = read_scheme_source("par-province-876");
  EXPECT_EQ(source.path, "embedded:par-province-876");
  EXPECT_EQ(source.sha256.size(), 64u);
  try {
    read_scheme_source("no-such-scheme");
    FAIL();
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.id(), "scheme.not_found");
    EXPECT_THAT(e.what(), HasSubstr("par-ministry-876, par-province-876"));
  }
}

TEST(ShippedSchemesTest, ProvinceTotalsAndSurveyShareOf876) {
  auto s = shipped("par-province-876");
  EXPECT_EQ(s.decision, "876/QĐ-BNV");
  EXPECT_EQ(s.level, "province");
  EXPECT_DOUBLE_EQ(s.max_points(), 100);
  EXPECT_DOUBLE_EQ(s.survey_max(), 32);  // domain.md §2.1
  // The eight areas of domain.md §2.2 at the 2948 maxima of §2.3 (which total 100).
  std::vector<double> areas;
  for (const auto& n : s.nodes) {
    if (n.depth == 0) areas.push_back(n.max_points);
  }
  EXPECT_THAT(areas, ::testing::ElementsAre(10, 10, 14.5, 11, 16, 7, 16, 15.5));
  // Area 8 holds the one SIPAS leaf, on the overall index.
  std::vector<const IndexNode*> sipas;
  for (const auto& n : s.nodes) {
    if (n.method == IndexNode::Method::Sipas) sipas.push_back(&n);
  }
  ASSERT_EQ(sipas.size(), 1u);
  EXPECT_EQ(sipas[0]->statistic, "overall_index");
  const IndexNode* area = sipas[0];
  while (area->parent != IndexNode::no_parent)
    area = &s.nodes[area->parent];
  EXPECT_EQ(area->id, "8");
  EXPECT_EQ(s.notes.size(), 4u);
  EXPECT_THAT(s.notes[0], HasSubstr("2948"));
}

TEST(ShippedSchemesTest, MinistryTotalsAndSurveyShareOf876) {
  auto s = shipped("par-ministry-876");
  EXPECT_EQ(s.level, "ministry");
  EXPECT_DOUBLE_EQ(s.max_points(), 100);
  EXPECT_DOUBLE_EQ(s.survey_max(), 31.5);  // domain.md §2.1
  // The first seven areas, 2948's maxima × 100/84.5 rounded to whole points.
  const std::vector<double> table_2948 = {10, 10, 14.5, 11, 16, 7, 16};
  std::vector<double> areas;
  for (const auto& n : s.nodes) {
    if (n.depth == 0) areas.push_back(n.max_points);
  }
  ASSERT_EQ(areas.size(), 7u);
  for (std::size_t i = 0; i < areas.size(); ++i)
    EXPECT_NEAR(areas[i], table_2948[i] * 100 / 84.5, 0.5) << "area " << i + 1;
  for (const auto& n : s.nodes)
    EXPECT_NE(n.method, IndexNode::Method::Sipas) << "ministries have no impact area";
}

class ShippedSurveyLeavesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedSurveyLeavesTest, NameItemsAndGroupsOfTheOfficialsQuestionnaire) {
  auto s = shipped(GetParam());
  const auto& q = officials();
  const auto* groups_item = q.find("respondent_group");
  ASSERT_NE(groups_item, nullptr);
  std::set<std::string> group_codes;
  for (const auto& c : groups_item->scale->choices)
    group_codes.insert(c.code.to_string());
  std::map<std::string, int> used;
  for (const auto& n : s.nodes) {
    if (n.method != IndexNode::Method::Survey) continue;
    for (const auto& item : n.items) {
      const auto* found = q.find(item);
      ASSERT_NE(found, nullptr) << n.id << ": " << item;
      EXPECT_TRUE(found->is_matrix_row()) << item;
      ASSERT_TRUE(found->scoring.has_value()) << item;
      ++used[item];
    }
    EXPECT_FALSE(n.groups.empty()) << n.id;
    for (const auto& g : n.groups)
      EXPECT_TRUE(group_codes.contains(g)) << n.id << ": group " << g;
  }
  // Every scored row of the areas the scheme has is used once.
  std::map<std::string, int> expected;
  const int areas = GetParam() == "par-province-876" ? 8 : 7;
  for (const auto& item : q.items()) {
    if (!item.is_matrix_row() || !item.scoring) continue;
    if (item.id[1] - '0' <= areas) expected[item.id] = 1;
  }
  EXPECT_EQ(used, expected);
  EXPECT_EQ(used.size(), GetParam() == "par-province-876" ? 15u : 14u);
  // The survey settings match the questionnaire: target_unit and
  // respondent_group are its columns, 9 its "don't know".
  EXPECT_NE(q.find(s.survey.unit_column), nullptr);
  EXPECT_NE(q.find(s.survey.group_column), nullptr);
  EXPECT_EQ(s.survey.conversion.excluded, std::vector<std::string>{"9"});
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedSurveyLeavesTest,
                         ::testing::Values("par-province-876", "par-ministry-876"),
                         [](const auto& p) {
                           return p.param == "par-province-876" ? "Province" : "Ministry";
                         });

}  // namespace
