// A latency histogram with log-linear buckets, in the manner of HdrHistogram: values below 128
// are exact, and every power of two above is cut into 128 equal buckets, so a reported value is
// within 1/128 (0.8 %) of the truth whatever its size. Fixed memory (35 KiB), O(1) record, no
// allocation after construction; per-thread histograms merge by adding counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace boxoffice::loadgen {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;  // 128 buckets per power of two
  static constexpr uint64_t kSubBucketCount = uint64_t{1} << kSubBucketBits;
  // Values reach 2^40 - 1 (18 minutes in nanoseconds); larger ones count as the largest.
  static constexpr int kValueBits = 40;
  static constexpr uint64_t kHighestTrackable = (uint64_t{1} << kValueBits) - 1;
  static constexpr size_t kBucketCount = (kValueBits - kSubBucketBits + 1) * kSubBucketCount;

  LatencyHistogram() : counts_(kBucketCount, 0) {}

  void record(uint64_t value);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }  // exact, unless above kHighestTrackable
  double mean() const;

  // The smallest recorded value v such that a fraction q (0..1) of the values are <= v, as the
  // highest value of v's bucket (never above max()): a slight overstatement, never an
  // understatement. 0 when empty.
  uint64_t value_at_quantile(double q) const;

  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_lowest(size_t bucket);
  static uint64_t bucket_highest(size_t bucket);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace boxoffice::loadgen
