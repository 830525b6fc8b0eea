#pragma once

// The fixture the hostile-client suites share: a server in the test process
// (hostile::Server), a survey of the standard sipas-citizen form opened with
// invitations, the manager's admin calls, and valid answers to post.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "io/percent_encoding.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "survey_server/url_encoding.hpp"
#include "tests/survey_server/hostile_support.hpp"
#include "tests/survey_server/load_support.hpp"

namespace sipas::test::hostile {

inline const std::vector<std::pair<std::string, std::string>>& as_manager() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", std::string("Bearer ") + manager_key}};
  return headers;
}

// The error code of a JSON error body ("" when the body is not one).
inline std::string error_code(const Reply& r) {
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) return {};
  return doc["error"].value("code", "");
}

class SurveyFixture : public ::testing::Test {
 protected:
  using Json = nlohmann::json;

  explicit SurveyFixture(std::string survey_id = "hn-2026") : survey_id_(std::move(survey_id)) {}

  static const questionnaires::Questionnaire& questionnaire() {
    static const questionnaires::Questionnaire form = [] {
      const auto* file = questionnaires::find_standard_file("forms/sipas-citizen.json");
      if (file == nullptr) throw std::runtime_error("forms/sipas-citizen.json is not built in");
      return questionnaires::load_questionnaire(file->content, "sipas-citizen.json");
    }();
    return form;
  }

  // Starts a server, creates the survey and opens it; with `invitations`
  // main units (in 2 strata) imported, tokens_ holds their tokens.
  void start(survey_server::ServerOptions server_options = {},
             survey_server::ServiceOptions options = {}, std::size_t invitations = 6) {
    server_ = std::make_unique<Server>(server_options, options);
    create_and_open();
    if (invitations == 0) return;
    auto r = admin("POST", api() + "/invitations", make_sample_csv(invitations, 2), "text/csv");
    ASSERT_EQ(r.status, 201) << r.error << r.body;
    tokens_ = tokens_of_links_csv(r.body);
    ASSERT_EQ(tokens_.size(), invitations);
  }

  void create_and_open() {
    auto r = admin("POST", "/api/v1/surveys",
                   Json{{"id", survey_id_}, {"standard", "sipas-citizen"}}.dump(), json_type);
    ASSERT_EQ(r.status, 201) << r.error << r.body;
    r = admin("POST", api() + "/open");
    ASSERT_EQ(r.status, 200) << r.error << r.body;
  }

  unsigned short port() const { return server_->port(); }
  std::string api() const { return "/api/v1/surveys/" + survey_id_; }

  Reply admin(const std::string& method, const std::string& target, const std::string& body = {},
              const std::string& type = {}) {
    return exchange(port(), method, target, body, type, as_manager());
  }

  // A valid response to sipas-citizen (answers only) for a seed.
  static Json valid_answers(std::uint64_t seed) {
    questionnaires::GeneratorOptions options;
    options.seed = seed;
    options.other_language_rate = 0;
    questionnaires::ResponseGenerator generator(questionnaire(), options);
    return Json::parse(
        questionnaires::response_to_json(questionnaire(), generator.valid()))["answers"];
  }

  static std::string json_submission(const Json& answers, const std::string& submission_id) {
    return Json{{"answers", answers}, {"submission_id", submission_id}}.dump();
  }

  // The form post a browser sends for `answers` (submit, in Vietnamese).
  static std::string form_body(const Json& answers, const std::string& submission_id) {
    std::string body =
        "_submission=" + io::percent_encode(submission_id) + "&_lang=vi&_action=submit";
    for (const auto& [name, value] : answers.items()) {
      const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      body += "&" + io::percent_encode(name) + "=" + io::percent_encode(text);
    }
    return body;
  }

  // The stored responses, read back through the admin export API.
  Json stored() {
    auto r = admin("GET", api() + "/responses?limit=10000");
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    auto doc = Json::parse(r.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("responses")) return Json::array();
    return doc["responses"];
  }

  std::string survey_id_;
  std::unique_ptr<Server> server_;
  std::vector<std::string> tokens_;
};

}  // namespace sipas::test::hostile
