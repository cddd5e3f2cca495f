#include "booking/api/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace boxoffice::booking::api {
namespace {

TEST(MetricsTest, RendersTheExpositionFormat) {
  MetricsRegistry r;
  Counter& ok = r.counter("req_total", "Requests", R"(route="a",status="200")");
  r.counter("req_total", "", R"(route="a",status="500")", /*hide_when_zero=*/true);
  Gauge& g = r.gauge("in_flight", "In flight");
  const double bounds[] = {0.001, 0.01};
  Histogram& h = r.histogram("latency_seconds", "Latency", "route=\"a\"", bounds);
  ok.inc(3);
  g.add(2);
  g.add(-1);
  h.observe_us(500);     // <= 1 ms
  h.observe_us(1000);    // <= 1 ms, on the bound
  h.observe_us(5000);    // <= 10 ms
  h.observe_us(50'000);  // +Inf only
  EXPECT_EQ(r.render(),
            "# HELP req_total Requests\n"
            "# TYPE req_total counter\n"
            "req_total{route=\"a\",status=\"200\"} 3\n"
            "# HELP in_flight In flight\n"
            "# TYPE in_flight gauge\n"
            "in_flight 1\n"
            "# HELP latency_seconds Latency\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"a\",le=\"0.001\"} 2\n"
            "latency_seconds_bucket{route=\"a\",le=\"0.01\"} 3\n"
            "latency_seconds_bucket{route=\"a\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"a\"} 0.056500\n"
            "latency_seconds_count{route=\"a\"} 4\n");
}

TEST(MetricsTest, CountersAreSafeAcrossThreads) {
  MetricsRegistry r;
  Counter& c = r.counter("c", "c");
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) c.inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40'000U);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace boxoffice::booking::api
