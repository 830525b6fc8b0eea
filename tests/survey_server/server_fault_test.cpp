// Faults under the real `sipas serve` (a child process) on a real SQLite
// file: SIGKILL at several random moments of a submission load, a full disk
// (a file size limit: writes fail with EFBIG; a small tmpfs: ENOSPC), a
// read-only database, damaged files. In every case acknowledged answers
// survive, errors are clear, and nothing is acknowledged that was not stored.

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "store/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/survey_server/fault_serve.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;
namespace ss = sipas::survey_server;

const std::string survey = "fault-2026";

// The seed of the random moments: SIPAS_FAULT_SEED, else a fixed one.
std::uint32_t fault_seed() {
  if (const char* text = std::getenv("SIPAS_FAULT_SEED")) {
    return static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10));
  }
  return 20260707;
}

std::string responses_path(const std::string& token) {
  return "/api/v1/surveys/" + survey + "/responses?t=" + token;
}

std::string integrity_of(const fs::path& db) {
  store::SurveyStore store(db);
  return store.integrity_check();
}

// ---------------------------------------------------------------------------
// SIGKILL at random moments

TEST(ServerFaultTest, SigkillAtRandomMomentsLosesNoAcknowledgedAnswer) {
  constexpr std::size_t clients = 8, per_client = 400, rounds = 5;
  const auto seed = fault_seed();
  std::cout << "[          ] seed " << seed << " (set SIPAS_FAULT_SEED to change it)\n";
  std::mt19937 rng(seed);
  TempDir dir("sipas-kills");
  const auto db = dir / "survey.db";
  std::vector<std::string> tokens;
  {
    auto server = start_serve(dir, db, "setup");
    HttpClient admin(server->port());
    tokens = prepare_survey(admin, survey, clients * per_client);
    EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  }
  ASSERT_EQ(tokens.size(), clients * per_client);
  const ResponseTemplates templates;
  auto id_of = [](std::size_t t, std::size_t i) {
    return "c" + std::to_string(t) + "-" + std::to_string(i);
  };
  auto submit = [&](HttpClient& c, std::size_t t, std::size_t i) {
    return c.post(responses_path(tokens[t * per_client + i]), templates.make(i, id_of(t, i)),
                  json_type);
  };

  // Per client: the next submission, whether it was sent without an answer
  // (the kill came first), and the last one acknowledged.
  struct Client {
    std::size_t next = 0;
    bool in_flight = false;
    std::optional<std::size_t> last_acked;
  };
  std::vector<Client> state(clients);
  std::mutex mutex;
  std::map<std::string, std::int64_t> acked;  // submission id → response number of its 2xx
  std::size_t stored_unanswered = 0;          // in flight at a kill, found stored on retry

  for (std::size_t round = 0; round <= rounds; ++round) {
    const bool last = round == rounds;
    auto server = start_serve(dir, db, "round" + std::to_string(round));
    // This round is killed after `target` acknowledgements (0: as soon as it
    // listens) and a few milliseconds more.
    const std::size_t target = std::uniform_int_distribution<std::size_t>(0, 250)(rng);
    const int extra_ms = std::uniform_int_distribution<int>(0, 20)(rng);
    std::atomic<std::size_t> round_acks{0};
    std::atomic<bool> killing{false};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < clients; ++t) {
      threads.emplace_back([&, t, port = server->port()] {
        auto& me = state[t];
        try {
          HttpClient c(port);
          // A retry of an acknowledged submission gets its first result.
          if (me.last_acked) {
            auto r = submit(c, t, *me.last_acked);
            EXPECT_EQ(r.status, 200) << r.body;
            std::lock_guard lock(mutex);
            EXPECT_EQ(Json::parse(r.body)["response"].get<std::int64_t>(),
                      acked.at(id_of(t, *me.last_acked)));
          }
          while (me.next < per_client && !killing.load()) {
            // The last round only settles what the kills left open.
            if (last && !me.in_flight) break;
            const bool retry = me.in_flight;
            me.in_flight = true;
            auto r = submit(c, t, me.next);
            me.in_flight = false;
            if (r.status != 201 && !(retry && r.status == 200)) {
              ADD_FAILURE() << id_of(t, me.next) << (retry ? " (retry): " : ": ") << r.status << " "
                            << r.body;
              return;
            }
            {
              std::lock_guard lock(mutex);
              acked[id_of(t, me.next)] = Json::parse(r.body)["response"].get<std::int64_t>();
              if (r.status == 200) ++stored_unanswered;
            }
            me.last_acked = me.next++;
            round_acks.fetch_add(1);
          }
        } catch (const std::exception& e) {
          if (!killing.load()) ADD_FAILURE() << "client " << t << ": " << e.what();
        }
      });
    }
    if (last) {
      for (auto& th : threads)
        th.join();
      EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
      break;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (round_acks.load() < target && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_GE(round_acks.load(), target) << "round " << round << " was slow";
    std::this_thread::sleep_for(std::chrono::milliseconds(extra_ms));
    killing = true;
    EXPECT_EQ(server->signal_and_wait(SIGKILL), 128 + SIGKILL);
    for (auto& th : threads)
      th.join();
    std::size_t open = 0;
    for (const auto& s : state)
      open += s.in_flight ? 1 : 0;
    std::cout << "[          ] round " << round << ": killed after " << round_acks.load()
              << " acknowledgements (target " << target << "), " << open << " in flight\n";
    // The file and its WAL as the kill left them are consistent.
    EXPECT_EQ(integrity_of(db), "ok") << "after round " << round;
  }

  // The last server is up: every acknowledged answer is there exactly once,
  // with the response number its client was given, and nothing else is.
  const std::size_t total = acked.size();
  std::cout << "[          ] " << total << " acknowledged, " << stored_unanswered
            << " of them stored before a kill and acknowledged on retry\n";
  ASSERT_LT(total, clients * per_client) << "the load ran out before the last kill";
  auto server = start_serve(dir, db, "check");
  HttpClient c(server->port());
  const auto stored = stored_responses(c, survey);
  EXPECT_TRUE(stored.twice.empty()) << stored.twice.front();
  std::size_t missing = 0;
  for (const auto& [id, seq] : acked) {
    auto found = stored.seq_of.find(id);
    if (found == stored.seq_of.end()) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged but lost: " << id;
    } else {
      EXPECT_EQ(found->second, seq) << id;
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(stored.seq_of.size(), total) << "stored without a 2xx";
  auto r = c.get("/api/v1/surveys/" + survey + "/progress", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["overall"]["responded"].get<std::size_t>(), total);
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  EXPECT_EQ(integrity_of(db), "ok");
}

// ---------------------------------------------------------------------------
// Disk full

// Invitations and tokens in a fresh database, the server stopped cleanly
// (its WAL checkpointed into the file and removed).
std::vector<std::string> prepared_database(const TempDir& dir, const fs::path& db,
                                           std::size_t count) {
  auto server = start_serve(dir, db, "prepare");
  HttpClient admin(server->port());
  auto tokens = prepare_survey(admin, survey, count);
  if (server->signal_and_wait(SIGTERM) != 0) throw std::runtime_error("prepare: " + server->err());
  return tokens;
}

// The answers of a fill-up run, by submission id ("<prefix><client>-<i>").
struct FillOutcome {
  std::set<std::string> acked, refused;
};

// `clients` clients answer one invitation after another until the store
// refuses five in a row; every refusal goes through `check_refusal`.
FillOutcome answer_until_refused(unsigned short port, const std::vector<std::string>& tokens,
                                 std::size_t clients, std::size_t per_client,
                                 const std::string& prefix,
                                 const std::function<void(const ClientResponse&)>& check_refusal) {
  const ResponseTemplates templates;
  std::mutex mutex;
  FillOutcome out;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(port);
      int failures_in_a_row = 0;
      for (std::size_t i = 0; i < per_client && failures_in_a_row < 5; ++i) {
        const std::string id = prefix + std::to_string(t) + "-" + std::to_string(i);
        auto r =
            c.post(responses_path(tokens[t * per_client + i]), templates.make(i, id), json_type);
        std::lock_guard lock(mutex);
        if (r.status == 201) {
          out.acked.insert(id);
          failures_in_a_row = 0;
          continue;
        }
        ++failures_in_a_row;
        out.refused.insert(id);
        check_refusal(r);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  return out;
}

// Sends each refused answer of `run` again: each must now be stored.
void retry_refused(HttpClient& c, const FillOutcome& run, const std::vector<std::string>& tokens,
                   std::size_t per_client) {
  const ResponseTemplates templates;
  for (const auto& id : run.refused) {
    const auto dash = id.find('-');
    const std::size_t t = std::stoul(id.substr(1, dash - 1)), i = std::stoul(id.substr(dash + 1));
    auto r = c.post(responses_path(tokens[t * per_client + i]), templates.make(i, id), json_type);
    EXPECT_EQ(r.status, 201) << id << ": " << r.body;
  }
}

TEST(ServerFaultTest, AFullDiskGetsAClearErrorAndOnlyStoredAnswersAreAcknowledged) {
  constexpr std::size_t clients = 4, per_client = 300;
  TempDir dir("sipas-full");
  const auto db = dir / "survey.db";
  const auto tokens = prepared_database(dir, db, clients * per_client + 10);
  ASSERT_FALSE(fs::exists(dir / "survey.db-wal"));
  // No file of the server may grow past this: the WAL fills up after a few
  // hundred answers (long before its 1000-page checkpoint).
  const std::uint64_t limit = fs::file_size(db) + 256 * 1024;
  ServeSetup limited;
  limited.file_size_limit = limit;
  auto server = start_serve(dir, db, "limited", limited);
  const auto [acked, refused] =
      answer_until_refused(server->port(), tokens, clients, per_client, "f", [&](const auto& r) {
        // EFBIG is SQLITE_IOERR_WRITE (store.io, 500); ENOSPC would be
        // SQLITE_FULL (store.full, 507). Either says nothing was stored.
        const auto body = Json::parse(r.body);
        const auto code = body["error"]["code"].template get<std::string>();
        EXPECT_TRUE((r.status == 500 && code == "store.io") ||
                    (r.status == 507 && code == "store.full"))
            << r.status << " " << r.body;
        EXPECT_NE(body["error"]["message"].template get<std::string>().find("nothing was stored"),
                  std::string::npos)
            << r.body;
        // The message is for the public: no file name.
        EXPECT_EQ(r.body.find(db.string()), std::string::npos) << r.body;
      });
  std::cout << "[          ] limit " << limit << " bytes: " << acked.size() << " stored, "
            << refused.size() << " refused\n";
  ASSERT_FALSE(acked.empty());
  ASSERT_FALSE(refused.empty()) << "the limit was never reached";

  {
    // Full, the server still serves what needs no writing.
    HttpClient c(server->port());
    EXPECT_EQ(c.get("/healthz").status, 200);
    EXPECT_EQ(c.get("/api/v1/surveys/" + survey + "/questionnaire").status, 200);
    // The form side: a draft is smaller than an answer and may still fit;
    // saved again and again it fills the rest, and then the page says that
    // nothing was recorded, in the reader's language.
    const auto& token = tokens[clients * per_client];
    ClientResponse r;
    for (int attempt = 0; attempt < 200; ++attempt) {
      r = c.post(
          "/s/" + survey + "?t=" + token + "&lang=en",
          "_submission=d" + std::to_string(attempt) + "&_action=save&q11=" + std::string(2000, 'x'),
          form_type);
      if (r.status != 303) break;
    }
    EXPECT_TRUE(r.status == 500 || r.status == 507) << r.status;
    EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
    EXPECT_NE(r.body.find("your answers have not been recorded"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(db.string()), std::string::npos);
  }
  // The operator's log has the details: the file and SQLite's reason.
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  EXPECT_NE(server->err().find(db.string()), std::string::npos) << server->err();

  // Without the limit: every 2xx is there once, nothing refused is, and the
  // refused ones go in on retry with the same submission ids.
  server = start_serve(dir, db, "unlimited");
  HttpClient c(server->port());
  auto stored = stored_responses(c, survey);
  EXPECT_TRUE(stored.twice.empty());
  for (const auto& id : acked)
    EXPECT_TRUE(stored.seq_of.contains(id)) << "acknowledged but lost: " << id;
  for (const auto& id : refused)
    EXPECT_FALSE(stored.seq_of.contains(id)) << "refused but stored: " << id;
  EXPECT_EQ(stored.seq_of.size(), acked.size());
  retry_refused(c, {acked, refused}, tokens, per_client);
  stored = stored_responses(c, survey);
  EXPECT_EQ(stored.seq_of.size(), acked.size() + refused.size());
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  EXPECT_EQ(integrity_of(db), "ok");
}

// A small tmpfs mounted for one test, detached when it ends (needs root, or
// CAP_SYS_ADMIN; `error` says why not).
class SmallFilesystem {
 public:
  SmallFilesystem(const fs::path& where, std::uint64_t bytes) : where_(where) {
    fs::create_directories(where_);
    if (::mount("tmpfs", where_.c_str(), "tmpfs", 0, size_option(bytes).c_str()) != 0) {
      error = std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  bool mounted() const { return mounted_; }
  // Space freed: the same files, a larger limit.
  bool grow(std::uint64_t bytes) {
    return ::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT, size_option(bytes).c_str()) == 0;
  }
  std::string error;

 private:
  static std::string size_option(std::uint64_t bytes) {
    return "size=" + std::to_string((bytes + 4095) / 4096 * 4096);
  }
  fs::path where_;
  bool mounted_ = false;
};

// A real full filesystem (ENOSPC, unlike the file size limit above): SQLite
// says SQLITE_FULL, clients get 507 store.full, and once space is freed the
// same server, not restarted, stores the refused answers on retry.
TEST(ServerFaultTest, AFullFilesystemGets507AndTheSameServerRecoversWhenSpaceIsFreed) {
  constexpr std::size_t clients = 4, per_client = 250;
  TempDir dir("sipas-enospc");
  const auto source = dir / "source.db";
  const auto tokens = prepared_database(dir, source, clients * per_client);
  // Room for the file, the 32 KiB shared-memory index and a WAL of a few
  // hundred answers.
  SmallFilesystem small(dir / "fs", fs::file_size(source) + 320 * 1024);
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << small.error;
  const auto db = dir / "fs" / "survey.db";
  fs::copy_file(source, db);
  auto server = start_serve(dir, db, "full");
  const auto [acked, refused] =
      answer_until_refused(server->port(), tokens, clients, per_client, "e", [&](const auto& r) {
        EXPECT_EQ(r.status, 507) << r.body;
        const auto body = Json::parse(r.body);
        EXPECT_EQ(body["error"]["code"], "store.full") << r.body;
        EXPECT_NE(body["error"]["message"].template get<std::string>().find("nothing was stored"),
                  std::string::npos)
            << r.body;
        EXPECT_EQ(r.body.find(db.string()), std::string::npos) << r.body;
      });
  std::cout << "[          ] " << acked.size() << " stored, " << refused.size()
            << " refused on a full filesystem\n";
  ASSERT_FALSE(acked.empty());
  ASSERT_FALSE(refused.empty()) << "the filesystem never filled up";

  HttpClient c(server->port());
  EXPECT_EQ(c.get("/healthz").status, 200);
  // Nothing refused is stored, every acknowledged answer is, once.
  auto stored = stored_responses(c, survey);
  EXPECT_TRUE(stored.twice.empty());
  EXPECT_EQ(stored.seq_of.size(), acked.size());
  for (const auto& id : acked)
    EXPECT_TRUE(stored.seq_of.contains(id)) << "acknowledged but lost: " << id;
  for (const auto& id : refused)
    EXPECT_FALSE(stored.seq_of.contains(id)) << "refused but stored: " << id;

  ASSERT_TRUE(small.grow(16 << 20)) << std::strerror(errno);
  retry_refused(c, {acked, refused}, tokens, per_client);
  stored = stored_responses(c, survey);
  EXPECT_TRUE(stored.twice.empty());
  EXPECT_EQ(stored.seq_of.size(), acked.size() + refused.size());
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  EXPECT_NE(server->err().find("store.full"), std::string::npos) << server->err();
  EXPECT_EQ(integrity_of(db), "ok");
}

// ---------------------------------------------------------------------------
// Read-only database

// A database with one stored answer; tokens[0] answered, the others not.
std::vector<std::string> database_with_one_answer(const TempDir& dir, const fs::path& db) {
  auto server = start_serve(dir, db, "prepare");
  HttpClient c(server->port());
  auto tokens = prepare_survey(c, survey, 4);
  const ResponseTemplates templates(1);
  auto r = c.post(responses_path(tokens[0]), templates.make(0, "before"), json_type);
  if (r.status != 201) throw std::runtime_error("prepare: " + r.body);
  if (server->signal_and_wait(SIGTERM) != 0) throw std::runtime_error("prepare: " + server->err());
  return tokens;
}

// Reads work, every write is 503 store.read_only; the file is unchanged.
void expect_read_only_service(ServeProcess& server, const std::vector<std::string>& tokens) {
  HttpClient c(server.port());
  EXPECT_EQ(c.get("/healthz").status, 200);
  EXPECT_EQ(c.get("/api/v1/surveys/" + survey + "/questionnaire").status, 200);
  auto r = c.get("/s/" + survey + "?t=" + tokens[1]);
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
  r = c.get("/api/v1/surveys/" + survey + "/responses", TestServer::as_analyst());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["responses"].size(), 1u);
  EXPECT_EQ(c.get("/api/v1/surveys/" + survey + "/progress", TestServer::as_analyst()).status, 200);

  const ResponseTemplates templates(1);
  r = c.post(responses_path(tokens[1]), templates.make(0, "refused"), json_type);
  EXPECT_EQ(r.status, 503) << r.body;
  auto body = Json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "store.read_only");
  EXPECT_EQ(body["error"]["message"],
            "the server's database is read-only at the moment: nothing was stored; try again "
            "later");
  r = c.post("/s/" + survey + "?t=" + tokens[2] + "&lang=en", "_submission=d1&_action=save",
             form_type);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("your answers have not been recorded"), std::string::npos) << r.body;
  r = c.post("/api/v1/surveys", Json{{"id", "other"}, {"standard", "sipas-citizen"}}.dump(),
             json_type, TestServer::as_manager());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "store.read_only");
  r = c.post("/api/v1/surveys/" + survey + "/close", "", "", TestServer::as_manager());
  EXPECT_EQ(r.status, 503) << r.body;
}

// After a read-only run: the one answer, and the survey still open.
void expect_unchanged_when_writable(const TempDir& dir, const fs::path& db,
                                    const std::vector<std::string>& tokens) {
  auto server = start_serve(dir, db, "writable");
  HttpClient c(server->port());
  const auto stored = stored_responses(c, survey);
  ASSERT_EQ(stored.seq_of.size(), 1u);
  EXPECT_TRUE(stored.seq_of.contains("before"));
  // Writable again, it takes answers.
  const ResponseTemplates templates(1);
  EXPECT_EQ(c.post(responses_path(tokens[1]), templates.make(0, "after"), json_type).status, 201);
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
}

TEST(ServerFaultTest, ReadOnlyOptionServesReadsAndRefusesWrites) {
  TempDir dir("sipas-ro");
  const auto db = dir / "survey.db";
  const auto tokens = database_with_one_answer(dir, db);
  const auto before = slurp(db);
  ServeSetup setup;
  setup.extra_args = {"--read-only"};
  auto server = start_serve(dir, db, "read-only", setup);
  EXPECT_NE(server->err().find(db.string() + " is open read-only"), std::string::npos)
      << server->err();
  expect_read_only_service(*server, tokens);
  EXPECT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  EXPECT_TRUE(slurp(db) == before) << "the database file changed";
  expect_unchanged_when_writable(dir, db, tokens);
}

// A file the process may not write. chmod stops a process that is not root;
// run as root, the server is started as user nobody for it. The database is
// in DIR/data, so that the server's output files can go to DIR.
ServeSetup unprivileged(const TempDir& dir) {
  ServeSetup setup;
  if (::geteuid() == 0) setup.user = std::make_pair(uid_t{65534}, gid_t{65534});
  // The user needs to reach the directory and the key file.
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  return setup;
}

const auto read_only_file = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;

TEST(ServerFaultTest, AFileItMayNotWriteIsServedReadOnly) {
  TempDir dir("sipas-ro-file");
  fs::create_directory(dir / "data");
  const auto db = dir / "data" / "survey.db";
  const auto tokens = database_with_one_answer(dir, db);
  const auto before = slurp(db);
  const auto setup = unprivileged(dir);
  // The file read-only; its directory writable, for SQLite's -wal and -shm.
  fs::permissions(db, read_only_file);
  fs::permissions(dir / "data", fs::perms::all);
  ServeProcess server(dir, db, "no-write", setup);
  if (!server.wait_started()) {
    if (setup.user && server.exit_code() == 126)
      GTEST_SKIP() << "user nobody cannot reach " << SIPAS_EXECUTABLE;
    FAIL() << "exit " << server.exit_code().value_or(-1) << ": " << server.err();
  }
  EXPECT_NE(server.err().find(db.string() + " is open read-only"), std::string::npos)
      << server.err();
  expect_read_only_service(server, tokens);
  EXPECT_EQ(server.signal_and_wait(SIGTERM), 0) << server.err();
  EXPECT_TRUE(slurp(db) == before) << "the database file changed";
  fs::permissions(db, fs::perms::owner_write, fs::perm_options::add);
  expect_unchanged_when_writable(dir, db, tokens);
}

TEST(ServerFaultTest, AWalFileInADirectoryItMayNotWriteIsRefusedClearly) {
  TempDir dir("sipas-ro-dir");
  fs::create_directory(dir / "data");
  const auto db = dir / "data" / "survey.db";
  database_with_one_answer(dir, db);
  ASSERT_FALSE(fs::exists(dir / "data" / "survey.db-shm"));
  const auto before = slurp(db);
  const auto setup = unprivileged(dir);
  // Neither the file nor its directory writable: SQLite cannot make the
  // -shm file that a WAL database needs even for reading.
  fs::permissions(db, read_only_file);
  fs::permissions(dir / "data", fs::perms::owner_read | fs::perms::owner_exec |
                                    fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
  ServeProcess server(dir, db, "no-write-dir", setup);
  const bool started = server.wait_started();
  fs::permissions(dir / "data", fs::perms::owner_all);
  ASSERT_FALSE(started) << "it started: " << server.err();
  if (setup.user && server.exit_code() == 126)
    GTEST_SKIP() << "user nobody cannot reach " << SIPAS_EXECUTABLE;
  EXPECT_EQ(server.exit_code(), 1);
  const auto err = server.err();
  EXPECT_NE(err.find("sipas: error: " + db.string() + ": cannot be read"), std::string::npos)
      << err;
  EXPECT_NE(err.find("survey.db-shm"), std::string::npos) << err;
  EXPECT_NE(err.find("[store.read_only]"), std::string::npos) << err;
  EXPECT_TRUE(slurp(db) == before) << "the database file changed";
}

// ---------------------------------------------------------------------------
// Damaged files

// `sipas serve` on `db` must refuse to start, name the file, and leave it as
// it was.
void expect_refused_as_corrupt(const TempDir& dir, const fs::path& db, const std::string& name) {
  const auto before = slurp(db);
  ServeProcess server(dir, db, name);
  ASSERT_FALSE(server.wait_started()) << name << ": it started";
  EXPECT_EQ(server.exit_code(), 1) << name;
  const auto err = server.err();
  EXPECT_NE(err.find("sipas: error: " + db.string() + ": "), std::string::npos) << name << err;
  EXPECT_NE(err.find("[store.corrupt]"), std::string::npos) << name << ": " << err;
  EXPECT_NE(err.find("left as it is"), std::string::npos) << name << ": " << err;
  EXPECT_TRUE(slurp(db) == before) << name << ": the file changed";
}

TEST(ServerFaultTest, AFileThatIsNotADatabaseIsRefusedAndLeftAsItIs) {
  TempDir dir("sipas-notadb");
  {
    const auto db = dir / "text.db";
    std::ofstream(db, std::ios::binary) << std::string(8192, 'x');
    expect_refused_as_corrupt(dir, db, "text");
  }
  {
    // A real database cut inside its 100-byte header.
    const auto db = dir / "survey.db";
    prepared_database(dir, db, 4);
    const auto whole = slurp(db);
    std::ofstream(db, std::ios::binary | std::ios::trunc) << whole.substr(0, 60);
    expect_refused_as_corrupt(dir, db, "truncated-header");
  }
  {
    // A real database whose header's magic string was overwritten.
    const auto db = dir / "magic.db";
    prepared_database(dir, db, 4);
    auto whole = slurp(db);
    whole.replace(0, 16, "not sqlite here!");
    std::ofstream(db, std::ios::binary | std::ios::trunc) << whole;
    expect_refused_as_corrupt(dir, db, "bad-magic");
  }
}

TEST(ServerFaultTest, ADatabaseWithDamagedPagesIsRefusedAtStart) {
  TempDir dir("sipas-damaged");
  const auto db = dir / "survey.db";
  {
    // Enough answers that most pages of the file hold responses.
    auto server = start_serve(dir, db, "fill");
    HttpClient c(server->port());
    const auto tokens = prepare_survey(c, survey, 200);
    const ResponseTemplates templates;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      auto r =
          c.post(responses_path(tokens[i]), templates.make(i, "d" + std::to_string(i)), json_type);
      ASSERT_EQ(r.status, 201) << r.body;
    }
    ASSERT_EQ(server->signal_and_wait(SIGTERM), 0) << server->err();
  }
  ASSERT_FALSE(fs::exists(dir / "survey.db-wal")) << "the WAL was not checkpointed";
  EXPECT_EQ(integrity_of(db), "ok");
  // The page size is the big-endian 16-bit number at offset 16 of the header
  // (1 means 65536); responses were written last, so they fill the file's
  // second half. Overwrite 3 pages there with seeded garbage.
  auto bytes = slurp(db);
  const auto raw_size =
      (static_cast<unsigned char>(bytes[16]) << 8) | static_cast<unsigned char>(bytes[17]);
  const std::size_t page_size = raw_size == 1 ? 65536 : static_cast<std::size_t>(raw_size);
  ASSERT_EQ(bytes.size() % page_size, 0u);
  const std::size_t pages = bytes.size() / page_size;
  ASSERT_GE(pages, 40u);
  std::mt19937 rng(fault_seed());
  const std::size_t first = pages * 3 / 4;
  for (std::size_t at = first * page_size; at < (first + 3) * page_size; ++at)
    bytes[at] = static_cast<char>(rng() & 0xff);
  std::ofstream(db, std::ios::binary | std::ios::trunc) << bytes;
  expect_refused_as_corrupt(dir, db, "damaged-pages");
  EXPECT_NE(slurp(dir / "damaged-pages.err").find("quick_check"), std::string::npos);
}

}  // namespace
}  // namespace sipas::test
