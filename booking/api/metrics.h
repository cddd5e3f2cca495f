// A tiny Prometheus registry: metrics are registered up front (under a lock), then updated
// with relaxed atomics only, from any thread. render() writes the text exposition format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace boxoffice::booking::api {

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(int64_t n) { value_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Buckets are upper bounds in seconds; observations are kept in microseconds.
class Histogram {
 public:
  static constexpr size_t kMaxBuckets = 16;
  explicit Histogram(std::span<const double> bounds_s);
  void observe_us(uint64_t us);
  std::span<const double> bounds() const { return {bounds_.data(), bucket_count_}; }
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t sum_us() const { return sum_us_.load(std::memory_order_relaxed); }

 private:
  std::array<double, kMaxBuckets> bounds_{};
  std::array<uint64_t, kMaxBuckets> bounds_us_{};
  size_t bucket_count_ = 0;
  std::array<std::atomic<uint64_t>, kMaxBuckets> buckets_{};  // not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

class MetricsRegistry {
 public:
  // labels: the label set in exposition syntax, e.g. route="seat_map",status="200".
  // hide_when_zero keeps large label grids readable: such series appear once used.
  Counter& counter(std::string_view name, std::string_view help, std::string_view labels = {},
                   bool hide_when_zero = false);
  Gauge& gauge(std::string_view name, std::string_view help, std::string_view labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::string_view labels,
                       std::span<const double> bounds_s, bool hide_when_zero = false);
  std::string render() const;

 private:
  enum class Kind : uint8_t { kCounter, kGauge, kHistogram };
  struct Series {
    std::string labels;
    bool hide_when_zero = false;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name;
    std::string help;
    Kind kind = Kind::kCounter;
    std::vector<Series> series;
  };
  Series& add(std::string_view name, std::string_view help, Kind kind, std::string_view labels);

  mutable std::mutex mu_;
  std::vector<Family> families_;
};

// A label value escaped for the exposition format.
std::string label_value(std::string_view v);

}  // namespace boxoffice::booking::api
