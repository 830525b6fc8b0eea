// Attacks found by an outside review (issue 15) against the real server on
// loopback: requests decided from their header alone (no 100 Continue, no
// body read for a refusal), large uploads only for managers and on disk,
// cross-site posts, security headers, the per-address connection cap, key
// rules and failed-authentication throttling, links only from a configured
// public URL, /metrics behind a key, Host required, and error pages in the
// survey's language. Each test fails on the server as it was before.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/public_url.hpp"
#include "io/percent_encoding.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "store/tokens.hpp"
#include "survey_server/url_encoding.hpp"
#include "tests/support/key_file.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
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
namespace ss = sipas::survey_server;

const std::string survey_id = "hn-2026";

// Sends `head` (a request header announcing a body) and nothing more, then
// waits for an answer: a server that waits for the body before deciding
// never answers within the deadline.
Reply answer_to_header_alone(unsigned short port, const std::string& head,
                             milliseconds deadline = milliseconds(5000)) {
  return exchange(port, head, deadline);
}

class HostileAdmissionTest : public hostile::SurveyFixture {
 protected:
  std::size_t stored_count() { return stored().size(); }
};

// ------------------------------------------------------------------ hole 1

TEST_F(HostileAdmissionTest, RefusalsComeFromTheHeaderBeforeContinueOrAnyBody) {
  start();
  const std::string big = std::to_string(60 * 1024 * 1024);
  const std::string imports = "/api/v1/surveys/" + survey_id + "/invitations";
  struct Case {
    std::string name, head;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"no key", "POST " + imports + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n", 401,
       "auth.required"},
      {"wrong key",
       "POST " + imports +
           " HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nAuthorization: Bearer " +
           std::string(43, 'A') + "\r\n",
       401, "auth.invalid_key"},
      {"unknown route",
       "POST /api/v1/surveys/" + survey_id +
           "/nothing-here HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: text/csv\r\n",
       404, "request.not_found"},
      {"no token, invitations only (page)",
       "POST /s/" + survey_id +
           " HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: application/x-www-form-urlencoded\r\n",
       403, ""},
      {"no token, invitations only (JSON)",
       "POST /api/v1/surveys/" + survey_id +
           "/responses HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: application/json\r\n",
       403, "survey.invitation_required"},
      {"wrong method", "PUT " + imports + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n", 405,
       "request.method_not_allowed"},
      {"wrong type",
       "POST " + imports + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/zip\r\n" +
           "Authorization: Bearer " + hostile::manager_key + "\r\n",
       415, "request.unsupported_media_type"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    for (const bool expect_continue : {false, true}) {
      const std::string head = c.head + "Content-Length: " + big + "\r\n" +
                               (expect_continue ? "Expect: 100-continue\r\n" : "") + "\r\n";
      // The body is never sent: the answer must come from the header alone.
      auto r = answer_to_header_alone(port(), head);
      EXPECT_EQ(r.status, c.status) << r.error << (r.timed_out ? " (timed out)" : "") << r.body;
      EXPECT_EQ(error_code(r), c.code) << r.body;
      // 100 Continue is only for requests that will be served.
      EXPECT_EQ(r.body.find("100 Continue"), std::string::npos);
    }
  }
}

TEST_F(HostileAdmissionTest, AnAnalystCannotUploadAndItsBodyIsNotRead) {
  // The hostile server writes its own key file; the analyst's goes in the
  // database through the store, as `sipas key create --db` does.
  start();
  std::string analyst_key;
  {
    store::SurveyStore store(server_->dir() / "survey.db");
    analyst_key = store.create_api_key("analyst", store::Role::Analyst);
  }
  auto r = answer_to_header_alone(
      port(), "POST /api/v1/surveys/" + survey_id +
                  "/invitations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                  "Authorization: Bearer " +
                  analyst_key + "\r\nContent-Length: 62914560\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(r.status, 403) << r.error << (r.timed_out ? " (timed out)" : "");
  EXPECT_EQ(error_code(r), "auth.forbidden");
}

TEST_F(HostileAdmissionTest, UnauthenticatedUploadsInFlightAreAnsweredAtOnce) {
  start();
  // 16 connections announce 60 MB uploads without a key and keep sending:
  // each is answered 401 from its header, and the server never buffers them.
  net::io_context ioc;
  std::vector<std::unique_ptr<RawConnection>> connections;
  const std::string head = "POST /api/v1/surveys/" + survey_id +
                           "/invitations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                           "Content-Length: 62914560\r\n\r\n";
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 16; ++i) {
    connections.push_back(std::make_unique<RawConnection>(ioc, port()));
    ASSERT_TRUE(connections.back()->send(head));
  }
  // A megabyte of body each: the server has answered and closed by then, or
  // ignores it; either way nothing of it is kept.
  for (auto& c : connections) {
    for (int k = 0; k < 16; ++k) {
      if (!c->send(chunk)) break;
    }
  }
  auto closed = hostile::wait_closed(connections, milliseconds(10000));
  for (std::size_t i = 0; i < closed.size(); ++i) {
    EXPECT_TRUE(closed[i].closed) << "connection " << i << " still open";
    EXPECT_EQ(closed[i].received.rfind("HTTP/1.1 401", 0), 0u)
        << "connection " << i << ": " << closed[i].received.substr(0, 80);
  }
}

// Counts this process's open files that are anonymous temporary files (an
// upload spooled by the in-process server): "/tmp/#123 (deleted)".
int anonymous_temp_files() {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (!ec && target.find("/#") != std::string::npos && target.ends_with("(deleted)")) ++count;
  }
  return count;
}

TEST_F(HostileAdmissionTest, AManagersLargeUploadIsStreamedToATemporaryFile) {
  ss::ServerOptions server_options;
  server_options.request_timeout = seconds(30);
  start(server_options, {}, 0);
  const std::string sample = make_sample_csv(16000, 8);  // over the 256 KiB of other routes
  ASSERT_GT(sample.size(), 256u * 1024);
  const int before = anonymous_temp_files();
  net::io_context ioc;
  RawConnection connection(ioc, port());
  const std::string head =
      "POST /api/v1/surveys/" + survey_id +
      "/invitations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
      "Authorization: Bearer " +
      std::string(hostile::manager_key) +
      "\r\nConnection: close\r\nContent-Length: " + std::to_string(sample.size()) + "\r\n\r\n";
  ASSERT_TRUE(connection.send(head));
  ASSERT_TRUE(connection.send(std::string_view(sample).substr(0, sample.size() / 2)));
  // Half the body is in: it is in a file of no name, not in a string.
  int during = before;
  for (int i = 0; i < 100 && during == before; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    during = anonymous_temp_files();
  }
  // (The file and the parser's copy of its descriptor.)
  EXPECT_GT(during, before) << "the upload is not spooled to an anonymous file";
  ASSERT_TRUE(connection.send(std::string_view(sample).substr(sample.size() / 2)));
  std::vector<std::unique_ptr<RawConnection>> one;
  one.push_back(std::make_unique<RawConnection>(std::move(connection)));
  auto closed = hostile::wait_closed(one, milliseconds(60000));
  ASSERT_TRUE(closed[0].closed);
  EXPECT_EQ(closed[0].received.rfind("HTTP/1.1 201", 0), 0u) << closed[0].received.substr(0, 200);
  // The reply is written before the request (and its file) is let go on the
  // server's thread: give that a moment on a busy machine, not a request.
  int after = anonymous_temp_files();
  for (int i = 0; i < 100 && after != before; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    after = anonymous_temp_files();
  }
  EXPECT_EQ(after, before) << "the spooled upload outlived its request";
  // The rows arrived whole.
  auto r = admin("GET", "/api/v1/surveys/" + survey_id + "/progress");
  ASSERT_EQ(r.status, 200) << r.body;
  std::int64_t invited = 0, waiting = 0;
  const Json progress = Json::parse(r.body);
  for (const auto& s : progress["strata"]) {
    invited += s.value("invited", 0);
    waiting += s.value("reserves_waiting", 0);
  }
  EXPECT_EQ(invited + waiting, 16000);
}

// ------------------------------------------------------------------ hole 3

TEST_F(HostileAdmissionTest, CrossSiteFormPostsAreRefusedAndNothingIsStored) {
  start();
  const std::string target = "/s/" + survey_id + "?t=" + tokens_[0];
  const std::string body = form_body(valid_answers(1), "cross-1");
  for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Origin", "https://evil.example"}},
           {{"Origin", "null"}},
           {{"Origin", "http://127.0.0.1.evil.example"}},
           {{"Sec-Fetch-Site", "cross-site"}}}) {
    SCOPED_TRACE(headers[0].first + ": " + headers[0].second);
    auto r = exchange(port(), "POST", target, body, form_type, headers);
    EXPECT_EQ(r.status, 403) << r.body;
    // A page in the survey's language, not JSON.
    EXPECT_NE(r.header("content-type").find("text/html"), std::string::npos);
    EXPECT_NE(r.body.find("trang web khác"), std::string::npos) << r.body;
  }
  EXPECT_EQ(stored_count(), 0u);
  // The JSON API and the drafts are refused the same way from a browser.
  auto r = exchange(port(), "POST", "/api/v1/surveys/" + survey_id + "/responses?t=" + tokens_[1],
                    Json{{"answers", valid_answers(2)}, {"submission_id", "x"}}.dump(), json_type,
                    {{"Origin", "https://evil.example"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "request.cross_site");
  // Its own origin (the Host it was sent to), and no Origin at all (a
  // script), are served.
  r = exchange(port(), "POST", target, body, form_type, {{"Origin", "http://127.0.0.1"}});
  EXPECT_EQ(r.status, 303) << r.body;
  r = exchange(port(), "POST", "/s/" + survey_id + "?t=" + tokens_[2],
               form_body(valid_answers(3), "same-3"), form_type,
               {{"Sec-Fetch-Site", "same-origin"}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(stored_count(), 2u);
}

TEST_F(HostileAdmissionTest, EveryResponseCarriesTheSecurityHeaders) {
  start();
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"GET", "/s/" + survey_id + "?t=" + tokens_[0]},
      {"GET", "/s/" + survey_id + "/thanks"},
      {"GET", "/s/no-such-survey"},
      {"GET", "/healthz"},
      {"GET", "/api/v1/surveys/" + survey_id + "/questionnaire"},
      {"GET", "/assets/form.css"},
      {"GET", "/nowhere"},
      {"POST", "/api/v1/surveys"},
  };
  for (const auto& [method, target] : requests) {
    SCOPED_TRACE(method + " " + target);
    auto r = exchange(port(), method, target);
    ASSERT_NE(r.status, 0) << r.error;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    // Not no-referrer: browsers would send "Origin: null" on the form's posts.
    EXPECT_EQ(r.header("referrer-policy"), "same-origin");
    EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos)
        << r.header("content-security-policy");
  }
  // A protocol error, answered before any route, too.
  auto r = exchange(port(), "GARBAGE\r\n\r\n", milliseconds(5000));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
}

// ------------------------------------------------------------------ hole 6

TEST_F(HostileAdmissionTest, OneAddressCannotFillTheCapWithHalfSentHeaders) {
  EXPECT_EQ(ss::ServerOptions{}.max_connections_per_address, 64u);
  ss::ServerOptions options;
  options.max_connections = 40;
  options.max_connections_per_address = 8;
  options.request_timeout = seconds(60);
  start(options);
  const std::string attacker = "127.0.0.2";
  auto probe = exchange(port(), "GET", "/healthz", {}, {}, {}, milliseconds(15000), attacker);
  if (!probe.error.empty()) GTEST_SKIP() << "no second loopback address: " << probe.error;
  net::io_context ioc;
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 60; ++i) {
    auto c = std::make_unique<RawConnection>(ioc);
    c->socket().bind(net::ip::tcp::endpoint(net::ip::make_address(attacker), 0));
    c->connect(port());
    c->send("POST /s/" + survey_id + " HTTP/1.1\r\nHost: x\r\nX-Slow: ");  // never ends
    held.push_back(std::move(c));
  }
  // Beyond its 8, the attacker's connections are closed at once.
  std::vector<std::unique_ptr<RawConnection>> extra(std::make_move_iterator(held.begin() + 8),
                                                    std::make_move_iterator(held.end()));
  held.resize(8);
  auto closed = hostile::wait_closed(extra, milliseconds(10000));
  for (std::size_t i = 0; i < closed.size(); ++i)
    EXPECT_TRUE(closed[i].closed) << "extra connection " << i << " was kept";
  EXPECT_GE(server_->counters().connections_refused_per_address.load(), 52u);
  // Everybody else is served while the attacker holds its 8.
  for (int i = 0; i < 3; ++i) {
    auto r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + tokens_[i]);
    EXPECT_EQ(r.status, 200) << r.error << (r.timed_out ? " (timed out)" : "");
  }
  // Its own connections end: it may connect again.
  held.clear();
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    served =
        exchange(port(), "GET", "/healthz", {}, {}, {}, milliseconds(5000), attacker).status == 200;
    if (!served) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(served);
}

// ------------------------------------------------------------------ hole 7

TEST_F(HostileAdmissionTest, AKeyFileOthersCanReadIsRefusedAtStart) {
  TempDir dir("sipas-keyfile");
  const auto keys = dir / "keys.txt";
  write_key_file(keys, std::string("manager ") + hostile::manager_key + "\n");
  ::chmod(keys.c_str(), 0644);
  ss::ServiceOptions options;
  options.db = dir / "survey.db";
  options.admin_key_file = keys;
  try {
    ss::SurveyService service(options);
    ADD_FAILURE() << "a key file readable by others was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "server.key_file");
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  // The command says so too, and exits 1.
  auto result = sipas({"serve", "--db", (dir / "survey.db").string(), "--listen", "127.0.0.1:0",
                       "--admin-key-file", keys.string(), "--create-db"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("chmod 600"), std::string::npos) << result.err;
  // A short key, even in a private file, is refused.
  write_key_file(keys, "manager short-key-0123456789\n");
  EXPECT_THROW(ss::SurveyService{options}, Error);
}

TEST_F(HostileAdmissionTest, KeyCreateWritesAPrivateKeyFileTheServerAccepts) {
  TempDir dir("sipas-keycreate");
  const auto keys = dir / "keys.txt";
  auto made = sipas({"key", "create", "--key-file", keys.string(), "--role", "manager"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::string key = made.out.substr(0, made.out.find('\n'));
  EXPECT_GE(key.size(), 32u);
  EXPECT_TRUE(store::is_api_key_syntax(key)) << key;
  struct stat st {};
  ASSERT_EQ(::stat(keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = sipas({"key", "create", "--key-file", keys.string(), "--role", "analyst"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.substr(0, 43), key);
  ss::ServiceOptions options;
  options.db = dir / "survey.db";
  options.admin_key_file = keys;
  ss::SurveyService service(options);
  ss::HttpServer server({.port = 0}, service);
  std::thread thread([&] { server.run(false); });
  auto r = exchange(server.port(), "GET", "/api/v1/surveys", {}, {},
                    {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(r.status, 200) << r.body;
  server.shutdown();
  thread.join();
  service.stop();
}

TEST_F(HostileAdmissionTest, FailedAuthenticationsAreThrottledPerAddressAndCounted) {
  start();
  const std::string attacker = "127.0.0.2";
  auto probe = exchange(port(), "GET", "/healthz", {}, {}, {}, milliseconds(15000), attacker);
  if (!probe.error.empty()) GTEST_SKIP() << "no second loopback address: " << probe.error;
  int unauthorized = 0, limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = exchange(port(), "GET", "/api/v1/surveys", {}, {},
                      {{"Authorization", "Bearer " + store::random_token(store::api_key_bytes)}},
                      milliseconds(15000), attacker);
    if (r.status == 401) {
      ++unauthorized;
      EXPECT_EQ(limited, 0) << "401 after a 429";
    } else if (r.status == 429) {
      ++limited;
      EXPECT_EQ(error_code(r), "auth.rate_limited");
    } else {
      ADD_FAILURE() << i << ": " << r.status << " " << r.body;
    }
  }
  EXPECT_EQ(unauthorized, 20);
  EXPECT_EQ(limited, 10);
  // Limited, the address learns nothing, even with the right key.
  auto r = exchange(port(), "GET", "/api/v1/surveys", {}, {}, hostile::as_manager(),
                    milliseconds(15000), attacker);
  EXPECT_EQ(r.status, 429);
  // Another address is served, and the metrics count both.
  r = admin("GET", "/metrics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("sipas_auth_failures_total 20"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("sipas_auth_throttled_total 11"), std::string::npos) << r.body;
}

// ------------------------------------------------------------------ hole 8

TEST_F(HostileAdmissionTest, LinksAreBuiltOnlyFromACheckedPublicUrl) {
  start({}, {}, 0);
  const std::string imports = "/api/v1/surveys/" + survey_id + "/invitations";
  for (const std::string bad :
       {"javascript:alert(1)", "https://user:pw@evil.example", "https://ks.example.vn/?x=1",
        "https://ks.example.vn/#top", "http://ks.example.vn", "ftp://ks.example.vn", "//evil",
        "https://", "https://ks.example.vn/a b"}) {
    SCOPED_TRACE(bad);
    auto r = admin("POST", imports + "?base_url=" + io::percent_encode(bad), make_sample_csv(3, 1),
                   "text/csv");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(error_code(r), "server.bad_public_url") << r.body;
  }
  // The Host header never makes a link: the configured public URL does.
  auto r = exchange(port(), "POST", imports, make_sample_csv(3, 1), "text/csv",
                    {{"Authorization", std::string("Bearer ") + hostile::manager_key},
                     {"X-Forwarded-Host", "evil.example"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body.find("evil"), std::string::npos);
  EXPECT_NE(r.body.find(",http://127.0.0.1/s/" + survey_id + "?t="), std::string::npos) << r.body;
  auto raw = exchange(port(),
                      "POST " + imports +
                          "?x=1 HTTP/1.1\r\nHost: evil.example\r\n"
                          "Content-Type: text/csv\r\nAuthorization: Bearer " +
                          hostile::manager_key + "\r\nConnection: close\r\nContent-Length: " +
                          std::to_string(make_sample_csv(3, 1).size()) + "\r\n\r\n" +
                          make_sample_csv(3, 1),
                      milliseconds(15000));
  // The same respondents again: refused as duplicates, but never with a
  // link to the Host it was sent.
  EXPECT_EQ(raw.body.find("evil.example/s/"), std::string::npos) << raw.body;
}

TEST_F(HostileAdmissionTest, WithoutAPublicUrlAnImportNeedsABaseUrl) {
  // A server without --public-url: links need ?base_url=.
  TempDir dir("sipas-nopublic");
  const auto keys = dir / "keys.txt";
  write_key_file(keys, std::string("manager ") + hostile::manager_key + "\n");
  ss::ServiceOptions bare;
  bare.db = dir / "survey.db";
  bare.admin_key_file = keys;
  ss::SurveyService service(bare);
  ss::HttpServer server({.port = 0}, service);
  std::thread thread([&] { server.run(false); });
  auto call = [&](const std::string& method, const std::string& target,
                  const std::string& body = {}, const std::string& type = {}) {
    return exchange(server.port(), method, target, body, type, hostile::as_manager());
  };
  ASSERT_EQ(call("POST", "/api/v1/surveys",
                 Json{{"id", survey_id}, {"standard", "sipas-citizen"}}.dump(), json_type)
                .status,
            201);
  const std::string imports = "/api/v1/surveys/" + survey_id + "/invitations";
  auto r = call("POST", imports, make_sample_csv(3, 1), "text/csv");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_code(r), "server.public_url_missing") << r.body;
  r = call("POST", imports + "?base_url=" + io::percent_encode("https://khaosat.example.gov.vn/"),
           make_sample_csv(3, 1), "text/csv");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find(",https://khaosat.example.gov.vn/s/" + survey_id + "?t="),
            std::string::npos)
      << r.body;
  server.shutdown();
  thread.join();
  service.stop();
  // sipas serve refuses a bad --public-url at start.
  auto result = sipas({"serve", "--db", (dir / "survey.db").string(), "--listen", "127.0.0.1:0",
                       "--public-url", "javascript:alert(1)"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("server.bad_public_url"), std::string::npos) << result.err;
}

TEST(PublicUrlTest, AcceptsHttpsAndLoopbackHttpOnly) {
  EXPECT_EQ(app::checked_public_url("https://khaosat.example.gov.vn/", "x"),
            "https://khaosat.example.gov.vn");
  EXPECT_EQ(app::checked_public_url("HTTPS://Ks.Example.vn:8443/khao-sat//", "x"),
            "HTTPS://Ks.Example.vn:8443/khao-sat");
  EXPECT_EQ(app::checked_public_url("http://127.0.0.1:8080", "x"), "http://127.0.0.1:8080");
  EXPECT_EQ(app::checked_public_url("http://localhost", "x"), "http://localhost");
  EXPECT_EQ(app::checked_public_url("http://[::1]:9000", "x"), "http://[::1]:9000");
  for (const std::string bad :
       {"", "javascript:alert(1)", "data:text/html,x", "http://10.0.0.1", "http://127.0.0.1.evil",
        "http://127.1", "https://u@h", "https://h?x", "https://h#x", "https://h:port",
        "https:///path", "https://h/a\nb", "ks.example.vn"}) {
    SCOPED_TRACE(bad);
    try {
      app::checked_public_url(bad, "--public-url");
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.id(), "server.bad_public_url");
      EXPECT_EQ(std::string(e.what()).rfind("--public-url: ", 0), 0u) << e.what();
    }
  }
  EXPECT_EQ(app::url_origin("https://Ks.Example.vn:8443/khao-sat"), "https://ks.example.vn:8443");
}

// ------------------------------------------------------------------ hole 10

TEST_F(HostileAdmissionTest, MetricsNeedAKeyOrAListenerOfTheirOwn) {
  start();
  auto r = exchange(port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.body.find("sipas_http_requests_total"), std::string::npos);
  r = admin("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("sipas_http_requests_total"), std::string::npos);
  // sipas serve --metrics-listen: a second listener that serves /metrics
  // (and /healthz) only, without a key.
  TempDir dir("sipas-metrics");
  const auto keys = dir / "keys.txt";
  write_key_file(keys, std::string("manager ") + hostile::manager_key + "\n");
  ss::ServiceOptions options;
  options.db = dir / "survey.db";
  options.admin_key_file = keys;
  ss::SurveyService service(options);
  ss::HttpServer metrics({.port = 0}, service.metrics_handler());
  std::thread thread([&] { metrics.run(false); });
  r = exchange(metrics.port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("sipas_commits_total"), std::string::npos);
  r = exchange(metrics.port(), "GET", "/api/v1/surveys", {}, {}, hostile::as_manager());
  EXPECT_EQ(r.status, 404);
  r = exchange(metrics.port(), "POST", "/metrics");
  EXPECT_EQ(r.status, 405);
  metrics.shutdown();
  thread.join();
  service.stop();
}

TEST_F(HostileAdmissionTest, AnHttp11RequestWithoutHostIs400) {
  start();
  auto r =
      exchange(port(), "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", milliseconds(5000));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_code(r), "request.missing_host");
  // HTTP/1.0 has no Host requirement.
  r = exchange(port(), "GET /healthz HTTP/1.0\r\n\r\n", milliseconds(5000));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HostileAdmissionTest, TheRateLimitPageSpeaksTheSurveysLanguage) {
  ss::ServiceOptions options;
  options.bad_tokens_per_minute = 1;
  options.bad_tokens_burst = 2;
  start({}, options);
  for (int i = 0; i < 3; ++i)
    exchange(port(), "GET", "/s/" + survey_id + "?t=" + store::random_token());
  auto r = exchange(port(), "GET", "/s/" + survey_id + "?t=" + store::random_token());
  ASSERT_EQ(r.status, 429) << r.body;
  EXPECT_NE(r.body.find("lang=\"vi\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Xin vui lòng chờ một phút"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("too many"), std::string::npos) << r.body;
  // Asked in English, in English.
  r = exchange(port(), "GET", "/s/" + survey_id + "?lang=en&t=" + store::random_token());
  ASSERT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("Please wait a minute"), std::string::npos) << r.body;
  // An unknown survey's page is Vietnamese too, not an English message.
  r = exchange(port(), "GET", "/s/no-such-survey");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("Không tìm thấy"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("no survey"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace sipas::test
