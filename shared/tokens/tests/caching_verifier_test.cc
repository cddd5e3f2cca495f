#include "shared/tokens/caching_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "shared/tokens/base64url.h"
#include "shared/tokens/tests/test_keys.h"

namespace boxoffice::tokens {
namespace {

using testing::kNow;
using testing::sample_claims;

constexpr int64_t kNowMs = kNow * 1000;

CachingVerifierOptions options_with(int64_t per_s, int64_t burst, size_t capacity = 1000) {
  CachingVerifierOptions o;
  o.max_uncached_verifies_per_s = per_s;
  o.uncached_verify_burst = burst;
  o.cache_capacity = capacity;
  return o;
}

// Tokens that pass every cheap check (known kid, right alg) but whose signatures are made up.
class Forger {
 public:
  explicit Forger(const KeySet& keys) {
    const std::string token = keys.sign(sample_claims());
    prefix_ = token.substr(0, token.rfind('.') + 1);
  }
  std::string operator()(int i) const {
    std::string sig(64, '\0');
    for (size_t k = 0; k < sig.size(); ++k) sig[k] = static_cast<char>((i >> (k % 4 * 8)) + k);
    return prefix_ + base64url_encode(sig);
  }

 private:
  std::string prefix_;
};

TEST(CachingVerifier, SecondVerifyIsACacheHit) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys);
  const std::string token = keys.sign(sample_claims());
  auto first = v.verify(token, kNowMs, {});
  ASSERT_TRUE(first.has_value()) << to_string(first.error());
  EXPECT_EQ(v.stats().signature_checks, 1U);
  EXPECT_EQ(v.stats().cache_hits, 0U);
  auto second = v.verify(token, kNowMs + 5, {});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(v.stats().signature_checks, 1U);
  EXPECT_EQ(v.stats().cache_hits, 1U);
  EXPECT_EQ(v.cached(), 1U);
}

TEST(CachingVerifier, ExpiryAppliesToCachedTokens) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys);
  const std::string token = keys.sign(sample_claims());  // exp = kNow + 600
  ASSERT_TRUE(v.verify(token, kNowMs, {}).has_value());
  EXPECT_TRUE(v.verify(token, kNowMs + 599'999, {}).has_value());
  auto late = v.verify(token, kNowMs + 600'000, {});
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error(), Errc::kExpired);
  VerifyOptions lenient;
  lenient.leeway_s = 10;
  EXPECT_TRUE(v.verify(token, kNowMs + 605'000, lenient).has_value());
  EXPECT_EQ(v.verify(token, kNowMs - 1, {}).error(), Errc::kNotYetValid);
  EXPECT_EQ(v.stats().signature_checks, 1U);
}

TEST(CachingVerifier, CachedTokensStillCheckEventAndKind) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys);
  const std::string token = keys.sign(sample_claims());
  ASSERT_TRUE(v.verify(token, kNowMs, {}).has_value());
  VerifyOptions options;
  options.expected_event = "e2";
  EXPECT_EQ(v.verify(token, kNowMs, options).error(), Errc::kWrongEvent);
  options.expected_event = "e1";
  options.expected_kind = "waiting";
  EXPECT_EQ(v.verify(token, kNowMs, options).error(), Errc::kWrongKind);
  EXPECT_EQ(v.stats().signature_checks, 1U);
}

TEST(CachingVerifier, ForgedTokenFloodCostsAtMostTheBudget) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys, options_with(/*per_s=*/100, /*burst=*/50));
  const Forger forge(keys);
  const std::string good = keys.sign(sample_claims());
  ASSERT_TRUE(v.verify(good, kNowMs, {}).has_value());  // cached before the flood

  constexpr int kFlood = 10'000;
  int busy = 0;
  int bad_signature = 0;
  for (int i = 0; i < kFlood; ++i) {
    const int64_t now = kNowMs + i / 100;  // the flood lasts 100 ms
    auto r = v.verify(forge(i), now, {});
    ASSERT_FALSE(r.has_value());
    if (r.error() == Errc::kVerifyBusy) ++busy;
    if (r.error() == Errc::kBadSignature) ++bad_signature;
    if (i % 1000 == 0) {
      EXPECT_TRUE(v.verify(good, now, {}).has_value()) << "the flood locks out valid users";
    }
  }
  // 50 at once, then 100 per second over ~0.1 s: 10 more; one went to the good token.
  const uint64_t budget = 50 + 10;
  EXPECT_LE(v.stats().signature_checks, budget);
  EXPECT_EQ(static_cast<uint64_t>(bad_signature) + 1, v.stats().signature_checks);
  EXPECT_EQ(busy + bad_signature, kFlood);
  EXPECT_EQ(v.stats().busy_rejections, static_cast<uint64_t>(busy));
  EXPECT_GE(v.stats().cache_hits, 10U);
}

TEST(CachingVerifier, BudgetRefillsAtTheConfiguredRate) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys, options_with(/*per_s=*/10, /*burst=*/2));
  const Forger forge(keys);
  int i = 0;
  EXPECT_EQ(v.verify(forge(i++), kNowMs, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.verify(forge(i++), kNowMs, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.verify(forge(i++), kNowMs, {}).error(), Errc::kVerifyBusy);
  EXPECT_EQ(v.verify(forge(i++), kNowMs + 99, {}).error(), Errc::kVerifyBusy);
  EXPECT_EQ(v.verify(forge(i++), kNowMs + 100, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.verify(forge(i++), kNowMs + 100, {}).error(), Errc::kVerifyBusy);
  // A long quiet spell refills to the burst, not beyond.
  EXPECT_EQ(v.verify(forge(i++), kNowMs + 60'000, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.verify(forge(i++), kNowMs + 60'000, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.verify(forge(i++), kNowMs + 60'000, {}).error(), Errc::kVerifyBusy);
  // A clock that steps back refills nothing and breaks nothing.
  EXPECT_EQ(v.verify(forge(i++), kNowMs, {}).error(), Errc::kVerifyBusy);
  EXPECT_EQ(v.stats().signature_checks, 5U);
}

TEST(CachingVerifier, NoLimitWhenTheRateIsZero) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys, options_with(0, 0));
  const Forger forge(keys);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(v.verify(forge(i), kNowMs, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.stats().busy_rejections, 0U);
}

TEST(CachingVerifier, RepeatedForgedTokenCostsALookup) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys, options_with(100, 100));
  const Forger forge(keys);
  const std::string bad = forge(1);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(v.verify(bad, kNowMs, {}).error(), Errc::kBadSignature);
  EXPECT_EQ(v.stats().signature_checks, 1U);
  EXPECT_EQ(v.stats().failed_hits, 49U);
}

TEST(CachingVerifier, CheapRejectionsSpendNoBudget) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys, options_with(1, 1));
  const KeySet other = testing::ed25519_keys();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(v.verify("not.a.token!", kNowMs, {}).error(), Errc::kMalformed);
    EXPECT_EQ(v.verify(other.sign(sample_claims()), kNowMs, {}).error(), Errc::kUnknownKid);
  }
  EXPECT_EQ(v.verify(std::string(kMaxTokenBytes + 1, 'a'), kNowMs, {}).error(), Errc::kMalformed);
  EXPECT_EQ(v.stats().signature_checks, 0U);
  EXPECT_EQ(v.stats().cheap_rejections, 201U);
  EXPECT_TRUE(v.verify(keys.sign(sample_claims()), kNowMs, {}).has_value());
}

TEST(CachingVerifier, EvictsTheLeastRecentlyUsed) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys, options_with(0, 0, /*capacity=*/2));
  std::string tokens[3];
  for (int i = 0; i < 3; ++i) {
    Claims c = sample_claims();
    c.sub = "u" + std::to_string(i);
    tokens[i] = keys.sign(c);
  }
  ASSERT_TRUE(v.verify(tokens[0], kNowMs, {}).has_value());
  ASSERT_TRUE(v.verify(tokens[1], kNowMs, {}).has_value());
  ASSERT_TRUE(v.verify(tokens[0], kNowMs, {}).has_value());  // 0 is now the most recent
  ASSERT_TRUE(v.verify(tokens[2], kNowMs, {}).has_value());  // evicts 1
  EXPECT_EQ(v.cached(), 2U);
  EXPECT_EQ(v.evictions(), 1U);
  const uint64_t checks = v.stats().signature_checks;
  ASSERT_TRUE(v.verify(tokens[0], kNowMs, {}).has_value());
  ASSERT_TRUE(v.verify(tokens[2], kNowMs, {}).has_value());
  EXPECT_EQ(v.stats().signature_checks, checks);
  ASSERT_TRUE(v.verify(tokens[1], kNowMs, {}).has_value());
  EXPECT_EQ(v.stats().signature_checks, checks + 1);
}

TEST(TokenLru, InsertingAPresentTokenReplacesItsValueAndMakesItRecent) {
  TokenLru<int> lru(2);
  lru.insert("a", 1);
  lru.insert("b", 2);
  lru.insert("a", 3);  // replaces, and "b" is now the least recent
  EXPECT_EQ(lru.size(), 2U);
  ASSERT_NE(lru.find("a"), nullptr);
  EXPECT_EQ(*lru.find("a"), 3);
  lru.insert("c", 4);  // evicts "b"
  EXPECT_EQ(lru.find("b"), nullptr);
  EXPECT_EQ(*lru.find("a"), 3);
  EXPECT_EQ(*lru.find("c"), 4);
  EXPECT_EQ(lru.evictions(), 1U);
  TokenLru<int> disabled(0);
  disabled.insert("a", 1);
  EXPECT_EQ(disabled.find("a"), nullptr);
}

TEST(CachingVerifier, TokensThatDifferInOneByteNeverShareAnEntry) {
  const KeySet keys = testing::ed25519_keys();
  CachingVerifier v(keys);
  const std::string token = keys.sign(sample_claims());
  ASSERT_TRUE(v.verify(token, kNowMs, {}).has_value());
  std::string twin = token;
  twin[twin.size() - 5] = twin[twin.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(v.verify(twin, kNowMs, {}).has_value());
}

TEST(CachingVerifier, SetKeysDropsAnswersOfTheOldSet) {
  KeySet old_keys = testing::ed25519_keys();
  CachingVerifier v(old_keys);
  const std::string token = old_keys.sign(sample_claims());
  ASSERT_TRUE(v.verify(token, kNowMs, {}).has_value());

  KeySet rotated = old_keys;
  auto kid = rotated.generate_ed25519();
  ASSERT_TRUE(kid.has_value());
  ASSERT_TRUE(rotated.set_active(*kid));
  ASSERT_TRUE(rotated.remove(old_keys.active_kid()));
  v.set_keys(rotated);
  EXPECT_EQ(v.cached(), 0U);
  EXPECT_EQ(v.verify(token, kNowMs, {}).error(), Errc::kUnknownKid);
  EXPECT_TRUE(v.verify(rotated.sign(sample_claims()), kNowMs, {}).has_value());
}

TEST(CachingVerifier, AgreesWithThePureVerifier) {
  const KeySet keys = testing::hs256_keys();
  CachingVerifier v(keys, options_with(0, 0));
  const std::string token = keys.sign(sample_claims());
  VerifyOptions options;
  options.expected_kind = "admission";
  for (const int64_t now_s : {kNow - 1, kNow, kNow + 599, kNow + 600}) {
    auto pure = verify(token, keys, now_s, options);
    for (int pass = 0; pass < 2; ++pass) {
      auto cached = v.verify(token, now_s * 1000, options);
      ASSERT_EQ(pure.has_value(), cached.has_value()) << now_s;
      if (pure) {
        EXPECT_EQ(*pure, *cached);
      } else {
        EXPECT_EQ(pure.error(), cached.error());
      }
    }
  }
}

}  // namespace
}  // namespace boxoffice::tokens
