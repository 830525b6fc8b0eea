// Crash safety of the real `sipas serve`: killed with SIGKILL under load, it
// has lost no acknowledged answer and its database passes integrity_check
// after a restart. SIGTERM stops it cleanly (exit 0).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "survey_server/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

extern char** environ;

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace ss = sipas::survey_server;

const std::string survey_id = "crash-2026";

// `sipas serve` as a child process, its output in files of `dir`.
class ServeProcess {
 public:
  ServeProcess(const TempDir& dir, const std::filesystem::path& db, const std::string& name)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    const auto keys = dir / "keys.txt";
    std::ofstream(keys) << "manager " << manager_key << "\nanalyst " << analyst_key << "\n";
    std::vector<std::string> args = {SIPAS_EXECUTABLE,   "serve",       "--db",      db.string(),
                                     "--listen",         "127.0.0.1:0", "--threads", "2",
                                     "--admin-key-file", keys.string()};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
    // The port, from "sipas serve: listening on http://127.0.0.1:PORT (...)".
    const std::string marker = "listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto text = slurp(out_);
      if (auto at = text.find(marker); at != std::string::npos) {
        const auto digits = text.substr(at + marker.size());
        if (digits.find(' ') != std::string::npos) {
          port_ = static_cast<unsigned short>(std::stoi(digits));
          return;
        }
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("sipas serve exited at start: " + slurp(err_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_now();
    throw std::runtime_error("sipas serve did not say where it listens: " + slurp(err_));
  }
  ~ServeProcess() { kill_now(); }

  unsigned short port() const { return port_; }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

  // Sends `signal` and waits for the exit: the exit code, or 128 + signal.
  int signal_and_wait(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  void kill_now() {
    if (pid_ > 0) signal_and_wait(SIGKILL);
  }

  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

std::vector<std::string> prepare_survey(HttpClient& c, std::size_t count) {
  auto r = c.post("/api/v1/surveys", Json{{"id", survey_id}, {"standard", "sipas-citizen"}}.dump(),
                  json_type, TestServer::as_manager());
  if (r.status != 201) throw std::runtime_error("create: " + r.body);
  r = c.post("/api/v1/surveys/" + survey_id + "/open", "", "", TestServer::as_manager());
  if (r.status != 200) throw std::runtime_error("open: " + r.body);
  r = c.post("/api/v1/surveys/" + survey_id + "/invitations", make_sample_csv(count, 4), "text/csv",
             TestServer::as_manager());
  if (r.status != 201) throw std::runtime_error("import: " + r.body.substr(0, 400));
  return tokens_of_links_csv(r.body);
}

TEST(ServerCrashTest, AcknowledgedAnswersSurviveSigkillUnderLoad) {
  constexpr std::size_t clients = 8, per_client = 1000, total = clients * per_client;
  TempDir dir("sipas-crash");
  const auto db = dir / "survey.db";
  auto server = std::make_unique<ServeProcess>(dir, db, "first");
  std::vector<std::string> tokens;
  {
    HttpClient admin(server->port());
    tokens = prepare_survey(admin, total);
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
  server = std::make_unique<ServeProcess>(dir, db, "second");
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
      since = row["seq"].get<std::int64_t>();
    }
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

  ss::SurveyStore store(db);
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(ServerCrashTest, SigtermStopsTheServerCleanly) {
  TempDir dir("sipas-term");
  const auto db = dir / "survey.db";
  ServeProcess server(dir, db, "serve");
  std::string token;
  {
    HttpClient c(server.port());
    auto tokens = prepare_survey(c, 2);
    ASSERT_EQ(tokens.size(), 2u);
    ResponseTemplates templates(1);
    auto r = c.post("/api/v1/surveys/" + survey_id + "/responses?t=" + tokens[0],
                    templates.make(0, "before-term"), json_type);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  EXPECT_EQ(server.signal_and_wait(SIGTERM), 0) << server.err();
  EXPECT_NE(server.out().find("sipas serve: stopped"), std::string::npos) << server.out();
  ss::SurveyStore store(db);
  EXPECT_EQ(store.integrity_check(), "ok");
  auto rows = store.export_responses(survey_id, 0, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].submission_id, "before-term");
}

}  // namespace
}  // namespace sipas::test
