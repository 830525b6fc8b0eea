// The admin API's part of the console's work (issue 22), over a real socket
// and a real database file: a re-issued link (the old one refused at once),
// a revoked API key (401 from then on), the audit trail by actor and by day,
// and a review's comment.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/api_keys.hpp"
#include "app/clock.hpp"
#include "store/store.hpp"
#include "tests/support/csv_lines.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;

const std::string json_type = "application/json";
const app::Actor manager{"cli:manager", store::Role::Manager};

std::vector<std::pair<std::string, std::string>> bearer(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

// The error object of a JSON error body.
Json error_of(const ClientResponse& r) {
  const Json body = Json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("error")) {
    ADD_FAILURE() << "no error object: " << r.body;
    return Json::object();
  }
  return body["error"];
}

class ConsoleAdminApiTest : public ::testing::Test {
 protected:
  // Survey hn-2026 open, with p1, p2 (phone contacts) and a waiting reserve
  // r1; returns the links CSV rows (header first).
  std::vector<std::vector<std::string>> prepare() {
    auto r =
        c_.post("/api/v1/surveys", Json{{"id", "hn-2026"}, {"standard", "sipas-citizen"}}.dump(),
                json_type, TestServer::as_manager());
    EXPECT_EQ(r.status, 201) << r.body;
    r = c_.post("/api/v1/surveys/hn-2026/open", "", "", TestServer::as_manager());
    EXPECT_EQ(r.status, 200) << r.body;
    r = c_.post("/api/v1/surveys/hn-2026/invitations?contact=phone",
                "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,phone\n"
                "p1,A,A,0.1,10,main,,0901\n"
                "p2,A,A,0.1,10,main,,0902\n"
                "r1,A,A,0.1,10,reserve,1,0911\n",
                "text/csv", TestServer::as_manager());
    EXPECT_EQ(r.status, 201) << r.body;
    return split_plain_csv(r.body);
  }

  TestServer server_;
  HttpClient c_ = server_.client();
};

TEST_F(ConsoleAdminApiTest, AReissuedLinkWorksAndTheOldOneIsRefusedAtOnce) {
  const auto links = prepare();
  ASSERT_EQ(links.size(), 3u);
  const std::string old_token = links[1][5];
  ASSERT_EQ(c_.get("/s/hn-2026?t=" + old_token).status, 200);

  auto r =
      c_.post("/api/v1/surveys/hn-2026/invitations/p1/reissue", "", "", TestServer::as_manager());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"].find("text/csv"), 0u) << r.headers["content-type"];
  const auto again = split_plain_csv(r.body);
  ASSERT_EQ(again.size(), 2u) << r.body;
  EXPECT_EQ(again[0], links[0]);  // the import's columns, its contact too
  EXPECT_EQ(again[1][0], "p1");
  EXPECT_EQ(again[1][7], "0901");
  const std::string new_token = again[1][5];
  EXPECT_NE(new_token, old_token);
  EXPECT_EQ(again[1][6], "http://127.0.0.1/s/hn-2026?t=" + new_token);

  EXPECT_EQ(c_.get("/s/hn-2026?t=" + old_token).status, 403);
  EXPECT_EQ(c_.get("/s/hn-2026?t=" + new_token).status, 200);
  r = c_.post("/api/v1/surveys/hn-2026/responses?t=" + old_token, R"({"answers": {}})", json_type);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_of(r)["code"], "invitation.invalid_token");
  EXPECT_EQ(c_.get("/s/hn-2026?t=" + links[2][5]).status, 200);  // p2's link is untouched

  // The trail says who and for whom, never the token.
  r = c_.get("/api/v1/audit?survey=hn-2026", TestServer::as_manager());
  ASSERT_EQ(r.status, 200) << r.body;
  const auto last = Json::parse(r.body)["entries"].back();
  EXPECT_EQ(last["action"], "invitation.reissue");
  EXPECT_EQ(last["subject"], "p1");
  EXPECT_EQ(r.body.find(new_token), std::string::npos);

  r = c_.post("/api/v1/surveys/hn-2026/invitations/nobody/reissue", "", "",
              TestServer::as_manager());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r)["code"], "invitation.not_found");
  EXPECT_NE(error_of(r)["message"].get<std::string>().find("nobody"), std::string::npos);
  r = c_.post("/api/v1/surveys/hn-2026/invitations/r1/reissue", "", "", TestServer::as_manager());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_of(r)["code"], "invitation.inactive");
  r = c_.post("/api/v1/surveys/nope/invitations/p1/reissue", "", "", TestServer::as_manager());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r)["code"], "survey.not_found");
  r = c_.post("/api/v1/surveys/hn-2026/invitations/p2/reissue", "", "", TestServer::as_analyst());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(c_.get("/s/hn-2026?t=" + links[2][5]).status, 200);
}

TEST_F(ConsoleAdminApiTest, ARevokedKeyIsRefused) {
  std::string key;
  std::int64_t id = 0;
  {
    store::SurveyStore store(server_.db());
    key = app::create_api_key(store, manager, {"desk", store::Role::Analyst});
    id = app::list_api_keys(store, manager).back().id;
  }
  ASSERT_EQ(c_.get("/api/v1/surveys", bearer(key)).status, 200);
  {
    store::SurveyStore store(server_.db());
    app::revoke_api_key(store, manager, id);
  }
  const auto r = c_.get("/api/v1/surveys", bearer(key));
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(c_.get("/api/v1/surveys", TestServer::as_analyst()).status, 200);
}

TEST_F(ConsoleAdminApiTest, TheAuditTrailIsFilteredByActorAndByDay) {
  std::string desk;
  {
    store::SurveyStore store(server_.db());
    desk = app::create_api_key(store, manager, {"desk", store::Role::Manager});
  }
  auto r = c_.post("/api/v1/surveys", Json{{"id", "by-desk"}, {"standard", "sipas-citizen"}}.dump(),
                   json_type, bearer(desk));
  ASSERT_EQ(r.status, 201) << r.body;
  prepare();  // by the key file's manager

  r = c_.get("/api/v1/audit?actor=key:desk", TestServer::as_manager());
  ASSERT_EQ(r.status, 200) << r.body;
  auto entries = Json::parse(r.body)["entries"];
  ASSERT_EQ(entries.size(), 1u) << r.body;
  EXPECT_EQ(entries[0]["action"], "survey.create");
  EXPECT_EQ(entries[0]["survey"], "by-desk");
  EXPECT_TRUE(entries[0]["note"].is_null());

  // Today, from and to: every entry; to is the whole day.
  const std::string today = app::iso_time(app::now_seconds()).substr(0, 10);
  const std::string yesterday =
      app::iso_time(app::now_seconds() - app::seconds_per_day).substr(0, 10);
  r = c_.get("/api/v1/audit?from=" + today + "&to=" + today, TestServer::as_manager());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["entries"].size(), 5u) << r.body;  // key, create x2, open, import
  r = c_.get("/api/v1/audit?to=" + yesterday, TestServer::as_manager());
  EXPECT_EQ(Json::parse(r.body)["entries"].size(), 0u) << r.body;
  r = c_.get("/api/v1/audit?actor=key:desk&from=" + today + "&actor=", TestServer::as_manager());
  EXPECT_EQ(r.status, 200);
  // An empty value filters nothing (a form's empty field).
  r = c_.get("/api/v1/audit?actor=&from=&to=", TestServer::as_manager());
  EXPECT_EQ(Json::parse(r.body)["entries"].size(), 5u);

  r = c_.get("/api/v1/audit?from=2026-02-30", TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r)["code"], "request.bad_parameter");
  EXPECT_EQ(error_of(r)["field"], "from");
  r = c_.get("/api/v1/audit?to=26-01-01", TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r)["field"], "to");
  r = c_.get("/api/v1/audit?from=" + today + "&to=" + yesterday, TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r)["field"], "to");
}

TEST_F(ConsoleAdminApiTest, AReviewsCommentIsOnItsAuditEntry) {
  const auto links = prepare();
  std::int64_t seq = 0;
  {
    store::SurveyStore store(server_.db());
    const auto invitation = store.find_invitation_by_token("hn-2026", links[1][5]);
    ASSERT_TRUE(invitation);
    store::NewResponse response;
    response.survey = "hn-2026";
    response.invitation = invitation->id;
    response.submission_id = "sub-1";
    response.language = "vi";
    response.answers_json = "{}";
    seq = store.insert_response(response, app::now_seconds()).response;
  }
  const std::string review = "/api/v1/surveys/hn-2026/responses/" + std::to_string(seq) + "/review";
  auto r = c_.post(review, Json{{"state", "rejected"}, {"comment", "line\nbreak"}}.dump(),
                   json_type, TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r)["code"], "review.bad_comment");
  EXPECT_EQ(error_of(r)["field"], "comment");
  r = c_.post(review, Json{{"state", "rejected"}, {"comment", 42}}.dump(), json_type,
              TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r)["field"], "comment");
  r = c_.post(review, Json{{"state", "rejected"}, {"comment", " trùng lặp / a duplicate "}}.dump(),
              json_type, TestServer::as_manager());
  ASSERT_EQ(r.status, 200) << r.body;

  r = c_.get("/api/v1/audit?survey=hn-2026", TestServer::as_manager());
  const auto entries = Json::parse(r.body)["entries"];
  const auto& last = entries.back();
  EXPECT_EQ(last["action"], "response.review");
  EXPECT_EQ(last["subject"], std::to_string(seq));
  EXPECT_EQ(last["after"]["review"], "rejected");
  EXPECT_EQ(last["note"], "trùng lặp / a duplicate");
  std::size_t reviews = 0;
  for (const auto& e : entries)
    reviews += e["action"] == "response.review" ? 1 : 0;
  EXPECT_EQ(reviews, 1u);  // the refused ones left nothing
}

}  // namespace
}  // namespace sipas::test
