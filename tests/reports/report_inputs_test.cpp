// The report's inputs are checked field by field: each error has a stable id
// and names the file and the field (or the line of a JSON syntax error).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "questionnaires/questionnaire.hpp"
#include "reports/error.hpp"
#include "reports/language.hpp"
#include "reports/report.hpp"

namespace {

using namespace sipas::reports;
using Json = nlohmann::json;

// The error a call throws: its id and message.
std::pair<std::string, std::string> error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const sipas::Error& e) {
    return {e.id(), e.what()};
  }
  return {"(none)", ""};
}

Json minimal_results() {
  return Json::parse(R"({
    "design": {"kind": "linearization", "rows": 10, "df": 9, "level": 0.95,
               "inputs": {"questionnaire": {"file": "q.json", "id": "sipas-short", "version": "2024.1"}}},
    "estimates": [
      {"statistic": "overall_index", "variable": "overall", "domain": null, "estimate": 80,
       "se": 2, "ci_low": 76, "ci_high": 84, "n": 10, "weighted_n": 10},
      {"statistic": "overall_index", "variable": "overall", "domain": {"district": "H01"},
       "estimate": 70, "se": 2, "ci_low": 66, "ci_high": 74, "n": 5, "weighted_n": 5}
    ]})");
}

std::pair<std::string, std::string> results_error(const Json& doc) {
  return error_of([&] { parse_results(doc.dump(), "results.json"); });
}

TEST(ReportInputsTest, SyntaxErrorsNameTheLine) {
  const auto [id, message] = error_of(
      [] { parse_results("{\n  \"design\": {},\n  \"estimates\": [,]\n}", "results.json"); });
  EXPECT_EQ(id, "report.invalid_json");
  EXPECT_THAT(message, ::testing::StartsWith("results.json:3: not valid JSON"));
}

// nlohmann reports a number past a double's range as out_of_range, not as a
// parse_error: it escaped the reader as an untyped exception.
TEST(ReportInputsTest, ANumberBeyondADoubleIsInvalidJson) {
  const auto [id, message] =
      error_of([] { parse_results(R"({"design": {}, "estimates": [1e400]})", "results.json"); });
  EXPECT_EQ(id, "report.invalid_json");
  EXPECT_EQ(message, "results.json: not valid JSON (number overflow parsing '1e400')");
}

TEST(ReportInputsTest, ResultsFieldsAreCheckedByPath) {
  Json doc = minimal_results();
  doc["estimates"][1]["ci_low"] = "66";
  EXPECT_EQ(
      results_error(doc),
      std::make_pair(std::string("report.invalid_field"),
                     std::string("results.json: estimates[1].ci_low: expected a number or null")));
  doc = minimal_results();
  doc["design"].erase("level");
  EXPECT_EQ(results_error(doc).second, "results.json: design.level: missing");
  doc = minimal_results();
  doc["design"]["level"] = 95;
  EXPECT_EQ(results_error(doc).second,
            "results.json: design.level: expected a level between 0 and 1");
  doc = minimal_results();
  doc["estimates"][0]["ci_low"] = 90;
  EXPECT_EQ(results_error(doc).second, "results.json: estimates[0]: ci_low is above ci_high");
  doc = minimal_results();
  doc["estimates"][1]["domain"] = "H01";
  EXPECT_EQ(results_error(doc).second,
            "results.json: estimates[1].domain: expected an object {column: level} or null");
  doc = minimal_results();
  doc.erase("estimates");
  EXPECT_EQ(results_error(doc).second, "results.json: estimates: missing");
  EXPECT_EQ(error_of([] { parse_results("[1, 2]", "results.json"); }).second,
            "results.json: (document): expected a JSON object");
}

TEST(ReportInputsTest, DomainsMayBeWrittenAsPairs) {
  Json doc = minimal_results();
  doc["estimates"][1]["domain"] = Json::array({Json::array({"district", "H01"})});
  const ResultsFile r = parse_results(doc.dump(), "results.json");
  ASSERT_EQ(r.estimates[1].domain.size(), 1u);
  EXPECT_EQ(r.estimates[1].domain[0], std::make_pair(std::string("district"), std::string("H01")));
}

TEST(ReportInputsTest, ParIndexFieldsAreChecked) {
  const std::string good = R"({"format": "sipas-par-index-result/1", "scheme": {"id": "x"},
      "thresholds": [{"group": "A", "min": 90}], "precision": 2, "nodes": [],
      "units": [{"unit": "H01", "points": 50, "max_points": 100, "index": 50, "rank": 1,
                 "group": null}]})";
  EXPECT_NO_THROW(parse_par_index(good, "par.json"));
  Json doc = Json::parse(good);
  doc["format"] = "sipas-par-index/2";
  EXPECT_EQ(error_of([&] { parse_par_index(doc.dump(), "par.json"); }),
            std::make_pair(std::string("report.invalid_format"),
                           std::string("par.json: format: expected \"sipas-par-index-result/1\"")));
  doc = Json::parse(good);
  doc["units"][0]["rank"] = 0;
  EXPECT_EQ(error_of([&] { parse_par_index(doc.dump(), "par.json"); }).second,
            "par.json: units[0].rank: expected a rank from 1, or null");
  doc = Json::parse(good);
  doc["thresholds"][0].erase("min");
  EXPECT_EQ(error_of([&] { parse_par_index(doc.dump(), "par.json"); }).second,
            "par.json: thresholds[0].min: missing");
  doc = Json::parse(good);
  doc["units"][0]["rescaled"] = "yes";
  EXPECT_EQ(error_of([&] { parse_par_index(doc.dump(), "par.json"); }).second,
            "par.json: units[0].rescaled: expected true or false");
}

TEST(ReportInputsTest, ProgressFieldsAreChecked) {
  const std::string good = R"({"survey": "s", "overall": {"invited": 10, "opened": 8,
      "responded": 5, "response_rate": 0.5, "open_rate": 0.8},
      "strata": [{"stratum": "A", "invited": 10, "opened": 8, "responded": 5,
                  "response_rate": 0.5, "open_rate": 0.8, "reserves_waiting": 1}]})";
  const FieldworkProgress p = parse_progress(good, "progress.json");
  EXPECT_EQ(p.strata.at(0).reserves_waiting, 1);
  Json doc = Json::parse(good);
  doc["strata"][0]["responded"] = 11;
  EXPECT_EQ(error_of([&] { parse_progress(doc.dump(), "progress.json"); }).second,
            "progress.json: strata[0].responded: more than invited");
  doc = Json::parse(good);
  doc["overall"]["response_rate"] = 1.5;
  EXPECT_EQ(error_of([&] { parse_progress(doc.dump(), "progress.json"); }).second,
            "progress.json: overall.response_rate: expected a rate from 0 to 1");
  doc = Json::parse(good);
  doc["strata"][0]["invited"] = -1;
  EXPECT_EQ(error_of([&] { parse_progress(doc.dump(), "progress.json"); }).second,
            "progress.json: strata[0].invited: expected a whole number >= 0");
}

TEST(ReportInputsTest, ResultsWithoutIndicesCannotMakeAReport) {
  Json doc = minimal_results();
  doc["estimates"] = Json::parse(R"([{"statistic": "mean", "variable": "api00", "domain": null,
                                      "estimate": 600}])");
  ReportInputs in;
  in.results = parse_results(doc.dump(), "results.json");
  const auto [id, message] = error_of([&] { render_report(in, {}); });
  EXPECT_EQ(id, "report.no_indices");
  EXPECT_THAT(message, ::testing::StartsWith("results.json: estimates: no satisfaction index"));
}

TEST(ReportInputsTest, AnUnknownUnitColumnListsTheColumnsThereAre) {
  ReportInputs in;
  in.results = parse_results(minimal_results().dump(), "results.json");
  ReportOptions options;
  options.unit_column = "province";
  EXPECT_EQ(error_of([&] { render_report(in, options); }),
            std::make_pair(std::string("report.unknown_unit_column"),
                           std::string("results.json: no indices by 'province' (--unit-column); "
                                       "domain columns: district")));
}

TEST(ReportInputsTest, TheQuestionnaireMustBeTheOneAnalysed) {
  Json doc = minimal_results();
  doc["design"]["inputs"]["questionnaire"]["version"] = "2023.9";
  ReportInputs in;
  in.results = parse_results(doc.dump(), "results.json");
  in.questionnaire.emplace(sipas::questionnaires::load_questionnaire_file(
      std::string(SIPAS_SOURCE_DIR) + "/questionnaires/forms/sipas-short.json"));
  in.questionnaire_source = "sipas-short.json";
  EXPECT_EQ(error_of([&] { render_report(in, {}); }),
            std::make_pair(std::string("report.questionnaire_mismatch"),
                           std::string("sipas-short.json: questionnaire 'sipas-short' version "
                                       "2024.1, but results.json was computed with 'sipas-short' "
                                       "version 2023.9 (design.inputs.questionnaire)")));
}

TEST(ReportInputsTest, OnlyViAndEn) {
  EXPECT_EQ(error_of([] { parse_language("fr"); }).first, "reports.invalid_language");
  EXPECT_EQ(parse_language("en"), Language::En);
}

}  // namespace
