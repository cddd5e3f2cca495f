#include "gateway/core/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice::gateway {
namespace {

TEST(RateLimiterTest, BurstThenRefill) {
  RateLimiter limiter(/*refill_per_s=*/2, /*capacity=*/3);
  EXPECT_TRUE(limiter.allow("ip", 0));
  EXPECT_TRUE(limiter.allow("ip", 0));
  EXPECT_TRUE(limiter.allow("ip", 0));
  EXPECT_FALSE(limiter.allow("ip", 0));
  EXPECT_FALSE(limiter.allow("ip", 499));
  EXPECT_TRUE(limiter.allow("ip", 500)) << "2 per second: one token after 500 ms";
  EXPECT_FALSE(limiter.allow("ip", 500));
  EXPECT_DOUBLE_EQ(limiter.tokens("ip", 10'000), 3) << "never above capacity";
  EXPECT_TRUE(limiter.allow("other", 0)) << "keys are independent";
}

TEST(RateLimiterTest, ClockSteppingBackRefillsNothing) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.allow("k", 10'000));
  EXPECT_FALSE(limiter.allow("k", 5'000));
  EXPECT_FALSE(limiter.allow("k", 10'500));
  EXPECT_TRUE(limiter.allow("k", 11'000));
}

TEST(RateLimiterTest, TableIsBoundedAndDropsTheLeastRecentlyUsed) {
  RateLimiter limiter(0, 1, /*max_keys=*/3);
  EXPECT_TRUE(limiter.allow("a", 0));
  EXPECT_TRUE(limiter.allow("b", 0));
  EXPECT_TRUE(limiter.allow("c", 0));
  EXPECT_FALSE(limiter.allow("a", 1));  // a is now the most recent
  EXPECT_TRUE(limiter.allow("d", 2));   // drops b
  EXPECT_EQ(limiter.size(), 3u);
  EXPECT_FALSE(limiter.allow("a", 3)) << "a was kept";
  EXPECT_FALSE(limiter.allow("c", 3)) << "c was kept";
  EXPECT_TRUE(limiter.allow("b", 3)) << "b was dropped and comes back full";
  for (int i = 0; i < 1000; ++i) (void)limiter.allow("k" + std::to_string(i), 4);
  EXPECT_EQ(limiter.size(), 3u);
}

TEST(RateLimiterTest, CostSpendsSeveralTokens) {
  RateLimiter limiter(1, 5);
  EXPECT_TRUE(limiter.allow("k", 0, 4));
  EXPECT_FALSE(limiter.allow("k", 0, 2)) << "refused spends nothing";
  EXPECT_TRUE(limiter.allow("k", 0, 1));
}

}  // namespace
}  // namespace boxoffice::gateway
