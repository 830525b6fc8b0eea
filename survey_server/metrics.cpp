#include "survey_server/metrics.hpp"

#include "io/number_text.hpp"

namespace sipas::survey_server {

std::string prometheus_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::observe(const std::string& route, int status,
                      std::chrono::steady_clock::duration latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
    if (seconds <= latency_buckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::count(const std::string& name, std::uint64_t by) {
  std::lock_guard lock(mutex_);
  counters_[name] += by;
}

void Metrics::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  out += "# HELP sipas_http_requests_total HTTP requests served, by route and status.\n";
  out += "# TYPE sipas_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "sipas_http_requests_total{route=\"" + prometheus_label(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP sipas_http_request_duration_seconds Time from a request's last byte to its reply.\n";
  out += "# TYPE sipas_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = "route=\"" + prometheus_label(route) + "\"";
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
      out += "sipas_http_request_duration_seconds_bucket{" + label + ",le=\"" +
             io::shortest_decimal(latency_buckets[i]) + "\"} " + std::to_string(h.buckets[i]) +
             "\n";
    }
    out += "sipas_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "sipas_http_request_duration_seconds_sum{" + label + "} " + io::shortest_decimal(h.sum) +
           "\n";
    out += "sipas_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) +
           "\n";
  }
  for (const auto& [name, n] : counters_) {
    out += "# TYPE " + name + " counter\n";
    out += name + " " + std::to_string(n) + "\n";
  }
}

}  // namespace sipas::survey_server
