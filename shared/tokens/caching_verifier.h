// Verification for a request path: a bounded cache of tokens that already verified, so the
// steady-state cost of a request is a hash lookup instead of an Ed25519 check (~50-100 us), and a
// budget for signature checks of tokens not in the cache, so a flood of forged tokens costs at
// most that budget of CPU.
//
// One CachingVerifier per event-loop thread: not thread-safe, no locks. Time is a parameter.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.h"
#include "shared/tokens/claims.h"
#include "shared/tokens/errc.h"
#include "shared/tokens/key_set.h"
#include "shared/tokens/verify.h"

namespace boxoffice::tokens {

// A bounded map from the full token bytes to a value. Lookups hash the token and compare it in
// full, so two tokens never share an entry; capacity 0 disables it.
//
// Built for a cache far larger than the CPU's: entries sit in one array and are reused in place
// (a token's bytes go into the string of the entry they replace, no allocation once full), and
// the index is an open-addressing table of {hash, entry} pairs, so a lookup reads one index slot
// and then only the entry whose full hash matches. Eviction is CLOCK, an approximation of least
// recently used: a hand sweeps the entries, and one found since the hand last passed gets a
// second chance. (A node-based map over a list took 1.4 µs for a new token's miss and insert on
// a full 100,000-entry cache, half an HS256 check; this takes 0.5: shared/tokens/README.md.)
template <class Value>
class TokenCache {
 public:
  explicit TokenCache(size_t capacity) : capacity_(std::min(capacity, kMaxCapacity)) {
    if (capacity_ > 0) slots_.resize(slots_for(std::min(capacity_, kInitialEntries)));
  }

  // Marks the entry as used. The pointer is valid until the next insert or clear.
  const Value* find(std::string_view token) {
    if (capacity_ == 0) return nullptr;
    const size_t slot = find_slot(token, hash_of(token));
    if (slots_[slot].entry == 0) return nullptr;
    Entry& e = entries_[slots_[slot].entry - 1];
    e.used = true;
    return &e.value;
  }

  // A present token gets the new value and counts as used; a new one starts unused, so a token
  // seen once is evicted before one seen again.
  void insert(std::string_view token, Value value) {
    if (capacity_ == 0) return;
    const uint64_t hash = hash_of(token);
    size_t slot = find_slot(token, hash);
    if (slots_[slot].entry != 0) {
      Entry& e = entries_[slots_[slot].entry - 1];
      e.value = std::move(value);
      e.used = true;
      return;
    }
    uint32_t index = 0;
    if (entries_.size() < capacity_) {
      if (2 * (entries_.size() + 1) > slots_.size()) {
        grow();
        slot = find_slot(token, hash);
      }
      entries_.push_back(Entry{std::string(token), std::move(value), hash, false});
      index = static_cast<uint32_t>(entries_.size() - 1);
    } else {
      index = take_victim();
      erase_slot(find_slot(entries_[index].token, entries_[index].hash));
      slot = find_slot(token, hash);  // the erase may have moved the empty slot found above
      Entry& e = entries_[index];
      e.token.assign(token);  // the string's buffer is reused
      e.value = std::move(value);
      e.hash = hash;
      e.used = false;
      ++evictions_;
    }
    slots_[slot] = Slot{hash, index + 1};
  }

  void clear() {
    entries_.clear();
    std::fill(slots_.begin(), slots_.end(), Slot{});
    hand_ = 0;
  }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t evictions() const { return evictions_; }

 private:
  static constexpr size_t kMaxCapacity = size_t{1} << 31;  // entry numbers fit 32 bits
  static constexpr size_t kInitialEntries = size_t{1} << 16;

  struct Entry {
    std::string token;
    Value value;
    uint64_t hash = 0;
    bool used = false;  // found since the hand last passed
  };
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = 0;  // index in entries_ + 1; 0 = empty
  };

  static uint64_t hash_of(std::string_view token) { return std::hash<std::string_view>{}(token); }
  // At most half full, a power of two.
  static size_t slots_for(size_t entries) {
    return std::bit_ceil(std::max<size_t>(2 * entries, 8));
  }
  size_t mask() const { return slots_.size() - 1; }

  // The token's slot, or the empty slot that ends its probe sequence.
  size_t find_slot(std::string_view token, uint64_t hash) const {
    size_t i = hash & mask();
    while (slots_[i].entry != 0) {
      if (slots_[i].hash == hash && entries_[slots_[i].entry - 1].token == token) return i;
      i = (i + 1) & mask();
    }
    return i;
  }

  // Empties slot i, moving later slots of the same probe run back so no lookup stops early.
  void erase_slot(size_t i) {
    for (size_t j = (i + 1) & mask(); slots_[j].entry != 0; j = (j + 1) & mask()) {
      const size_t home = slots_[j].hash & mask();
      // Slot j stays when its home lies cyclically in (i, j]: its probe does not pass i.
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
  }

  uint32_t take_victim() {
    while (entries_[hand_].used) {
      entries_[hand_].used = false;
      hand_ = hand_ + 1 == entries_.size() ? 0 : hand_ + 1;
    }
    const size_t victim = hand_;
    hand_ = hand_ + 1 == entries_.size() ? 0 : hand_ + 1;
    return static_cast<uint32_t>(victim);
  }

  void grow() {
    std::vector<Slot> bigger(slots_for(std::min(capacity_, 2 * entries_.size() + 1)));
    slots_.swap(bigger);
    for (size_t e = 0; e < entries_.size(); ++e) {
      size_t i = entries_[e].hash & mask();
      while (slots_[i].entry != 0) i = (i + 1) & mask();
      slots_[i] = Slot{entries_[e].hash, static_cast<uint32_t>(e + 1)};
    }
  }

  size_t capacity_;
  uint64_t evictions_ = 0;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  size_t hand_ = 0;  // the next entry the clock looks at
};

using VerifiedTokenCache = TokenCache<Claims>;
using FailedTokenCache = TokenCache<Errc>;

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
