// The mixed load of bench/soak.sh against a running `sipas serve`: sets up a
// survey over the admin API, then for DURATION seconds runs client threads
// that each send a weighted mix of requests at a paced rate (form pages,
// JSON submissions, form posts that fail validation and that succeed, draft
// saves, admin reads, rejected requests) and holds a few idle keep-alive
// connections. Every answer's status is checked against the kind's expected
// ones. Prints one line per kind: count, unexpected answers, p50 and p99
// latency.
//
//   soak_load --port P --manager-key K --analyst-key K [--duration S]
//             [--rate REQ_PER_S] [--threads N] [--idle N] [--survey ID]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "io/formula_guard.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/standard_forms.hpp"
#include "questionnaires/synthetic_responses.hpp"
#include "survey_server/http_client.hpp"

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace ss = sipas::survey_server;
namespace q = sipas::questionnaires;

struct Options {
  unsigned short port = 0;
  std::string manager_key, analyst_key, survey = "soak";
  double duration = 600, rate = 300;
  int threads = 6, idle = 8;
};

enum Kind : std::size_t {
  FormGet,        // GET /s/S?t=TOKEN (a fresh token: marks it opened)
  FormGetOpen,    // GET /s/S (open link)
  JsonSubmit,     // POST JSON answers with a fresh token: 201
  JsonRepeat,     // the same submission again: 200, its first result
  FormInvalid,    // POST the form with a required answer missing: 422
  FormSubmit,     // POST the form with valid answers and a fresh token: 303
  DraftSave,      // POST JSON draft on a draft token: 200
  AdminExport,    // GET /responses?since=&limit=200 (analyst): 200
  AdminProgress,  // GET /progress (analyst): 200; at most one every 2 s, else an export
  Rejected,       // bad JSON 400, wrong type 415, no route 404, used token 409, no key 401,
                  // a guessed token 403 (one every 10 s)
  Health,         // GET /healthz, /metrics
  KindCount
};

const char* kind_name(std::size_t k) {
  static const char* names[] = {"form_get_token", "form_get_open", "json_submit",
                                "json_repeat",    "form_422",      "form_submit_303",
                                "draft_save",     "admin_export",  "admin_progress",
                                "rejected_4xx",   "health_metrics"};
  return names[k];
}

// Relative weights of the kinds in the mix.
constexpr int weights[KindCount] = {15, 5, 20, 4, 8, 5, 10, 4, 4, 10, 5};

struct Tally {
  std::uint64_t count = 0, unexpected = 0, exceptions = 0;
  std::vector<double> latency_ms;
};

std::string url_encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// Valid answers, each split around its submission id (JSON) and as form
// fields without the controls.
struct Answers {
  std::vector<std::pair<std::string, std::string>> json;
  std::vector<std::string> form;
  std::string draft;  // a draft document (no submission_id needed)

  Answers() {
    const auto* file = q::find_standard_file("forms/sipas-citizen.json");
    if (file == nullptr) throw std::runtime_error("no standard form sipas-citizen");
    auto questionnaire = q::load_questionnaire(file->content, "sipas-citizen.json");
    for (std::uint64_t v = 0; v < 8; ++v) {
      q::GeneratorOptions options;
      options.seed = 500 + v;
      options.other_language_rate = 0;
      q::ResponseGenerator generator(questionnaire, options);
      auto doc = Json::parse(q::response_to_json(questionnaire, generator.valid()));
      if (v == 0) draft = doc.dump();
      std::string fields;
      auto text_of = [](const Json& x) { return x.is_string() ? x.get<std::string>() : x.dump(); };
      for (const auto& [id, value] : doc["answers"].items()) {
        if (value.is_null()) continue;
        if (value.is_array()) {
          for (const auto& x : value)
            fields += "&" + id + "=" + url_encode(text_of(x));
        } else {
          fields += "&" + id + "=" + url_encode(text_of(value));
        }
      }
      form.push_back(fields);
      doc["submission_id"] = "@@SID@@";
      const auto text = doc.dump();
      const auto at = text.find("@@SID@@");
      json.emplace_back(text.substr(0, at), text.substr(at + 7));
    }
  }
  std::string json_with(std::size_t v, const std::string& id) const {
    const auto& [before, after] = json[v % json.size()];
    return before + id + after;
  }
};

// Tokens handed out once each, shared by all threads.
class TokenPool {
 public:
  explicit TokenPool(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}
  std::optional<std::string> take() {
    const auto i = next_.fetch_add(1);
    if (i >= tokens_.size()) return std::nullopt;
    return tokens_[i];
  }
  std::size_t used() const { return std::min<std::size_t>(next_.load(), tokens_.size()); }

 private:
  std::vector<std::string> tokens_;
  std::atomic<std::size_t> next_{0};
};

std::vector<std::string> tokens_of(const std::string& links_csv) {
  std::vector<std::string> out;
  std::istringstream in(links_csv);
  std::string line;
  std::getline(in, line);  // header: id,stratum,psu,role,reserve_rank,token,link,...
  while (std::getline(in, line)) {
    std::size_t start = 0;
    for (int field = 0; field < 5; ++field)
      start = line.find(',', start) + 1;
    // A token that starts with '-' has the formula guard's apostrophe in front.
    out.emplace_back(
        sipas::io::restore_formula_guarded(line.substr(start, line.find(',', start) - start)));
  }
  return out;
}

// A connection that sends one request and then stays idle; reopened when the
// server closes it (its idle timeout). Plain sockets: nothing to parse.
class IdleConnections {
 public:
  IdleConnections(unsigned short port, int count) : port_(port), fds_(count, -1) {}
  ~IdleConnections() {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  // Reopens the connections the server has closed; returns how many.
  int refresh() {
    int reopened = 0;
    for (auto& fd : fds_) {
      if (fd >= 0) {
        char buffer[4096];
        const auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        const bool open = n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
        if (open) continue;
        ::close(fd);  // closed by the server (its idle timeout)
        fd = -1;
      }
      fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(port_);
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        fd = -1;
        continue;
      }
      const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
        ::close(fd);
        fd = -1;
        continue;
      }
      ++reopened;
    }
    return reopened;
  }

 private:
  unsigned short port_;
  std::vector<int> fds_;
};

// At most one event per `period` over all threads: the token-guessing budget
// of an address (10 a minute) and a dashboard's polling of the progress
// report (a full aggregate over the invitations) are not for every request.
class Pacer {
 public:
  explicit Pacer(std::chrono::milliseconds period) : period_(period) {}
  bool take() {
    const auto now = Clock::now().time_since_epoch().count();
    auto due = due_.load();
    if (now < due) return false;
    return due_.compare_exchange_strong(
        due, now + std::chrono::duration_cast<Clock::duration>(period_).count());
  }

 private:
  std::chrono::milliseconds period_;
  std::atomic<Clock::rep> due_{0};
};

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

int run(const Options& o) {
  const ss::HttpClient::Headers manager = {{"Authorization", "Bearer " + o.manager_key}};
  const ss::HttpClient::Headers analyst = {{"Authorization", "Bearer " + o.analyst_key}};
  const std::string json = "application/json", form = "application/x-www-form-urlencoded";
  const std::string api = "/api/v1/surveys/" + o.survey;

  // Setup: the survey and enough invitations for every token-using request
  // of the run, plus a small pool for drafts (saved over and over).
  const auto invitations =
      static_cast<std::size_t>(o.rate * o.duration *
                               (weights[FormGet] + weights[JsonSubmit] + weights[FormSubmit]) /
                               [] {
                                 int sum = 0;
                                 for (int w : weights)
                                   sum += w;
                                 return static_cast<double>(sum);
                               }() *
                               1.2) +
      2000;
  ss::HttpClient admin(o.port);
  // The open link on: the mix has token-less form pages (FormGetOpen).
  auto r =
      admin.post("/api/v1/surveys",
                 Json{{"id", o.survey}, {"standard", "sipas-citizen"}, {"open_link", true}}.dump(),
                 json, manager);
  if (r.status != 201) throw std::runtime_error("create: " + r.body);
  r = admin.post(api + "/open", "", "", manager);
  if (r.status != 200) throw std::runtime_error("open: " + r.body);
  std::string csv = "id,stratum,psu,inclusion_probability,design_weight,role,reserve_rank,sex\n";
  for (std::size_t i = 0; i < invitations; ++i) {
    const auto s = "S" + std::to_string(i % 16);
    csv += "p" + std::to_string(i) + "," + s + "," + s + ",0.05,20,main,," +
           std::to_string(1 + i % 2) + "\n";
  }
  const auto import_start = Clock::now();
  r = admin.post(api + "/invitations", csv, "text/csv", manager);
  if (r.status != 201) throw std::runtime_error("import: " + r.body.substr(0, 300));
  auto all_tokens = tokens_of(r.body);
  std::cout << "soak_load: imported " << all_tokens.size() << " invitations in "
            << std::chrono::duration<double>(Clock::now() - import_start).count() << " s"
            << std::endl;
  std::vector<std::string> draft_tokens(all_tokens.end() - 1000, all_tokens.end());
  all_tokens.resize(all_tokens.size() - 1000);
  TokenPool fresh(std::move(all_tokens));
  const Answers answers;

  std::vector<int> table;
  for (std::size_t k = 0; k < KindCount; ++k)
    table.insert(table.end(), static_cast<std::size_t>(weights[k]), static_cast<int>(k));

  Pacer guesses(std::chrono::seconds(10)), progress_polls(std::chrono::seconds(2));
  std::atomic<bool> stop{false};
  std::vector<std::vector<Tally>> tallies(static_cast<std::size_t>(o.threads),
                                          std::vector<Tally>(KindCount));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(o.duration);
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      auto& mine = tallies[static_cast<std::size_t>(t)];
      std::mt19937 rng(1234 + static_cast<unsigned>(t));
      std::unique_ptr<ss::HttpClient> c;
      const auto interval = std::chrono::duration<double>(o.threads / o.rate);
      auto next = start + std::chrono::duration_cast<Clock::duration>(interval * t / o.threads);
      std::uint64_t serial = 0;
      // The last submission this thread made: (token, id, variant), for repeats.
      std::optional<std::tuple<std::string, std::string, std::size_t>> last;
      std::int64_t since = 0;
      while (!stop.load() && Clock::now() < end) {
        std::this_thread::sleep_until(next);
        next += std::chrono::duration_cast<Clock::duration>(interval);
        auto kind = static_cast<std::size_t>(table[rng() % table.size()]);
        if (kind == JsonRepeat && !last) kind = JsonSubmit;
        if (kind == AdminProgress && !progress_polls.take()) kind = AdminExport;
        const std::size_t variant = rng() % answers.json.size();
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(serial++);
        std::vector<int> expected;
        const auto began = Clock::now();
        try {
          if (!c) c = std::make_unique<ss::HttpClient>(o.port);
          ss::ClientResponse res;
          switch (kind) {
            case FormGet: {
              auto token = fresh.take();
              if (!token) continue;
              expected = {200};
              res = c->get("/s/" + o.survey + "?t=" + *token);
              break;
            }
            case FormGetOpen:
              expected = {200};
              res = c->get("/s/" + o.survey + (rng() % 2 ? "?lang=en" : ""));
              break;
            case JsonSubmit: {
              auto token = fresh.take();
              if (!token) continue;
              expected = {201};
              res = c->post(api + "/responses?t=" + *token, answers.json_with(variant, id), json);
              if (res.status == 201) last = std::make_tuple(*token, id, variant);
              break;
            }
            case JsonRepeat: {
              const auto& [token, old_id, old_variant] = *last;
              expected = {200};
              res = c->post(api + "/responses?t=" + token, answers.json_with(old_variant, old_id),
                            json);
              break;
            }
            case FormInvalid:
              // Only the controls: every required answer is missing.
              expected = {422};
              res = c->post("/s/" + o.survey + "?t=" + draft_tokens[rng() % draft_tokens.size()],
                            "_submission=" + id + "&_action=submit&_lang=vi", form);
              break;
            case FormSubmit: {
              auto token = fresh.take();
              if (!token) continue;
              expected = {303};
              res = c->post("/s/" + o.survey + "?t=" + *token,
                            "_submission=" + id + "&_action=submit&_lang=vi" +
                                answers.form[variant % answers.form.size()],
                            form);
              break;
            }
            case DraftSave:
              expected = {200};
              res = c->post(api + "/drafts?t=" + draft_tokens[rng() % draft_tokens.size()],
                            answers.draft, json);
              break;
            case AdminExport: {
              expected = {200};
              res = c->get(api + "/responses?limit=200&since=" + std::to_string(since), analyst);
              if (res.status == 200) {
                auto next_since = Json::parse(res.body)["next_since"];
                if (next_since.is_number()) since = next_since.get<std::int64_t>();
              }
              break;
            }
            case AdminProgress:
              expected = {200};
              res = c->get(api + "/progress", analyst);
              break;
            case Rejected:
              switch (rng() % 6) {
                case 0:
                  expected = {400};
                  res = c->post(api + "/responses?t=" + draft_tokens[0], "{not json", json);
                  break;
                case 1:
                  expected = {415};
                  res = c->post(api + "/responses?t=" + draft_tokens[0], "x=1", "text/plain");
                  break;
                case 2:
                  expected = {404};
                  res = c->get("/no/such/page/" + id);
                  break;
                case 3:
                  // A used token with a new submission id: already answered.
                  if (!last) {
                    expected = {404};
                    res = c->get("/s/no-such-survey");
                    break;
                  }
                  expected = {409};
                  res = c->post(api + "/responses?t=" + std::get<0>(*last),
                                answers.json_with(variant, id + "-again"), json);
                  break;
                case 4:
                  expected = {401};
                  res = c->get(api + "/progress");
                  break;
                default:
                  // A guessed token: 403 (within the address's guessing
                  // budget: past it, every token of the address is 429).
                  if (!guesses.take()) {
                    expected = {404};
                    res = c->get("/s/no-such-survey");
                    break;
                  }
                  expected = {403};
                  res = c->get("/s/" + o.survey + "?t=AAAAAAAAAAAAAAAAAAAAAA");
                  break;
              }
              break;
            default:
              expected = {200};
              res = c->get(rng() % 2 ? "/healthz" : "/metrics");
              break;
          }
          auto& tally = mine[kind];
          ++tally.count;
          tally.latency_ms.push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - began).count());
          if (std::find(expected.begin(), expected.end(), res.status) == expected.end()) {
            if (++tally.unexpected <= 3) {
              std::cerr << "soak_load: " << kind_name(kind) << ": " << res.status << " "
                        << res.body.substr(0, 200) << "\n";
            }
          }
        } catch (const std::exception& e) {
          auto& tally = mine[kind];
          ++tally.count;
          if (++tally.exceptions <= 3)
            std::cerr << "soak_load: " << kind_name(kind) << ": " << e.what() << "\n";
          c.reset();
        }
      }
    });
  }
  // The idle connections, checked once a second.
  IdleConnections idle(o.port, o.idle);
  std::uint64_t reopened = 0;
  while (Clock::now() < end) {
    reopened += static_cast<std::uint64_t>(idle.refresh());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  stop = true;
  for (auto& th : threads)
    th.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::uint64_t total = 0, bad = 0;
  std::vector<double> everything;
  std::printf("%-16s %9s %10s %10s %9s %9s\n", "kind", "requests", "unexpected", "exceptions",
              "p50_ms", "p99_ms");
  for (std::size_t k = 0; k < KindCount; ++k) {
    Tally sum;
    for (auto& per_thread : tallies) {
      auto& t = per_thread[k];
      sum.count += t.count;
      sum.unexpected += t.unexpected;
      sum.exceptions += t.exceptions;
      sum.latency_ms.insert(sum.latency_ms.end(), t.latency_ms.begin(), t.latency_ms.end());
    }
    everything.insert(everything.end(), sum.latency_ms.begin(), sum.latency_ms.end());
    total += sum.count;
    bad += sum.unexpected + sum.exceptions;
    const double p50 = percentile(sum.latency_ms, 0.50), p99 = percentile(sum.latency_ms, 0.99);
    std::printf("%-16s %9llu %10llu %10llu %9.2f %9.2f\n", kind_name(k),
                static_cast<unsigned long long>(sum.count),
                static_cast<unsigned long long>(sum.unexpected),
                static_cast<unsigned long long>(sum.exceptions), p50, p99);
  }
  const double p50 = percentile(everything, 0.50), p99 = percentile(everything, 0.99);
  std::printf("%-16s %9llu %10llu %10s %9.2f %9.2f\n", "all",
              static_cast<unsigned long long>(total), static_cast<unsigned long long>(bad), "", p50,
              p99);
  std::printf(
      "soak_load: %.0f s, %.1f requests/s, %zu fresh tokens used, idle connections "
      "reopened %llu times\n",
      seconds, static_cast<double>(total) / seconds, fresh.used(),
      static_cast<unsigned long long>(reopened));
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--port") {
      o.port = static_cast<unsigned short>(std::stoi(value));
    } else if (name == "--manager-key") {
      o.manager_key = value;
    } else if (name == "--analyst-key") {
      o.analyst_key = value;
    } else if (name == "--duration") {
      o.duration = std::stod(value);
    } else if (name == "--rate") {
      o.rate = std::stod(value);
    } else if (name == "--threads") {
      o.threads = std::stoi(value);
    } else if (name == "--idle") {
      o.idle = std::stoi(value);
    } else if (name == "--survey") {
      o.survey = value;
    } else {
      std::cerr << "soak_load: unknown option " << name << "\n";
      return 2;
    }
  }
  if (o.port == 0 || o.manager_key.empty() || o.analyst_key.empty()) {
    std::cerr << "usage: soak_load --port P --manager-key K --analyst-key K [--duration S] "
                 "[--rate R] [--threads N] [--idle N] [--survey ID]\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "soak_load: " << e.what() << "\n";
    return 2;
  }
}
