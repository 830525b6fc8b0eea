// Ballot stuffing through the open link (issue 15), against the real
// `sipas serve` as a child process and the real `sipas` commands on its
// database file: a survey with invitations took answers without a token, with
// no stratum and no weight, and `sipas analyze` then failed on the export.
// Now the open link is a per-survey setting, off by default: token-less form
// pages, form posts and JSON posts are 403 before their body is read, and
// nothing is stored. A manager turns it on (admin API or CLI, while the server
// runs); then a token-less answer is stored, marked open_link in the exports,
// and `sipas analyze` leaves it out of the design-based estimates, naming it.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/percent_encoding.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "survey_server/url_encoding.hpp"
#include "tests/support/process.hpp"
#include "tests/survey_server/fault_serve.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace q = sipas::questionnaires;

const std::string survey_id = "hn-2026";
const std::string api = "/api/v1/surveys/" + survey_id;
const std::string vi_sentence = "chỉ dành cho những người được mời";
const std::string en_sentence = "for invited respondents only";

class HostileOpenLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = start_serve(dir_, db(), "serve");
    client_ = std::make_unique<HttpClient>(server_->port());
    // 8 main units in 4 strata (make_sample_csv), the open link left as created.
    tokens_ = prepare_survey(*client_, survey_id, 8);
    ASSERT_EQ(tokens_.size(), 8u);
  }

  std::filesystem::path db() const { return dir_ / "survey.db"; }
  HttpClient& c() { return *client_; }

  static const q::Questionnaire& questionnaire() {
    static const q::Questionnaire form = [] {
      const auto* file = q::find_standard_file("forms/sipas-citizen.json");
      return q::load_questionnaire(file->content, "sipas-citizen.json");
    }();
    return form;
  }

  static Json answers(std::uint64_t seed) {
    q::GeneratorOptions options;
    options.seed = seed;
    options.other_language_rate = 0;
    q::ResponseGenerator generator(questionnaire(), options);
    return Json::parse(q::response_to_json(questionnaire(), generator.valid()))["answers"];
  }

  static std::string json_body(std::uint64_t seed, const std::string& submission_id) {
    return Json{{"answers", answers(seed)}, {"submission_id", submission_id}}.dump();
  }

  static std::string form_body(std::uint64_t seed, const std::string& submission_id) {
    std::string body = "_submission=" + submission_id + "&_lang=vi&_action=submit";
    const Json given = answers(seed);
    for (const auto& [name, value] : given.items()) {
      if (value.is_null()) continue;
      auto add = [&](const Json& v) {
        const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        body += "&" + name + "=" + io::percent_encode(text);
      };
      if (value.is_array()) {
        for (const auto& v : value)
          add(v);
      } else {
        add(value);
      }
    }
    return body;
  }

  std::string error_code(const ClientResponse& r) {
    const auto body = Json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body.contains("error")) return "(no error object) " + r.body;
    return body["error"].value("code", "");
  }

  // The responses through the admin API's JSON export.
  Json exported() {
    auto r = c().get(api + "/responses", TestServer::as_analyst());
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body)["responses"];
  }

  ClientResponse set_open_link(bool on, const HttpClient::Headers& who = TestServer::as_manager()) {
    return c().request("PATCH", api, Json{{"open_link", on}}.dump(), json_type, who);
  }

  TempDir dir_{"sipas-open-link"};
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::vector<std::string> tokens_;
};

// ------------------------------------------------------------------ link off

TEST_F(HostileOpenLinkTest, TokenLessAnswersToAnInvitationSurveyAreRefusedAndStoreNothing) {
  auto r = c().get(api, TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["open_link"], false) << "off by default";

  // The form page: 403, in the survey's language (Vietnamese first), no form.
  r = c().get("/s/" + survey_id);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("lang=\"vi\""), std::string::npos);
  EXPECT_NE(r.body.find(vi_sentence), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("name=\"_submission\""), std::string::npos) << "a form was served";
  r = c().get("/s/" + survey_id + "?lang=en");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("lang=\"en\""), std::string::npos);
  EXPECT_NE(r.body.find(en_sentence), std::string::npos) << r.body;

  // Stuffing: valid answers through the form and the JSON API, many times,
  // and bodies that are not even readable (refused before they are read).
  for (int i = 0; i < 30; ++i) {
    const std::string id = "stuff-" + std::to_string(i);
    r = c().post("/s/" + survey_id, form_body(i, id), form_type);
    ASSERT_EQ(r.status, 403) << r.body.substr(0, 300);
    EXPECT_NE(r.body.find(vi_sentence), std::string::npos);
    r = c().post(api + "/responses", json_body(i, id + "-json"), json_type);
    ASSERT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(error_code(r), "survey.invitation_required");
  }
  r = c().post("/s/" + survey_id + "?lang=en", form_body(99, "en-1"), form_type);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find(en_sentence), std::string::npos);
  r = c().post("/s/" + survey_id, "_submission=%ZZ", form_type);
  EXPECT_EQ(r.status, 403) << "decided before the body is parsed";
  r = c().post(api + "/responses", "{not json", json_type);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "survey.invitation_required");
  const auto body = Json::parse(c().post(api + "/responses", json_body(1, "x"), json_type).body);
  EXPECT_EQ(body["error"]["field"], "t");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("?t="), std::string::npos);
  // A query that only looks like a token is no token.
  EXPECT_EQ(c().post(api + "/responses?T=" + tokens_[0], json_body(2, "y"), json_type).status, 403);
  // The invitations still answer (201, 303).
  r = c().post(api + "/responses?t=" + tokens_[0], json_body(3, "invited-0"), json_type);
  EXPECT_EQ(r.status, 201) << r.body;
  r = c().post("/s/" + survey_id + "?t=" + tokens_[1], form_body(4, "invited-1"), form_type);
  EXPECT_EQ(r.status, 303) << r.body.substr(0, 300);

  // Nothing of the stuffing is stored: the export (API and CLI) has the two.
  const auto rows = exported();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row["channel"], "invitation");
    EXPECT_TRUE(row["stratum"].is_string());
  }
  const auto csv = dir_ / "responses.csv";
  auto out = sipas(
      {"responses", "export", "--db", db().string(), "--survey", survey_id, "--out", csv.string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("exported 2 responses"), std::string::npos) << out.out;
}

// ------------------------------------------------------------------ link on

TEST_F(HostileOpenLinkTest, ManagerTurnsTheLinkOnThenTheExportMarksItAndAnalyzeLeavesItOut) {
  // Only a manager changes it, and only it.
  EXPECT_EQ(set_open_link(true, {}).status, 401);
  EXPECT_EQ(set_open_link(true, TestServer::as_analyst()).status, 403);
  auto r = c().request("PATCH", api, R"({"open_link":"yes"})", json_type, TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  r = c().request("PATCH", api, R"({"state":"closed"})", json_type, TestServer::as_manager());
  EXPECT_EQ(r.status, 400);
  r = c().request("PATCH", "/api/v1/surveys/nope", R"({"open_link":true})", json_type,
                  TestServer::as_manager());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(c().post(api + "/responses", json_body(1, "before"), json_type).status, 403);

  r = set_open_link(true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["open_link"], true);
  r = c().get("/s/" + survey_id);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("name=\"_submission\""), std::string::npos);
  r = c().post(api + "/responses", json_body(1, "open-1"), json_type);
  EXPECT_EQ(r.status, 201) << r.body;

  // Every invitation answers, so each stratum has two rows.
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    r = c().post(api + "/responses?t=" + tokens_[i], json_body(10 + i, "inv-" + std::to_string(i)),
                 json_type);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  // The CLI turns it off on the file while the server runs: the next request
  // sees it (the setting is re-read per request, not cached).
  auto cli =
      sipas({"survey", "set", "--db", db().string(), "--survey", survey_id, "--open-link", "off"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("open link off"), std::string::npos) << cli.out;
  EXPECT_EQ(c().post(api + "/responses", json_body(2, "open-2"), json_type).status, 403);
  EXPECT_EQ(c().get("/s/" + survey_id).status, 403);
  cli = sipas({"survey", "set", "--db", db().string(), "--survey", survey_id, "--open-link", "on"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  cli = sipas({"survey", "list", "--db", db().string()});
  EXPECT_NE(cli.out.find(survey_id + "\topen\tsipas-citizen"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("open-link on"), std::string::npos) << cli.out;
  r = c().post("/s/" + survey_id, form_body(3, "open-form"), form_type);
  EXPECT_EQ(r.status, 303) << r.body.substr(0, 300);

  // The exports mark the two open-link answers.
  const auto rows = exported();
  ASSERT_EQ(rows.size(), 10u);
  int open = 0;
  for (const auto& row : rows) {
    const bool is_open = row["submission_id"].get<std::string>().starts_with("open-");
    EXPECT_EQ(row["channel"], is_open ? "open_link" : "invitation") << row.dump();
    EXPECT_EQ(row["stratum"].is_null(), is_open);
    open += is_open;
  }
  EXPECT_EQ(open, 2);
  r = c().get(api + "/responses?format=csv", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind("seq,submission_id,received_at,review,channel,respondent_id,", 0), 0u)
      << r.body.substr(0, 200);

  const auto csv = dir_ / "responses.csv";
  auto out = sipas(
      {"responses", "export", "--db", db().string(), "--survey", survey_id, "--out", csv.string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  // The CSV lines of the open-link rows, as a reader of the file counts them.
  std::vector<std::size_t> open_lines;
  {
    io::CsvReader reader(csv);
    const auto channel = reader.require_column("channel");
    const auto stratum = reader.require_column("stratum");
    while (reader.next()) {
      if (reader.field(channel) == "open_link") {
        open_lines.push_back(reader.line());
        EXPECT_EQ(reader.field(stratum), "");
      } else {
        EXPECT_EQ(reader.field(channel), "invitation");
      }
    }
  }
  ASSERT_EQ(open_lines.size(), 2u);

  // analyze succeeds, leaves the two out of the design and says which.
  const auto results = dir_ / "results.json";
  out = sipas({"analyze", "--data", csv.string(), "--strata", "stratum", "--weights",
               "design_weight", "--prop", "a_sex=1", "--out", results.string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const std::string expected = "responses.csv: 2 open-link rows (lines " +
                               std::to_string(open_lines[0]) + ", " +
                               std::to_string(open_lines[1]) + ") left out";
  EXPECT_NE(out.err.find(expected), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("no design weight"), std::string::npos) << out.err;
  const auto result = Json::parse(slurp(results));
  EXPECT_EQ(result["design"]["rows"], 8);
  EXPECT_EQ(result["design"]["open_link"]["rows"], 2);
  EXPECT_EQ(result["design"]["open_link"]["included"], false);
  EXPECT_EQ(result["estimates"][0]["n"], 8);

  // Asked to include them as they are, it refuses and names them.
  out = sipas({"analyze", "--data", csv.string(), "--strata", "stratum", "--weights",
               "design_weight", "--prop", "a_sex=1", "--include-open-link"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("data.open_link_without_design"), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("2 rows answered through the open link have no 'stratum' (lines " +
                         std::to_string(open_lines[0]) + ", " + std::to_string(open_lines[1])),
            std::string::npos)
      << out.err;
  EXPECT_EQ(server_->signal_and_wait(SIGTERM), 0) << server_->err();
}

}  // namespace
}  // namespace sipas::test
