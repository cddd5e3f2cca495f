#include "shared/tokens/caching_verifier.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

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

TEST(CachingVerifier, EvictsATokenUnusedSinceTheClockPassed) {
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

TEST(TokenCache, InsertingAPresentTokenReplacesItsValueAndCountsAsUsed) {
  TokenCache<int> cache(2);
  cache.insert("a", 1);
  cache.insert("b", 2);
  cache.insert("a", 3);  // replaces, and "a" has been used since the hand passed; "b" has not
  EXPECT_EQ(cache.size(), 2U);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(*cache.find("a"), 3);
  cache.insert("c", 4);  // evicts "b"
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_EQ(*cache.find("a"), 3);
  EXPECT_EQ(*cache.find("c"), 4);
  EXPECT_EQ(cache.evictions(), 1U);
  TokenCache<int> disabled(0);
  disabled.insert("a", 1);
  EXPECT_EQ(disabled.find("a"), nullptr);
}

// The same operations on the cache and on a plain model of CLOCK (a vector searched from end
// to end): both must hold the same tokens with the same values after every step, through
// evictions that move the index's probe runs and through the index's growth.
TEST(TokenCache, HoldsWhatAPlainClockHolds) {
  struct Model {
    explicit Model(size_t limit) : capacity(limit) {}
    struct Entry {
      std::string token;
      int value;
      bool used;
    };
    size_t capacity;
    std::vector<Entry> entries;
    size_t hand = 0;
    Entry* find(const std::string& token) {
      for (Entry& e : entries) {
        if (e.token == token) return &e;
      }
      return nullptr;
    }
    void insert(const std::string& token, int value) {
      if (Entry* e = find(token)) {
        e->value = value;
        e->used = true;
        return;
      }
      if (entries.size() < capacity) {
        entries.push_back({token, value, false});
        return;
      }
      while (entries[hand].used) {
        entries[hand].used = false;
        hand = (hand + 1) % entries.size();
      }
      entries[hand] = {token, value, false};
      hand = (hand + 1) % entries.size();
    }
  };
  for (const size_t capacity : {size_t{1}, size_t{7}, size_t{300}}) {
    TokenCache<int> cache(capacity);
    Model model(capacity);
    std::mt19937 random(static_cast<uint32_t>(capacity));
    const size_t universe = capacity * 3;
    for (int step = 0; step < 6'000; ++step) {
      const std::string token = "tok-" + std::to_string(random() % universe);
      if (random() % 3 == 0) {
        Model::Entry* m = model.find(token);
        const int* c = cache.find(token);
        ASSERT_EQ(c != nullptr, m != nullptr) << token << " at step " << step;
        if (m != nullptr) {
          m->used = true;
          EXPECT_EQ(*c, m->value);
        }
      } else {
        cache.insert(token, step);
        model.insert(token, step);
      }
      ASSERT_EQ(cache.size(), model.entries.size());
    }
    for (size_t t = 0; t < universe; ++t) {
      const std::string token = "tok-" + std::to_string(t);
      const Model::Entry* m = model.find(token);
      const int* c = cache.find(token);
      ASSERT_EQ(c != nullptr, m != nullptr) << token;
      if (m != nullptr) {
        EXPECT_EQ(*c, m->value);
      }
    }
  }
  // Past the index's first size (65,536 entries) every token is still found.
  TokenCache<int> big(100'000);
  for (int i = 0; i < 90'000; ++i) big.insert("t" + std::to_string(i), i);
  for (int i = 0; i < 90'000; ++i) {
    const int* found = big.find("t" + std::to_string(i));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(*found, i);
  }
  EXPECT_EQ(big.evictions(), 0U);
  big.clear();
  EXPECT_EQ(big.size(), 0U);
  EXPECT_EQ(big.find("t1"), nullptr);
  big.insert("t1", 1);
  EXPECT_EQ(*big.find("t1"), 1);
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
