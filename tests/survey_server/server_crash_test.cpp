// Crash safety of the real `sipas serve`: killed with SIGKILL under load, it
// has lost no acknowledged answer and its database passes integrity_check
// after a restart. SIGTERM stops it cleanly (exit 0). Kills at several
// random moments, disk full, read-only and damaged files: server_fault_test.cpp.

#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "store/store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/survey_server/fault_serve.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace ss = sipas::survey_server;

const std::string survey_id = "crash-2026";

TEST(ServerCrashTest, AcknowledgedAnswersSurviveSigkillUnderLoad) {
  constexpr std::size_t clients = 8, per_client = 1000, total = clients * per_client;
  TempDir dir("sipas-crash");
  const auto db = dir / "survey.db";
  auto server = start_serve(dir, db, "first");
  std::vector<std::string> tokens;
  {
    HttpClient admin(server->port());
    tokens = prepare_survey(admin, survey_id, total);
  }
  ASSERT_EQ(tokens.size(), total);
  const ResponseTemplates templates;

  std::mutex acked_mutex;
  std::set<std::string> acknowledged;  // submission ids answered 201
  std::atomic<std::size_t> ack_count{0};
  std::atomic<bool> killed{false};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < clients; ++t) {
    threads.emplace_back([&, t, port = server->port()] {
      HttpClient c(port);
      for (std::size_t i = 0; i < per_client && !killed.load(); ++i) {
        const std::string id = "k" + std::to_string(t) + "-" + std::to_string(i);
        try {
          auto r =
              c.post("/api/v1/surveys/" + survey_id + "/responses?t=" + tokens[t * per_client + i],
                     templates.make(i, id), json_type);
          if (r.status == 201) {
            std::lock_guard lock(acked_mutex);
            acknowledged.insert(id);
            ack_count.fetch_add(1);
          } else {
            ADD_FAILURE() << "before the kill: " << r.status << " " << r.body;
            return;
          }
        } catch (const std::exception&) {
          return;  // the server is gone
        }
      }
    });
  }
  // Kill it mid-load: well after the first acknowledgements, well before the end.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (ack_count.load() < total / 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const int code = server->signal_and_wait(SIGKILL);
  killed = true;
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(code, 128 + SIGKILL);
  const std::size_t acked = acknowledged.size();
  std::cout << "[          ] killed after " << acked << " acknowledged submissions\n";
  ASSERT_GE(acked, total / 4);
  ASSERT_LT(acked, total) << "the load ended before the kill";

  // Restart on the same file; every acknowledged answer is there.
  server = start_serve(dir, db, "second");
  HttpClient c(server->port());
  std::set<std::string> present;
  std::int64_t since = 0;
  for (;;) {
    auto r = c.get(
        "/api/v1/surveys/" + survey_id + "/responses?limit=5000&since=" + std::to_string(since),
        TestServer::as_analyst());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = Json::parse(r.body);
    if (body["responses"].empty()) break;
    for (const auto& row : body["responses"]) {
      EXPECT_TRUE(present.insert(row["submission_id"].get<std::string>()).second)
          << "twice: " << row["submission_id"];
    }
    since = body["next_since"].get<std::int64_t>();  // the rows are not in seq order
  }
  std::size_t missing = 0;
  for (const auto& id : acknowledged) {
    if (!present.contains(id)) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged but lost: " << id;
    }
  }
  EXPECT_EQ(missing, 0u);
  // At most the requests in flight at the kill were stored without an answer.
  EXPECT_LE(present.size(), acked + clients);
  auto r = c.get("/api/v1/surveys/" + survey_id + "/progress", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["overall"]["responded"], present.size());
  // The server goes on taking answers after the restart.
  std::size_t next = 0;
  while (next < total && present.contains("k0-" + std::to_string(next)))
    ++next;
  ASSERT_LT(next, per_client);
  r = c.post("/api/v1/surveys/" + survey_id + "/responses?t=" + tokens[next],
             templates.make(0, "after-restart"), json_type);
  // An answer stored but not acknowledged before the kill makes this a 409.
  EXPECT_TRUE(r.status == 201 || r.status == 409) << r.status << " " << r.body;
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();

  store::SurveyStore store(db);
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(ServerCrashTest, SigtermStopsTheServerCleanly) {
  TempDir dir("sipas-term");
  const auto db = dir / "survey.db";
  auto server = start_serve(dir, db, "serve");
  std::string token;
  {
    HttpClient c(server->port());
    auto tokens = prepare_survey(c, survey_id, 2);
    ASSERT_EQ(tokens.size(), 2u);
    ResponseTemplates templates(1);
    auto r = c.post("/api/v1/surveys/" + survey_id + "/responses?t=" + tokens[0],
                    templates.make(0, "before-term"), json_type);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  EXPECT_NE(server->out().find("sipas serve: stopped"), std::string::npos) << server->out();
  store::SurveyStore store(db);
  EXPECT_EQ(store.integrity_check(), "ok");
  auto rows = store.export_responses(survey_id, 0, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].submission_id, "before-term");
}

}  // namespace
}  // namespace sipas::test
