// Token buckets keyed by a string (a client IP, an identity): each key holds up to capacity
// tokens and regains refill_per_s tokens per second; a request spends one. The table is bounded:
// at max_keys, the least recently used key is dropped (it comes back with a full bucket, which
// is what an idle key would have anyway). Every operation is O(1). Time is an argument; one
// instance belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "shared/string_hash.h"

namespace boxoffice::gateway {

class RateLimiter {
 public:
  static constexpr size_t kDefaultMaxKeys = 100'000;

  RateLimiter(double refill_per_s, double capacity, size_t max_keys = kDefaultMaxKeys);

  // Spends cost tokens from key's bucket if it holds that many; false (nothing spent) if not.
  bool allow(std::string_view key, int64_t now_ms, double cost = 1);
  // The tokens key's bucket holds at now_ms (capacity for an unknown key).
  double tokens(std::string_view key, int64_t now_ms) const;
  size_t size() const { return map_.size(); }
  double capacity() const { return capacity_; }
  double refill_per_s() const { return refill_per_s_; }

 private:
  struct Bucket {
    std::string key;
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  using List = std::list<Bucket>;  // most recently used first
  double refilled(const Bucket& b, int64_t now_ms) const;

  double refill_per_s_;
  double capacity_;
  size_t max_keys_;
  List lru_;
  std::unordered_map<std::string, List::iterator, StringHash, std::equal_to<>> map_;
};

}  // namespace boxoffice::gateway
