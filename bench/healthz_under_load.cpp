// GET /healthz latency while clients post a heavy submission over and over
// (bench/admission_bench.sh, bench/RESULTS.md "Admission and validation").
//
//   healthz_under_load --port P --target /api/v1/surveys/S/responses?t=TOKEN[,...]
//                      --body FILE [--clients 8] [--duration 20]
//
// Each client has a connection of its own and a target of its own (the
// comma-separated list is dealt out in turn); the submissions may be refused
// (409 once a token is used): each is still parsed and validated first. One
// more connection asks /healthz in a loop. Prints posts/s, their statuses,
// and the /healthz latency: p50, p99, max, in milliseconds.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "survey_server/http_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ','))
    if (!part.empty()) out.push_back(part);
  return out;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  std::vector<std::string> targets;
  std::string body_file;
  int clients = 8;
  double duration = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--port") {
      port = static_cast<unsigned short>(std::stoi(value));
    } else if (name == "--target") {
      targets = split(value);
    } else if (name == "--body") {
      body_file = value;
    } else if (name == "--clients") {
      clients = std::stoi(value);
    } else if (name == "--duration") {
      duration = std::stod(value);
    } else {
      std::cerr << "healthz_under_load: unknown option " << name << "\n";
      return 2;
    }
  }
  if (port == 0 || targets.empty() || body_file.empty()) {
    std::cerr << "usage: healthz_under_load --port P --target T[,T...] --body FILE "
                 "[--clients 8] [--duration 20]\n";
    return 2;
  }
  std::ifstream in(body_file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string body = buffer.str();

  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t posts = 0;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      sipas::survey_server::HttpClient client(port);
      const std::string& target = targets[static_cast<std::size_t>(c) % targets.size()];
      std::map<int, std::uint64_t> mine;
      std::uint64_t count = 0;
      while (!stop.load()) {
        try {
          ++mine[client.post(target, body, "application/json").status];
        } catch (const std::exception&) {
          ++mine[0];
        }
        ++count;
      }
      std::lock_guard lock(mutex);
      for (auto [status, n] : mine)
        statuses[status] += n;
      posts += count;
    });
  }
  std::vector<double> latencies;
  std::uint64_t health_failures = 0;
  {
    sipas::survey_server::HttpClient client(port);
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration<double>(duration);
    while (Clock::now() < until) {
      const auto t0 = Clock::now();
      try {
        if (client.get("/healthz").status != 200) ++health_failures;
      } catch (const std::exception&) {
        ++health_failures;
      }
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  stop.store(true);
  for (auto& t : threads)
    t.join();
  std::cout << "posts " << posts << " (" << static_cast<double>(posts) / duration
            << "/s); statuses";
  for (auto [status, n] : statuses)
    std::cout << " " << status << ":" << n;
  std::cout << "\nhealthz " << latencies.size() << " requests, " << health_failures
            << " failed; ms p50 " << percentile(latencies, 0.5) << " p99 "
            << percentile(latencies, 0.99) << " max "
            << (latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end()))
            << "\n";
  return 0;
}
