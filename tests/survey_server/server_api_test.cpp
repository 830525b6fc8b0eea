// Every route of the server over a real loopback socket and a real database
// file: successes and each error status with its JSON body.

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "store/store.hpp"
#include "tests/support/csv_lines.hpp"
#include "tests/support/process.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace q = sipas::questionnaires;

const std::string json_type = "application/json";
const std::string form_type = "application/x-www-form-urlencoded";

// Checks the error body shape and returns it.
Json error_body(const ClientResponse& r) {
  Json body = Json::parse(r.body, nullptr, false);
  EXPECT_TRUE(body.is_object()) << r.body;
  if (!body.is_object() || !body.contains("error")) {
    ADD_FAILURE() << "no error object: " << r.body;
    return Json::object();
  }
  const auto& e = body["error"];
  EXPECT_TRUE(e.contains("code") && e["code"].is_string()) << r.body;
  EXPECT_TRUE(e.contains("message") && e["message"].is_string()) << r.body;
  EXPECT_TRUE(e.contains("field")) << r.body;
  return e;
}

class ServerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* file = q::find_standard_file("forms/sipas-citizen.json");
    ASSERT_NE(file, nullptr);
    questionnaire_ = std::make_unique<q::Questionnaire>(
        q::load_questionnaire(file->content, "sipas-citizen.json"));
  }

  void create_and_open(HttpClient& c, const std::string& id = "hn-2026", bool open_link = false) {
    auto r =
        c.post("/api/v1/surveys",
               Json{{"id", id}, {"standard", "sipas-citizen"}, {"open_link", open_link}}.dump(),
               json_type, TestServer::as_manager());
    ASSERT_EQ(r.status, 201) << r.body;
    r = c.post("/api/v1/surveys/" + id + "/open", "", "", TestServer::as_manager());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Imports 4 main units in two strata and 2 reserves of stratum A; returns
  // the links CSV rows (header first).
  std::vector<std::vector<std::string>> import_sample(HttpClient& c,
                                                      const std::string& id = "hn-2026") {
    const std::string sample =
        "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex,phone\n"
        "p1,A,A,0.1,10,main,,1,0901\n"
        "p2,A,A,0.1,10,main,,2,0902\n"
        "p3,B,B,0.25,4,main,,1,0903\n"
        "p4,B,B,0.25,4,main,,2,0904\n"
        "r1,A,A,0.1,10,reserve,1,1,0911\n"
        "r2,A,A,0.1,10,reserve,2,2,0912\n";
    auto r = c.post("/api/v1/surveys/" + id + "/invitations?contact=phone", sample, "text/csv",
                    TestServer::as_manager());
    EXPECT_EQ(r.status, 201) << r.body;
    return split_plain_csv(r.body);
  }

  std::string valid_response(std::uint64_t seed, const std::string& submission_id) {
    q::GeneratorOptions options;
    options.seed = seed;
    options.other_language_rate = 0;
    q::ResponseGenerator generator(*questionnaire_, options);
    auto response = generator.valid();
    Json doc = Json::parse(q::response_to_json(*questionnaire_, response));
    doc["submission_id"] = submission_id;
    return doc.dump();
  }

  std::unique_ptr<q::Questionnaire> questionnaire_;
};

TEST_F(ServerApiTest, HealthAndUnknownRoutesAndMethods) {
  TestServer server;
  auto c = server.client();
  auto r = c.get("/healthz");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["status"], "ok");

  EXPECT_EQ(c.get("/favicon.ico").status, 204);

  r = c.get("/no/such/page");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_body(r)["code"], "request.not_found");

  r = c.request("DELETE", "/api/v1/surveys");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(error_body(r)["code"], "request.method_not_allowed");
  EXPECT_NE(r.header("allow").find("POST"), std::string::npos);
  EXPECT_NE(r.header("allow").find("GET"), std::string::npos);
}

TEST_F(ServerApiTest, AdminAuthenticationAndRoles) {
  TestServer server;
  auto c = server.client();
  const std::string body = Json{{"id", "s1"}, {"standard", "sipas-short"}}.dump();
  auto r = c.post("/api/v1/surveys", body, json_type);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_body(r)["code"], "auth.required");

  r = c.post("/api/v1/surveys", body, json_type, {{"Authorization", "Bearer wrong-key-000000000"}});
  EXPECT_EQ(r.status, 401);

  r = c.post("/api/v1/surveys", body, json_type, TestServer::as_analyst());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_body(r)["code"], "auth.forbidden");

  r = c.get("/api/v1/surveys", TestServer::as_analyst());
  EXPECT_EQ(r.status, 200) << r.body;

  // A key made with `sipas key create` (stored hashed in the database) works too.
  auto key =
      sipas({"key", "create", "--db", server.db().string(), "--name", "ops", "--role", "manager"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  std::string plaintext = key.out.substr(0, key.out.find('\n'));
  r = c.post("/api/v1/surveys", body, json_type, {{"Authorization", "Bearer " + plaintext}});
  EXPECT_EQ(r.status, 201) << r.body;
  std::ifstream db(server.db(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(db)), {});
  EXPECT_EQ(bytes.find(plaintext), std::string::npos) << "the key is stored in plain text";
}

TEST_F(ServerApiTest, MediaTypesAreMatchedWithoutRegardToCase) {
  TestServer server;
  auto c = server.client();
  auto m = TestServer::as_manager();
  auto r = c.post("/api/v1/surveys", Json{{"id", "s1"}, {"standard", "sipas-short"}}.dump(),
                  "Application/JSON ; Charset=UTF-8", m);
  EXPECT_EQ(r.status, 201) << r.body;
  r = c.post("/api/v1/surveys", Json{{"id", "s2"}, {"standard", "sipas-short"}}.dump(),
             "application/jsonx", m);
  EXPECT_EQ(r.status, 415) << r.body;
  r = c.get("/api/v1/surveys/s2", TestServer::as_analyst());
  EXPECT_EQ(r.status, 404) << "a refused body stored nothing";
}

TEST_F(ServerApiTest, CreatingSurveysValidatesTheBody) {
  TestServer server;
  auto c = server.client();
  auto m = TestServer::as_manager();
  auto r = c.post("/api/v1/surveys", "{not json", json_type, m);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_body(r)["code"], "request.malformed_json");

  r = c.post("/api/v1/surveys", Json{{"id", "s1"}, {"standard", "sipas-short"}}.dump(),
             "text/plain", m);
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(error_body(r)["code"], "request.unsupported_media_type");

  r = c.post("/api/v1/surveys",
             Json{{"id", "s1"}, {"questionnaire", {{"format", "sipas-questionnaire/1"}}}}.dump(),
             json_type, m);
  EXPECT_EQ(r.status, 422) << r.body;

  r = c.post("/api/v1/surveys", Json{{"id", "Bad Id!"}, {"standard", "sipas-short"}}.dump(),
             json_type, m);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_body(r)["field"], "id");

  r = c.post("/api/v1/surveys", Json{{"id", "s1"}, {"standard", "sipas-short"}}.dump(), json_type,
             m);
  ASSERT_EQ(r.status, 201) << r.body;
  auto created = Json::parse(r.body);
  EXPECT_EQ(created["state"], "draft");
  EXPECT_EQ(created["questionnaire"]["id"], "sipas-short");
  EXPECT_EQ(created["open_link"], false);
  r = c.post("/api/v1/surveys",
             Json{{"id", "s9"}, {"standard", "sipas-short"}, {"open_link", 1}}.dump(), json_type,
             m);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_body(r)["field"], "open_link");

  r = c.post("/api/v1/surveys", Json{{"id", "s1"}, {"standard", "sipas-short"}}.dump(), json_type,
             m);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_body(r)["code"], "survey.exists");

  // A draft survey is not public yet.
  EXPECT_EQ(c.get("/s/s1").status, 404);
  r = c.post("/api/v1/surveys/s1/open", "", "", m);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["state"], "open");
  EXPECT_EQ(c.get("/s/s1").status, 403);  // the open link is off
  r = c.request("PATCH", "/api/v1/surveys/s1", R"({"open_link":true})", json_type, m);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["open_link"], true);
  EXPECT_EQ(Json::parse(c.get("/api/v1/surveys/s1", TestServer::as_analyst()).body)["open_link"],
            true);
  EXPECT_EQ(c.get("/s/s1").status, 200);
  r = c.post("/api/v1/surveys/s1/close", "", "", m);
  EXPECT_EQ(Json::parse(r.body)["state"], "closed");
  EXPECT_EQ(c.get("/s/s1").status, 410);
  r = c.post("/api/v1/surveys/nope/open", "", "", m);
  EXPECT_EQ(r.status, 404);
}

TEST_F(ServerApiTest, QuestionnaireAndFormAreServed) {
  TestServer server;
  auto c = server.client();
  create_and_open(c, "hn-2026", true);
  auto r = c.get("/api/v1/surveys/hn-2026/questionnaire");
  ASSERT_EQ(r.status, 200);
  auto doc = Json::parse(r.body);
  EXPECT_EQ(doc["id"], "sipas-citizen");
  r = c.get("/s/hn-2026");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("lang=\"vi\""), std::string::npos);
  r = c.get("/s/hn-2026?lang=en");
  EXPECT_NE(r.body.find("lang=\"en\""), std::string::npos);
  EXPECT_EQ(c.get("/s/unknown").status, 404);
  r = c.get("/assets/form.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("javascript"), std::string::npos);
}

TEST_F(ServerApiTest, InvitationsOneResponseEachAndIdempotentRetries) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  auto links = import_sample(c);
  ASSERT_EQ(links.size(), 5u);  // header + 4 main units; reserves wait
  EXPECT_EQ(links[0], (std::vector<std::string>{"id", "stratum", "psu", "role", "reserve_rank",
                                                "token", "link", "phone"}));
  std::set<std::string> tokens;
  for (std::size_t i = 1; i < links.size(); ++i) {
    EXPECT_EQ(links[i][5].size(), 22u);
    tokens.insert(links[i][5]);
    EXPECT_NE(links[i][6].find("/s/hn-2026?t=" + links[i][5]), std::string::npos);
  }
  EXPECT_EQ(tokens.size(), 4u);
  const std::string token = links[1][5];
  const std::string url = "/api/v1/surveys/hn-2026/responses?t=" + token;

  auto r = c.post(url, valid_response(1, "sub-1"), json_type);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto first = Json::parse(r.body);
  // The same submission again: the first result, not a second row.
  r = c.post(url, valid_response(1, "sub-1"), json_type);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["response"], first["response"]);
  // Another submission on the same token: refused, nothing changes.
  r = c.post(url, valid_response(2, "sub-2"), json_type);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_body(r)["code"], "invitation.already_responded");
  // The form page of a used token says so.
  EXPECT_EQ(c.get("/s/hn-2026?t=" + token).status, 409);

  r = c.post("/api/v1/surveys/hn-2026/responses?t=AAAAAAAAAAAAAAAAAAAAAA", valid_response(3, "x"),
             json_type);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_body(r)["field"], "t");

  r = c.post(url, valid_response(1, ""), json_type);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_body(r)["field"], "submission_id");

  r = c.post(url, "[1,2", json_type);
  EXPECT_EQ(r.status, 400);

  r = c.post(url, valid_response(1, "sub-1"), "text/plain");
  EXPECT_EQ(r.status, 415);

  // Invalid answers: 422 with every issue, by item.
  Json bad = Json::parse(valid_response(4, "sub-4"));
  bad["answers"]["q9_01"] = 17;
  bad["answers"]["no_such_item"] = 1;
  r = c.post("/api/v1/surveys/hn-2026/responses?t=" + links[2][5], bad.dump(), json_type);
  ASSERT_EQ(r.status, 422) << r.body;
  auto body = Json::parse(r.body);
  std::set<std::string> fields;
  for (const auto& issue : body["issues"])
    fields.insert(issue["field"].get<std::string>());
  EXPECT_TRUE(fields.contains("q9_01")) << r.body;
  EXPECT_TRUE(fields.contains("no_such_item")) << r.body;

  // Over the body limit: 413 without reading it.
  r = c.post(url, std::string(300 * 1024, ' '), json_type);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_body(r)["code"], "request.too_large");
}

// A valid response as the browser would post it (urlencoded form fields).
std::string as_form_body(const std::string& response_json, const std::string& submission_id) {
  const Json doc = Json::parse(response_json);
  std::string body = "_submission=" + submission_id + "&_action=submit&_lang=vi";
  auto encode = [](const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out += static_cast<char>(c);
      } else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        out += hex;
      }
    }
    return out;
  };
  auto text_of = [](const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const auto& [id, value] : doc["answers"].items()) {
    if (value.is_null()) continue;
    if (value.is_array()) {
      for (const auto& v : value)
        body += "&" + id + "=" + encode(text_of(v));
    } else {
      body += "&" + id + "=" + encode(text_of(value));
    }
  }
  return body;
}

TEST_F(ServerApiTest, WebFormSubmissionRejectsThenAcceptsOncePerToken) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  auto links = import_sample(c);
  ASSERT_EQ(links.size(), 5u);
  const std::string action = "/s/hn-2026?t=" + links[1][5];
  // Nothing answered: 422, the page again with the errors in Vietnamese.
  auto r = c.post(action, "_submission=s1&_action=submit&_lang=vi", form_type);
  ASSERT_EQ(r.status, 422) << r.body.substr(0, 300);
  EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("aria-invalid"), std::string::npos);
  // Wrong content type for the form.
  r = c.post(action, "{}", json_type);
  EXPECT_EQ(r.status, 415);
  // Broken encoding.
  r = c.post(action, "_submission=%ZZ", form_type);
  EXPECT_EQ(r.status, 400);
  // A complete form: 303 to the thank-you page, stored once.
  const std::string body = as_form_body(valid_response(5, "unused"), "form-1");
  r = c.post(action, body, form_type);
  ASSERT_EQ(r.status, 303) << r.body.substr(0, 2000);
  EXPECT_EQ(r.header("location"), "/s/hn-2026/thanks?lang=vi");
  EXPECT_EQ(c.get(r.header("location")).status, 200);
  // A double click (same _submission) is the same result; another one is refused.
  EXPECT_EQ(c.post(action, body, form_type).status, 303);
  std::string other = body;
  other.replace(other.find("form-1"), 6, "form-2");
  EXPECT_EQ(c.post(action, other, form_type).status, 409);
  r = c.get("/api/v1/surveys/hn-2026/responses", TestServer::as_analyst());
  auto exported = Json::parse(r.body);
  ASSERT_EQ(exported["responses"].size(), 1u);
  EXPECT_EQ(exported["responses"][0]["submission_id"], "form-1");
  EXPECT_EQ(exported["responses"][0]["respondent_id"], "p1");
}

TEST_F(ServerApiTest, DraftsAreSavedAndPrefillTheForm) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  auto links = import_sample(c);
  const std::string action = "/s/hn-2026?t=" + links[2][5];
  auto r = c.post(action, "_submission=d1&_action=save&_lang=vi&q11=xin%20ch%C3%A0o%20%3Cb%3E",
                  form_type);
  ASSERT_EQ(r.status, 303) << r.body;
  r = c.get(r.header("location"));
  ASSERT_EQ(r.status, 200);
  // Escaped, and kept.
  EXPECT_NE(r.body.find("xin chào &lt;b&gt;"), std::string::npos);
  // Drafts need an invitation: without one, 403 while the open link is off,
  // and 400 with it on.
  r = c.post("/s/hn-2026", "_submission=d2&_action=save", form_type);
  EXPECT_EQ(r.status, 403);
  ASSERT_EQ(c.request("PATCH", "/api/v1/surveys/hn-2026", R"({"open_link":true})", json_type,
                      TestServer::as_manager())
                .status,
            200);
  r = c.post("/s/hn-2026", "_submission=d2&_action=save", form_type);
  EXPECT_EQ(r.status, 400);
}

TEST_F(ServerApiTest, ProgressExportsAndReview) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  auto links = import_sample(c);
  ASSERT_EQ(links.size(), 5u);
  // p1 (stratum A) and p3 (stratum B) answer; p2 only opens the form.
  ASSERT_EQ(c.post("/api/v1/surveys/hn-2026/responses?t=" + links[1][5], valid_response(1, "a"),
                   json_type)
                .status,
            201);
  ASSERT_EQ(c.post("/api/v1/surveys/hn-2026/responses?t=" + links[3][5], valid_response(2, "b"),
                   json_type)
                .status,
            201);
  ASSERT_EQ(c.get("/s/hn-2026?t=" + links[2][5]).status, 200);
  // Opening is recorded without holding up the page: wait for it.
  Json progress;
  for (int i = 0; i < 100; ++i) {
    auto r = c.get("/api/v1/surveys/hn-2026/progress", TestServer::as_analyst());
    ASSERT_EQ(r.status, 200) << r.body;
    progress = Json::parse(r.body);
    if (progress["overall"]["opened"] == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(progress["overall"]["invited"], 4);
  EXPECT_EQ(progress["overall"]["responded"], 2);
  EXPECT_EQ(progress["overall"]["opened"], 3);
  EXPECT_DOUBLE_EQ(progress["overall"]["response_rate"].get<double>(), 0.5);
  ASSERT_EQ(progress["strata"].size(), 2u);
  EXPECT_EQ(progress["strata"][0]["stratum"], "A");
  EXPECT_EQ(progress["strata"][0]["reserves_waiting"], 2);
  EXPECT_DOUBLE_EQ(progress["strata"][0]["response_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(progress["strata"][1]["response_rate"].get<double>(), 0.5);

  auto r = c.get("/api/v1/surveys/hn-2026/responses", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  auto exported = Json::parse(r.body);
  ASSERT_EQ(exported["responses"].size(), 2u);
  const auto& row = exported["responses"][0];
  EXPECT_EQ(row["respondent_id"], "p1");
  EXPECT_EQ(row["stratum"], "A");
  EXPECT_DOUBLE_EQ(row["design_weight"].get<double>(), 10);
  EXPECT_EQ(row["attributes"]["sex"], "1");
  EXPECT_EQ(row["review"], "received");
  EXPECT_EQ(r.body.find("0901"), std::string::npos) << "a contact leaked into the export";
  const auto first_seq = row["seq"].get<std::int64_t>();

  r = c.get("/api/v1/surveys/hn-2026/responses?since=" + std::to_string(first_seq),
            TestServer::as_analyst());
  exported = Json::parse(r.body);
  ASSERT_EQ(exported["responses"].size(), 1u);
  EXPECT_EQ(exported["responses"][0]["respondent_id"], "p3");

  r = c.get("/api/v1/surveys/hn-2026/responses?format=csv", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("0901"), std::string::npos);
  EXPECT_EQ(r.body.substr(0, r.body.find('\n')).find("phone"), std::string::npos);
  EXPECT_NE(r.body.find(",p1,A,A,0.1,10,"), std::string::npos) << r.body.substr(0, 400);

  r = c.get("/api/v1/surveys/hn-2026/responses?format=xml", TestServer::as_analyst());
  EXPECT_EQ(r.status, 400);

  const std::string review =
      "/api/v1/surveys/hn-2026/responses/" + std::to_string(first_seq) + "/review";
  r = c.post(review, R"({"state":"approved"})", json_type, TestServer::as_analyst());
  EXPECT_EQ(r.status, 403);
  r = c.post(review, R"({"state":"lost"})", json_type, TestServer::as_manager());
  EXPECT_EQ(r.status, 422);
  r = c.post(review, R"({"state":"approved"})", json_type, TestServer::as_manager());
  EXPECT_EQ(r.status, 200) << r.body;
  r = c.post("/api/v1/surveys/hn-2026/responses/99999/review", R"({"state":"approved"})", json_type,
             TestServer::as_manager());
  EXPECT_EQ(r.status, 404);
  r = c.get("/api/v1/surveys/hn-2026/responses", TestServer::as_analyst());
  EXPECT_EQ(Json::parse(r.body)["responses"][0]["review"], "approved");
}

TEST_F(ServerApiTest, ReservesAreActivatedInReserveOrder) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  import_sample(c);
  auto r = c.post("/api/v1/surveys/hn-2026/reserves/activate", R"({"stratum":"A","count":1})",
                  json_type, TestServer::as_manager());
  ASSERT_EQ(r.status, 200) << r.body;
  auto rows = split_plain_csv(r.body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "r1");
  r = c.post("/api/v1/surveys/hn-2026/reserves/activate", R"({"stratum":"A","count":5})", json_type,
             TestServer::as_manager());
  rows = split_plain_csv(r.body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "r2");
  // The activated reserve's token works.
  r = c.post("/api/v1/surveys/hn-2026/responses?t=" + rows[1][5], valid_response(9, "r2"),
             json_type);
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(ServerApiTest, ClosedSurveyRefusesAnswersWithConflict) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  auto links = import_sample(c);
  ASSERT_EQ(c.post("/api/v1/surveys/hn-2026/close", "", "", TestServer::as_manager()).status, 200);
  auto r = c.post("/api/v1/surveys/hn-2026/responses?t=" + links[1][5], valid_response(1, "z"),
                  json_type);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_body(r)["code"], "survey.not_open");
}

TEST_F(ServerApiTest, OpenLinkSubmissionsAreRateLimitedPerClient) {
  survey_server::ServiceOptions options;
  options.open_submissions_burst = 3;
  options.open_submissions_per_minute = 1;
  TestServer server(options);
  auto c = server.client();
  create_and_open(c, "hn-2026", true);
  int created = 0, limited = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = c.post("/api/v1/surveys/hn-2026/responses",
                    valid_response(10 + i, "o" + std::to_string(i)), json_type);
    created += r.status == 201;
    limited += r.status == 429;
  }
  EXPECT_EQ(created, 3);
  EXPECT_EQ(limited, 3);
}

TEST_F(ServerApiTest, MetricsInPrometheusFormat) {
  TestServer server;
  auto c = server.client();
  create_and_open(c);
  c.get("/healthz");
  auto r = c.get("/metrics", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(r.body.find("sipas_http_requests_total{route=\"GET /healthz\",status=\"200\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("# TYPE sipas_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(r.body.find("sipas_commit_batch_size_bucket{le=\"+Inf\"}"), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
