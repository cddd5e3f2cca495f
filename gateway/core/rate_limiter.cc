#include "gateway/core/rate_limiter.h"

#include <algorithm>

namespace boxoffice::gateway {

RateLimiter::RateLimiter(double refill_per_s, double capacity, size_t max_keys)
    : refill_per_s_(std::max(0.0, refill_per_s)),
      capacity_(std::max(0.0, capacity)),
      max_keys_(std::max<size_t>(1, max_keys)) {
  map_.reserve(std::min<size_t>(max_keys_, 4096));
}

double RateLimiter::refilled(const Bucket& b, int64_t now_ms) const {
  // A clock that steps back refills nothing (and takes nothing back).
  const int64_t elapsed_ms = std::max<int64_t>(0, now_ms - b.updated_ms);
  return std::min(capacity_, b.tokens + static_cast<double>(elapsed_ms) * refill_per_s_ / 1000.0);
}

bool RateLimiter::allow(std::string_view key, int64_t now_ms, double cost) {
  auto it = map_.find(key);
  if (it == map_.end()) {
    if (map_.size() >= max_keys_) {
      map_.erase(lru_.back().key);
      lru_.pop_back();
    }
    Bucket b;
    b.key = std::string(key);
    b.tokens = capacity_;
    b.updated_ms = now_ms;
    lru_.push_front(std::move(b));
    it = map_.emplace(lru_.front().key, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  Bucket& b = *it->second;
  b.tokens = refilled(b, now_ms);
  b.updated_ms = std::max(b.updated_ms, now_ms);
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

double RateLimiter::tokens(std::string_view key, int64_t now_ms) const {
  auto it = map_.find(key);
  return it == map_.end() ? capacity_ : refilled(*it->second, now_ms);
}

}  // namespace boxoffice::gateway
