#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sipas::survey_server {

// Request counts and latency histograms by route, rendered in the Prometheus
// text exposition format (version 0.0.4). Thread-safe.
class Metrics {
 public:
  // Latency bucket upper bounds, seconds.
  static constexpr std::array<double, 12> latency_buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  void observe(const std::string& route, int status, std::chrono::steady_clock::duration latency);
  void count(const std::string& name, std::uint64_t by = 1);

  // Appends this object's series to `out`.
  void render(std::string& out) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, latency_buckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, std::uint64_t> counters_;
};

// Prometheus label value escaping (backslash, quote, newline).
std::string prometheus_label(std::string_view value);

}  // namespace sipas::survey_server
