#include "loadtest/loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace boxoffice::loadgen {
namespace {

TEST(LatencyHistogram, EmptyReportsZero) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.value_at_quantile(0.5), 0U);
  EXPECT_EQ(h.max(), 0U);
  EXPECT_EQ(h.min(), 0U);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 100; ++v) h.record(v);
  EXPECT_EQ(h.value_at_quantile(0.0), 0U);
  EXPECT_EQ(h.value_at_quantile(0.5), 49U);
  EXPECT_EQ(h.value_at_quantile(0.99), 98U);
  EXPECT_EQ(h.value_at_quantile(1.0), 99U);
  EXPECT_EQ(h.min(), 0U);
  EXPECT_EQ(h.max(), 99U);
  EXPECT_DOUBLE_EQ(h.mean(), 49.5);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  EXPECT_EQ(LatencyHistogram::bucket_of(0), 0U);
  for (size_t b = 0; b + 1 < LatencyHistogram::kBucketCount; ++b) {
    ASSERT_EQ(LatencyHistogram::bucket_highest(b) + 1, LatencyHistogram::bucket_lowest(b + 1))
        << "bucket " << b;
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_lowest(b)), b);
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_highest(b)), b);
  }
  EXPECT_EQ(LatencyHistogram::bucket_highest(LatencyHistogram::kBucketCount - 1),
            LatencyHistogram::kHighestTrackable);
}

TEST(LatencyHistogram, EveryBucketIsNarrowerThanOnePercentOfItsValues) {
  for (size_t b = LatencyHistogram::kSubBucketCount; b < LatencyHistogram::kBucketCount; ++b) {
    const auto low = static_cast<double>(LatencyHistogram::bucket_lowest(b));
    const auto high = static_cast<double>(LatencyHistogram::bucket_highest(b));
    ASSERT_LE((high - low) / low, 0.01) << "bucket " << b;
  }
}

// Against exact percentiles of a sorted copy: log-normal latencies from microseconds to seconds.
TEST(LatencyHistogram, QuantilesWithinOnePercentOfExact) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency_ns(std::log(2e6), 1.5);
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<uint64_t>(latency_ns(random)) + 1;
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (const double q : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    const auto exact = static_cast<double>(values[rank - 1]);
    const auto reported = static_cast<double>(h.value_at_quantile(q));
    EXPECT_GE(reported, exact) << "q " << q;  // never an understatement
    EXPECT_LE((reported - exact) / exact, 0.01) << "q " << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
}

TEST(LatencyHistogram, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 90; ++i) a.record(1'000);
  for (int i = 0; i < 10; ++i) b.record(1'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 100U);
  EXPECT_EQ(a.max(), 1'000'000U);
  EXPECT_EQ(a.min(), 1'000U);
  // Reported as the highest value of the bucket: within 1 % above.
  EXPECT_NEAR(static_cast<double>(a.value_at_quantile(0.9)), 1e3, 10);
  EXPECT_NEAR(static_cast<double>(a.value_at_quantile(0.91)), 1e6, 1e4);
}

TEST(LatencyHistogram, HugeValuesLandInTheLastBucket) {
  LatencyHistogram h;
  h.record(UINT64_MAX);
  EXPECT_EQ(h.count(), 1U);
  EXPECT_EQ(h.max(), UINT64_MAX);
  EXPECT_EQ(h.value_at_quantile(0.5), LatencyHistogram::kHighestTrackable);
}

}  // namespace
}  // namespace boxoffice::loadgen
