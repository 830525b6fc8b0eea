// The heaviest submission that can be built (bench/worst_submission: 15
// regex() constraints at the edge of the expression limits, on 42 KB of
// answers) against the real server with ONE I/O thread: validation runs on
// the worker threads, so /healthz is answered while submissions are checked,
// and each is refused (response.too_complex) within the step budget instead
// of holding a core for seconds. Before, validation ran on the I/O thread:
// /healthz waited for every submission queued in front of it.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/survey_server/hostile_fixture.hpp"
#include "tests/survey_server/load_support.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
using hostile::exchange;
using hostile::Reply;
using std::chrono::milliseconds;
namespace ss = sipas::survey_server;

const std::string survey_id = "worst";

std::string worst_file(const std::string& name) {
  return slurp(std::filesystem::path(SIPAS_SOURCE_DIR) / "bench" / "worst_submission" / name);
}

TEST(HostileValidationTest, TheWorstSubmissionNeitherStallsTheServerNorRunsUnbounded) {
  ss::ServerOptions server_options;
  server_options.threads = 1;  // one I/O thread: a validation on it would stall everything
  server_options.request_timeout = std::chrono::seconds(120);
  ss::ServiceOptions options;
  options.validation_threads = 1;
  hostile::Server server(server_options, options);
  const auto questionnaire = Json::parse(worst_file("questionnaire.json"));
  auto response = Json::parse(worst_file("response.json"));
  auto admin = [&](const std::string& method, const std::string& target,
                   const std::string& data = {}, const std::string& type = {}) {
    return exchange(server.port(), method, target, data, type, hostile::as_manager());
  };
  auto r = admin("POST", "/api/v1/surveys",
                 Json{{"id", survey_id}, {"questionnaire", questionnaire}}.dump(), json_type);
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 300);
  ASSERT_EQ(admin("POST", "/api/v1/surveys/" + survey_id + "/open").status, 200);
  r = admin("POST", "/api/v1/surveys/" + survey_id + "/invitations", make_sample_csv(4, 1),
            "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto tokens = tokens_of_links_csv(r.body);
  ASSERT_EQ(tokens.size(), 4u);
  auto post = [&](std::size_t i) {
    Json body = response;
    body["submission_id"] = "worst-" + std::to_string(i);
    return exchange(server.port(), "POST",
                    "/api/v1/surveys/" + survey_id + "/responses?t=" + tokens[i], body.dump(),
                    json_type, {}, milliseconds(120000));
  };

  // One alone: refused as too much work, within the budget.
  const auto t0 = std::chrono::steady_clock::now();
  r = post(0);
  const double alone = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.status, 400) << r.body.substr(0, 300);
  auto doc = Json::parse(r.body, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.body;
  EXPECT_EQ(doc["error"].value("code", ""), "response.too_complex") << r.body;

  // Four at once (one validation thread: they queue there), then /healthz:
  // it is answered long before the queue has drained.
  std::vector<std::future<Reply>> posts;
  for (std::size_t i = 0; i < 4; ++i)
    posts.push_back(std::async(std::launch::async, [&, i] { return post(i); }));
  std::this_thread::sleep_for(milliseconds(static_cast<long>(alone * 250)));
  const auto h0 = std::chrono::steady_clock::now();
  auto health = exchange(server.port(), "GET", "/healthz");
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
  EXPECT_EQ(health.status, 200) << health.error;
  for (auto& p : posts) {
    const auto reply = p.get();
    EXPECT_EQ(reply.status, 400) << reply.error << reply.body.substr(0, 200);
  }
  // On the I/O thread, /healthz would have waited for most of four
  // validations; off it, for none. Compared with one validation measured in
  // this run (no absolute time).
  EXPECT_LT(waited, alone / 2) << "/healthz waited " << waited << " s; one validation takes "
                               << alone << " s";
}

}  // namespace
}  // namespace sipas::test
