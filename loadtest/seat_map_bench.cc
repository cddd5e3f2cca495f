// loadtest/bench seat-map: what one fill of the API's seat-map cache costs for the 80,000-seat
// stadium (render the JSON, gzip it) and how many bytes each answer carries. A fill happens at
// most once per cache period per (event, section), on the API's render thread.
// Ends with `seat_map.metric: value unit` lines.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "booking/api/events_view.h"
#include "loadtest/core_mix.h"
#include "shared/http/content_coding.h"

namespace boxoffice::loadtest {
namespace {

// The read model's bytes half way through an on-sale: a third of the seats held, a third
// booked, the rest free, at random (runs of one status would compress better than a sale).
const std::string& seat_bytes() {
  static const std::string bytes = [] {
    std::string out(sample_stadium().seats.size(), '\0');
    std::mt19937 random(2027);
    for (char& c : out) {
      const uint32_t r = random() % 3;
      c = r == 0 ? 'h' : r == 1 ? 'b' : '\0';
    }
    return out;
  }();
  return bytes;
}

std::string section_bytes(uint16_t section) {
  const booking::Section& s = sample_stadium().sections[section];
  return seat_bytes().substr(s.first_seat, s.seat_count);
}

void median_of_five_in_ms(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5)->ReportAggregatesOnly(true);
}

void BM_RenderWholeMap(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        booking::api::render_seat_map(sample_stadium(), std::nullopt, seat_bytes()));
  }
}
BENCHMARK(BM_RenderWholeMap)->Apply(median_of_five_in_ms);

void BM_GzipWholeMap(benchmark::State& state) {
  const std::string json =
      booking::api::render_seat_map(sample_stadium(), std::nullopt, seat_bytes());
  for (auto _ : state) benchmark::DoNotOptimize(http::gzip(json));
}
BENCHMARK(BM_GzipWholeMap)->Apply(median_of_five_in_ms);

void BM_RenderAndGzipSection(benchmark::State& state) {
  const std::string bytes = section_bytes(0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        http::gzip(booking::api::render_seat_map(sample_stadium(), uint16_t{0}, bytes)));
  }
}
BENCHMARK(BM_RenderAndGzipSection)->Apply(median_of_five_in_ms);

}  // namespace
}  // namespace boxoffice::loadtest

int main(int argc, char** argv) {
  using boxoffice::loadtest::sample_stadium;
  using boxoffice::loadtest::seat_bytes;
  using boxoffice::loadtest::section_bytes;
  namespace api = boxoffice::booking::api;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  const std::string whole = api::render_seat_map(sample_stadium(), std::nullopt, seat_bytes());
  const std::string section = api::render_seat_map(sample_stadium(), uint16_t{0}, section_bytes(0));
  std::printf("seat_map.seats: %zu seats in %zu sections\n", sample_stadium().seats.size(),
              sample_stadium().sections.size());
  std::printf("seat_map.whole_json_bytes: %zu B\n", whole.size());
  std::printf("seat_map.whole_gzip_bytes: %zu B\n", boxoffice::http::gzip(whole).size());
  std::printf("seat_map.section_json_bytes: %zu B\n", section.size());
  std::printf("seat_map.section_gzip_bytes: %zu B\n", boxoffice::http::gzip(section).size());
  return 0;
}
