// Verification for a request path: a bounded cache of tokens that already verified, so the
// steady-state cost of a request is a hash lookup instead of an Ed25519 check (~50-100 us), and a
// budget for signature checks of tokens not in the cache, so a flood of forged tokens costs at
// most that budget of CPU.
//
// One CachingVerifier per event-loop thread: not thread-safe, no locks. Time is a parameter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "shared/result.h"
#include "shared/tokens/claims.h"
#include "shared/tokens/errc.h"
#include "shared/tokens/key_set.h"
#include "shared/tokens/verify.h"

namespace boxoffice::tokens {

// A bounded map from the full token bytes to a value, least recently used out first. Lookups
// hash the token and compare it in full, so two tokens never share an entry. O(1) find and
// insert; capacity 0 disables it.
template <class Value>
class TokenLru {
 public:
  explicit TokenLru(size_t capacity) : capacity_(capacity) {
    index_.reserve(capacity < kReserveCap ? capacity : kReserveCap);
  }

  // Marks the entry as recently used. The pointer is valid until the next insert or clear.
  const Value* find(std::string_view token) {
    auto it = index_.find(token);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->value;
  }

  // The entry goes in first, so the index's key can view its bytes: one lookup, not a find and
  // then an emplace (a new token is the usual case; each lookup hashes the whole token).
  void insert(std::string_view token, Value value) {
    if (capacity_ == 0) return;
    order_.push_front(Entry{std::string(token), std::move(value)});
    auto [it, added] = index_.emplace(std::string_view(order_.front().token), order_.begin());
    if (!added) {
      it->second->value = std::move(order_.front().value);
      order_.pop_front();
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    if (index_.size() > capacity_) {
      index_.erase(std::string_view(order_.back().token));
      order_.pop_back();
      ++evictions_;
    }
  }

  void clear() {
    index_.clear();
    order_.clear();
  }

  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t evictions() const { return evictions_; }

 private:
  static constexpr size_t kReserveCap = 1 << 20;

  struct Entry {
    std::string token;  // the index's keys view these bytes: list nodes never move
    Value value;
  };

  size_t capacity_;
  uint64_t evictions_ = 0;
  std::list<Entry> order_;  // front: most recently used
  std::unordered_map<std::string_view, typename std::list<Entry>::iterator> index_;
};

using VerifiedTokenCache = TokenLru<Claims>;
using FailedTokenCache = TokenLru<Errc>;

struct CachingVerifierOptions {
  size_t cache_capacity = 100'000;       // verified tokens kept (each ~0.5 KiB)
  size_t failed_cache_capacity = 1'024;  // recently failed tokens kept
  // Signature checks per second for tokens not in the cache; 0 = no limit.
  int64_t max_uncached_verifies_per_s = 2'000;
  // Checks allowed at once after a quiet spell; 0 = one second's worth.
  int64_t uncached_verify_burst = 0;
};

struct CachingVerifierStats {
  uint64_t signature_checks = 0;  // tokens whose signature was checked (the expensive path)
  uint64_t cache_hits = 0;        // answered from the verified-token cache
  uint64_t failed_hits = 0;       // answered from the failed-token cache
  uint64_t busy_rejections = 0;   // answered verify_busy: no budget left
  uint64_t cheap_rejections = 0;  // refused before any signature work (shape, header, kid)
};

class CachingVerifier {
 public:
  using Options = CachingVerifierOptions;

  // keys must outlive the verifier, or be replaced with set_keys first.
  explicit CachingVerifier(const KeySet& keys, Options options = {});

  // Same answers as tokens::verify(), plus verify_busy when the token is not cached and the
  // signature budget is spent. Cached tokens are still checked against now (exp, nbf) and
  // against the options (event, kind).
  Result<Claims, Errc> verify(std::string_view token, int64_t now_ms, const VerifyOptions& options);

  // For a rotation: both caches are dropped, since they hold answers of the old set.
  void set_keys(const KeySet& keys);

  const KeySet& keys() const { return *keys_; }
  const CachingVerifierStats& stats() const { return stats_; }
  size_t cached() const { return cache_.size(); }
  uint64_t evictions() const { return cache_.evictions(); }

 private:
  bool take_budget(int64_t now_ms);

  const KeySet* keys_;
  VerifiedTokenCache cache_;
  FailedTokenCache failed_;
  int64_t rate_per_s_;
  int64_t budget_cap_milli_;  // in thousandths of a check, so refills need no floating point
  int64_t budget_milli_;
  int64_t last_refill_ms_ = 0;
  bool started_ = false;
  CachingVerifierStats stats_;
};

}  // namespace boxoffice::tokens
