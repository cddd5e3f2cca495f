#include "gateway/io/micro_cache.h"

#include <utility>

namespace boxoffice::gateway::io {

MicroCache::MicroCache(MicroCacheOptions options) : options_(options) {}

MicroCache::Lookup MicroCache::lookup(const std::string& key, int64_t now_ms) {
  Lookup out;
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(key, Entry{}).first;
  Entry& e = it->second;
  if (e.cached && now_ms < e.expires_ms) {
    ++stats_.hits;
    out.hit = &e.value;
    return out;
  }
  if (e.cached) drop_cached(e);  // stale: a fresh fetch replaces it
  if (e.in_flight && now_ms - e.fetch_started_ms < options_.max_fetch_ms) {
    ++stats_.coalesced;
    return out;
  }
  // Nobody fetching, or the fetch in flight is presumed lost: the caller fetches.
  e.in_flight = true;
  e.fetch_started_ms = now_ms;
  ++stats_.fetches;
  out.fetch = true;
  return out;
}

bool MicroCache::park(const std::string& key, Waiter waiter) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.in_flight) return false;
  it->second.waiters.push_back(std::move(waiter));
  return true;
}

size_t MicroCache::complete(const std::string& key, UpstreamResult result, int64_t now_ms) {
  auto it = entries_.find(key);
  if (it == entries_.end()) it = entries_.emplace(key, Entry{}).first;
  std::vector<Waiter> waiters = std::move(it->second.waiters);
  it->second.waiters.clear();
  it->second.in_flight = false;
  const bool cacheable = options_.ttl_ms > 0 && result && result->status == 200 &&
                         result->body.size() <= options_.max_body_bytes;
  if (cacheable) {
    if (it->second.cached) drop_cached(it->second);
    make_room(now_ms);
    // make_room never erases this entry: it is not cached, so not in by_expiry_.
    Entry& e = entries_.find(key)->second;
    e.cached = true;
    e.value = result;
    e.expires_ms = now_ms + options_.ttl_ms;
    e.by_expiry = by_expiry_.emplace(e.expires_ms, key);
  } else if (!it->second.cached) {
    entries_.erase(it);
  }
  // The entry is settled before anyone is answered, so waiters may use the cache.
  for (Waiter& w : waiters) w(result);
  return waiters.size();
}

void MicroCache::drop_cached(Entry& entry) {
  by_expiry_.erase(entry.by_expiry);
  entry.cached = false;
  entry.value = UpstreamResult(unexpected(UpstreamError::kUnavailable));
}

// Drops expired answers, then the ones closest to expiry, until one more fits.
void MicroCache::make_room(int64_t now_ms) {
  while (!by_expiry_.empty()) {
    auto first = by_expiry_.begin();
    const bool expired = first->first <= now_ms;
    if (!expired && by_expiry_.size() < options_.max_entries) break;
    if (!expired) ++stats_.evictions;
    auto it = entries_.find(first->second);
    Entry& e = it->second;
    drop_cached(e);
    if (!e.in_flight && e.waiters.empty()) entries_.erase(it);
  }
}

}  // namespace boxoffice::gateway::io
