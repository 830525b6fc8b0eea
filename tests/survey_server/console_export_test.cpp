// The console's downloads over a real socket: GET /admin/surveys/{survey}/exports
// lists the five files in the page's language, and each
// GET /admin/surveys/{survey}/exports/{format} answers the file as an
// attachment (name, type, no-store) whose bytes are app::export_survey's on
// the same database (tests/app/survey_exports_test.cpp holds those against
// the command line); the times the .sav, .dta and .xlsx record from the clock
// are masked (tests/support/masked_exports.hpp). A unit user gets 403, a
// request without a session 303 to the login.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/survey_exports.hpp"
#include "app/units.hpp"
#include "app/users.hpp"
#include "io/html_escape.hpp"
#include "tests/support/masked_exports.hpp"
#include "tests/survey_server/console_support.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"
#include "texts/texts.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
const std::string survey = "exports-2026";
const std::string password = "một mật khẩu đủ dài";

// A catalogue's text as a page shows it (escaped: the English has apostrophes).
std::string shown(std::string_view lang, const std::string& key) {
  return io::escape_html(texts::text(lang, key));
}

class ConsoleExportTest : public ::testing::Test {
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
    // Five of six answer in each commune: 30 responses; the fourth is rejected.
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
    r = client_.post("/api/v1/surveys/" + survey + "/responses/4/review",
                     Json{{"state", "rejected"}}.dump(), "application/json",
                     TestServer::as_manager());
    ASSERT_EQ(r.status, 200) << r.body;

    store::SurveyStore store(server_.db());
    const app::Actor cli{"cli:test", store::Role::Manager};
    std::ofstream(server_.dir().path() / "units.csv")
        << "id,name,type,parent\nT,Tỉnh Thử,province,\nD0,Phường Một,ward,T\n"
           "D1,Phường Hai,ward,T\nD2,Xã Ba,commune,T\n";
    app::import_units(store, cli, server_.dir().path() / "units.csv", "units.csv");
    app::add_user(store, cli, {"an", store::UserRole::Analyst, std::nullopt, password});
    app::add_user(store, cli, {"lan", store::UserRole::Unit, "D1", password});
  }

  survey_server::ClientResponse get(const std::string& path, const std::string& cookie) {
    return client_.get(path, {{"Cookie", cookie}});
  }

  TestServer server_;
  survey_server::HttpClient client_ = server_.client();
  ResponseTemplates responses_;
};

TEST_F(ConsoleExportTest, EachFormatDownloadsAsAnAttachmentWithTheAppsBytes) {
  const auto analyst = log_in(client_, "an", password);
  const app::Actor actor{"user:an", store::Role::Analyst, store::UserRole::Analyst};
  struct Case {
    std::string format, file, type;
  };
  for (const auto& c : {Case{"csv", "exports-2026-answers.csv", "text/csv; charset=utf-8"},
                        Case{"sav", "exports-2026-answers.sav", "application/x-spss-sav"},
                        Case{"dta", "exports-2026-answers.dta", "application/x-stata-dta"},
                        Case{"xlsx", "exports-2026-results.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
                        Case{"html", "exports-2026-report.html", "text/html; charset=utf-8"}}) {
    for (const std::string lang : {"vi", "en"}) {
      SCOPED_TRACE(c.format + " " + lang);
      const auto r =
          get("/admin/surveys/" + survey + "/exports/" + c.format + "?lang=" + lang, analyst);
      ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
      EXPECT_EQ(r.header("content-type"), c.type);
      EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"" + c.file + "\"");
      EXPECT_EQ(r.header("cache-control"), "no-store");
      EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
      ASSERT_FALSE(r.body.empty());
      const auto format = *app::parse_export_format(c.format);
      app::ExportedFile expected;
      {
        store::SurveyStore store(server_.db());
        expected = app::export_survey(
            store, actor,
            {survey, format, lang == "en" ? reports::Language::En : reports::Language::Vi});
      }
      if (format == app::ExportFormat::AnswersSav) {
        EXPECT_EQ(masked_sav(r.body), masked_sav(expected.bytes));
      } else if (format == app::ExportFormat::AnswersDta) {
        EXPECT_EQ(masked_dta(r.body), masked_dta(expected.bytes));
      } else if (format == app::ExportFormat::ResultsXlsx) {
        const auto dir = server_.dir().path();
        EXPECT_EQ(masked_workbook(r.body, dir / "served.xlsx"),
                  masked_workbook(expected.bytes, dir / "expected.xlsx"));
      } else {
        EXPECT_EQ(r.body, expected.bytes);
      }
    }
  }
  // The rejected answer (the fourth, sub-3) is not in the answers.
  const auto csv = get("/admin/surveys/" + survey + "/exports/csv", analyst);
  EXPECT_EQ(csv.body.find("sub-3,"), std::string::npos);
  EXPECT_NE(csv.body.find("sub-4,"), std::string::npos);
}

TEST_F(ConsoleExportTest, ThePageListsTheFiveInThePagesLanguage) {
  const auto analyst = log_in(client_, "an", password);
  for (const std::string lang : {"vi", "en"}) {
    const auto page = get("/admin/surveys/" + survey + "/exports?lang=" + lang, analyst);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    for (const char* format : {"csv", "sav", "dta", "xlsx", "html"}) {
      EXPECT_NE(page.body.find("<a href=\"/admin/surveys/" + survey + "/exports/" + format +
                               "?lang=" + lang + "\">"),
                std::string::npos)
          << format;
      EXPECT_NE(page.body.find(shown(lang, std::string("console.export.") + format)),
                std::string::npos)
          << format;
      EXPECT_NE(page.body.find(shown(lang, std::string("console.export.") + format + "_about")),
                std::string::npos)
          << format;
    }
    EXPECT_NE(page.body.find(shown(lang, "console.exports_rule")), std::string::npos);
    EXPECT_NE(page.body.find("exports-2026-answers.sav"), std::string::npos);
    // The console's one script, from its own file; nothing inline.
    EXPECT_EQ(page.body.find("<script>"), std::string::npos);
    EXPECT_EQ(page.body.find("<script"), page.body.find("<script src=\"/assets/console.js\""));
    EXPECT_EQ(page.body.find("style="), std::string::npos);
  }
  EXPECT_NE(get("/admin/surveys/" + survey + "/exports", analyst).body.find("Tải về"),
            std::string::npos);
}

TEST_F(ConsoleExportTest, AUnitUserIsRefusedAndNoSessionGoesToTheLogin) {
  const auto unit = log_in(client_, "lan", password);
  EXPECT_EQ(get("/admin/surveys/" + survey + "/exports", unit).status, 403);
  for (const char* format : {"csv", "sav", "dta", "xlsx", "html"}) {
    const auto r = get("/admin/surveys/" + survey + "/exports/" + format, unit);
    EXPECT_EQ(r.status, 403) << format;
    EXPECT_EQ(r.header("content-disposition"), "") << format;
  }
  for (const std::string& path :
       {"/admin/surveys/" + survey + "/exports", "/admin/surveys/" + survey + "/exports/sav"}) {
    const auto r = client_.get(path);
    EXPECT_EQ(r.status, 303) << path;
    EXPECT_TRUE(r.header("location").starts_with("/admin/login")) << r.header("location");
    EXPECT_EQ(r.header("content-disposition"), "") << path;
  }
  const auto analyst = log_in(client_, "an", password);
  EXPECT_EQ(get("/admin/surveys/" + survey + "/exports/xls", analyst).status, 404);
  EXPECT_EQ(get("/admin/surveys/no-such-survey/exports", analyst).status, 404);
  EXPECT_EQ(get("/admin/surveys/no-such-survey/exports/csv", analyst).status, 404);
}

}  // namespace
}  // namespace sipas::test
