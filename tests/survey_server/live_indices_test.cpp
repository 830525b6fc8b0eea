// GET /api/v1/surveys/{survey}/indices over a real socket (issue 22's live
// indices): the values are those of `sipas analyze`, run as its own process
// on the response export with the same design, before and after a response
// is rejected in review; who may read them; the rule in words.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/live_indices.hpp"
#include "app/units.hpp"
#include "app/users.hpp"
#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/survey_server/console_support.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
const std::string survey = "live-2026";

class LiveIndicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r =
        client_.post("/api/v1/surveys", Json{{"id", survey}, {"standard", "sipas-citizen"}}.dump(),
                     "application/json", TestServer::as_manager());
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_EQ(client_.post("/api/v1/surveys/" + survey + "/open", "", "", TestServer::as_manager())
                  .status,
              200);
    // Three districts, two communes (PSUs) each, six people a commune.
    std::string sample =
        "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,district\n";
    for (int i = 0; i < 36; ++i) {
      const int district = i / 12, commune = i / 6;
      const double p = 0.01 * (1 + district);
      sample += "p" + std::to_string(i) + ",D" + std::to_string(district) + ",C" +
                std::to_string(commune) + "," + std::to_string(p) + "," + std::to_string(1 / p) +
                ",main,,district-" + std::to_string(district) + "\n";
    }
    r = client_.post("/api/v1/surveys/" + survey + "/invitations?raw=1", sample, "text/csv",
                     TestServer::as_manager());
    ASSERT_EQ(r.status, 201) << r.body;
    // Five of six answer in each commune: 30 responses.
    std::istringstream links(r.body);
    std::string line;
    std::getline(links, line);
    for (int i = 0; std::getline(links, line); ++i) {
      if (i % 6 == 5) continue;
      std::vector<std::string> cells;
      std::stringstream fields(line);
      for (std::string cell; std::getline(fields, cell, ',');)
        cells.push_back(cell);
      const auto answered =
          client_.post("/api/v1/surveys/" + survey + "/responses?t=" + cells.at(5),
                       responses_.make(static_cast<std::size_t>(i), "sub-" + std::to_string(i)),
                       "application/json");
      ASSERT_EQ(answered.status, 201) << answered.body << "\n" << line;
    }
  }

  Json indices(const std::string& query = "?by=district") {
    auto r =
        client_.get("/api/v1/surveys/" + survey + "/indices" + query, TestServer::as_analyst());
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body);
  }

  // `sipas analyze` on the export of `sipas responses export`, less the
  // rejected rows, with the design the live indices state.
  Json analyze_export() {
    const auto dir = server_.dir().path();
    auto r = sipas({"responses", "export", "--db", server_.db().string(), "--survey", survey,
                    "--out", (dir / "export.csv").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    {
      io::CsvReader in(dir / "export.csv");
      io::CsvWriterOptions raw;
      raw.neutralise_formulas = false;  // the cells as exported, guards included
      io::CsvWriter out(dir / "counted.csv", raw);
      std::vector<std::string_view> header(in.header().begin(), in.header().end());
      out.write_row(header);
      const auto review = in.require_column("review");
      while (in.next()) {
        if (in.field(review) != "rejected") out.write_row(in.fields());
      }
      out.commit();
    }
    std::ofstream(dir / "form.json")
        << client_.get("/api/v1/surveys/" + survey + "/questionnaire").body;
    r = sipas({"analyze", "--data", (dir / "counted.csv").string(), "--strata", "stratum", "--psu",
               "psu", "--weights", "design_weight", "--lonely-psu", "adjust", "--index",
               (dir / "form.json").string(), "--by", "district", "--out",
               (dir / "results.json").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream results(dir / "results.json");
    return Json::parse(results);
  }

  // Newer indices computed at once after a change (the server's default
  // waits 30 s between computations).
  static survey_server::ServiceOptions recompute_at_once() {
    survey_server::ServiceOptions options;
    options.indices_refresh_seconds = 0;
    return options;
  }
  TestServer server_{recompute_at_once()};
  HttpClient client_ = server_.client();
  ResponseTemplates responses_;
};

TEST_F(LiveIndicesTest, TheSameValuesAsAnalyzeOnTheExportBeforeAndAfterAReview) {
  auto live = indices();
  EXPECT_EQ(live["responses"]["counted"], 30);
  EXPECT_EQ(live["responses"]["rejected"], 0);
  EXPECT_EQ(live["rule"], app::live_indices_rule);
  ASSERT_FALSE(live["estimates"].empty());
  auto reference = analyze_export();
  EXPECT_EQ(live["estimates"], reference["estimates"]);
  // The overall index of a district is there, with its SE and interval.
  bool district = false;
  for (const auto& e : live["estimates"]) {
    if (e["statistic"] != "overall_index" || !e["domain"].is_object()) continue;
    if (e["domain"].value("district", "") != "district-1") continue;
    district = true;
    EXPECT_TRUE(e["se"].is_number()) << e.dump();
    EXPECT_TRUE(e["ci_low"].is_number() && e["ci_high"].is_number()) << e.dump();
  }
  EXPECT_TRUE(district) << live["estimates"].dump().substr(0, 2000);

  // One response rejected: it no longer counts, here and in the reference.
  auto reviewed = client_.post("/api/v1/surveys/" + survey + "/responses/3/review",
                               Json{{"state", "rejected"}}.dump(), "application/json",
                               TestServer::as_manager());
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;
  auto after = indices();
  EXPECT_EQ(after["responses"]["counted"], 29);
  EXPECT_EQ(after["responses"]["rejected"], 1);
  EXPECT_NE(after["estimates"], live["estimates"]);
  EXPECT_EQ(after["estimates"], analyze_export()["estimates"]);
}

TEST_F(LiveIndicesTest, AnalystsAndManagersOnlyAndClearErrors) {
  EXPECT_EQ(client_.get("/api/v1/surveys/" + survey + "/indices").status, 401);
  EXPECT_EQ(client_.get("/api/v1/surveys/" + survey + "/indices", TestServer::as_manager()).status,
            200);
  EXPECT_EQ(client_.get("/api/v1/surveys/nope/indices", TestServer::as_analyst()).status, 404);
  auto bad = client_.get("/api/v1/surveys/" + survey + "/indices?by=no_such_column",
                         TestServer::as_analyst());
  EXPECT_GE(bad.status, 400);
  EXPECT_LT(bad.status, 500);
  EXPECT_NE(bad.body.find("no_such_column"), std::string::npos) << bad.body;
}

// The console's survey page: progress by stratum with the units' names, the
// live indices as the API gives them (in Vietnamese number format), the
// open/close button for a manager; a unit user sees their stratum only.
TEST_F(LiveIndicesTest, TheConsoleSurveyPageShowsProgressByUnitAndTheIndices) {
  const std::string password = "một mật khẩu đủ dài";
  const app::Actor cli{"cli:test", store::Role::Manager};
  {
    store::SurveyStore store(server_.db());
    std::ofstream(server_.dir().path() / "units.csv")
        << "id,name,type,parent\nT,Tỉnh Thử,province,\nD0,Phường Một,ward,T\n"
           "D1,Phường Hai,ward,T\nD2,Xã Ba,commune,T\n";
    app::import_units(store, cli, server_.dir().path() / "units.csv", "units.csv");
    app::add_user(store, cli, {"minh", store::UserRole::Manager, std::nullopt, password});
    app::add_user(store, cli, {"lan", store::UserRole::Unit, "D1", password});
  }
  const auto manager = log_in(client_, "minh", password);
  auto page = client_.get("/admin/surveys/" + survey, {{"Cookie", manager}});
  ASSERT_EQ(page.status, 200) << page.body;
  for (const char* name : {"Phường Một", "Phường Hai", "Xã Ba"})
    EXPECT_NE(page.body.find(name), std::string::npos) << name;
  // 10 of 12 answered in each district.
  EXPECT_NE(page.body.find("<meter min=\"0\" max=\"1\" value=\"0.833333\"></meter> <span "
                           "data-cell=\"rate\">83,3%</span>"),
            std::string::npos);
  // The overall index as the API gives it, one decimal, a decimal comma.
  double overall = -1;
  const Json all = indices("");  // kept: a loop over a temporary's member would dangle
  for (const auto& e : all["estimates"]) {
    if (e["statistic"] == "overall_index" && e["domain"].is_null()) overall = e["estimate"];
  }
  ASSERT_GE(overall, 0);
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", overall);
  std::string shown = text;
  shown[shown.find('.')] = ',';
  EXPECT_NE(page.body.find("<td>Chỉ số chung <small>(overall)</small></td><td>" + shown + "</td>"),
            std::string::npos)
      << shown;
  EXPECT_NE(page.body.find("<svg class=\"index-bar\""), std::string::npos);
  // The overall index of each unit (the strata are the units), as the API
  // gives it by stratum.
  double d1 = -1;
  const Json by_stratum = indices("?by=stratum");
  for (const auto& e : by_stratum["estimates"]) {
    if (e["statistic"] == "overall_index" && e["domain"].is_object() &&
        e["domain"].value("stratum", "") == "D1")
      d1 = e["estimate"];
  }
  ASSERT_GE(d1, 0);
  std::snprintf(text, sizeof text, "%.1f", d1);
  std::string d1_shown = text;
  d1_shown[d1_shown.find('.')] = ',';
  EXPECT_NE(page.body.find("Phường Hai</a> <small>(D1)</small></td><td>" + d1_shown + "</td>"),
            std::string::npos)
      << d1_shown;
  // Each question's index, by its wording, in a section of its own.
  EXPECT_NE(page.body.find("<details class=\"items\">"), std::string::npos);
  // An element by its name in the questionnaire, in the page's language.
  EXPECT_NE(page.body.find("<td>Tiếp cận dịch vụ hành chính công <small>(E1)</small></td>"),
            std::string::npos)
      << page.body;

  // The manager closes the survey from the page: 303, the state changed, the
  // audit trail names the person.
  auto closed = client_.post("/admin/surveys/" + survey + "/state",
                             form_encode({{"_csrf", csrf_in(page.body)}, {"state", "closed"}}),
                             "application/x-www-form-urlencoded", {{"Cookie", manager}});
  EXPECT_EQ(closed.status, 303);
  EXPECT_EQ(
      Json::parse(client_.get("/api/v1/surveys/" + survey, TestServer::as_analyst()).body)["state"],
      "closed");
  auto no_csrf = client_.post("/admin/surveys/" + survey + "/state", "state=open",
                              "application/x-www-form-urlencoded", {{"Cookie", manager}});
  EXPECT_EQ(no_csrf.status, 403);

  // A unit user: their stratum, no indices, no button.
  const auto unit = log_in(client_, "lan", password);
  page = client_.get("/admin/surveys/" + survey, {{"Cookie", unit}});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Phường Hai"), std::string::npos);
  EXPECT_EQ(page.body.find("Phường Một"), std::string::npos);
  EXPECT_EQ(page.body.find("index-bar"), std::string::npos);
  EXPECT_EQ(page.body.find("/state?"), std::string::npos);
  EXPECT_EQ(client_
                .post("/admin/surveys/" + survey + "/state",
                      form_encode({{"_csrf", csrf_in(page.body)}, {"state", "open"}}),
                      "application/x-www-form-urlencoded", {{"Cookie", unit}})
                .status,
            403);
}

// While answers come, the survey page does not wait for the analysis: it
// shows the indices as last computed and says newer ones are being
// computed, which a later view shows.
TEST_F(LiveIndicesTest, TheSurveyPageShowsTheLastIndicesWhileNewerOnesAreComputed) {
  const std::string password = "một mật khẩu đủ dài";
  {
    store::SurveyStore store(server_.db());
    app::add_user(store, {"cli:test", store::Role::Manager},
                  {"an", store::UserRole::Analyst, std::nullopt, password});
  }
  const auto analyst = log_in(client_, "an", password);
  const std::string updating = "newer indices are computed in the background";
  auto page = client_.get("/admin/surveys/" + survey + "?lang=en", {{"Cookie", analyst}});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("From 30 answers"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find(updating), std::string::npos);
  // One answer rejected: the indices are out of date.
  ASSERT_EQ(
      client_
          .post("/api/v1/surveys/" + survey + "/responses/3/review",
                Json{{"state", "rejected"}}.dump(), "application/json", TestServer::as_manager())
          .status,
      200);
  page = client_.get("/admin/surveys/" + survey + "?lang=en", {{"Cookie", analyst}});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("From 30 answers"), std::string::npos);
  EXPECT_NE(page.body.find(updating), std::string::npos);
  // The background computation ends; a later view has the new numbers.
  bool updated = false;
  for (int i = 0; i < 100 && !updated; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    page = client_.get("/admin/surveys/" + survey + "?lang=en", {{"Cookie", analyst}});
    updated = page.body.find("From 29 answers; 1 rejected") != std::string::npos;
  }
  EXPECT_TRUE(updated) << page.body;
  EXPECT_EQ(page.body.find(updating), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
