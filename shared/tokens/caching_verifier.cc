#include "shared/tokens/caching_verifier.h"

#include <algorithm>

namespace boxoffice::tokens {
namespace {

constexpr int64_t kMilli = 1000;
constexpr int64_t kMaxBurst = int64_t{1} << 40;  // keeps the arithmetic below far from overflow

int64_t floor_seconds(int64_t now_ms) {
  const int64_t rest = ((now_ms % kMilli) + kMilli) % kMilli;
  return (now_ms - rest) / kMilli;
}

}  // namespace

CachingVerifier::CachingVerifier(const KeySet& keys, Options options)
    : keys_(&keys),
      cache_(options.cache_capacity),
      failed_(options.failed_cache_capacity),
      rate_per_s_(std::clamp<int64_t>(options.max_uncached_verifies_per_s, 0, kMaxBurst)) {
  const int64_t burst = options.uncached_verify_burst > 0 ? options.uncached_verify_burst
                                                          : std::max<int64_t>(rate_per_s_, 1);
  budget_cap_milli_ = std::min(burst, kMaxBurst) * kMilli;
  budget_milli_ = budget_cap_milli_;
}

void CachingVerifier::set_keys(const KeySet& keys) {
  keys_ = &keys;
  cache_.clear();
  failed_.clear();
}

bool CachingVerifier::take_budget(int64_t now_ms) {
  if (rate_per_s_ == 0) return true;
  if (!started_) {
    started_ = true;
    last_refill_ms_ = now_ms;
  }
  if (now_ms > last_refill_ms_) {
    // rate per second = rate thousandths per millisecond.
    const int64_t elapsed = now_ms - last_refill_ms_;
    const int64_t to_full = (budget_cap_milli_ - budget_milli_ + rate_per_s_ - 1) / rate_per_s_;
    budget_milli_ = elapsed >= to_full ? budget_cap_milli_ : budget_milli_ + elapsed * rate_per_s_;
    last_refill_ms_ = now_ms;
  }
  if (budget_milli_ < kMilli) return false;
  budget_milli_ -= kMilli;
  return true;
}

Result<Claims, Errc> CachingVerifier::verify(std::string_view token, int64_t now_ms,
                                             const VerifyOptions& options) {
  const int64_t now_s = floor_seconds(now_ms);
  if (token.empty() || token.size() > kMaxTokenBytes) {
    ++stats_.cheap_rejections;
    return unexpected(Errc::kMalformed);
  }
  if (const Claims* cached = cache_.find(token)) {
    ++stats_.cache_hits;
    if (auto error = check_claims(*cached, now_s, options)) return unexpected(*error);
    return *cached;
  }
  if (const Errc* failed = failed_.find(token)) {
    ++stats_.failed_hits;
    return unexpected(*failed);
  }
  auto unverified = parse_unverified(token, *keys_);
  if (!unverified) {
    ++stats_.cheap_rejections;
    return unexpected(unverified.error());
  }
  if (!take_budget(now_ms)) {
    ++stats_.busy_rejections;
    return unexpected(Errc::kVerifyBusy);
  }
  ++stats_.signature_checks;
  auto claims = verify_signature(*unverified);
  if (!claims) {
    failed_.insert(token, claims.error());
    return unexpected(claims.error());
  }
  cache_.insert(token, *claims);
  if (auto error = check_claims(*claims, now_s, options)) return unexpected(*error);
  return claims;
}

}  // namespace boxoffice::tokens
