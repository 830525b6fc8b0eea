// The console's pages for running a survey, through the real server over
// loopback as a browser uses them (forms, multipart uploads, cookies):
// create a survey, upload a sample (every bad line named, nothing stored),
// get the links file, activate reserves, review an answer with the
// questionnaire's wording; who may do what; the _csrf of every form.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/units.hpp"
#include "app/users.hpp"
#include "tests/survey_server/console_support.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
using survey_server::ClientResponse;

const std::string password = "một mật khẩu đủ dài";
const std::string sample_header =
    "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,phone\n";

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');)
      cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

class ConsoleSurveyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::SurveyStore store(server_.db());
    const app::Actor cli{"cli:test", store::Role::Manager};
    std::ofstream(server_.dir().path() / "units.csv")
        << "id,name,type,parent\nT,Tỉnh Thử,province,\nW1,Phường Một,ward,T\n"
           "W2,Xã Hai,commune,T\n";
    app::import_units(store, cli, server_.dir().path() / "units.csv", "units.csv");
    app::add_user(store, cli, {"minh", store::UserRole::Manager, std::nullopt, password});
    app::add_user(store, cli, {"lan", store::UserRole::Unit, "W1", password});
    app::add_user(store, cli, {"an", store::UserRole::Analyst, std::nullopt, password});
  }

  ClientResponse get(const std::string& path, const std::string& cookie) {
    return client_.get(path, {{"Cookie", cookie}});
  }
  ClientResponse post_form(const std::string& path, const std::string& cookie,
                           const std::vector<std::pair<std::string, std::string>>& fields) {
    return client_.post(path, form_encode(fields), "application/x-www-form-urlencoded",
                        {{"Cookie", cookie}});
  }
  ClientResponse post_multipart(const std::string& path, const std::string& cookie,
                                const std::vector<std::pair<std::string, std::string>>& fields,
                                const std::vector<FormFile>& files = {}) {
    return client_.post(path, multipart_encode(fields, files), multipart_type,
                        {{"Cookie", cookie}});
  }
  // Creates and opens survey `id` from the standard citizen form.
  void create_open(const std::string& cookie, const std::string& id) {
    const auto csrf = csrf_in(get("/admin/surveys", cookie).body);
    auto r = post_multipart("/admin/surveys", cookie,
                            {{"_csrf", csrf}, {"id", id}, {"standard", "sipas-citizen"}});
    ASSERT_EQ(r.status, 303) << r.body;
    r = post_form("/admin/surveys/" + id + "/state", cookie, {{"_csrf", csrf}, {"state", "open"}});
    ASSERT_EQ(r.status, 303) << r.body;
  }
  Json api(const std::string& path) {
    auto r = client_.get(path, TestServer::as_analyst());
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body);
  }

  TestServer server_;
  survey_server::HttpClient client_ = server_.client();
};

TEST_F(ConsoleSurveyTest, AManagerCreatesASurveyFromTheFormAndSeesWhyABadOneIsRefused) {
  const auto manager = log_in(client_, "minh", password);
  auto page = get("/admin/surveys", manager);
  ASSERT_EQ(page.status, 200);
  // The form lists the standard instruments and uploads files.
  EXPECT_NE(page.body.find("enctype=\"multipart/form-data\""), std::string::npos);
  EXPECT_NE(page.body.find("<option value=\"sipas-citizen\">"), std::string::npos);
  const auto csrf = csrf_in(page.body);

  // A bad id, and both a standard and a file: each said, nothing created.
  auto refused = post_multipart("/admin/surveys", manager,
                                {{"_csrf", csrf}, {"id", "Bad Id!"}, {"standard", "sipas-citizen"}},
                                {{"questionnaire", "q.json", "{}"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("class=\"error-summary\""), std::string::npos);
  EXPECT_NE(refused.body.find("Bad Id!"), std::string::npos);  // typed again, escaped
  EXPECT_NE(refused.body.find("Hãy chọn một bộ câu hỏi chuẩn hoặc tải lên"), std::string::npos);
  EXPECT_TRUE(api("/api/v1/surveys")["surveys"].empty());

  // An uploaded questionnaire that does not load: its own message, naming the file.
  refused = post_multipart("/admin/surveys", manager, {{"_csrf", csrf}, {"id", "s-2026"}},
                           {{"questionnaire", "bo-cau-hoi.json", "{\"id\": 1}"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("bo-cau-hoi.json"), std::string::npos) << refused.body;

  // Without the form's _csrf: 403, nothing created.
  EXPECT_EQ(
      post_multipart("/admin/surveys", manager, {{"id", "s-2026"}, {"standard", "sipas-citizen"}})
          .status,
      403);
  EXPECT_TRUE(api("/api/v1/surveys")["surveys"].empty());

  // From a standard instrument, open link on.
  auto created = post_multipart(
      "/admin/surveys?lang=en", manager,
      {{"_csrf", csrf}, {"id", "s-2026"}, {"standard", "sipas-short"}, {"open_link", "on"}});
  ASSERT_EQ(created.status, 303) << created.body;
  EXPECT_EQ(created.header("location"), "/admin/surveys/s-2026?lang=en");
  auto survey = api("/api/v1/surveys/s-2026");
  EXPECT_EQ(survey["state"], "draft");
  EXPECT_EQ(survey["open_link"], true);
  EXPECT_EQ(survey["questionnaire"]["id"], "sipas-short");
  // From an uploaded questionnaire file (a shipped form's text, as a file
  // written elsewhere would come), open link off.
  std::ifstream form_file(std::string(SIPAS_SOURCE_DIR) +
                          "/questionnaires/forms/par-officials.json");
  const std::string form_text((std::istreambuf_iterator<char>(form_file)),
                              std::istreambuf_iterator<char>());
  ASSERT_FALSE(form_text.empty());
  created = post_multipart("/admin/surveys", manager, {{"_csrf", csrf}, {"id", "officials-2026"}},
                           {{"questionnaire", "can-bo.json", form_text}});
  ASSERT_EQ(created.status, 303) << created.body;
  survey = api("/api/v1/surveys/officials-2026");
  EXPECT_EQ(survey["questionnaire"]["id"], Json::parse(form_text)["id"].get<std::string>());
  EXPECT_EQ(survey["open_link"], false);
  // The same id again: refused on the form.
  refused = post_multipart("/admin/surveys", manager,
                           {{"_csrf", csrf}, {"id", "s-2026"}, {"standard", "sipas-short"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("exists already"), std::string::npos);

  // The option turned off from the survey page; the audit trail names the person.
  page = get("/admin/surveys/s-2026", manager);
  ASSERT_EQ(page.status, 200);
  auto saved = post_form("/admin/surveys/s-2026/options", manager, {{"_csrf", csrf_in(page.body)}});
  EXPECT_EQ(saved.status, 303);
  EXPECT_EQ(api("/api/v1/surveys/s-2026")["open_link"], false);
  auto audit = client_.get("/api/v1/audit?survey=s-2026", TestServer::as_manager());
  EXPECT_NE(audit.body.find("\"actor\":\"user:minh\""), std::string::npos) << audit.body;

  // An analyst sees no form and may not post one (403 before the body is read).
  const auto analyst = log_in(client_, "an", password);
  page = get("/admin/surveys", analyst);
  EXPECT_EQ(page.body.find("enctype=\"multipart/form-data\""), std::string::npos);
  EXPECT_EQ(
      post_multipart("/admin/surveys", analyst,
                     {{"_csrf", csrf_in(page.body)}, {"id", "x"}, {"standard", "sipas-short"}})
          .status,
      403);
}

TEST_F(ConsoleSurveyTest, ASampleWithBadLinesIsRefusedWithEachLineNamedThenTheFixedOneGivesLinks) {
  const auto manager = log_in(client_, "minh", password);
  create_open(manager, "s1");
  auto page = get("/admin/surveys/s1/sample", manager);
  ASSERT_EQ(page.status, 200);
  const auto csrf = csrf_in(page.body);
  const std::string bad = sample_header +
                          "a1,W1,P1,0.5,2,main,,0912345001\n"
                          "a2,W1,P1,zero,2,main,,0912345002\n"  // line 3
                          "a3,W2,P2,0.5,2,main,,0912345003\n"
                          "a1,W2,P2,0.5,2,main,,0912345004\n"      // line 5: a1 again
                          "r1,W1,P1,0.5,2,reserve,,0912345005\n";  // line 6: no rank
  auto refused =
      post_multipart("/admin/surveys/s1/sample", manager, {{"_csrf", csrf}, {"contact", "phone"}},
                     {{"sample", "mau-phuong.csv", bad}});
  EXPECT_EQ(refused.status, 422);
  for (const char* line : {"mau-phuong.csv:3: inclusion_probability",
                           "mau-phuong.csv:5: id &#39;a1&#39; is already on line 2",
                           "mau-phuong.csv:6: reserve_rank"}) {
    EXPECT_NE(refused.body.find(line), std::string::npos) << line << "\n" << refused.body;
  }
  EXPECT_NE(refused.body.find("value=\"phone\""), std::string::npos);  // kept for the next try
  EXPECT_TRUE(api("/api/v1/surveys/s1/progress")["strata"].empty());   // nothing stored

  // A contact column not declared: refused, named.
  refused = post_multipart("/admin/surveys/s1/sample", manager, {{"_csrf", csrf}},
                           {{"sample", "mau.csv", sample_header + "a1,W1,P1,0.5,2,main,,0912\n"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("column &#39;phone&#39; looks like contact data"), std::string::npos)
      << refused.body;

  // Fixed: the links file comes back as a download, one row a main unit.
  const std::string good = sample_header +
                           "a1,W1,P1,0.5,2,main,,0912345001\n"
                           "a2,W1,P1,0.5,2,main,,0912345002\n"
                           "a3,W2,P2,0.5,2,main,,0912345003\n"
                           "r1,W1,P1,0.5,2,reserve,1,0912345005\n"
                           "r2,W1,P1,0.5,2,reserve,2,0912345006\n";
  auto links =
      post_multipart("/admin/surveys/s1/sample", manager, {{"_csrf", csrf}, {"contact", "phone"}},
                     {{"sample", "mau-phuong.csv", good}});
  ASSERT_EQ(links.status, 200) << links.body;
  EXPECT_EQ(links.header("content-disposition"), "attachment; filename=\"s1-links.csv\"");
  EXPECT_EQ(links.header("cache-control"), "no-store");
  auto rows = csv_rows(links.body);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].back(), "phone");
  EXPECT_EQ(rows[1][0], "a1");
  // The link works: the form opens.
  const std::string link = rows[1][6];
  ASSERT_TRUE(link.starts_with("http://127.0.0.1/s/s1?t=")) << link;
  EXPECT_EQ(client_.get(link.substr(std::string("http://127.0.0.1").size())).status, 200);

  // The survey page: progress with the units' names, a reserves button for W1.
  page = get("/admin/surveys/s1", manager);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Phường Một"), std::string::npos);
  EXPECT_NE(page.body.find("data-progress=\"/admin/surveys/s1/progress\""), std::string::npos);
  EXPECT_NE(page.body.find("name=\"stratum\" value=\"W1\""), std::string::npos);
  EXPECT_EQ(page.body.find("name=\"stratum\" value=\"W2\""), std::string::npos);  // none waiting
  auto reserves = post_form("/admin/surveys/s1/reserves", manager,
                            {{"_csrf", csrf_in(page.body)}, {"stratum", "W1"}, {"count", "1"}});
  ASSERT_EQ(reserves.status, 200) << reserves.body;
  EXPECT_EQ(reserves.header("x-reserves-activated"), "1");
  rows = csv_rows(reserves.body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "r1");
  EXPECT_EQ(rows[1].back(), "0912345005");
  auto progress = Json::parse(get("/admin/surveys/s1/progress", manager).body);
  EXPECT_EQ(progress["strata"][0]["stratum"], "W1");
  EXPECT_EQ(progress["strata"][0]["invited"], 3);
  EXPECT_EQ(progress["strata"][0]["reserves_waiting"], 1);

  // A unit user may not upload (403 from the header), and sees its stratum only.
  const auto unit = log_in(client_, "lan", password);
  EXPECT_EQ(get("/admin/surveys/s1/sample", unit).status, 403);
  EXPECT_EQ(post_multipart("/admin/surveys/s1/sample", unit, {{"_csrf", csrf}},
                           {{"sample", "x.csv", good}})
                .status,
            403);
  progress = Json::parse(get("/admin/surveys/s1/progress", unit).body);
  ASSERT_EQ(progress["strata"].size(), 1u);
  EXPECT_EQ(progress["strata"][0]["stratum"], "W1");
}

TEST_F(ConsoleSurveyTest, AManagerReviewsAnAnswerWithTheQuestionnairesWording) {
  const auto manager = log_in(client_, "minh", password);
  create_open(manager, "s2");
  auto page = get("/admin/surveys/s2/sample", manager);
  auto links = post_multipart("/admin/surveys/s2/sample", manager, {{"_csrf", csrf_in(page.body)}},
                              {{"sample", "s.csv",
                                "id,stratum,psu,inclusion_probability,design_weight,role,"
                                "reserve_rank\na1,W1,P1,0.5,2,main,\n"}});
  ASSERT_EQ(links.status, 200) << links.body;
  const auto token = csv_rows(links.body).at(1).at(5);
  ResponseTemplates responses;
  auto answered = client_.post("/api/v1/surveys/s2/responses?t=" + token,
                               responses.make(0, "sub-1"), "application/json");
  ASSERT_EQ(answered.status, 201) << answered.body;

  auto queue = get("/admin/surveys/s2/review", manager);
  ASSERT_EQ(queue.status, 200);
  EXPECT_NE(queue.body.find("href=\"/admin/surveys/s2/responses/1?lang=vi\""), std::string::npos)
      << queue.body;
  auto response = get("/admin/surveys/s2/responses/1?lang=en", manager);
  ASSERT_EQ(response.status, 200);
  // The wording of the first question of the standard form, in English.
  EXPECT_NE(response.body.find("<dl class=\"answers\">"), std::string::npos);
  EXPECT_NE(response.body.find("(q1"), std::string::npos) << response.body.substr(0, 4000);

  auto rejected = post_form("/admin/surveys/s2/responses/1/review?lang=en", manager,
                            {{"_csrf", csrf_in(response.body)},
                             {"state", "rejected"},
                             {"comment", "trả lời trùng với phiếu khác"}});
  EXPECT_EQ(rejected.status, 303);
  EXPECT_EQ(rejected.header("location"), "/admin/surveys/s2/responses/1?lang=en");
  response = get("/admin/surveys/s2/responses/1?lang=en", manager);
  EXPECT_NE(response.body.find("trả lời trùng với phiếu khác"), std::string::npos);
  EXPECT_NE(response.body.find("user:minh"), std::string::npos);
  queue = get("/admin/surveys/s2/review?state=rejected", manager);
  EXPECT_NE(queue.body.find("/admin/surveys/s2/responses/1?"), std::string::npos);
  queue = get("/admin/surveys/s2/review", manager);
  EXPECT_EQ(queue.body.find("/admin/surveys/s2/responses/1?"), std::string::npos);

  // Without _csrf, or as an analyst: refused.
  EXPECT_EQ(
      post_form("/admin/surveys/s2/responses/1/review", manager, {{"state", "approved"}}).status,
      403);
  const auto analyst = log_in(client_, "an", password);
  EXPECT_EQ(get("/admin/surveys/s2/review", analyst).status, 403);
  EXPECT_EQ(get("/admin/surveys/s2/responses/9", manager).status, 404);
}

// The queue a page of 50 at a time, oldest first, with a link to the next
// page; a state found among many answers of another.
TEST_F(ConsoleSurveyTest, TheReviewQueueComesAPageAtATime) {
  const auto manager = log_in(client_, "minh", password);
  create_open(manager, "s3");
  std::string sample = "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n";
  for (int i = 0; i < 260; ++i)
    sample += "a" + std::to_string(i) + ",W1,P1,0.5,2,main,\n";
  auto links = client_.post("/api/v1/surveys/s3/invitations?raw=1", sample, "text/csv",
                            TestServer::as_manager());
  ASSERT_EQ(links.status, 201);
  const auto rows = csv_rows(links.body);
  ResponseTemplates responses;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    auto r = client_.post("/api/v1/surveys/s3/responses?t=" + rows[i][5],
                          responses.make(i, "sub-" + std::to_string(i)), "application/json");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The last answer rejected: the only one of its state, far in the queue.
  ASSERT_EQ(client_
                .post("/api/v1/surveys/s3/responses/260/review", R"({"state": "rejected"})",
                      "application/json", TestServer::as_manager())
                .status,
            200);
  auto count = [](const std::string& body) {
    std::size_t n = 0;
    for (auto at = body.find("/admin/surveys/s3/responses/"); at != std::string::npos;
         at = body.find("/admin/surveys/s3/responses/", at + 1))
      ++n;
    return n;
  };
  auto page = get("/admin/surveys/s3/review", manager);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(count(page.body), 50u);
  EXPECT_NE(page.body.find("/admin/surveys/s3/responses/1?"), std::string::npos);
  EXPECT_NE(page.body.find("after=50\""), std::string::npos) << page.body;
  page = get("/admin/surveys/s3/review?after=250", manager);
  EXPECT_EQ(count(page.body), 9u);  // 251..259; 260 is rejected
  EXPECT_EQ(page.body.find("after="), std::string::npos);
  page = get("/admin/surveys/s3/review?state=rejected", manager);
  EXPECT_EQ(count(page.body), 1u);
  EXPECT_NE(page.body.find("/admin/surveys/s3/responses/260?"), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
