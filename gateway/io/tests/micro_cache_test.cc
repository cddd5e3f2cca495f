// MicroCache: hits, expiry, coalesced misses, errors passed on but not cached, the size bound.
#include "gateway/io/micro_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxoffice::gateway::io {
namespace {

UpstreamResult ok(std::string body, int status = 200) {
  UpstreamResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Parks a waiter that records the body it gets ("error:<code>" for an error).
MicroCache::Waiter recorder(std::vector<std::string>& got) {
  return [&got](const UpstreamResult& r) {
    got.push_back(r ? r->body : "error:" + std::string(to_string(r.error())));
  };
}

TEST(MicroCacheTest, FirstMissFetchesThenHitsUntilExpiry) {
  MicroCacheOptions o;
  o.ttl_ms = 1'000;
  MicroCache cache(o);
  auto first = cache.lookup("/seats/e1", 10'000);
  EXPECT_TRUE(first.fetch);
  EXPECT_EQ(first.hit, nullptr);
  std::vector<std::string> got;
  ASSERT_TRUE(cache.park("/seats/e1", recorder(got)));
  EXPECT_EQ(cache.complete("/seats/e1", ok("map v1"), 10'050), 1U);
  EXPECT_EQ(got, std::vector<std::string>{"map v1"});

  auto hit = cache.lookup("/seats/e1", 11'049);
  ASSERT_NE(hit.hit, nullptr);
  EXPECT_FALSE(hit.fetch);
  EXPECT_EQ((*hit.hit)->body, "map v1");

  auto expired = cache.lookup("/seats/e1", 11'050);  // ttl counts from complete()
  EXPECT_EQ(expired.hit, nullptr);
  EXPECT_TRUE(expired.fetch);
  cache.complete("/seats/e1", ok("map v2"), 11'060);
  EXPECT_EQ((*cache.lookup("/seats/e1", 11'061).hit)->body, "map v2");
  EXPECT_EQ(cache.stats().fetches, 2U);
  EXPECT_EQ(cache.stats().hits, 2U);
}

TEST(MicroCacheTest, ConcurrentMissesCoalesceIntoOneFetch) {
  MicroCache cache;
  std::vector<std::string> got;
  int fetchers = 0;
  for (int i = 0; i < 100; ++i) {
    auto l = cache.lookup("/seats/e1", 5'000 + i);
    ASSERT_EQ(l.hit, nullptr);
    if (l.fetch) ++fetchers;
    ASSERT_TRUE(cache.park("/seats/e1", recorder(got)));
  }
  EXPECT_EQ(fetchers, 1) << "one upstream read for the whole stampede";
  EXPECT_TRUE(cache.lookup("/seats/e2", 5'000).fetch) << "other keys fetch on their own";
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(cache.complete("/seats/e1", ok("map"), 5'200), 100U);
  EXPECT_EQ(got, std::vector<std::string>(100, "map"));
  EXPECT_EQ(cache.stats().coalesced, 99U);
  EXPECT_NE(cache.lookup("/seats/e1", 5'300).hit, nullptr);
}

TEST(MicroCacheTest, ErrorsAndNon200ReachEveryWaiterButAreNotCached) {
  MicroCache cache;
  std::vector<std::string> got;
  ASSERT_TRUE(cache.lookup("k", 0).fetch);
  ASSERT_TRUE(cache.park("k", recorder(got)));
  ASSERT_FALSE(cache.lookup("k", 1).fetch);
  ASSERT_TRUE(cache.park("k", recorder(got)));
  EXPECT_EQ(cache.complete("k", unexpected(UpstreamError::kTimeout), 2), 2U);
  EXPECT_EQ(got, (std::vector<std::string>{"error:upstream_timeout", "error:upstream_timeout"}));
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_TRUE(cache.lookup("k", 3).fetch) << "the next request tries again";

  got.clear();
  ASSERT_TRUE(cache.park("k", recorder(got)));
  cache.complete("k", ok("busy", 503), 4);
  EXPECT_EQ(got, std::vector<std::string>{"busy"});
  EXPECT_TRUE(cache.lookup("k", 5).fetch);
}

TEST(MicroCacheTest, ParkWithoutAFetchInFlightKeepsNothing) {
  MicroCache cache;
  std::vector<std::string> got;
  EXPECT_FALSE(cache.park("nobody", recorder(got)));
  ASSERT_TRUE(cache.lookup("k", 0).fetch);
  cache.complete("k", ok("v"), 0);
  EXPECT_FALSE(cache.park("k", recorder(got))) << "cached, nothing in flight";
  EXPECT_TRUE(got.empty());
}

TEST(MicroCacheTest, WaitersMayUseTheCacheWhileBeingAnswered) {
  MicroCache cache;
  const UpstreamResult* seen = nullptr;
  ASSERT_TRUE(cache.lookup("k", 0).fetch);
  ASSERT_TRUE(cache.park("k", [&](const UpstreamResult&) { seen = cache.lookup("k", 1).hit; }));
  cache.complete("k", ok("v"), 0);
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ((*seen)->body, "v");
}

TEST(MicroCacheTest, SizeIsBoundedDroppingExpiredThenSoonestToExpire) {
  MicroCacheOptions o;
  o.ttl_ms = 1'000;
  o.max_entries = 3;
  MicroCache cache(o);
  auto fill = [&](const std::string& key, int64_t now) {
    ASSERT_TRUE(cache.lookup(key, now).fetch);
    cache.complete(key, ok(key), now);
  };
  fill("a", 0);
  fill("b", 10);
  fill("c", 20);
  EXPECT_EQ(cache.size(), 3U);
  fill("d", 30);  // full: "a" expires first, so it goes
  EXPECT_EQ(cache.size(), 3U);
  EXPECT_EQ(cache.stats().evictions, 1U);
  EXPECT_TRUE(cache.lookup("a", 40).fetch);
  cache.complete("a", unexpected(UpstreamError::kUnavailable), 40);
  EXPECT_NE(cache.lookup("b", 40).hit, nullptr);
  EXPECT_NE(cache.lookup("d", 40).hit, nullptr);

  fill("e", 2'000);  // everything else expired: dropped without counting as evictions
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.stats().evictions, 1U);
}

TEST(MicroCacheTest, OversizedAnswersArePassedOnNotCached) {
  MicroCacheOptions o;
  o.max_body_bytes = 4;
  MicroCache cache(o);
  std::vector<std::string> got;
  ASSERT_TRUE(cache.lookup("k", 0).fetch);
  ASSERT_TRUE(cache.park("k", recorder(got)));
  cache.complete("k", ok("too large"), 0);
  EXPECT_EQ(got, std::vector<std::string>{"too large"});
  EXPECT_TRUE(cache.lookup("k", 1).fetch);
}

TEST(MicroCacheTest, ALostFetchIsRetriedAfterMaxFetchMs) {
  MicroCacheOptions o;
  o.max_fetch_ms = 100;
  MicroCache cache(o);
  std::vector<std::string> got;
  ASSERT_TRUE(cache.lookup("k", 0).fetch);
  ASSERT_TRUE(cache.park("k", recorder(got)));
  EXPECT_FALSE(cache.lookup("k", 99).fetch);
  EXPECT_TRUE(cache.lookup("k", 100).fetch) << "the first fetch never answered";
  cache.complete("k", ok("v"), 150);
  EXPECT_EQ(got, std::vector<std::string>{"v"}) << "earlier waiters are answered too";
}

TEST(MicroCacheTest, ZeroTtlCoalescesButNeverCaches) {
  MicroCacheOptions o;
  o.ttl_ms = 0;
  MicroCache cache(o);
  ASSERT_TRUE(cache.lookup("k", 0).fetch);
  EXPECT_FALSE(cache.lookup("k", 0).fetch);
  cache.complete("k", ok("v"), 0);
  EXPECT_TRUE(cache.lookup("k", 0).fetch);
}

}  // namespace
}  // namespace boxoffice::gateway::io
