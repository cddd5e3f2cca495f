// A short-lived cache of upstream GET responses that also coalesces concurrent misses: the
// first miss for a key becomes the one upstream fetch, and every request for that key that
// arrives while it is in flight is parked and answered from that same response. A stampede of
// seat-map reads then costs the backend one read per key per ttl_ms.
//
// Pure: no clock (now_ms is an argument), no I/O. Owned by one event-loop thread, never locked.
//
//   auto l = cache.lookup(key, now_ms);
//   if (l.hit) answer(*l.hit);                       // fresh copy
//   else { cache.park(key, answer);                  // answered by complete()
//          if (l.fetch) pool.send(..., [&](auto r) { cache.complete(key, std::move(r), now); }); }
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/io/upstream.h"

namespace boxoffice::gateway::io {

struct MicroCacheOptions {
  int64_t ttl_ms = 1'000;           // how long a 200 answer is served from the cache
  size_t max_entries = 10'000;      // cached answers kept at most (fetches in flight not counted)
  size_t max_body_bytes = 1 << 20;  // larger answers are passed on but not cached
  // A fetch not completed after this long is presumed lost: the next lookup fetches again.
  int64_t max_fetch_ms = 30'000;
};

struct MicroCacheStats {
  uint64_t hits = 0;       // answered from a fresh cached copy
  uint64_t fetches = 0;    // lookups told to fetch
  uint64_t coalesced = 0;  // lookups that found a fetch in flight
  uint64_t evictions = 0;  // fresh entries dropped to stay within max_entries
};

class MicroCache {
 public:
  using Waiter = std::function<void(const UpstreamResult&)>;

  // What lookup() found. Exactly one of: hit != nullptr, fetch, or neither (a fetch is in
  // flight: park() to be answered when it completes).
  struct Lookup {
    // The cached answer; valid until the next non-const call on the cache.
    const UpstreamResult* hit = nullptr;
    // Nobody is fetching this key: the caller must fetch it and then call complete().
    bool fetch = false;
  };

  explicit MicroCache(MicroCacheOptions options = {});

  Lookup lookup(const std::string& key, int64_t now_ms);

  // Parks a waiter on the fetch in flight for the key (the fetcher may park itself too).
  // Returns false, and keeps nothing, when no fetch is in flight for the key.
  bool park(const std::string& key, Waiter waiter);

  // The fetch for the key finished: a 200 answer is cached for ttl_ms (errors and other
  // statuses are not), then every parked waiter is called with the result, in parking order.
  // Waiters may call back into the cache. Returns the number of waiters answered.
  size_t complete(const std::string& key, UpstreamResult result, int64_t now_ms);

  size_t size() const { return entries_.size(); }  // keys cached or being fetched
  const MicroCacheStats& stats() const { return stats_; }
  const MicroCacheOptions& options() const { return options_; }

 private:
  struct Entry {
    bool cached = false;
    UpstreamResult value{unexpected(UpstreamError::kUnavailable)};
    int64_t expires_ms = 0;
    std::multimap<int64_t, std::string>::iterator by_expiry;  // valid while cached
    bool in_flight = false;
    int64_t fetch_started_ms = 0;
    std::vector<Waiter> waiters;
  };

  void drop_cached(Entry& entry);
  void make_room(int64_t now_ms);

  MicroCacheOptions options_;
  std::unordered_map<std::string, Entry> entries_;
  std::multimap<int64_t, std::string> by_expiry_;  // cached entries by expiry time
  MicroCacheStats stats_;
};

}  // namespace boxoffice::gateway::io
