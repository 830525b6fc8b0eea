// Hostile clients against the real server on loopback: each attack is refused
// the right way (status, close, deadline) and, while it runs, a well-behaved
// client still opens its form and stores a submission with its invitation
// token. Deadlines on "still served" are generous (15 s per request): these
// tests assert behaviour, never speed.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "io/percent_encoding.hpp"
#include "io/utf8.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "store/tokens.hpp"
#include "survey_server/rate_limit.hpp"
#include "survey_server/url_encoding.hpp"
#include "tests/survey_server/hostile_fixture.hpp"
#include "tests/survey_server/load_support.hpp"

namespace sipas::test {
namespace {

using Json = nlohmann::json;
using hostile::error_code;
using hostile::exchange;
using hostile::RawConnection;
using hostile::Reply;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace q = sipas::questionnaires;
namespace net = boost::asio;

const std::string survey_id = "hn-2026";

// Strings that break naive SQL or HTML; each at most 200 bytes (the "other"
// text items' max_length).
const std::vector<std::string> injections = {
    "Robert'); DROP TABLE responses;--",        "' OR '1'='1' --",
    "1; DELETE FROM invitations WHERE 1=1; --", "<script>alert(\"sipas\")</script>",
    "</textarea><img src=x onerror=alert(1)>",  "'\"><svg/onload=alert('x')>&amp;&lt;",
    "${q1} \\\" \\u003c %3Cscript%3E {{7*7}}",
};

class HostileClientTest : public hostile::SurveyFixture {
 protected:
  // Starts a server, creates and opens the survey, imports `invitations`
  // main units; tokens_ holds their tokens.
  void start(survey_server::ServerOptions server_options = {},
             survey_server::ServiceOptions options = {}, std::size_t invitations = 20) {
    // Attackers and clients here share 127.0.0.1: these tests are about the
    // global cap; the per-address one has its own (hostile_admission_test).
    server_options.max_connections_per_address = 1'000'000;
    SurveyFixture::start(server_options, options, invitations);
  }

  std::string responses_target(const std::string& query = {}) const {
    return "/api/v1/surveys/" + survey_id + "/responses" + query;
  }

  // A well-behaved client: the health check, its form and a stored
  // submission, each within the deadline.
  void expect_served(std::size_t token_index, const std::string& why) {
    SCOPED_TRACE("well-behaved client during " + why);
    const std::string& token = tokens_.at(token_index);
    auto r = exchange(port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200) << r.error << (r.timed_out ? " (timed out)" : "");
    r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + token);
    EXPECT_EQ(r.status, 200) << r.error << (r.timed_out ? " (timed out)" : "");
    EXPECT_NE(r.body.find("name=\"_submission\""), std::string::npos);
    const std::string submission = "good-" + std::to_string(token_index);
    r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/responses?t=" + token,
                 json_submission(valid_answers(token_index), submission), json_type);
    EXPECT_EQ(r.status, 201) << r.error << (r.timed_out ? " (timed out)" : "") << r.body;
    auto body = Json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.value("submission_id", "") == submission) << r.body;
  }

  // Runs `attack` over and over on another thread while `check` runs here;
  // returns how many attack rounds ran.
  static int during(const std::function<void()>& attack, const std::function<void()>& check) {
    std::atomic<bool> stop{false};
    std::atomic<int> rounds{0};
    std::thread attacker([&] {
      while (!stop.load()) {
        attack();
        rounds.fetch_add(1);
      }
    });
    check();
    stop.store(true);
    attacker.join();
    return rounds.load();
  }
};

// ------------------------------------------------------------------ slowloris

TEST_F(HostileClientTest, SlowlorisHeaderIsCutAtTheRequestDeadline) {
  survey_server::ServerOptions options;
  options.request_timeout = milliseconds(1500);
  // Far longer than the request deadline: a connection that got bytes must
  // be bound by the request deadline, not by the idle one.
  options.idle_timeout = seconds(60);
  start(options);
  // At a byte every 100 ms this header would take over a minute to arrive.
  const std::string header =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(600, 'a') + "\r\n\r\n";
  constexpr std::size_t attackers = 20;
  net::io_context ioc;
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (std::size_t i = 0; i < attackers; ++i)
    connections.push_back(std::make_unique<RawConnection>(ioc, port()));

  std::vector<double> closed_after(attackers, -1);
  std::vector<std::size_t> sent(attackers, 0);
  std::atomic<bool> done{false};
  const auto start_time = hostile::Clock::now();
  std::thread slow([&] {
    // Gives up after 40 s (the test then fails on the connections left open).
    while (!done.load() && hostile::Clock::now() - start_time < seconds(40)) {
      bool any_open = false;
      for (std::size_t i = 0; i < attackers; ++i) {
        if (closed_after[i] >= 0) continue;
        const double now =
            std::chrono::duration<double>(hostile::Clock::now() - start_time).count();
        if (hostile::is_closed(*connections[i]) || sent[i] >= header.size() ||
            !connections[i]->send(std::string_view(header).substr(sent[i], 1))) {
          closed_after[i] = now;
          continue;
        }
        ++sent[i];
        any_open = true;
      }
      if (!any_open) break;
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  expect_served(0, "slowloris");
  slow.join();
  done.store(true);
  for (std::size_t i = 0; i < attackers; ++i) {
    SCOPED_TRACE("slow connection " + std::to_string(i));
    ASSERT_GE(closed_after[i], 0) << "never closed; " << sent[i] << " bytes sent";
    // Closed before its header could arrive, and well before the idle
    // timeout: by the 1.5 s request deadline (with room for a busy machine).
    EXPECT_LT(sent[i], header.size());
    EXPECT_LT(closed_after[i], 12.0);
  }
  // A connection the client saw fail (a send refused on a busy machine) is
  // still open on the server until its deadline: its timeout may be counted
  // a moment after the loop above ends.
  const auto counted_by = hostile::Clock::now() + seconds(10);
  while (server_->counters().timeouts.load() < attackers && hostile::Clock::now() < counted_by)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GE(server_->counters().timeouts.load(), attackers);
  EXPECT_EQ(stored().size(), 1u);
}

// ------------------------------------------------------------------ idle connections

TEST_F(HostileClientTest, ThousandsOfIdleConnectionsDoNotLockOutClients) {
  constexpr std::size_t idle_count = 2000;
  constexpr std::size_t cap = 256;
  const auto limit = hostile::raise_fd_limit();
  if (limit < 2 * idle_count + 512) {
    GTEST_SKIP() << "needs " << 2 * idle_count + 512 << " open files, the limit is " << limit;
  }
  survey_server::ServerOptions options;
  options.max_connections = cap;
  options.idle_timeout = seconds(4);
  options.request_timeout = seconds(10);
  start(options);

  net::io_context ioc;
  std::vector<std::unique_ptr<RawConnection>> idle;
  idle.reserve(idle_count);
  for (std::size_t i = 0; i < idle_count; ++i)
    idle.push_back(std::make_unique<RawConnection>(ioc, port()));
  const auto opened = hostile::Clock::now();

  // At the cap the connection idle for longest makes room: the newcomer is
  // served, and never more than the cap are held (beyond those closing).
  expect_served(0, "2000 idle connections");
  expect_served(1, "2000 idle connections");
  EXPECT_LE(server_->counters().connections_open.load(), static_cast<std::int64_t>(cap + 8));
  EXPECT_GE(server_->counters().connections_accepted.load() +
                server_->counters().connections_refused.load(),
            idle_count);
  // Room was made by closing idle connections, not by refusing newcomers.
  EXPECT_GE(server_->counters().connections_evicted.load(), idle_count - cap);

  // Every idle connection is closed, without a byte of answer, by the idle
  // timeout at the latest.
  auto result = hostile::wait_closed(idle, seconds(4 + 30));
  const double waited = std::chrono::duration<double>(hostile::Clock::now() - opened).count();
  std::size_t closed = 0, answered = 0;
  for (const auto& c : result) {
    closed += c.closed ? 1 : 0;
    answered += c.received.empty() ? 0 : 1;
  }
  EXPECT_EQ(closed, idle_count) << "after " << waited << " s";
  EXPECT_EQ(answered, 0u);
  expect_served(2, "after the idle connections");
  EXPECT_EQ(stored().size(), 3u);
}

TEST_F(HostileClientTest, AtTheCapWithEveryConnectionBusyANewOneIsRefused) {
  survey_server::ServerOptions options;
  options.max_connections = 4;
  options.request_timeout = seconds(30);
  start(options);
  // The set-up's own connections are gone first (a session ends just after
  // its client has read the answer).
  const auto gone = hostile::Clock::now() + seconds(15);
  while (server_->counters().connections_open.load() != 0 && hostile::Clock::now() < gone)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(server_->counters().connections_open.load(), 0);
  // Four requests whose bodies are still arriving: busy, not idle.
  net::io_context ioc;
  std::vector<std::unique_ptr<RawConnection>> busy;
  for (int i = 0; i < 4; ++i) {
    busy.push_back(std::make_unique<RawConnection>(ioc, port()));
    // With a token: admitted from the header, so the server waits for the body.
    ASSERT_TRUE(busy.back()->send("POST /api/v1/surveys/" + survey_id +
                                  "/responses?t=" + tokens_[static_cast<std::size_t>(i)] +
                                  " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                  "application/json\r\nContent-Length: 1000\r\n\r\n{\"answers\""));
  }
  // Wait until the server has read all four headers (accepted counts them).
  const auto until = hostile::Clock::now() + seconds(15);
  while (server_->counters().connections_open.load() < 4 && hostile::Clock::now() < until)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_EQ(server_->counters().connections_open.load(), 4)
      << "accepted " << server_->counters().connections_accepted.load() << ", refused "
      << server_->counters().connections_refused.load();
  std::this_thread::sleep_for(milliseconds(200));

  const auto refused_before = server_->counters().connections_refused.load();
  auto r = exchange(port(), "GET", "/healthz");
  EXPECT_EQ(r.status, 0) << "expected a refusal, got " << r.status << " after " << r.seconds
                         << " s; evicted " << server_->counters().connections_evicted.load();
  EXPECT_FALSE(r.timed_out) << "refused at once, not queued";
  EXPECT_GT(server_->counters().connections_refused.load(), refused_before);

  // Once they are gone, clients are served again.
  busy.clear();
  Reply served;
  const auto again = hostile::Clock::now() + seconds(15);
  do {
    served = exchange(port(), "GET", "/healthz");
    if (served.status == 200) break;
    std::this_thread::sleep_for(milliseconds(50));
  } while (hostile::Clock::now() < again);
  EXPECT_EQ(served.status, 200) << served.error << "; open "
                                << server_->counters().connections_open.load();
}

TEST_F(HostileClientTest, TheCapStaysWithinTheOpenFileLimit) {
  survey_server::ServerOptions options;
  options.max_connections = 100'000'000;
  start(options);
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur == RLIM_INFINITY) GTEST_SKIP() << "no limit on open files";
  EXPECT_LE(server_->http().max_connections(), static_cast<std::size_t>(limit.rlim_cur) - 64);
  EXPECT_GE(server_->http().max_connections(), 1u);
}

// Process CPU time (user and system), seconds.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds_of = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

std::size_t open_files() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

TEST_F(HostileClientTest, RunningOutOfFilesDoesNotSpinTheAcceptor) {
  start();
  expect_served(0, "before the files run out");
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  net::io_context ioc;
  std::vector<std::unique_ptr<RawConnection>> clients;
  {
    // The 40 client sockets are opened first; then room for 10 accepted
    // ones: accept fails with EMFILE while clients still wait in the backlog.
    for (int i = 0; i < 40; ++i)
      clients.push_back(std::make_unique<RawConnection>(ioc));
    rlimit low = saved;
    low.rlim_cur = open_files() + 10;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    for (auto& client : clients)
      client->connect(port());
    std::this_thread::sleep_for(milliseconds(300));
    const double before = cpu_seconds();
    std::this_thread::sleep_for(seconds(2));
    const double spent = cpu_seconds() - before;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
    // A busy loop on accept would burn most of a core for the 2 s.
    EXPECT_LT(spent, 0.5) << "the acceptor spins on EMFILE";
  }
  // Files are back: the waiting clients are accepted, new ones served.
  expect_served(1, "after the files came back");
  clients.clear();
  expect_served(2, "after the files came back");
}

// ------------------------------------------------------------------ oversized

TEST_F(HostileClientTest, OversizedHeadersGet431) {
  start();
  const std::string big_value = std::string(20 * 1024, 'h');
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 1000; ++i)
    many.emplace_back("X-H" + std::to_string(i), "0123456789abcdef");
  const int rounds = during(
      [&] {
        auto r = exchange(port(), "GET", "/healthz", {}, {}, {{"X-Big", big_value}});
        EXPECT_EQ(r.status, 431) << r.error;
        EXPECT_EQ(error_code(r), "request.header_too_large") << r.body;
        EXPECT_EQ(r.header("connection"), "close");
        r = exchange(port(), "GET", "/healthz", {}, {}, many);
        EXPECT_EQ(r.status, 431) << r.error;
        r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + std::string(20 * 1024, 'A'));
        EXPECT_EQ(r.status, 431) << r.error;
      },
      [&] { expect_served(0, "oversized headers"); });
  EXPECT_GE(rounds, 1);
  EXPECT_EQ(stored().size(), 1u);
}

TEST_F(HostileClientTest, OversizedBodiesGet413WithoutTheBodyBeingRead) {
  survey_server::ServerOptions options;
  // Were the server to wait for the announced body, the exchange would time
  // out (15 s) long before this deadline.
  options.request_timeout = seconds(60);
  start(options);
  const std::string target = "/api/v1/surveys/" + survey_id + "/responses?t=" + tokens_[1];
  const int rounds = during(
      [&] {
        // A huge Content-Length and no body at all.
        auto r = exchange(port(),
                          "POST " + target +
                              " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 1000000000000\r\n\r\n",
                          milliseconds(15000));
        EXPECT_EQ(r.status, 413) << r.error << (r.timed_out ? " (timed out)" : "");
        EXPECT_EQ(error_code(r), "request.too_large") << r.body;
        // The import route's own limit (64 MiB), a manager's only.
        r = exchange(port(),
                     "POST /api/v1/surveys/" + survey_id +
                         "/invitations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                         "Authorization: Bearer " +
                         std::string(hostile::manager_key) +
                         "\r\nContent-Length: " + std::to_string(65 * 1024 * 1024) + "\r\n\r\n",
                     milliseconds(15000));
        EXPECT_EQ(r.status, 413) << r.error;
        // Chunked: one chunk announced larger than the limit, not sent.
        r = exchange(port(),
                     "POST " + target +
                         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n100000\r\n{\"answers\":",
                     milliseconds(15000));
        EXPECT_EQ(r.status, 413) << r.error << (r.timed_out ? " (timed out)" : "");
        // Chunked: small chunks that add up past the limit (256 KiB).
        std::string chunks;
        const std::string piece(8 * 1024, ' ');
        for (int i = 0; i < 40; ++i)
          chunks += "2000\r\n" + piece + "\r\n";
        chunks += "0\r\n\r\n";
        r = exchange(port(),
                     "POST " + target +
                         " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n" +
                         chunks,
                     milliseconds(15000));
        EXPECT_EQ(r.status, 413) << r.error << (r.timed_out ? " (timed out)" : "");
      },
      [&] { expect_served(0, "oversized bodies"); });
  EXPECT_GE(rounds, 1);
  const auto rows = stored();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["submission_id"], "good-0");
}

// ------------------------------------------------------------------ invalid UTF-8

TEST_F(HostileClientTest, InvalidUtf8IsRefusedWithAClearErrorAndNothingStored) {
  start();
  const std::string api = "/api/v1/surveys/" + survey_id + "/responses";
  // A JSON answer with bytes that are not UTF-8 (raw, then an overlong '/').
  Json answers = valid_answers(7);
  std::string body = json_submission(answers, "utf8-1");
  const auto at = body.find("\"a_sex\"");
  ASSERT_NE(at, std::string::npos);
  std::string bad_json = body;
  bad_json.replace(at, 0, "\"q11\":\"bad \xff\xfe bytes\",");
  std::string overlong = body;
  overlong.replace(at, 0, "\"q11\":\"\xc0\xaf\",");
  std::string bad_id = json_submission(answers, "x");
  bad_id.replace(bad_id.find("\"x\""), 3, "\"\xed\xa0\x80\"");  // a lone surrogate

  struct Case {
    std::string what, method, target, body, type;
  };
  const std::string form_ok = form_body(valid_answers(8), "utf8-form");
  const std::vector<Case> cases = {
      {"JSON body, raw bytes", "POST", api + "?t=" + tokens_[1], bad_json, json_type},
      {"JSON body, overlong", "POST", api + "?t=" + tokens_[1], overlong, json_type},
      {"JSON submission_id, surrogate", "POST", api + "?t=" + tokens_[1], bad_id, json_type},
      {"form body, %FF", "POST", "/s/" + survey_id + "?t=" + tokens_[2],
       form_ok + "&q11=bad%FFbytes", form_type},
      {"form body, raw byte", "POST", "/s/" + survey_id + "?t=" + tokens_[2],
       form_ok + "&q11=bad\xff", form_type},
      {"form field name", "POST", "/s/" + survey_id + "?t=" + tokens_[2], form_ok + "&q%FE=1",
       form_type},
      {"query string", "GET", "/s/" + survey_id + "?t=%FF%FE", "", ""},
      {"query string, API", "POST", api + "?t=%C0%AF", body, json_type},
      {"query parameter name", "GET", "/s/" + survey_id + "?%FF=1", "", ""},
      {"path, encoded", "GET", "/s/%FF%FEx", "", ""},
      {"path, API", "GET", "/api/v1/surveys/%C3%28/questionnaire", "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = exchange(port(), c.method, c.target, c.body, c.type);
    EXPECT_TRUE(r.status == 400 || r.status == 422) << r.status << " " << r.error << " " << r.body;
    EXPECT_TRUE(io::is_valid_utf8(r.body)) << "the error page itself is not UTF-8";
    if (r.header("content-type").starts_with("application/json")) {
      const std::string code = error_code(r);
      EXPECT_FALSE(code.empty()) << r.body;
      EXPECT_TRUE(code == "response.malformed" || code == "form.malformed") << code;
    } else {
      EXPECT_NE(r.body.find("UTF-8"), std::string::npos) << "the page does not say why: " << r.body;
    }
  }
  // A raw byte in the path itself (not percent-encoded): refused or not
  // found, and the echoed path never makes the answer invalid.
  auto r = exchange(port(), "GET /s/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    milliseconds(15000));
  EXPECT_TRUE(r.status == 400 || r.status == 404) << r.status << " " << r.error;
  EXPECT_TRUE(io::is_valid_utf8(r.body));
  r = exchange(port(), "GET /nope/\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
               milliseconds(15000));
  EXPECT_TRUE(r.status == 400 || r.status == 404) << r.status << " " << r.error;
  EXPECT_TRUE(io::is_valid_utf8(r.body));

  EXPECT_EQ(stored().size(), 0u) << "nothing is stored from an invalid request";
  expect_served(0, "invalid UTF-8");
}

// ------------------------------------------------------------------ injection

TEST_F(HostileClientTest, InjectionStringsRoundTripExactlyAndPagesEscapeThem) {
  start({}, {}, 0);
  // Attributes and a respondent id from an invitation import carry them too.
  auto csv_quote = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  };
  std::string sample =
      "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,note\n";
  for (std::size_t i = 0; i < injections.size(); ++i) {
    sample += csv_quote("p" + std::to_string(i) + injections[i]) + ",A,A,0.1,10,main,," +
              csv_quote(injections[i]) + "\n";
  }
  auto r = admin("POST", "/api/v1/surveys/" + survey_id + "/invitations", sample, "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  // The links CSV quotes its fields here: read the tokens by their shape (a
  // token that starts with '-' has the formula guard's apostrophe in front).
  std::vector<std::string> tokens;
  {
    std::istringstream in(r.body);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      for (std::size_t p = 0; p + 22 <= line.size(); ++p) {
        const auto candidate = line.substr(p, 22);
        const bool edge_before =
            p == 0 || line[p - 1] == ',' || (line[p - 1] == '\'' && (p == 1 || line[p - 2] == ','));
        const bool edge_after = p + 22 == line.size() || line[p + 22] == ',';
        if (edge_before && edge_after && store::is_token_syntax(candidate, 16)) {
          tokens.push_back(candidate);
          break;
        }
      }
    }
  }
  ASSERT_EQ(tokens.size(), injections.size()) << r.body;

  std::map<std::string, Json> expected;  // submission_id → answers sent
  for (std::size_t i = 0; i < injections.size(); ++i) {
    const std::string& evil = injections[i];
    Json answers = valid_answers(100 + i);
    answers["a_ethnic"] = 2;
    answers["a_ethnic_other"] = evil;
    answers["q2"] = 7;
    answers["q2_other"] = evil + " (kênh)";
    answers["q11"] = "Ý kiến: " + evil + "\n" + injections[(i + 1) % injections.size()];
    const std::string submission = "sid " + evil;
    if (i % 2 == 0) {
      r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/responses?t=" + tokens[i],
                   json_submission(answers, submission), json_type);
      ASSERT_EQ(r.status, 201) << r.body;
    } else {
      // Through the web form; the form trims nothing from text answers.
      r = exchange(port(), "POST", "/s/" + survey_id + "?t=" + io::percent_encode(tokens[i]),
                   form_body(answers, submission), form_type);
      ASSERT_EQ(r.status, 303) << r.body;
    }
    expected[submission] = answers;
  }

  // Read back: every value exactly as sent, and the attributes as imported.
  const Json rows = stored();
  ASSERT_EQ(rows.size(), injections.size());
  for (const auto& row : rows) {
    const std::string submission = row["submission_id"].get<std::string>();
    ASSERT_TRUE(expected.count(submission)) << "unknown submission_id " << submission;
    const Json& sent = expected[submission];
    for (const char* item : {"a_ethnic_other", "q2_other", "q11"})
      EXPECT_EQ(row["answers"][item], sent[item]) << item;
    const std::string note = row["attributes"].value("note", "");
    const auto index = static_cast<std::size_t>(
        std::find(injections.begin(), injections.end(), note) - injections.begin());
    ASSERT_LT(index, injections.size()) << "attribute changed: " << note;
    EXPECT_EQ(row["respondent_id"], "p" + std::to_string(index) + injections[index]);
  }
  // The CSV export quotes them (and stays one row per response).
  r = admin("GET", responses_target("?format=csv"));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Robert'); DROP TABLE responses;--"), std::string::npos);
  EXPECT_NE(r.body.find("<script>alert(\"\"sipas\"\")</script>"), std::string::npos)
      << "a quote inside a field is doubled";

  // Pages escape what they echo: the 422 page (answers kept, one required
  // answer missing), a draft prefilled, the submission id.
  auto raw_free = [](const std::string& html, const std::string& where) {
    for (const auto& evil : injections) {
      if (evil.find_first_of("<>\"'") == std::string::npos) continue;
      EXPECT_EQ(html.find(evil), std::string::npos) << where << " echoes raw: " << evil;
    }
    EXPECT_EQ(html.find("<script>alert"), std::string::npos) << where;
    EXPECT_EQ(html.find("<img src=x"), std::string::npos) << where;
    EXPECT_EQ(html.find("<svg/onload"), std::string::npos) << where;
  };
  r = admin("POST", "/api/v1/surveys/" + survey_id + "/invitations",
            "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n"
            "e1,A,A,0.1,10,main,\ne2,A,A,0.1,10,main,\n",
            "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto more = tokens_of_links_csv(r.body);
  ASSERT_EQ(more.size(), 2u);
  Json answers = valid_answers(300);
  answers["a_ethnic"] = 2;
  answers["a_ethnic_other"] = injections[3];
  answers["q11"] = injections[4];
  answers.erase("a_sex");
  r = exchange(port(), "POST", "/s/" + survey_id + "?t=" + more[0],
               form_body(answers, injections[5]), form_type);
  ASSERT_EQ(r.status, 422) << r.body.substr(0, 400);
  EXPECT_NE(r.body.find("&lt;script&gt;alert(&quot;sipas&quot;)&lt;/script&gt;"), std::string::npos)
      << "the other-text answer is kept, escaped";
  EXPECT_NE(r.body.find("&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  raw_free(r.body, "the 422 page");

  r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/drafts?t=" + more[1],
               Json{{"answers", answers}}.dump(), json_type);
  ASSERT_EQ(r.status, 200) << r.body;
  r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + more[1]);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("&lt;script&gt;alert(&quot;sipas&quot;)&lt;/script&gt;"), std::string::npos)
      << "the draft is prefilled, escaped";
  raw_free(r.body, "the prefilled draft");

  // In the path, the token and the query: not found or refused, escaped,
  // and nothing read or written by them.
  const std::vector<std::string> targets = {
      "/s/" + io::percent_encode(injections[3]),
      "/s/" + io::percent_encode(injections[1]),
      "/s/" + survey_id + "?t=" + io::percent_encode(injections[1]),
      "/s/" + survey_id + "?lang=" + io::percent_encode(injections[3]),
      "/s/" + survey_id + "/thanks?lang=" + io::percent_encode(injections[4]),
      "/api/v1/surveys/" + io::percent_encode(injections[0]) + "/questionnaire",
  };
  for (const auto& target : targets) {
    SCOPED_TRACE(target);
    r = exchange(port(), "GET", target);
    EXPECT_TRUE(r.status == 200 || r.status == 403 || r.status == 404) << r.status;
    if (r.header("content-type").starts_with("text/html")) {
      raw_free(r.body, target);
    } else {
      // JSON carries the string as data, escaped by the JSON writer.
      EXPECT_FALSE(error_code(r).empty()) << r.body;
    }
  }
  for (const auto& query : {"?since=" + io::percent_encode("0 OR 1=1"),
                            "?limit=" + io::percent_encode("1; DROP TABLE responses"),
                            "?format=" + io::percent_encode(injections[3])}) {
    r = admin("GET", responses_target(query));
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_EQ(error_code(r), "request.bad_parameter") << r.body;
  }
  r = admin("POST", "/api/v1/surveys",
            Json{{"id", injections[0]}, {"standard", "sipas-citizen"}}.dump(), json_type);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_code(r), "survey.bad_id") << r.body;
  r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/responses?t=" + more[0],
               json_submission(valid_answers(301), injections[2] + std::string(200, 'x')),
               json_type);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "response.bad_submission_id");

  // Everything is still there, and nothing more.
  EXPECT_EQ(stored().size(), injections.size());
  r = admin("GET", "/api/v1/surveys/" + survey_id + "/progress");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body)["overall"]["invited"], injections.size() + 2) << r.body;
}

// ------------------------------------------------------------------ path traversal

TEST_F(HostileClientTest, PathTraversalNeverReadsAFile) {
  start();
  // Files a traversal could aim at: the system's, and the server's own keys
  // and database beside it.
  const std::vector<std::string> targets = {
      "/s/../../etc/passwd",
      "/s/%2e%2e/%2e%2e/etc/passwd",
      "/s/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
      "/assets/../../etc/passwd",
      "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
      "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/assets/..%5C..%5Cetc%5Cpasswd",
      "/assets/....//....//etc/passwd",
      "/assets/%252e%252e%252fetc%252fpasswd",
      "/assets/form.css%00../../etc/passwd",
      "/assets/..%2Fkeys.txt",
      "/assets/..%2Fsurvey.db",
      "/assets/%2Fetc%2Fpasswd",
      "/../../../../etc/passwd",
      "//etc/passwd",
      "/assets/../assets/form.css/../../../survey.db",
      "/api/v1/surveys/..%2F..%2Fetc%2Fpasswd/questionnaire",
      "/s/" + survey_id + "/..%2F..%2Fkeys.txt",
  };
  const int rounds = during(
      [&] {
        for (const auto& target : targets) {
          SCOPED_TRACE(target);
          auto r = exchange(port(), "GET", target);
          EXPECT_TRUE(r.status == 400 || r.status == 404) << r.status << " " << r.error;
          EXPECT_EQ(r.body.find("root:"), std::string::npos);
          EXPECT_EQ(r.body.find(hostile::manager_key), std::string::npos);
          EXPECT_EQ(r.body.find("SQLite format"), std::string::npos);
        }
      },
      [&] { expect_served(0, "path traversal"); });
  EXPECT_GE(rounds, 1);
  // The real asset is still served.
  auto r = exchange(port(), "GET", "/assets/form.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.header("content-type").starts_with("text/css"));
}

// ------------------------------------------------------------------ content types

TEST_F(HostileClientTest, WrongContentTypesGet415AndStoreNothing) {
  start();
  const std::string api = "/api/v1/surveys/" + survey_id + "/responses?t=" + tokens_[1];
  const std::string form = "/s/" + survey_id + "?t=" + tokens_[2];
  const std::string json_body = json_submission(valid_answers(1), "ct-json");
  const std::string form_text = form_body(valid_answers(2), "ct-form");
  struct Case {
    std::string what, target, body, type;
  };
  const std::vector<Case> cases = {
      {"JSON as text/plain", api, json_body, "text/plain"},
      {"JSON without a type", api, json_body, ""},
      {"JSON as a form", api, json_body, form_type},
      {"JSON as multipart", api, json_body, "multipart/form-data; boundary=x"},
      {"form as JSON", form, form_text, json_type},
      {"form without a type", form, form_text, ""},
      {"form as multipart", form,
       "--x\r\nContent-Disposition: form-data; name=\"q11\"\r\n\r\nhi\r\n--x--\r\n",
       "multipart/form-data; boundary=x"},
      {"form as text/plain", form, form_text, "text/plain"},
      {"invitations as JSON", "/api/v1/surveys/" + survey_id + "/invitations", "{}", json_type},
  };
  const int rounds = during(
      [&] {
        for (const auto& c : cases) {
          SCOPED_TRACE(c.what);
          auto r = exchange(port(), "POST", c.target, c.body, c.type, hostile::as_manager());
          EXPECT_EQ(r.status, 415) << r.body.substr(0, 300);
          if (r.header("content-type").starts_with("application/json")) {
            EXPECT_EQ(error_code(r), "request.unsupported_media_type");
          }
        }
      },
      [&] { expect_served(0, "wrong content types"); });
  EXPECT_GE(rounds, 1);
  const auto rows = stored();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["submission_id"], "good-0");
}

// ------------------------------------------------------------------ token guessing

TEST_F(HostileClientTest, TokenGuessingIsRateLimitedPerAddress) {
  survey_server::ServiceOptions options;
  options.bad_tokens_per_minute = 1;  // no refill to speak of during the test
  options.bad_tokens_burst = 20;
  start({}, options);
  // The attacker guesses from 127.0.0.2; the well-behaved client is 127.0.0.1.
  const std::string attacker = "127.0.0.2";
  auto probe = exchange(port(), "GET", "/healthz", {}, {}, {}, milliseconds(15000), attacker);
  if (!probe.error.empty()) GTEST_SKIP() << "no second loopback address: " << probe.error;

  int forbidden = 0, limited = 0;
  for (int i = 0; i < 60; ++i) {
    // Well-formed random tokens and malformed ones both spend the budget.
    const std::string guess = i % 3 == 0 ? "short" : store::random_token();
    auto r = i % 2 == 0 ? exchange(port(), "GET", "/s/" + survey_id + "?t=" + guess, {}, {}, {},
                                   milliseconds(15000), attacker)
                        : exchange(port(), "POST",
                                   "/api/v1/surveys/" + survey_id + "/responses?t=" + guess,
                                   json_submission(valid_answers(i), "guess-" + std::to_string(i)),
                                   json_type, {}, milliseconds(15000), attacker);
    if (r.status == 403) {
      ++forbidden;
      EXPECT_EQ(limited, 0) << "403 after a 429";
    } else if (r.status == 429) {
      ++limited;
    } else {
      ADD_FAILURE() << "guess " << i << ": " << r.status << " " << r.body;
    }
  }
  EXPECT_EQ(forbidden, 20);
  EXPECT_EQ(limited, 40);

  // Regression: once limited, the address learns nothing about any token:
  // a right one is refused too (before, it got the form, so 429 meant
  // "wrong" and a guess could go on at full speed).
  auto r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + tokens_[5], {}, {}, {},
                    milliseconds(15000), attacker);
  EXPECT_EQ(r.status, 429);
  r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/responses?t=" + tokens_[5],
               json_submission(valid_answers(5), "attacker-right"), json_type, {},
               milliseconds(15000), attacker);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code(r), "request.rate_limited");

  // Another address with the right token is served, during another flood.
  const int rounds = during(
      [&] {
        auto g = exchange(port(), "GET", "/s/" + survey_id + "?t=" + store::random_token(), {}, {},
                          {}, milliseconds(15000), attacker);
        EXPECT_EQ(g.status, 429);
      },
      [&] { expect_served(0, "token guessing"); });
  EXPECT_GE(rounds, 1);
  const auto rows = stored();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["submission_id"], "good-0");
}

// Behind nginx every connection comes from the proxy. A trusted proxy's
// X-Forwarded-For names the client, so one guesser behind it spends its own
// budget, not every respondent's; anyone else's header is ignored.
TEST_F(HostileClientTest, BehindATrustedProxyGuessesCountAgainstTheForwardedAddress) {
  survey_server::ServiceOptions options;
  options.bad_tokens_per_minute = 1;
  options.bad_tokens_burst = 20;
  survey_server::ServerOptions server_options;
  server_options.trusted_proxies = {"127.0.0.2"};
  server_options.max_connections_per_address = 2;  // a proxy is not held to it
  start(server_options, options);
  const std::string proxy = "127.0.0.2";
  auto probe = exchange(port(), "GET", "/healthz", {}, {}, {}, milliseconds(15000), proxy);
  if (!probe.error.empty()) GTEST_SKIP() << "no second loopback address: " << probe.error;

  auto guess_as = [&](const std::string& source, const std::string& forwarded) {
    return exchange(port(), "GET", "/s/" + survey_id + "?t=" + store::random_token(), {}, {},
                    {{"X-Forwarded-For", forwarded}}, milliseconds(15000), source)
        .status;
  };
  auto form_as = [&](const std::string& source, const std::string& forwarded, int token) {
    return exchange(port(), "GET",
                    "/s/" + survey_id + "?t=" + tokens_[static_cast<std::size_t>(token)], {}, {},
                    {{"X-Forwarded-For", forwarded}}, milliseconds(15000), source)
        .status;
  };
  // The guesser behind the proxy: its 20, then 429 even for a right token.
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(guess_as(proxy, "203.0.113.7"), 403) << i;
  EXPECT_EQ(guess_as(proxy, "203.0.113.7"), 429);
  EXPECT_EQ(form_as(proxy, "203.0.113.7", 3), 429);
  // A respondent behind the same proxy is served.
  EXPECT_EQ(form_as(proxy, "203.0.113.8", 4), 200);
  // Only the last entry counts: the one the proxy added; what the client
  // wrote before it proves nothing.
  EXPECT_EQ(form_as(proxy, "203.0.113.7, 203.0.113.9", 5), 200);
  EXPECT_EQ(guess_as(proxy, "203.0.113.9, 203.0.113.7"), 429);

  // Many connections from the proxy at once, past max_connections_per_address.
  std::vector<std::thread> clients;
  std::atomic<int> served{0};
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&, i] {
      if (form_as(proxy, "198.51.100." + std::to_string(i + 1), 6 + i) == 200) served.fetch_add(1);
    });
  }
  for (auto& client : clients)
    client.join();
  EXPECT_EQ(served.load(), 6);

  // From an address that is not a trusted proxy, the header is ignored: the
  // guesses count against 127.0.0.1 whatever it claims.
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(guess_as("127.0.0.1", "203.0.113." + std::to_string(20 + i)), 403) << i;
  EXPECT_EQ(guess_as("127.0.0.1", "203.0.113.99"), 429);
  EXPECT_EQ(form_as("127.0.0.1", "203.0.113.100", 12), 429);
}

TEST(RateLimiterTest, ExhaustedLooksWithoutSpending) {
  survey_server::RateLimiter limiter(60, 2);  // a token a second, two at once
  const auto t0 = survey_server::RateLimiter::Clock::now();
  EXPECT_FALSE(limiter.exhausted("a", t0));
  EXPECT_TRUE(limiter.allow("a", t0));
  EXPECT_FALSE(limiter.exhausted("a", t0));
  EXPECT_TRUE(limiter.allow("a", t0));
  EXPECT_TRUE(limiter.exhausted("a", t0));
  EXPECT_TRUE(limiter.exhausted("a", t0));  // looking spends nothing
  EXPECT_FALSE(limiter.allow("a", t0));
  EXPECT_FALSE(limiter.exhausted("b", t0));  // another key
  // One second later one token has come back (1 per second).
  EXPECT_FALSE(limiter.exhausted("a", t0 + seconds(1)));
  EXPECT_TRUE(limiter.allow("a", t0 + seconds(1)));
  EXPECT_TRUE(limiter.exhausted("a", t0 + seconds(1)));
}

// ------------------------------------------------------------------ replays

TEST_F(HostileClientTest, ReplayedSubmissionsStoreOnce) {
  start();
  const std::string api = "/api/v1/surveys/" + survey_id + "/responses?t=";
  // 50 copies of one JSON submission at once: one stored, all the same seq.
  const std::string body = json_submission(valid_answers(11), "replay-1");
  std::vector<std::future<Reply>> copies;
  for (int i = 0; i < 50; ++i) {
    copies.push_back(std::async(std::launch::async, [&] {
      return exchange(port(), "POST", api + tokens_[1], body, json_type);
    }));
  }
  std::set<std::int64_t> seqs;
  int created = 0, repeated = 0;
  for (auto& f : copies) {
    const Reply r = f.get();
    ASSERT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.error << r.body;
    (r.status == 201 ? created : repeated) += 1;
    const auto doc = Json::parse(r.body);
    EXPECT_EQ(doc["submission_id"], "replay-1");
    seqs.insert(doc["response"].get<std::int64_t>());
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(repeated, 49);
  EXPECT_EQ(seqs.size(), 1u);

  // A different submission_id on the used token: 409, nothing changed.
  auto r = exchange(port(), "POST", api + tokens_[1],
                    json_submission(valid_answers(12), "replay-2"), json_type);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "invitation.already_responded");

  // The web form: the same POST again after success is the same result (a
  // browser's retry), a new submission on the used link is 409.
  r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + tokens_[2]);
  ASSERT_EQ(r.status, 200);
  const std::string form = form_body(valid_answers(13), "form-replay");
  const std::string target = "/s/" + survey_id + "?t=" + tokens_[2];
  r = exchange(port(), "POST", target, form, form_type);
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string thanks = r.header("location");
  for (int i = 0; i < 5; ++i) {
    r = exchange(port(), "POST", target, form, form_type);
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(r.header("location"), thanks);
  }
  r = exchange(port(), "POST", target, form_body(valid_answers(14), "form-replay-2"), form_type);
  EXPECT_EQ(r.status, 409);
  r = exchange(port(), "GET", target);
  EXPECT_EQ(r.status, 409);

  // The same submission_id on another invitation is a conflict, not a repeat.
  r = exchange(port(), "POST", api + tokens_[3], body, json_type);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "response.submission_conflict");

  const auto rows = stored();
  ASSERT_EQ(rows.size(), 2u);
  std::set<std::string> ids;
  for (const auto& row : rows)
    ids.insert(row["submission_id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"replay-1", "form-replay"}));
  expect_served(0, "replays");
}

}  // namespace
}  // namespace sipas::test
