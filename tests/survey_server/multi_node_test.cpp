// Several `sipas serve --db postgresql://...` nodes on one database behind a
// load balancer (nginx, as survey_server/README.md "Several nodes
// (PostgreSQL)" configures it): any node serves any request, a node killed
// with SIGKILL under load loses nothing it acknowledged while the other goes
// on answering, one token raced through both nodes is stored once, and a node
// that has lost its database answers /healthz 503 and nginx sends its
// requests to the other node.
//
// The nodes are the real `sipas serve` (SIPAS_EXECUTABLE) on free loopback
// ports, the survey and its invitations are made with the sipas CLI on the
// database URL, and what was stored is read from PostgreSQL directly
// (raw_connection), not through a node. Needs the CTest fixture `postgres`
// and /usr/sbin/nginx (scripts/install-deps.sh: nginx-light); without
// either, the tests are skipped.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"
#include "tests/survey_server/fault_serve.hpp"
#include "tests/survey_server/load_support.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string survey_id = "multi-2026";
const std::filesystem::path nginx_binary = "/usr/sbin/nginx";

std::string response_url(const std::string& token) {
  return "/api/v1/surveys/" + survey_id + "/responses?t=" + token;
}

// ------------------------------------------------------------------ setup

// Creates the survey (sipas-citizen), opens it and imports `count`
// invitations with the sipas CLI on the database URL; the tokens in import
// order.
std::vector<std::string> prepare_survey_cli(const TempDir& dir, const std::string& url,
                                            std::size_t count) {
  const auto sample = dir / "sample.csv";
  const auto links = dir / "links.csv";
  {
    std::ofstream out(sample, std::ios::binary);
    out << make_sample_csv(count, 4);
  }
  auto check = [](const ProcessResult& r, const std::string& what) {
    if (r.exit_code != 0) {
      throw std::runtime_error(what + " (" + std::to_string(r.exit_code) + "): " + r.err + r.out);
    }
  };
  check(sipas({"survey", "create", "--db", url, "--survey", survey_id, "--standard",
               "sipas-citizen"}),
        "sipas survey create");
  check(sipas({"survey", "open", "--db", url, "--survey", survey_id}), "sipas survey open");
  check(sipas({"invite", "import", "--db", url, "--survey", survey_id, "--sample", sample.string(),
               "--base-url", "http://127.0.0.1", "--out", links.string()}),
        "sipas invite import");
  auto tokens = tokens_of_links_csv(slurp(links));
  if (tokens.size() != count) throw std::runtime_error("import: wrong number of links");
  return tokens;
}

// Waits until GET /healthz on `port` answers `status`.
bool wait_for_health(unsigned short port, int status, std::chrono::milliseconds limit = 20s) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    try {
      HttpClient c(port);
      if (c.get("/healthz").status == status) return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// `sipas serve --db URL --listen 127.0.0.1:0` for each URL, each up and
// healthy (200). A node is started once the one before listens: they share
// DIR/keys.txt, which ServeProcess writes again, and which a node reads at
// its start. Behind nginx every client has nginx's address: the
// per-address connection cap is raised, as the README says.
std::vector<std::unique_ptr<ServeProcess>> start_nodes(const TempDir& dir,
                                                       const std::vector<std::string>& urls) {
  ServeSetup setup;
  setup.extra_args = {"--max-connections-per-address", "1024"};
  std::vector<std::unique_ptr<ServeProcess>> nodes;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const std::string name = std::string("node-") + static_cast<char>('a' + i);
    nodes.push_back(std::make_unique<ServeProcess>(dir, urls[i], name, setup));
    if (!nodes.back()->wait_started()) {
      throw std::runtime_error(name + " exited at start (" +
                               std::to_string(nodes.back()->exit_code().value_or(-1)) +
                               "): " + nodes.back()->err());
    }
  }
  for (const auto& node : nodes) {
    if (!wait_for_health(node->port(), 200)) {
      throw std::runtime_error("a node's /healthz is not 200: " + node->err());
    }
  }
  return nodes;
}

// A loopback port free at the time of asking (bound to port 0 and released;
// nginx, which needs a number in its configuration, is started again on
// another one if it was taken meanwhile).
unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// ------------------------------------------------------------------ nginx

// nginx in front of the nodes, in the foreground, everything it writes
// (configuration, pid, logs, temporary files) inside DIR/nginx. The
// configuration is the one of survey_server/README.md, "Several nodes
// (PostgreSQL)", with loopback addresses and the test's own paths.
//
// Retries: nginx retries a request on the other node when the first could
// not be sent or answered (error, timeout) or answered 502/503. For GET and
// the other idempotent methods that is nginx's default; a POST it retries
// only with `non_idempotent`, which is set for the answers' routes alone:
// a JSON answer carries its `submission_id` (required by
// POST .../responses), the web form its hidden `_submission`, and the
// database keeps one row per (survey, submission_id) and one per invitation
// (UNIQUE constraints), so an answer sent again to the other node is either
// stored there for the first time (201) or found with its first result
// (200, the same `response` seq): never stored twice. The admin routes (an
// import, reserves activated) are not retried, as a second one would act
// twice.
class Nginx {
 public:
  Nginx(const TempDir& dir, const std::vector<unsigned short>& nodes) : prefix_(dir / "nginx") {
    std::filesystem::create_directories(prefix_);
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      write_config(nodes);
      start();
      if (wait_for_health(port_, 200, 10s)) return;
      stop();
    }
    throw std::runtime_error("nginx did not start: " + slurp(prefix_ / "error.log") +
                             slurp(prefix_ / "nginx.err"));
  }
  ~Nginx() { stop(); }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  unsigned short port() const { return port_; }

  // One line of the access log: when nginx finished the request (Unix
  // seconds), its status, the nodes it tried ("127.0.0.1:A, 127.0.0.1:B")
  // and their statuses.
  struct LogLine {
    double at = 0;
    int status = 0;
    std::string upstreams, upstream_statuses, method, uri;
    // The node that gave the answer: the last one tried.
    std::string last_upstream() const {
      const auto comma = upstreams.rfind(", ");
      return comma == std::string::npos ? upstreams : upstreams.substr(comma + 2);
    }
  };
  std::vector<LogLine> access_log() const {
    std::vector<LogLine> lines;
    std::istringstream in(slurp(prefix_ / "access.log"));
    std::string line;
    while (std::getline(in, line)) {
      // $msec $status "$upstream_addr" "$upstream_status" $request_method $uri
      LogLine out;
      std::istringstream fields(line);
      fields >> out.at >> out.status;
      auto quoted = [&fields] {
        std::string text;
        fields >> std::ws;
        if (fields.get() != '"') return text;
        std::getline(fields, text, '"');
        return text;
      };
      out.upstreams = quoted();
      out.upstream_statuses = quoted();
      fields >> out.method >> out.uri;
      lines.push_back(std::move(out));
    }
    return lines;
  }
  // nginx writes a request's line after it has sent the reply, so a client
  // can have its reply before the line is there: waits (5 s at most) until
  // the log holds `posts` POST lines.
  std::vector<LogLine> access_log_with_posts(std::size_t posts) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      auto lines = access_log();
      const auto found = static_cast<std::size_t>(std::count_if(
          lines.begin(), lines.end(), [](const LogLine& l) { return l.method == "POST"; }));
      if (found >= posts || std::chrono::steady_clock::now() >= until) return lines;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::string error_log() const { return slurp(prefix_ / "error.log"); }

 private:
  void write_config(const std::vector<unsigned short>& nodes) {
    const std::string p = prefix_.string();
    std::string servers;
    for (auto port : nodes) {
      servers +=
          "    server 127.0.0.1:" + std::to_string(port) + " max_fails=1 fail_timeout=10s;\n";
    }
    // As root the workers run as nginx's default user (nobody): they write
    // nothing (the logs are opened by the master, bodies stay in memory).
    const std::string retried = "error timeout http_502 http_503";
    std::ofstream out(prefix_ / "nginx.conf");
    out << "daemon off;\n"
           "master_process on;\n"
           "worker_processes 1;\n"
           "pid "
        << p << "/nginx.pid;\n"
        << "lock_file " << p << "/nginx.lock;\n"
        << "error_log " << p << "/error.log warn;\n"
        << "events { worker_connections 1024; }\n"
           "http {\n"
           "  client_body_temp_path "
        << p << "/client_body;\n"
        << "  proxy_temp_path " << p << "/proxy;\n"
        << "  fastcgi_temp_path " << p << "/fastcgi;\n"
        << "  uwsgi_temp_path " << p << "/uwsgi;\n"
        << "  scgi_temp_path " << p << "/scgi;\n"
        << "  log_format nodes '$msec $status \"$upstream_addr\" \"$upstream_status\" "
           "$request_method $uri';\n"
           "  access_log "
        << p << "/access.log nodes;\n"
        << "  upstream sipas {\n"
        << servers
        << "    keepalive 16;\n"
           "    keepalive_timeout 20s;\n"
           "  }\n"
           "  server {\n"
           "    listen 127.0.0.1:"
        << port_
        << ";\n"
           "    client_max_body_size 64m;\n"
           "    client_body_buffer_size 1m;\n"
           "    proxy_max_temp_file_size 0;\n"
           "    proxy_http_version 1.1;\n"
           "    proxy_set_header Connection \"\";\n"
           "    proxy_set_header Host $host;\n"
           "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
           "    proxy_set_header X-Forwarded-Proto $scheme;\n"
           "    proxy_connect_timeout 2s;\n"
           "    proxy_read_timeout 30s;\n"
           "    proxy_next_upstream "
        << retried
        << ";\n"
           "    proxy_next_upstream_tries 2;\n"
           "    location / { proxy_pass http://sipas; }\n"
           "    location ~ ^/api/v1/surveys/[^/]+/responses$ {\n"
           "      proxy_next_upstream "
        << retried
        << " non_idempotent;\n"
           "      proxy_pass http://sipas;\n"
           "    }\n"
           "    location ~ ^/s/[^/]+$ {\n"
           "      proxy_next_upstream "
        << retried
        << " non_idempotent;\n"
           "      proxy_pass http://sipas;\n"
           "    }\n"
           "  }\n"
           "}\n";
  }

  void start() {
    std::vector<std::string> args = {nginx_binary.string(),
                                     "-p",
                                     prefix_.string() + "/",
                                     "-c",
                                     (prefix_ / "nginx.conf").string(),
                                     "-e",
                                     (prefix_ / "error.log").string()};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out_path = (prefix_ / "nginx.out").string();
    const std::string err_path = (prefix_ / "nginx.err").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // A process group of its own: the workers go with the master.
      ::setpgid(0, 0);
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (in < 0 || out < 0 || err < 0) ::_exit(124);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execve(argv[0], argv.data(), environ);
      ::_exit(126);
    }
    ::setpgid(pid_, pid_);  // also here, whichever of the two runs first
  }

  // SIGTERM (fast shutdown) and a wait; SIGKILL to the group after 10 s.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + 10s;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    // Workers left by a master that died: the group's, never anyone else's.
    ::kill(-pid_, SIGKILL);
    pid_ = -1;
  }

  std::filesystem::path prefix_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

// The tests need nginx and PostgreSQL; without either they are skipped.
#define SIPAS_SKIP_WITHOUT_NGINX_AND_POSTGRES()                                             \
  do {                                                                                      \
    SIPAS_SKIP_WITHOUT_POSTGRES();                                                          \
    if (::access(nginx_binary.c_str(), X_OK) != 0)                                          \
      GTEST_SKIP() << nginx_binary << " is missing (scripts/install-deps.sh: nginx-light)"; \
  } while (false)

// ------------------------------------------------------------------ database

struct StoredRow {
  std::int64_t seq = 0;
  std::string respondent;  // the invitation's respondent id
};

// Every response of the survey, read from PostgreSQL: submission id → row.
// A submission id seen twice goes into `twice` (the UNIQUE constraint makes
// that impossible; the test checks it anyway).
struct Stored {
  std::map<std::string, StoredRow> rows;
  std::vector<std::string> twice;
  std::int64_t invitations_answered_twice = 0;
};

Stored stored_responses(const std::string& url) {
  auto connection = raw_connection(url);
  Stored out;
  {
    auto& select = connection->statement(
        "SELECT r.submission_id, r.seq, i.respondent_id FROM responses r JOIN invitations i ON "
        "i.id = r.invitation WHERE r.survey = ?1 ORDER BY r.seq");
    store::db::Reset reset(select);
    select.bind(1, survey_id);
    while (select.step()) {
      const auto id = select.column_text(0);
      if (!out.rows.emplace(id, StoredRow{select.column_int64(1), select.column_text(2)}).second)
        out.twice.push_back(id);
    }
  }
  auto& twice = connection->statement(
      "SELECT count(*) FROM (SELECT invitation FROM responses WHERE survey = ?1 GROUP BY "
      "invitation HAVING count(*) > 1) AS t");
  store::db::Reset reset(twice);
  twice.bind(1, survey_id);
  if (twice.step()) out.invitations_answered_twice = twice.column_int64(0);
  return out;
}

// ------------------------------------------------------------------ tests

// 600 invitations answered by 8 clients through nginx in front of two
// nodes; node A is killed with SIGKILL after a third of the answers were
// acknowledged. A client whose request fails (a connection error, a 5xx)
// sends it again with the same submission_id, as a real client would. At
// the end every invitation has been acknowledged, every acknowledged
// submission is in the database exactly once with the seq it was
// acknowledged with, no invitation has two responses, and node B answered
// requests after the kill.
TEST(MultiNodeTest, TwoNodesBehindNginxLoseNothingAcknowledgedWhenOneIsKilled) {
  SIPAS_SKIP_WITHOUT_NGINX_AND_POSTGRES();
  constexpr std::size_t clients = 8, per_client = 75, total = clients * per_client;
  TempDir dir("sipas-multi-node");
  TestDatabase db;
  const auto tokens = prepare_survey_cli(dir, db.url(), total);
  auto nodes = start_nodes(dir, {db.url(), db.url()});
  auto& node_a = nodes[0];
  auto& node_b = nodes[1];
  const std::string address_a = "127.0.0.1:" + std::to_string(node_a->port());
  const std::string address_b = "127.0.0.1:" + std::to_string(node_b->port());
  Nginx nginx(dir, {node_a->port(), node_b->port()});
  const ResponseTemplates templates;

  struct Ack {
    int status = 0;
    std::int64_t seq = 0;
  };
  std::mutex acked_mutex;
  std::map<std::string, Ack> acknowledged;  // submission id → its acknowledgement
  std::atomic<std::size_t> ack_count{0}, retries{0}, acks_after_kill{0};
  std::atomic<bool> killed{false};
  std::vector<std::string> failures(clients);
  std::latch start(clients + 1);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(nginx.port());
      start.arrive_and_wait();
      for (std::size_t i = 0; i < per_client; ++i) {
        const std::size_t k = t * per_client + i;
        const std::string id = "m" + std::to_string(t) + "-" + std::to_string(i);
        const std::string body = templates.make(k, id);
        const auto give_up = Clock::now() + 30s;
        for (;;) {
          std::string why;
          try {
            auto r = c.post(response_url(tokens[k]), body, json_type);
            if (r.status == 201 || r.status == 200) {
              const auto doc = Json::parse(r.body);
              std::lock_guard lock(acked_mutex);
              acknowledged[id] = {r.status, doc.at("response").get<std::int64_t>()};
              ack_count.fetch_add(1);
              if (killed.load()) acks_after_kill.fetch_add(1);
              if (doc.at("submission_id") != id) failures[t] += "wrong submission_id " + r.body;
              break;
            }
            if (r.status < 500) {  // a refusal: sending it again changes nothing
              failures[t] += id + ": " + std::to_string(r.status) + " " + r.body + "\n";
              break;
            }
            why = std::to_string(r.status) + " " + r.body;
          } catch (const std::exception& e) {
            why = e.what();
          }
          if (Clock::now() > give_up) {
            failures[t] += id + ": still failing after 30 s: " + why + "\n";
            break;
          }
          retries.fetch_add(1);
          std::this_thread::sleep_for(20ms);
        }
      }
    });
  }
  const auto began = Clock::now();
  start.arrive_and_wait();
  // Kill node A mid-load: a third acknowledged, with requests in flight on it.
  const auto deadline = Clock::now() + 60s;
  while (ack_count.load() < total / 3 && Clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  const double killed_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::size_t acked_before_kill = ack_count.load();
  EXPECT_EQ(node_a->signal_and_wait(SIGKILL), 128 + SIGKILL);
  killed = true;
  for (auto& th : threads)
    th.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  std::cout << "[          ] " << total << " answers through nginx by " << clients << " clients in "
            << seconds << " s; node A killed after " << acked_before_kill << " acknowledgements; "
            << acks_after_kill.load() << " acknowledged after the kill; " << retries.load()
            << " requests sent again by the clients\n";
  for (std::size_t t = 0; t < clients; ++t)
    EXPECT_EQ(failures[t], "") << "client " << t;
  ASSERT_LT(acked_before_kill, total) << "the load ended before the kill";
  EXPECT_EQ(acknowledged.size(), total);

  // Every acknowledged answer exactly once, with the seq it was acknowledged with.
  const auto stored = stored_responses(db.url());
  EXPECT_TRUE(stored.twice.empty()) << "stored twice: " << stored.twice.front();
  EXPECT_EQ(stored.invitations_answered_twice, 0);
  std::size_t lost = 0, created = 0;
  for (const auto& [id, ack] : acknowledged) {
    created += ack.status == 201 ? 1 : 0;
    const auto row = stored.rows.find(id);
    if (row == stored.rows.end()) {
      if (++lost <= 5) ADD_FAILURE() << "acknowledged but not stored: " << id;
      continue;
    }
    EXPECT_EQ(row->second.seq, ack.seq) << id;
    // Client t's i-th answer is invitation p(t*75+i)'s.
    const auto dash = id.find('-');
    const std::size_t k =
        std::stoul(id.substr(1, dash - 1)) * per_client + std::stoul(id.substr(dash + 1));
    EXPECT_EQ(row->second.respondent, "p" + std::to_string(k)) << id;
  }
  EXPECT_EQ(lost, 0u);
  // Nothing stored that nobody was told about: each was sent until acknowledged.
  EXPECT_EQ(stored.rows.size(), acknowledged.size());
  std::cout << "[          ] " << created << " acknowledged 201, " << total - created
            << " 200 (stored by a first attempt whose answer was lost)\n";

  // Node B went on answering: the access log's answers after the kill came
  // from it. ($msec is when nginx logged the request: an answer node A sent
  // just before the kill may be logged a little after it, hence the second
  // of slack for A.)
  std::size_t by_b_after_kill = 0, by_a_after_kill = 0, client_errors = 0, retried = 0;
  for (const auto& line : nginx.access_log()) {
    if (line.status >= 500) ++client_errors;
    if (line.upstreams.find(", ") != std::string::npos) ++retried;
    if (line.method != "POST" || line.status < 200 || line.status >= 300) continue;
    if (line.at > killed_at && line.last_upstream() == address_b) ++by_b_after_kill;
    if (line.at > killed_at + 1.0 && line.last_upstream() == address_a) ++by_a_after_kill;
  }
  std::cout << "[          ] after the kill node B answered " << by_b_after_kill
            << " answers; nginx sent " << retried << " requests again to the other node and "
            << "answered clients 5xx " << client_errors << " times\n";
  EXPECT_GT(acks_after_kill.load(), 0u);
  EXPECT_GT(by_b_after_kill, 0u);
  EXPECT_EQ(by_a_after_kill, 0u);
  HttpClient b(node_b->port());
  EXPECT_EQ(b.get("/healthz").status, 200);
  EXPECT_EQ(node_b->signal_and_wait(SIGTERM), 0) << node_b->err();
}

// `racers` connections, half to node A and half to node B (directly, not
// through nginx), each connected before the start, post body(t) for the
// token at once; their replies (status -1: the connection failed).
template <typename MakeBody>
std::vector<ClientResponse> race_through_both_nodes(const ServeProcess& a, const ServeProcess& b,
                                                    int racers, const std::string& token,
                                                    MakeBody make_body) {
  std::vector<ClientResponse> replies(static_cast<std::size_t>(racers));
  std::latch start(racers);
  std::vector<std::thread> threads;
  for (int t = 0; t < racers; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(t % 2 == 0 ? a.port() : b.port());
      c.get("/healthz");
      const std::string body = make_body(t);
      start.arrive_and_wait();
      try {
        replies[t] = c.post(response_url(token), body, json_type);
      } catch (const std::exception& e) {
        replies[t].status = -1;
        replies[t].body = e.what();
      }
    });
  }
  for (auto& th : threads)
    th.join();
  return replies;
}

// One invitation's token submitted at once by 16 connections, 8 to node A
// and 8 to node B, each with its own submission id: exactly one is stored
// (201), the 15 others are 409 invitation.already_responded, as on one node
// (ServerLoadTest.OneTokenRacedByEightClientsIsStoredOnce); four rounds, each
// on a fresh token. The row in the database is the winner's, with the seq
// its 201 gave.
TEST(MultiNodeTest, OneTokenRacedThroughBothNodesStoresOneResponse) {
  SIPAS_SKIP_WITHOUT_NGINX_AND_POSTGRES();
  constexpr int racers = 16, rounds = 4;
  TempDir dir("sipas-multi-race");
  TestDatabase db;
  const auto tokens = prepare_survey_cli(dir, db.url(), rounds);
  auto nodes = start_nodes(dir, {db.url(), db.url()});
  const ResponseTemplates templates(4);
  for (int round = 0; round < rounds; ++round) {
    const auto id_of = [round](int t) {
      return "race-" + std::to_string(round) + "-" + std::to_string(t);
    };
    const auto replies = race_through_both_nodes(
        *nodes[0], *nodes[1], racers, tokens[round],
        [&](int t) { return templates.make(static_cast<std::size_t>(t), id_of(t)); });
    int created = 0, conflicts = 0, winner = -1;
    for (int t = 0; t < racers; ++t) {
      const auto& r = replies[t];
      if (r.status == 201) {
        ++created;
        winner = t;
        EXPECT_EQ(Json::parse(r.body)["submission_id"], id_of(t));
      } else if (r.status == 409) {
        ++conflicts;
        EXPECT_EQ(Json::parse(r.body)["error"]["code"], "invitation.already_responded") << r.body;
      } else {
        ADD_FAILURE() << "racer " << t << " (node " << (t % 2 == 0 ? "A" : "B") << "): " << r.status
                      << " " << r.body;
      }
    }
    EXPECT_EQ(created, 1) << "round " << round;
    EXPECT_EQ(conflicts, racers - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    const auto stored = stored_responses(db.url());
    ASSERT_EQ(stored.rows.size(), static_cast<std::size_t>(round + 1));
    EXPECT_EQ(stored.invitations_answered_twice, 0);
    const auto row = stored.rows.find(id_of(winner));
    ASSERT_NE(row, stored.rows.end()) << "the winner " << id_of(winner) << " is not stored";
    EXPECT_EQ(row->second.seq, Json::parse(replies[winner].body)["response"].get<std::int64_t>());
    EXPECT_EQ(row->second.respondent, "p" + std::to_string(round));
  }
}

// One submission (the same submission_id and body: a client's retries, or
// nginx resending it to the other node) sent by 16 connections through both
// nodes at once: stored once, one 201 and fifteen 200 with the same seq, as
// on one node (HostileClientTest.ReplayedSubmissionsStoreOnce); eight
// rounds, each on a fresh token. A 409 here tells a client that its own
// answer, stored, was refused.
TEST(MultiNodeTest, OneSubmissionRacedThroughBothNodesIsStoredOnce) {
  SIPAS_SKIP_WITHOUT_NGINX_AND_POSTGRES();
  constexpr int racers = 16, rounds = 8;
  TempDir dir("sipas-multi-replay");
  TestDatabase db;
  const auto tokens = prepare_survey_cli(dir, db.url(), rounds);
  auto nodes = start_nodes(dir, {db.url(), db.url()});
  const ResponseTemplates templates(4);
  for (int round = 0; round < rounds; ++round) {
    const std::string id = "replay-" + std::to_string(round);
    const std::string body = templates.make(static_cast<std::size_t>(round), id);
    const auto replies = race_through_both_nodes(*nodes[0], *nodes[1], racers, tokens[round],
                                                 [&](int) { return body; });
    int created = 0, repeated = 0;
    std::set<std::int64_t> seqs;
    for (int t = 0; t < racers; ++t) {
      const auto& r = replies[t];
      if (r.status != 201 && r.status != 200) {
        ADD_FAILURE() << "round " << round << ", racer " << t << " (node "
                      << (t % 2 == 0 ? "A" : "B") << "): " << r.status << " " << r.body;
        continue;
      }
      (r.status == 201 ? created : repeated) += 1;
      const auto doc = Json::parse(r.body);
      EXPECT_EQ(doc["submission_id"], id);
      seqs.insert(doc["response"].get<std::int64_t>());
    }
    EXPECT_EQ(created, 1) << "round " << round;
    EXPECT_EQ(repeated, racers - 1) << "round " << round;
    ASSERT_EQ(seqs.size(), 1u) << "round " << round;
    const auto stored = stored_responses(db.url());
    EXPECT_EQ(stored.rows.size(), static_cast<std::size_t>(round + 1));
    ASSERT_TRUE(stored.rows.contains(id));
    EXPECT_EQ(stored.rows.at(id).seq, *seqs.begin());
  }
}

// ------------------------------------------------------------------ lost database

// A TCP forwarder from a loopback port of its own to PostgreSQL, which the
// test can cut: node A reaches the test's database through it, node B
// directly, so that A alone loses its database (the server itself and B
// carry on). cut() closes the listener (new connections are refused) and
// every connection forwarded so far.
class CuttableProxy {
 public:
  explicit CuttableProxy(unsigned short target) : target_(target) {
    // Close-on-exec, as every socket here: a node forked later must not
    // hold the listener open after cut().
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (listener_ < 0 ||
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      if (listener_ >= 0) ::close(listener_);
      throw std::runtime_error("proxy: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~CuttableProxy() {
    cut();
    std::vector<std::thread> pumps;
    {
      std::lock_guard lock(mutex_);
      pumps.swap(pumps_);
    }
    for (auto& p : pumps)
      p.join();
  }
  CuttableProxy(const CuttableProxy&) = delete;
  CuttableProxy& operator=(const CuttableProxy&) = delete;

  unsigned short port() const { return port_; }

  void cut() {
    if (cut_.exchange(true)) return;
    acceptor_.join();
    ::close(listener_);
    std::lock_guard lock(mutex_);
    for (int fd : open_)
      ::shutdown(fd, SHUT_RDWR);
  }

 private:
  void accept_loop() {
    while (!cut_.load()) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(target_);
      if (server < 0 ||
          ::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (server >= 0) ::close(server);
        ::close(client);
        continue;
      }
      std::lock_guard lock(mutex_);
      open_.insert(client);
      open_.insert(server);
      pumps_.emplace_back([this, client, server] { pump(client, server); });
    }
  }

  // Copies bytes both ways until either side ends or the proxy is cut.
  void pump(int a, int b) {
    char buffer[16384];
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!cut_.load()) {
      if (::poll(fds, 2, 50) < 0) break;
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n <= 0) {
          done = true;
          break;
        }
        for (ssize_t sent = 0; sent < n && !done;) {
          const ssize_t w =
              ::write(fds[1 - i].fd, buffer + sent, static_cast<std::size_t>(n - sent));
          if (w <= 0) done = true;
          sent += w;
        }
      }
      if (done) break;
    }
    std::lock_guard lock(mutex_);
    open_.erase(a);
    open_.erase(b);
    ::close(a);
    ::close(b);
  }

  unsigned short target_, port_ = 0;
  int listener_ = -1;
  std::atomic<bool> cut_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::set<int> open_;
  std::vector<std::thread> pumps_;
};

// The test database's URL through the proxy: the host and port of the
// proxy, and a password file of the test's own that has the fixture's
// password for that port too (libpq looks a password up by host and port).
std::string proxied_url(const TempDir& dir, const std::string& url, unsigned short proxy_port) {
  const char* passfile = std::getenv("PGPASSFILE");
  if (passfile == nullptr) throw std::runtime_error("PGPASSFILE is not set");
  // postgresql://USER@127.0.0.1:PORT/NAME
  const auto at = url.find('@');
  const auto colon = url.find(':', at);
  const auto slash = url.find('/', colon);
  if (at == std::string::npos || colon == std::string::npos || slash == std::string::npos)
    throw std::runtime_error("unexpected URL " + url);
  const std::string host = url.substr(at + 1, colon - at - 1);
  const std::string port = url.substr(colon + 1, slash - colon - 1);
  std::string lines = slurp(passfile);
  std::istringstream in(lines);
  std::string line, extra;
  while (std::getline(in, line)) {
    if (line.starts_with(host + ":" + port + ":")) {
      extra += host + ":" + std::to_string(proxy_port) +
               line.substr(host.size() + port.size() + 1) + "\n";
    }
  }
  if (extra.empty()) throw std::runtime_error("no password for " + host + ":" + port);
  const auto copy = dir / "pgpass";
  {
    std::ofstream out(copy, std::ios::binary);
    out << lines << (lines.empty() || lines.back() == '\n' ? "" : "\n") << extra;
  }
  std::filesystem::permissions(
      copy, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return url.substr(0, colon + 1) + std::to_string(proxy_port) + url.substr(slash) +
         "?passfile=" + copy.string();
}

// Node A loses its database (its connections to PostgreSQL end and new ones
// are refused): its /healthz is 503 with "connected": false, while node B's
// stays 200; nginx, which retries a 503 on the other node and counts it as
// the node's failure, answers /healthz 200 and stores answers through node B.
TEST(MultiNodeTest, HealthzGoes503WhenTheDatabaseIsGone) {
  SIPAS_SKIP_WITHOUT_NGINX_AND_POSTGRES();
  constexpr std::size_t answers = 8;
  TempDir dir("sipas-multi-health");
  TestDatabase db;
  const auto tokens = prepare_survey_cli(dir, db.url(), answers);
  // postgresql://sipas@127.0.0.1:PORT/NAME
  const auto port_at = db.url().rfind(':') + 1;
  const auto server_port = static_cast<unsigned short>(
      std::stoi(db.url().substr(port_at, db.url().find('/', port_at) - port_at)));
  CuttableProxy proxy(server_port);
  auto nodes = start_nodes(dir, {proxied_url(dir, db.url(), proxy.port()), db.url()});
  auto& node_a = nodes[0];
  auto& node_b = nodes[1];
  const std::string address_b = "127.0.0.1:" + std::to_string(node_b->port());
  Nginx nginx(dir, {node_a->port(), node_b->port()});
  {
    HttpClient a(node_a->port());
    auto r = a.get("/healthz");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Json::parse(r.body)["database"],
              (Json{{"backend", "postgresql"}, {"connected", true}}));
  }

  proxy.cut();
  ASSERT_TRUE(wait_for_health(node_a->port(), 503, 15s)) << node_a->err();
  {
    HttpClient a(node_a->port());
    auto r = a.get("/healthz");
    ASSERT_EQ(r.status, 503) << r.body;
    const auto body = Json::parse(r.body);
    EXPECT_EQ(body["status"], "unavailable");
    EXPECT_EQ(body["database"]["backend"], "postgresql");
    EXPECT_EQ(body["database"]["connected"], false);
    EXPECT_EQ(body["database"]["error"], "store.unavailable");
    HttpClient b(node_b->port());
    EXPECT_EQ(b.get("/healthz").status, 200);
    // An answer sent to A itself: 503 (nginx would try B), and the body
    // names no database, user, host or port: those are for the log.
    const ResponseTemplates one(1);
    r = a.post(response_url(tokens[0]), one.make(0, "to-a-alone"), json_type);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(Json::parse(r.body)["error"]["code"], "store.unavailable") << r.body;
    EXPECT_EQ(r.body.find("postgresql://"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(db.name()), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(std::to_string(server_port)), std::string::npos) << r.body;
  }

  // Through nginx: every health check and every answer is served (by B).
  HttpClient c(nginx.port());
  const ResponseTemplates templates(2);
  for (std::size_t i = 0; i < answers; ++i) {
    auto r = c.get("/healthz");
    EXPECT_EQ(r.status, 200) << r.body;
    r = c.post(response_url(tokens[i]), templates.make(i, "lost-db-" + std::to_string(i)),
               json_type);
    EXPECT_EQ(r.status, 201) << "answer " << i << ": " << r.body;
  }
  std::size_t by_b = 0;
  for (const auto& line : nginx.access_log_with_posts(answers)) {
    if (line.method == "POST") {
      EXPECT_EQ(line.status, 201) << line.upstreams << " " << line.upstream_statuses;
      EXPECT_EQ(line.last_upstream(), address_b) << line.upstreams;
      ++by_b;
    }
  }
  EXPECT_EQ(by_b, answers);
  const auto stored = stored_responses(db.url());
  EXPECT_EQ(stored.rows.size(), answers);
  EXPECT_EQ(node_b->signal_and_wait(SIGTERM), 0) << node_b->err();
}

}  // namespace
}  // namespace sipas::test
