// The server under concurrent load, over real loopback sockets and a real
// database file: 32 clients answering 16,000 invitations at once, one token
// raced by 8 clients, and a graceful shutdown with requests in flight.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "store/store.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace ss = sipas::survey_server;

const std::string survey_id = "load-2026";

// Creates and opens the survey, imports `count` invitations; returns their tokens.
std::vector<std::string> prepare_survey(HttpClient& c, std::size_t count, std::size_t strata = 4) {
  auto r = c.post("/api/v1/surveys", Json{{"id", survey_id}, {"standard", "sipas-citizen"}}.dump(),
                  json_type, TestServer::as_manager());
  if (r.status != 201) throw std::runtime_error("create: " + r.body);
  r = c.post("/api/v1/surveys/" + survey_id + "/open", "", "", TestServer::as_manager());
  if (r.status != 200) throw std::runtime_error("open: " + r.body);
  r = c.post("/api/v1/surveys/" + survey_id + "/invitations", make_sample_csv(count, strata),
             "text/csv", TestServer::as_manager());
  if (r.status != 201) throw std::runtime_error("import: " + r.body.substr(0, 400));
  auto tokens = tokens_of_links_csv(r.body);
  if (tokens.size() != count) throw std::runtime_error("import: wrong number of links");
  return tokens;
}

std::string response_url(const std::string& token) {
  return "/api/v1/surveys/" + survey_id + "/responses?t=" + token;
}

std::vector<store::ExportedResponse> all_responses(const std::filesystem::path& db) {
  store::SurveyStore store(db);
  return store.export_responses(survey_id, 0, 1'000'000);
}

TEST(ServerLoadTest, ThirtyTwoClientsAnswerSixteenThousandInvitations) {
  constexpr std::size_t clients = 32, per_client = 500, total = clients * per_client;
  TestServer server;
  auto admin = server.client();
  const auto tokens = prepare_survey(admin, total);
  const ResponseTemplates templates;

  std::vector<std::map<int, std::size_t>> statuses(clients);
  std::vector<std::string> first_error(clients);
  std::latch start(clients + 1);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server.port());
      // Bodies made before the start, so that all clients really go at once.
      std::vector<std::string> bodies(per_client);
      for (std::size_t i = 0; i < per_client; ++i)
        bodies[i] = templates.make(i, "c" + std::to_string(t) + "-" + std::to_string(i));
      start.arrive_and_wait();
      for (std::size_t i = 0; i < per_client; ++i) {
        const std::size_t k = t * per_client + i;
        try {
          auto r = c.post(response_url(tokens[k]), bodies[i], json_type);
          ++statuses[t][r.status];
          if (r.status != 201 && first_error[t].empty()) first_error[t] = r.body;
        } catch (const std::exception& e) {
          ++statuses[t][-1];
          if (first_error[t].empty()) first_error[t] = e.what();
        }
      }
    });
  }
  const auto began = std::chrono::steady_clock::now();
  start.arrive_and_wait();
  for (auto& th : threads)
    th.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  std::size_t created = 0;
  for (std::size_t t = 0; t < clients; ++t) {
    created += statuses[t][201];
    EXPECT_EQ(statuses[t][201], per_client) << "client " << t << ": " << first_error[t];
  }
  EXPECT_EQ(created, total);
  std::cout << "[          ] " << total << " submissions from " << clients << " clients in "
            << seconds << " s (" << static_cast<double>(total) / seconds << "/s)\n";

  auto r = admin.get("/api/v1/surveys/" + survey_id + "/progress", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200) << r.body;
  auto progress = Json::parse(r.body);
  EXPECT_EQ(progress["overall"]["invited"], total);
  EXPECT_EQ(progress["overall"]["responded"], total);
  ASSERT_EQ(progress["strata"].size(), 4u);
  for (const auto& s : progress["strata"])
    EXPECT_EQ(s["responded"], total / 4) << s.dump();

  server.stop();
  const auto rows = all_responses(server.db());
  EXPECT_EQ(rows.size(), total);
  std::set<std::string> submissions, respondents;
  for (const auto& row : rows) {
    submissions.insert(row.submission_id);
    ASSERT_TRUE(row.respondent_id.has_value()) << row.submission_id;
    respondents.insert(*row.respondent_id);
    // Client t's i-th submission answers invitation p(t*500+i).
    const auto dash = row.submission_id.find('-');
    const std::size_t t = std::stoul(row.submission_id.substr(1, dash - 1));
    const std::size_t i = std::stoul(row.submission_id.substr(dash + 1));
    EXPECT_EQ(*row.respondent_id, "p" + std::to_string(t * per_client + i));
  }
  EXPECT_EQ(submissions.size(), total) << "duplicate submission ids";
  EXPECT_EQ(respondents.size(), total) << "an invitation answered twice";
  store::SurveyStore store(server.db());
  EXPECT_EQ(store.integrity_check(), "ok");
}

// An import body over 1 MiB (60,000 rows, about 2 MB) is accepted: the import
// route's own limit (64 MiB) applies, not a default checked while the header
// is read. A JSON answer over its 256 KiB limit is still refused by length.
TEST(ServerLoadTest, LargeImportBodyIsAccepted) {
  TestServer server;
  auto admin = server.client();
  const std::string sample = make_sample_csv(60000, 4);
  ASSERT_GT(sample.size(), 1024u * 1024u);
  const auto tokens = prepare_survey(admin, 60000);
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), 60000u);
  auto r = admin.post(response_url(tokens[0]), std::string(300 * 1024, ' '), json_type);
  EXPECT_EQ(r.status, 413);
}

TEST(ServerLoadTest, OneTokenRacedByEightClientsIsStoredOnce) {
  constexpr int clients = 8;
  TestServer server;
  auto admin = server.client();
  const auto tokens = prepare_survey(admin, 4);
  const ResponseTemplates templates(2);
  // Several rounds, each on a fresh token, to give the race a chance to show.
  for (std::size_t round = 0; round < tokens.size(); ++round) {
    std::vector<int> status(clients, 0);
    std::vector<std::string> body(clients);
    std::latch start(clients);
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        HttpClient c(server.port());
        c.get("/healthz");  // connected before the start
        const auto request = templates.make(
            static_cast<std::size_t>(t), "race-" + std::to_string(round) + "-" + std::to_string(t));
        start.arrive_and_wait();
        auto r = c.post(response_url(tokens[round]), request, json_type);
        status[t] = r.status;
        body[t] = r.body;
      });
    }
    for (auto& th : threads)
      th.join();
    int created = 0, conflicts = 0, winner = -1;
    for (int t = 0; t < clients; ++t) {
      if (status[t] == 201) {
        ++created;
        winner = t;
      } else if (status[t] == 409) {
        ++conflicts;
        EXPECT_EQ(Json::parse(body[t])["error"]["code"], "invitation.already_responded") << body[t];
      } else {
        ADD_FAILURE() << "client " << t << ": " << status[t] << " " << body[t];
      }
    }
    EXPECT_EQ(created, 1) << "round " << round;
    EXPECT_EQ(conflicts, clients - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    store::SurveyStore store(server.db());
    auto rows = store.export_responses(survey_id, 0, 1000);
    ASSERT_EQ(rows.size(), round + 1);
    EXPECT_EQ(rows.back().submission_id,
              "race-" + std::to_string(round) + "-" + std::to_string(winner));
  }
}

TEST(ServerLoadTest, GracefulShutdownAnswersRequestsInFlight) {
  constexpr std::size_t clients = 16;
  TestServer server;
  auto admin = server.client();
  const auto tokens = prepare_survey(admin, clients);
  const ResponseTemplates templates(4);

  // Another connection holds the write lock, so the submissions wait in the
  // commit queue: they are in flight when shutdown() is called.
  store::SurveyStore blocker(server.db());
  blocker.begin();

  std::vector<int> status(clients, 0);
  std::vector<std::string> error(clients);
  std::atomic<std::size_t> sent{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server.port());
      c.get("/healthz");
      sent.fetch_add(1);
      try {
        auto r = c.post(response_url(tokens[t]), templates.make(t, "shut-" + std::to_string(t)),
                        json_type);
        status[t] = r.status;
        if (r.status != 201) error[t] = r.body;
      } catch (const std::exception& e) {
        error[t] = e.what();
      }
    });
  }
  while (sent.load() < clients)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // Let every request reach the server and the commit queue (they cannot
  // be answered before the lock is released).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (std::size_t t = 0; t < clients; ++t)
    ASSERT_EQ(status[t], 0) << "answered while the database was locked: " << error[t];

  std::thread stopper([&] { server.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // A new connection is no longer served.
  {
    HttpClient late(server.port());
    bool refused = false;
    try {
      refused = late.get("/healthz").status == 0;
    } catch (const std::exception&) {
      refused = true;
    }
    EXPECT_TRUE(refused) << "a connection made after shutdown() was served";
  }
  blocker.rollback();
  stopper.join();
  for (auto& th : threads)
    th.join();

  for (std::size_t t = 0; t < clients; ++t)
    EXPECT_EQ(status[t], 201) << "client " << t << ": " << error[t];
  const auto rows = all_responses(server.db());
  std::set<std::string> stored;
  for (const auto& row : rows)
    stored.insert(row.submission_id);
  EXPECT_EQ(stored.size(), clients);
  for (std::size_t t = 0; t < clients; ++t)
    EXPECT_TRUE(stored.contains("shut-" + std::to_string(t))) << t;
}

}  // namespace
}  // namespace sipas::test
