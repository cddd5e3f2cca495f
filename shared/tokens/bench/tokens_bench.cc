// Costs of the token operations on the request path: signing, an uncached verification (the
// signature check), a cached verification (a hash lookup) and a verification that misses a full
// cache, for EdDSA and HS256; and the verified-token cache alone.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "shared/tokens/caching_verifier.h"
#include "shared/tokens/key_set.h"
#include "shared/tokens/verify.h"

namespace {

namespace tokens = boxoffice::tokens;

constexpr int64_t kNow = 1'760'000'000;

tokens::Claims claims(int i) {
  tokens::Claims c;
  c.sub = "user-" + std::to_string(i);
  c.event = "taylor-2026-05-01";
  c.kind = std::string(tokens::kKindAdmission);
  c.position = 100'000 + static_cast<uint64_t>(i);
  c.iat = kNow;
  c.nbf = kNow;
  c.exp = kNow + 900;
  return c;
}

tokens::KeySet ed_keys() {
  tokens::KeySet keys;
  auto kid = keys.generate_ed25519();
  if (!kid || !keys.set_active(*kid)) std::abort();
  return keys;
}

tokens::KeySet hs_keys() {
  tokens::KeySet keys;
  if (!keys.add_hs256("hs1", "0123456789abcdef0123456789abcdef") || !keys.set_active("hs1")) {
    std::abort();
  }
  return keys;
}

void BM_SignEdDsa(benchmark::State& state) {
  const tokens::KeySet keys = ed_keys();
  const tokens::Claims c = claims(1);
  for (auto _ : state) benchmark::DoNotOptimize(keys.sign(c));
}
BENCHMARK(BM_SignEdDsa);

void BM_VerifyEdDsaUncached(benchmark::State& state) {
  const tokens::KeySet keys = ed_keys();
  const std::string token = keys.sign(claims(1));
  const tokens::VerifyOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(tokens::verify(token, keys, kNow, options));
}
BENCHMARK(BM_VerifyEdDsaUncached);

void BM_SignHs256(benchmark::State& state) {
  const tokens::KeySet keys = hs_keys();
  const tokens::Claims c = claims(1);
  for (auto _ : state) benchmark::DoNotOptimize(keys.sign(c));
}
BENCHMARK(BM_SignHs256);

void BM_VerifyHs256Uncached(benchmark::State& state) {
  const tokens::KeySet keys = hs_keys();
  const std::string token = keys.sign(claims(1));
  const tokens::VerifyOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(tokens::verify(token, keys, kNow, options));
}
BENCHMARK(BM_VerifyHs256Uncached);

// A cache holding range(0) distinct EdDSA tokens, looked up in a scattered order: the steady
// state of a gate thread.
void BM_VerifyCachedHit(benchmark::State& state) {
  const tokens::KeySet keys = ed_keys();
  const auto n = static_cast<int>(state.range(0));
  std::vector<std::string> signed_tokens;
  signed_tokens.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) signed_tokens.push_back(keys.sign(claims(i)));
  tokens::CachingVerifierOptions o;
  o.cache_capacity = static_cast<size_t>(n);
  o.max_uncached_verifies_per_s = 0;
  tokens::CachingVerifier verifier(keys, o);
  tokens::VerifyOptions options;
  options.expected_event = "taylor-2026-05-01";
  options.expected_kind = "admission";
  for (const auto& t : signed_tokens) {
    if (!verifier.verify(t, kNow * 1000, options)) std::abort();
  }
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifier.verify(signed_tokens[i], kNow * 1000, options));
    i = (i + 7919) % signed_tokens.size();  // a prime stride: no two neighbours in a row
  }
  if (verifier.stats().signature_checks != static_cast<uint64_t>(n)) std::abort();
}
BENCHMARK(BM_VerifyCachedHit)->Arg(1)->Arg(100'000);

// Every token new to a full cache of 100,000 (the booking bench's case: a token per request):
// a miss, the HS256 check, and an insert that evicts the least recently used.
void BM_VerifyHs256IntoFullCache(benchmark::State& state) {
  const tokens::KeySet keys = hs_keys();
  constexpr size_t kCapacity = 100'000;
  std::vector<std::string> signed_tokens;
  signed_tokens.reserve(2 * kCapacity);
  for (size_t i = 0; i < 2 * kCapacity; ++i) {
    signed_tokens.push_back(keys.sign(claims(static_cast<int>(i))));
  }
  tokens::CachingVerifierOptions o;
  o.cache_capacity = kCapacity;
  o.max_uncached_verifies_per_s = 0;
  tokens::CachingVerifier verifier(keys, o);
  const tokens::VerifyOptions options;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(verifier.verify(signed_tokens[i], kNow * 1000, options));
    if (++i == signed_tokens.size()) i = 0;  // the cycle is twice the cache: never a hit
  }
  if (verifier.stats().cache_hits != 0) std::abort();
}
BENCHMARK(BM_VerifyHs256IntoFullCache);

// What a flood of forged tokens costs per request once the budget is spent.
void BM_VerifyForgedBusy(benchmark::State& state) {
  const tokens::KeySet keys = ed_keys();
  std::string token = keys.sign(claims(1));
  token[token.size() - 2] = token[token.size() - 2] == 'A' ? 'B' : 'A';
  tokens::CachingVerifierOptions o;
  o.max_uncached_verifies_per_s = 1;
  o.failed_cache_capacity = 0;  // every request is a new forgery
  tokens::CachingVerifier verifier(keys, o);
  (void)verifier.verify(token, 0, {});
  for (auto _ : state) benchmark::DoNotOptimize(verifier.verify(token, 0, {}));
}
BENCHMARK(BM_VerifyForgedBusy);

// The verified-token cache alone, full at 100,000 tokens of a realistic size, with the
// request's token hot (as just read from the socket) and the cache cold.
constexpr size_t kCacheCapacity = 100'000;

std::vector<std::string> distinct_tokens(size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string t = "eyJhbGciOiJIUzI1NiJ9." + std::to_string(i) + ".";
    t.resize(220, static_cast<char>('A' + i % 26));
    out.push_back(std::move(t));
  }
  return out;
}

// A new token: the miss, then the insert that evicts.
void BM_CacheMissAndInsert(benchmark::State& state) {
  const std::vector<std::string> all = distinct_tokens(2 * kCacheCapacity);
  tokens::VerifiedTokenCache cache(kCacheCapacity);
  const tokens::Claims c = claims(1);
  for (size_t i = 0; i < kCacheCapacity; ++i) cache.insert(all[i], c);
  size_t i = kCacheCapacity;
  std::string token;
  for (auto _ : state) {
    token = all[i];
    benchmark::DoNotOptimize(cache.find(token));
    cache.insert(token, c);
    if (++i == all.size()) i = 0;  // the cycle is twice the cache: never a hit
  }
}
BENCHMARK(BM_CacheMissAndInsert);

// A token in the cache, its claims copied out as the verifier answers them.
void BM_CacheHit(benchmark::State& state) {
  const std::vector<std::string> all = distinct_tokens(kCacheCapacity);
  tokens::VerifiedTokenCache cache(kCacheCapacity);
  for (const std::string& t : all) cache.insert(t, claims(1));
  size_t i = 0;
  std::string token;
  for (auto _ : state) {
    token = all[i];
    const tokens::Claims* found = cache.find(token);
    if (found == nullptr) std::abort();
    tokens::Claims copy = *found;
    benchmark::DoNotOptimize(copy);
    i = (i + 7919) % all.size();  // a prime stride: no two neighbours in a row
  }
}
BENCHMARK(BM_CacheHit);

}  // namespace
