// loadtest/bench projector: what the Redis read model costs. The stadium's recorded on-sale
// (core_mix.h) runs through a partition; each command's decisions become one batch, as the
// worker produces them, and the projector applies them to a private redis-server, a few batches
// per apply() (as a consumer fetches them when traffic is light) or many (under a burst). Redis
// runs the read model's scripts on one thread, so its CPU time per decision bounds how many
// decisions per second one Redis can take. Ends with `projector.metric: value unit` lines.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/partition.h"
#include "booking/core/wire.h"
#include "booking/projector/projector.h"
#include "loadtest/core_mix.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::loadtest {
namespace {

constexpr size_t kCommands = 60'000;  // from the opening: holds, payments, expiries, waitlists
constexpr int32_t kPartition = 0;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "projector_bench: %s\n", what.c_str());
  std::exit(1);  // NOLINT(concurrency-mt-unsafe): single-threaded
}

// The decision batches of the recorded mix, one per command. Every command but the relay's
// expiries carries a request id, as the API's do, so the read model also keeps their answers.
struct Batches {
  std::vector<std::string> bytes;
  size_t decisions = 0;
};

const Batches& batches() {
  static const Batches b = [] {
    const CoreMix mix = record_core_mix(sample_catalog(), sample_stadium(), kCommands, 2027);
    booking::Partition partition(sample_catalog());
    Batches out;
    std::vector<booking::Decision> decisions;
    uint64_t request = 0;
    for (booking::Command c : mix.commands) {
      c.request_id = c.type == booking::CommandType::kExpire ? 0 : ++request;
      decisions.clear();
      partition.apply(c, decisions);
      std::string batch;
      booking::encode_decision_batch(decisions, batch);
      out.bytes.push_back(std::move(batch));
      out.decisions += decisions.size();
    }
    return out;
  }();
  return b;
}

struct Server {
  redis::RedisProcess process;
  redis::SyncClient client;  // for FLUSHALL and INFO, beside the projector's own connection
};

Server& server() {
  static Server s = [] {
    redis::RedisProcess::Options options;
    options.append_only = false;  // as in embedded mode without a data directory
    auto process = redis::RedisProcess::start(options);
    if (!process) fail(process.error());
    auto client = redis::SyncClient::connect(process->host(), process->port());
    if (!client) fail(client.error());
    return Server{std::move(*process), std::move(*client)};
  }();
  return s;
}

void command(std::initializer_list<std::string_view> argv) {
  auto reply = server().client.command(argv);
  if (!reply) fail(reply.error());
  if (reply->is_error()) fail(std::string(reply->str()));
}

// Redis's CPU time so far (user + system, all its threads), in microseconds.
double redis_cpu_us() {
  auto reply = server().client.command({"INFO", "cpu"});
  if (!reply) fail(reply.error());
  const std::string_view info = reply->str();
  double seconds = 0;
  for (std::string_view field : {"used_cpu_sys:", "used_cpu_user:"}) {
    const size_t at = info.find(field);
    if (at == std::string_view::npos) fail("INFO cpu without " + std::string(field));
    seconds += std::strtod(info.data() + at + field.size(), nullptr);
  }
  return seconds * 1e6;
}

// Each iteration projects the whole mix into an empty read model.
void BM_Project(benchmark::State& state) {
  const auto per_apply = static_cast<size_t>(state.range(0));
  const std::vector<std::string>& all = batches().bytes;
  std::vector<std::string_view> views(all.begin(), all.end());
  auto projector = booking::Projector::connect(sample_catalog(), server().process.host(),
                                               server().process.port());
  if (!projector) fail(projector.error());
  double cpu_us = 0;
  size_t decisions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    command({"FLUSHALL"});
    const double cpu_before = redis_cpu_us();
    state.ResumeTiming();
    for (size_t at = 0; at < views.size(); at += per_apply) {
      const size_t n = std::min(per_apply, views.size() - at);
      auto applied = projector->apply(kPartition, std::span(views).subspan(at, n));
      if (!applied) fail(applied.error());
      decisions += applied->decisions;
    }
    state.PauseTiming();
    cpu_us += redis_cpu_us() - cpu_before;
    state.ResumeTiming();
  }
  if (decisions != state.iterations() * batches().decisions) fail("decisions went missing");
  state.counters["decisions_per_s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
  state.counters["redis_cpu_us_per_decision"] = cpu_us / static_cast<double>(decisions);
}
// One batch per apply: a consumer keeping up with light traffic; 16: a steady on-sale; 256: a
// burst. The machine is shared: the median of five runs.
BENCHMARK(BM_Project)
    ->Arg(1)
    ->Arg(16)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// Keeps the medians' counters, for the summary lines.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(OO_Tabular) {}  // no colour codes before the summary
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.aggregate_name != "median") continue;
      for (const auto& [name, counter] : run.counters) medians[run.run_name.args][name] = counter;
    }
  }
  std::map<std::string, std::map<std::string, double>> medians;  // by argument, by counter
};

}  // namespace
}  // namespace boxoffice::loadtest

int main(int argc, char** argv) {
  using boxoffice::loadtest::batches;
  benchmark::Initialize(&argc, argv);
  std::printf("recording %zu commands of the stadium's on-sale...\n",
              boxoffice::loadtest::kCommands);
  std::printf(
      "projector.decisions_per_command: %.2f decisions\n",
      static_cast<double>(batches().decisions) / static_cast<double>(batches().bytes.size()));
  boxoffice::loadtest::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  for (const auto& [arg, counters] : reporter.medians) {
    std::printf("projector.redis_cpu_us_per_decision_%s_per_apply: %.1f us\n", arg.c_str(),
                counters.at("redis_cpu_us_per_decision"));
    std::printf("projector.decisions_per_s_%s_per_apply: %.0f decisions/s\n", arg.c_str(),
                counters.at("decisions_per_s"));
  }
  return 0;
}
