// loadtest/bench core: the booking core on the 80,000-seat stadium under a recorded on-sale mix.
// Ends with the figures the README reports, as `core.metric: value unit` lines.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "booking/core/partition.h"
#include "booking/core/wire.h"
#include "loadtest/core_mix.h"

namespace boxoffice::loadtest {
namespace {

constexpr size_t kMaxCommands = 1'000'000;

struct Figures {
  double commands_per_s = 0;
  double bytes_per_seat = 0;
  double decodes_per_s = 0;
  double decisions_per_command = 0;
  double inventory_bytes_per_seat = 0;
  double bytes_per_user = 0;
  double user_bytes_per_seat = 0;
  double waitlist_bytes_per_seat = 0;
  double clone_ms = 0;
  double snapshot_ms = 0;
  double restore_ms = 0;
  double snapshot_bytes_per_seat = 0;
  booking::Partition::Population population;  // at the peak of the live state
  size_t most_waitlist_entries = 0;
};
Figures figures;

// The recorded mix as a worker sees it: one buffer of wire-format messages in log order (as a
// Kafka fetch delivers them) and the commands decoded from it, whose strings point into it.
struct Log {
  std::string wire;
  std::vector<size_t> ends;  // of each message in wire
  std::vector<booking::Command> commands;
};

const Log& log() {
  static const Log l = [] {
    Log out;
    const CoreMix mix = record_core_mix(sample_catalog(), sample_stadium(), kMaxCommands, 2027);
    for (const booking::Command& c : mix.commands) {
      booking::encode_command(c, out.wire);
      out.ends.push_back(out.wire.size());
    }
    size_t begin = 0;
    for (size_t end : out.ends) {
      out.commands.push_back(
          booking::decode_command(std::string_view(out.wire).substr(begin, end - begin)).value());
      begin = end;
    }
    return out;
  }();
  return l;
}

void BM_CoreApply(benchmark::State& state) {
  const auto& commands = log().commands;
  std::vector<booking::Decision> out;
  out.reserve(64);
  size_t decisions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto partition = std::make_unique<booking::Partition>(sample_catalog());
    decisions = 0;
    state.ResumeTiming();
    for (const booking::Command& c : commands) {
      out.clear();
      partition->apply(c, out);
      decisions += out.size();
    }
    benchmark::DoNotOptimize(partition->last_seq());
    state.PauseTiming();
    partition.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * commands.size()));
  state.counters["commands_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * commands.size()), benchmark::Counter::kIsRate);
  figures.decisions_per_command =
      static_cast<double>(decisions) / static_cast<double>(commands.size());
}
// The machine is shared: report the median of several runs rather than one noisy run.
// SummaryReporter reads the medians, and their times in milliseconds.
void median_of_five_in_ms(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->MinTime(0.5)->Repetitions(5)->ReportAggregatesOnly(true);
}

BENCHMARK(BM_CoreApply)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true);

void BM_WireDecode(benchmark::State& state) {
  const std::string& bytes = log().wire;
  const std::vector<size_t>& ends = log().ends;
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
  state.counters["bytes_per_command"] =
      static_cast<double>(bytes.size()) / static_cast<double>(ends.size());
}
BENCHMARK(BM_WireDecode)->Apply(median_of_five_in_ms);

// The stadium's partition after the whole mix: what a worker snapshots and a new owner restores.
// On the way it notes the largest live state of the on-sale, and the longest waitlists, looking
// every kMemoryEvery commands.
constexpr size_t kMemoryEvery = 1'000;
const booking::Partition& final_partition() {
  static const std::unique_ptr<booking::Partition> p = [] {
    auto partition = std::make_unique<booking::Partition>(sample_catalog());
    std::vector<booking::Decision> out;
    booking::Partition::Memory peak;
    size_t applied = 0;
    for (const booking::Command& c : log().commands) {
      out.clear();
      partition->apply(c, out);
      if (++applied % kMemoryEvery != 0 && applied != log().commands.size()) continue;
      const booking::Partition::Population population = partition->population();
      figures.most_waitlist_entries =
          std::max(figures.most_waitlist_entries, population.waitlist_entries);
      const booking::Partition::Memory now = partition->memory();
      if (now.total() < peak.total()) continue;
      peak = now;
      figures.population = population;
    }
    const auto seats = static_cast<double>(sample_stadium().seats.size());
    figures.bytes_per_seat = static_cast<double>(peak.total()) / seats;
    figures.inventory_bytes_per_seat = static_cast<double>(peak.inventory) / seats;
    figures.bytes_per_user =
        static_cast<double>(peak.users) / static_cast<double>(figures.population.users);
    figures.user_bytes_per_seat = static_cast<double>(peak.users) / seats;
    figures.waitlist_bytes_per_seat = static_cast<double>(peak.waitlists) / seats;
    return partition;
  }();
  return *p;
}

// The worker copies the partition between two commands (a stall of its whole command stream)
// and serializes the copy on the snapshot writer's thread.
void BM_Clone(benchmark::State& state) {
  const booking::Partition& partition = final_partition();
  for (auto _ : state) {
    booking::Partition copy = partition.clone();
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_Clone)->Apply(median_of_five_in_ms);

void BM_Snapshot(benchmark::State& state) {
  const booking::Partition& partition = final_partition();
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string snapshot = partition.snapshot();
    bytes = snapshot.size();
    benchmark::DoNotOptimize(snapshot.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  figures.snapshot_bytes_per_seat =
      static_cast<double>(bytes) / static_cast<double>(sample_stadium().seats.size());
}
BENCHMARK(BM_Snapshot)->Apply(median_of_five_in_ms);

// What a new owner pays before replaying the rest of the log.
void BM_Restore(benchmark::State& state) {
  const std::string snapshot = final_partition().snapshot();
  for (auto _ : state) {
    auto restored = booking::Partition::restore(sample_catalog(), snapshot);
    if (!restored) state.SkipWithError(restored.error().c_str());
    benchmark::DoNotOptimize(restored);
  }
}
BENCHMARK(BM_Restore)->Apply(median_of_five_in_ms);

// Keeps the rates Google Benchmark computed, for the summary lines.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  // Without colours, whose escape codes would start the summary lines that follow.
  SummaryReporter() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.aggregate_name != "median") continue;
      const double ms = run.GetAdjustedRealTime();  // in the benchmark's unit, milliseconds
      if (run.run_name.function_name == "BM_Clone") figures.clone_ms = ms;
      if (run.run_name.function_name == "BM_Snapshot") figures.snapshot_ms = ms;
      if (run.run_name.function_name == "BM_Restore") figures.restore_ms = ms;
      for (const auto& [name, counter] : run.counters) {
        if (name == "decodes_per_s") figures.decodes_per_s = counter.value;
        if (name == "commands_per_s") figures.commands_per_s = counter.value;
      }
    }
  }
};

}  // namespace
}  // namespace boxoffice::loadtest

int main(int argc, char** argv) {
  using boxoffice::loadtest::figures;
  // A worker keeps its heap for its lifetime. Without this, glibc hands each iteration's freed
  // partition back to the kernel and the next one pays page faults for every fresh page, which
  // measures the kernel rather than the core.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);  // NOLINT(concurrency-mt-unsafe): before any thread
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // NOLINT(concurrency-mt-unsafe)
  benchmark::Initialize(&argc, argv);
  std::printf("recording the stadium's on-sale until it sells out...\n");
  std::printf("core.mix_commands: %zu commands\n", boxoffice::loadtest::log().commands.size());
  boxoffice::loadtest::final_partition();
  boxoffice::loadtest::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::printf("core.decisions_per_command: %.2f decisions\n", figures.decisions_per_command);
  std::printf("core.decodes_per_s: %.0f commands/s\n", figures.decodes_per_s);
  std::printf("core.commands_per_s: %.0f commands/s\n", figures.commands_per_s);
  std::printf("core.peak_reservations: %zu\n", figures.population.reservations);
  std::printf("core.peak_active_users: %zu\n", figures.population.users);
  std::printf("core.peak_waitlist_entries: %zu\n", figures.population.waitlist_entries);
  std::printf("core.most_waitlist_entries: %zu\n", figures.most_waitlist_entries);
  std::printf("core.inventory_bytes_per_seat: %.1f bytes\n", figures.inventory_bytes_per_seat);
  std::printf("core.user_bytes_per_seat: %.1f bytes\n", figures.user_bytes_per_seat);
  std::printf("core.waitlist_bytes_per_seat: %.1f bytes\n", figures.waitlist_bytes_per_seat);
  std::printf("core.bytes_per_active_user: %.1f bytes\n", figures.bytes_per_user);
  std::printf("core.clone_ms: %.2f ms\n", figures.clone_ms);
  std::printf("core.snapshot_ms: %.2f ms\n", figures.snapshot_ms);
  std::printf("core.snapshot_bytes_per_seat: %.1f bytes\n", figures.snapshot_bytes_per_seat);
  std::printf("core.restore_ms: %.2f ms\n", figures.restore_ms);
  std::printf("core.bytes_per_seat: %.1f bytes\n", figures.bytes_per_seat);
  return 0;
}
