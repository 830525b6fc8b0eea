// Latency of a well-behaved client while hostile clients attack the server
// (bench/RESULTS.md, "Hostile clients (issue 7)"). The real server runs in
// this process (SurveyService + HttpServer on a loopback port, a database in
// a temporary directory); a paced client opens its form (GET /s/S?t=TOKEN)
// and submits JSON answers with the same token, each pair with a fresh
// token, through four phases of --seconds each:
//
//   baseline    no attack
//   slowloris   --slowloris connections sending a header a byte every 100 ms
//               (reconnecting when the server cuts them)
//   idle        --idle connections opened at once and held silent
//   guessing    --guessers threads sending wrong tokens as fast as answers
//               come, from 127.0.0.2 (keep-alive)
//
// Prints p50/p95/p99/max per request kind and phase, and ratios to the
// baseline of the same run.
//
//   hostile_bench [--seconds S] [--rate PAIRS_PER_S] [--slowloris N] [--idle N]
//                 [--guessers N] [--max-connections N]

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "store/tokens.hpp"
#include "survey_server/http_client.hpp"
#include "survey_server/http_server.hpp"
#include "survey_server/service.hpp"

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace ss = sipas::survey_server;
namespace q = sipas::questionnaires;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr const char* manager_key = "bench-manager-key-0123456789abcdef";
constexpr const char* survey = "sipas-citizen";

struct Options {
  double seconds = 15, rate = 20;
  int slowloris = 300, idle = 3000, guessers = 2;
  std::size_t max_connections = 20000;
};

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// --------------------------------------------------------------- the client

struct Latencies {
  std::vector<double> get, post;
  int errors = 0;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Form GET then JSON POST with one token, `rate` pairs a second, until `until`.
Latencies well_behaved(unsigned short port, const std::vector<std::string>& tokens,
                       std::size_t& next_token, const std::vector<std::string>& bodies, double rate,
                       Clock::time_point until) {
  Latencies out;
  ss::HttpClient client(port);
  const auto period = std::chrono::duration<double>(1.0 / rate);
  auto due = Clock::now();
  while (Clock::now() < until && next_token < tokens.size()) {
    std::this_thread::sleep_until(due);
    due += std::chrono::duration_cast<Clock::duration>(period);
    const std::string& token = tokens[next_token];
    const std::string id = "bench-" + std::to_string(next_token);
    ++next_token;
    try {
      auto t = Clock::now();
      auto r = client.get(std::string("/s/") + survey + "?t=" + token);
      out.get.push_back(ms_since(t));
      if (r.status != 200) ++out.errors;
      std::string body = bodies[next_token % bodies.size()];
      body.replace(body.find("@ID@"), 4, id);
      t = Clock::now();
      r = client.post(std::string("/api/v1/surveys/") + survey + "/responses?t=" + token, body,
                      "application/json");
      out.post.push_back(ms_since(t));
      if (r.status != 201) ++out.errors;
    } catch (const std::exception&) {
      ++out.errors;
    }
  }
  return out;
}

// --------------------------------------------------------------- attacks

// A non-blocking loopback socket from `source`; -1 when none could be made.
int connect_raw(unsigned short port, const char* source = "127.0.0.1") {
  try {
    static net::io_context ioc;
    tcp::socket s(ioc);
    s.open(tcp::v4());
    s.bind(tcp::endpoint(net::ip::make_address(source), 0));
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    s.non_blocking(true);
    return s.release();
  } catch (const std::exception&) {
    return -1;
  }
}

bool peer_closed(int fd) {
  char buffer[1024];
  for (;;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

struct SlowlorisStats {
  long cut = 0;  // connections the server closed
};

// `count` connections, each sending one more header byte every 100 ms.
void slowloris(unsigned short port, int count, const std::atomic<bool>& stop,
               SlowlorisStats& stats) {
  const std::string header =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(4000, 'a') + "\r\n\r\n";
  std::vector<int> fds(static_cast<std::size_t>(count), -1);
  std::vector<std::size_t> sent(fds.size(), 0);
  while (!stop.load()) {
    for (std::size_t i = 0; i < fds.size() && !stop.load(); ++i) {
      if (fds[i] >= 0 && (peer_closed(fds[i]) || sent[i] >= header.size() ||
                          ::send(fds[i], header.data() + sent[i], 1, MSG_NOSIGNAL) != 1)) {
        ::close(fds[i]);
        fds[i] = -1;
        ++stats.cut;
        continue;
      }
      if (fds[i] < 0) {
        fds[i] = connect_raw(port);
        sent[i] = 0;
        continue;
      }
      ++sent[i];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

// Wrong tokens over keep-alive connections from 127.0.0.2, as fast as answered.
void guesser(unsigned short port, const std::atomic<bool>& stop, std::atomic<long>& limited,
             std::atomic<long>& other) {
  net::io_context ioc;
  while (!stop.load()) {
    try {
      tcp::socket s(ioc);
      s.open(tcp::v4());
      s.bind(tcp::endpoint(net::ip::make_address("127.0.0.2"), 0));
      s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
      boost::beast::flat_buffer buffer;
      while (!stop.load()) {
        http::request<http::empty_body> req(
            http::verb::get, std::string("/s/") + survey + "?t=" + sipas::store::random_token(),
            11);
        req.set(http::field::host, "127.0.0.1");
        http::write(s, req);
        http::response<http::string_body> res;
        http::read(s, buffer, res);
        (res.result_int() == 429 ? limited : other).fetch_add(1);
        if (!res.keep_alive()) break;
      }
    } catch (const std::exception&) {
      // The server closed the connection: open another.
    }
  }
}

// --------------------------------------------------------------- setup

std::string sample_csv(std::size_t count) {
  std::string csv = "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank\n";
  for (std::size_t i = 0; i < count; ++i)
    csv += "p" + std::to_string(i) + ",S" + std::to_string(i % 4) + ",S" + std::to_string(i % 4) +
           ",0.1,10,main,\n";
  return csv;
}

std::vector<std::string> tokens_of(const std::string& links) {
  std::vector<std::string> out;
  std::size_t start = links.find('\n') + 1;
  while (start < links.size()) {
    auto end = links.find('\n', start);
    if (end == std::string::npos) end = links.size();
    const std::string line = links.substr(start, end - start);
    std::size_t p = 0;
    for (int field = 0; field < 5; ++field)
      p = line.find(',', p) + 1;
    if (!line.empty()) out.push_back(line.substr(p, line.find(',', p) - p));
    start = end + 1;
  }
  return out;
}

std::vector<std::string> response_bodies() {
  const auto* file = q::find_standard_file("forms/sipas-citizen.json");
  auto questionnaire = q::load_questionnaire(file->content, "sipas-citizen.json");
  std::vector<std::string> out;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    q::GeneratorOptions options;
    options.seed = seed;
    options.other_language_rate = 0;
    q::ResponseGenerator generator(questionnaire, options);
    auto doc = Json::parse(q::response_to_json(questionnaire, generator.valid()));
    doc["submission_id"] = "@ID@";
    out.push_back(doc.dump());
  }
  return out;
}

void print_row(const char* phase, const Latencies& l, const Latencies& base, const char* note) {
  auto cell = [](const std::vector<double>& v) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%7.2f %7.2f %7.2f %8.2f", percentile(v, 0.5),
                  percentile(v, 0.95), percentile(v, 0.99),
                  v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
    return std::string(buf);
  };
  auto ratio = [](const std::vector<double>& v, const std::vector<double>& b, double p) {
    const double d = percentile(b, p);
    return d > 0 ? percentile(v, p) / d : 0.0;
  };
  std::printf("| %-10s | %5zu | %s | %s | %4.2f / %4.2f | %4.2f / %4.2f | %d | %s |\n", phase,
              l.get.size(), cell(l.get).c_str(), cell(l.post).c_str(), ratio(l.get, base.get, 0.5),
              ratio(l.get, base.get, 0.99), ratio(l.post, base.post, 0.5),
              ratio(l.post, base.post, 0.99), l.errors, note);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--seconds")
      o.seconds = std::atof(value);
    else if (flag == "--rate")
      o.rate = std::atof(value);
    else if (flag == "--slowloris")
      o.slowloris = std::atoi(value);
    else if (flag == "--idle")
      o.idle = std::atoi(value);
    else if (flag == "--guessers")
      o.guessers = std::atoi(value);
    else if (flag == "--max-connections")
      o.max_connections = std::strtoul(value, nullptr, 10);
    else {
      std::cerr << "hostile_bench: unknown option " << flag << "\n";
      return 2;
    }
  }
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);

  const auto dir = std::filesystem::temp_directory_path() /
                   ("sipas-hostile-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "keys.txt") << "manager " << manager_key << "\n";
  std::filesystem::permissions(
      dir / "keys.txt", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  ss::ServiceOptions service_options;
  service_options.public_url = "http://127.0.0.1";
  service_options.db = dir / "bench.db";
  service_options.admin_key_file = dir / "keys.txt";
  ss::ServerOptions server_options;
  server_options.port = 0;
  server_options.max_connections = o.max_connections;
  int status = 0;
  {
    ss::SurveyService service(service_options);
    ss::HttpServer server(server_options, service);
    std::thread runner([&] { server.run(false); });
    const unsigned short port = server.port();

    ss::HttpClient admin(port);
    const ss::HttpClient::Headers auth = {{"Authorization", std::string("Bearer ") + manager_key}};
    admin.post("/api/v1/surveys", Json{{"id", survey}, {"standard", survey}}.dump(),
               "application/json", auth);
    admin.post(std::string("/api/v1/surveys/") + survey + "/open", "", "", auth);
    const auto invitations = static_cast<std::size_t>(4 * o.seconds * o.rate * 1.2) + 100;
    auto links = admin.post(std::string("/api/v1/surveys/") + survey + "/invitations",
                            sample_csv(invitations), "text/csv", auth);
    const auto tokens = tokens_of(links.body);
    const auto bodies = response_bodies();
    std::size_t next = 0;
    const auto phase_length =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));

    std::printf(
        "server: %d threads, request timeout %lld s, idle timeout %lld s, cap %zu "
        "connections; client: %.0f pairs/s, %zu tokens\n",
        server_options.threads,
        static_cast<long long>(server_options.request_timeout.count() / 1000),
        static_cast<long long>(server_options.idle_timeout.count() / 1000),
        server.max_connections(), o.rate, tokens.size());

    // Baseline.
    const Latencies base =
        well_behaved(port, tokens, next, bodies, o.rate, Clock::now() + phase_length);

    // Slowloris.
    std::atomic<bool> stop{false};
    SlowlorisStats slow_stats;
    std::thread slow([&] { slowloris(port, o.slowloris, stop, slow_stats); });
    std::this_thread::sleep_for(std::chrono::seconds(1));  // all connected
    const Latencies slow_l =
        well_behaved(port, tokens, next, bodies, o.rate, Clock::now() + phase_length);
    stop.store(true);
    slow.join();

    // Idle connections.
    const auto evicted_before = server.counters().connections_evicted.load();
    const auto refused_before = server.counters().connections_refused.load();
    std::vector<int> idle;
    for (int i = 0; i < o.idle; ++i) {
      const int fd = connect_raw(port);
      if (fd >= 0) idle.push_back(fd);
    }
    const Latencies idle_l =
        well_behaved(port, tokens, next, bodies, o.rate, Clock::now() + phase_length);
    int idle_closed = 0;
    for (int fd : idle) {
      idle_closed += peer_closed(fd) ? 1 : 0;
      ::close(fd);
    }
    const auto evicted = server.counters().connections_evicted.load() - evicted_before;
    const auto refused = server.counters().connections_refused.load() - refused_before;

    // Token guessing.
    stop.store(false);
    std::atomic<long> limited{0}, other{0};
    std::vector<std::thread> guessers;
    for (int i = 0; i < o.guessers; ++i)
      guessers.emplace_back([&] { guesser(port, stop, limited, other); });
    const auto guess_start = Clock::now();
    const Latencies guess_l =
        well_behaved(port, tokens, next, bodies, o.rate, Clock::now() + phase_length);
    stop.store(true);
    for (auto& t : guessers)
      t.join();
    const double guess_seconds = std::chrono::duration<double>(Clock::now() - guess_start).count();

    std::printf(
        "\n| phase | pairs | GET form p50 p95 p99 max (ms) | POST JSON p50 p95 p99 max "
        "(ms) | GET ×base p50 / p99 | POST ×base p50 / p99 | errors | attack |\n");
    std::printf("| --- | ---: | --- | --- | --- | --- | ---: | --- |\n");
    char note[160];
    print_row("baseline", base, base, "none");
    std::snprintf(note, sizeof note, "%d connections, %ld cut by the server and reopened",
                  o.slowloris, slow_stats.cut);
    print_row("slowloris", slow_l, base, note);
    std::snprintf(note, sizeof note,
                  "%zu held, %d closed by the server (%llu evicted at the cap, %llu refused)",
                  idle.size(), idle_closed, static_cast<unsigned long long>(evicted),
                  static_cast<unsigned long long>(refused));
    print_row("idle", idle_l, base, note);
    std::snprintf(note, sizeof note, "%d threads, %.0f guesses/s (%ld × 429, %ld other)",
                  o.guessers, static_cast<double>(limited + other) / guess_seconds, limited.load(),
                  other.load());
    print_row("guessing", guess_l, base, note);
    status = base.errors + slow_l.errors + idle_l.errors + guess_l.errors > 0 ? 1 : 0;

    server.shutdown();
    runner.join();
    service.stop();
  }
  std::filesystem::remove_all(dir);
  return status;
}
