#include "survey_server/rate_limit.hpp"

#include <algorithm>
#include <vector>

namespace sipas::survey_server {

RateLimiter::RateLimiter(double per_minute, double burst, std::size_t max_keys)
    : per_second_(per_minute / 60.0), burst_(std::max(1.0, burst)), max_keys_(max_keys) {}

bool RateLimiter::allow(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.updated = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

bool RateLimiter::exhausted(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(key));
  return it != buckets_.end() && refilled(it->second, now) < 1;
}

double RateLimiter::refilled(const Bucket& b, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  return std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
}

void RateLimiter::prune(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * per_second_ >= burst_;
  });
  if (buckets_.size() < max_keys_) return;
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_)
    by_age.emplace_back(bucket.updated, key);
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(by_age.size() / 2),
                   by_age.end());
  for (std::size_t i = 0; i < by_age.size() / 2; ++i)
    buckets_.erase(by_age[i].second);
}

}  // namespace sipas::survey_server
