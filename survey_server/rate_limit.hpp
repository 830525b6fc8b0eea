#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sipas::survey_server {

// A token bucket per key (a client address): `burst` requests at once, then
// `per_minute` a minute. The table is bounded: when full, buckets that have
// refilled completely are forgotten (they hold no information), and if none
// has, the oldest half goes. Thread-safe.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double per_minute, double burst, std::size_t max_keys = 100000);

  // Takes one token; false when the key has none left.
  bool allow(std::string_view key, Clock::time_point now = Clock::now());
  // True when the key has no token left now; spends nothing (a key never
  // seen has its full burst).
  bool exhausted(std::string_view key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);
  double refilled(const Bucket& b, Clock::time_point now) const;

  double per_second_, burst_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace sipas::survey_server
