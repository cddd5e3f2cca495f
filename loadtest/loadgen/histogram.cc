#include "loadtest/loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace boxoffice::loadgen {

size_t LatencyHistogram::bucket_of(uint64_t value) {
  value = std::min(value, kHighestTrackable);
  if (value < kSubBucketCount) return value;
  // The top bit's position picks the power of two; the next kSubBucketBits bits the bucket.
  const int shift = static_cast<int>(std::bit_width(value)) - 1 - kSubBucketBits;
  const uint64_t sub = value >> shift;  // in [kSubBucketCount, 2 * kSubBucketCount)
  return ((static_cast<uint64_t>(shift) + 1) * kSubBucketCount) + (sub - kSubBucketCount);
}

uint64_t LatencyHistogram::bucket_lowest(size_t bucket) {
  if (bucket < kSubBucketCount) return bucket;
  const uint64_t shift = (bucket / kSubBucketCount) - 1;
  const uint64_t sub = kSubBucketCount + (bucket % kSubBucketCount);
  return sub << shift;
}

uint64_t LatencyHistogram::bucket_highest(size_t bucket) {
  if (bucket < kSubBucketCount) return bucket;
  const uint64_t shift = (bucket / kSubBucketCount) - 1;
  return bucket_lowest(bucket) + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::record(uint64_t value) {
  ++counts_[bucket_of(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t b = 0; b < kBucketCount; ++b) counts_[b] += other.counts_[b];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

uint64_t LatencyHistogram::value_at_quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value asked for, 1-based: at least the first value. The small slack keeps
  // 0.99 * 100 (98.99999...) or (99.00000...1) at rank 99.
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil((q * static_cast<double>(count_)) - 1e-9)));
  uint64_t seen = 0;
  for (size_t b = 0; b < kBucketCount; ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::min(bucket_highest(b), max_);
  }
  return max_;
}

}  // namespace boxoffice::loadgen
