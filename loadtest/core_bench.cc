// loadtest/bench core: the booking core on the 80,000-seat stadium under a recorded on-sale mix.
// Ends with the figures the README reports, as `core.metric: value unit` lines.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "booking/core/partition.h"
#include "booking/core/wire.h"
#include "loadtest/core_mix.h"

namespace boxoffice::loadtest {
namespace {

constexpr size_t kCommands = 1'000'000;

struct Figures {
  double commands_per_s = 0;
  double bytes_per_seat = 0;
  double decodes_per_s = 0;
  double decisions_per_command = 0;
};
Figures figures;

const booking::Catalog& catalog() {
  static const booking::Catalog c = [] {
    auto loaded = booking::load_catalog_file(BOXOFFICE_SAMPLE_CATALOG);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().c_str());
      std::exit(1);
    }
    return std::move(loaded).value();
  }();
  return c;
}

const booking::Event& stadium() { return *catalog().find_event("evt_eras_la_1"); }

const CoreMix& mix() {
  static const CoreMix m = record_core_mix(catalog(), stadium(), kCommands, 2027);
  return m;
}

void BM_CoreApply(benchmark::State& state) {
  const auto& commands = mix().commands;
  std::vector<booking::Decision> out;
  out.reserve(64);
  size_t decisions = 0;
  size_t live_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto partition = std::make_unique<booking::Partition>(catalog());
    decisions = 0;
    state.ResumeTiming();
    for (const booking::Command& c : commands) {
      out.clear();
      partition->apply(c, out);
      decisions += out.size();
    }
    benchmark::DoNotOptimize(partition->last_seq());
    state.PauseTiming();
    live_bytes = partition->live_bytes();
    partition.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * commands.size()));
  state.counters["commands_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * commands.size()),
                         benchmark::Counter::kIsRate);
  state.counters["bytes_per_seat"] = static_cast<double>(live_bytes) / stadium().seats.size();
  figures.bytes_per_seat = static_cast<double>(live_bytes) / stadium().seats.size();
  figures.decisions_per_command = static_cast<double>(decisions) / commands.size();
}
BENCHMARK(BM_CoreApply)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

void BM_WireDecode(benchmark::State& state) {
  std::string bytes;
  std::vector<size_t> ends;
  for (const booking::Command& c : mix().commands) {
    booking::encode_command(c, bytes);
    ends.push_back(bytes.size());
  }
  size_t decoded = 0;
  for (auto _ : state) {
    size_t begin = 0;
    for (size_t end : ends) {
      auto c = booking::decode_command(std::string_view(bytes).substr(begin, end - begin));
      benchmark::DoNotOptimize(c);
      begin = end;
    }
    decoded += ends.size();
  }
  state.counters["decodes_per_s"] =
      benchmark::Counter(static_cast<double>(decoded), benchmark::Counter::kIsRate);
  state.counters["bytes_per_command"] = static_cast<double>(bytes.size()) / ends.size();
}
BENCHMARK(BM_WireDecode)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

// Keeps the rates Google Benchmark computed, for the summary lines.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      for (const auto& [name, counter] : run.counters) {
        if (name == "commands_per_s") figures.commands_per_s = counter.value;
        if (name == "decodes_per_s") figures.decodes_per_s = counter.value;
      }
    }
  }
};

}  // namespace
}  // namespace boxoffice::loadtest

int main(int argc, char** argv) {
  using boxoffice::loadtest::figures;
  benchmark::Initialize(&argc, argv);
  std::printf("recording %zu commands of on-sale mix on the stadium...\n",
              boxoffice::loadtest::kCommands);
  boxoffice::loadtest::mix();
  boxoffice::loadtest::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::printf("core.decisions_per_command: %.2f decisions\n", figures.decisions_per_command);
  std::printf("core.decodes_per_s: %.0f commands/s\n", figures.decodes_per_s);
  std::printf("core.commands_per_s: %.0f commands/s\n", figures.commands_per_s);
  std::printf("core.bytes_per_seat: %.1f bytes\n", figures.bytes_per_seat);
  return 0;
}
