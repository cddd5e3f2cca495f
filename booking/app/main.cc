// boxoffice: the booking backend's one binary.
//   boxoffice embedded   everything on one machine: its own redis-server, librdkafka's mock
//                        cluster in-process, worker, relay, projector, API, payment simulator
//   boxoffice worker | relay | projector | api
//                        one process of the distributed mode, pointed at real Kafka and Redis
// Configuration: booking/app/README.md.
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "booking/app/backend.h"
#include "booking/app/config.h"
#include "shared/host_port.h"
#include "shared/open_files.h"

namespace {

using boxoffice::booking::BackendConfig;

// Blocks SIGINT and SIGTERM in every thread; a waiter thread turns them into a stop request.
class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  // Waits for a signal or for stop to be set by someone else.
  void wait(std::atomic<bool>& stop) {
    const timespec tick{0, 200'000'000};
    while (!stop.load()) {
      if (sigtimedwait(&set_, nullptr, &tick) > 0) {
        spdlog::info("boxoffice: stopping");
        stop = true;
      }
    }
  }

 private:
  sigset_t set_{};
};

int run(int argc, char** argv) {
  StopOnSignal signals;
  // Logs go to stderr: stdout carries only the announcements other programs read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("boxoffice"));
  if (auto limit = boxoffice::raise_open_files_limit(); !limit) {
    spdlog::warn("boxoffice: {} (clients beyond the open-files limit are refused)", limit.error());
  }
  CLI::App app{"boxoffice: the booking backend"};
  app.require_subcommand(1);
  app.fallthrough();  // common flags may follow the mode: boxoffice embedded --api-port 0
  std::string config_path;
  BackendConfig flags;
  std::string redis_address;
  std::vector<CLI::App*> modes;
  for (const char* name : {"embedded", "worker", "relay", "projector", "api"}) {
    modes.push_back(app.add_subcommand(name));
  }
  modes[0]->description("Redis, the Kafka mock cluster and every process, on this machine");
  modes[1]->description("the partition owner (Kafka consumer group boxoffice.workers)");
  modes[2]->description("forwards Expire commands from the delay topic at their due time");
  modes[3]->description("applies boxoffice.events to the Redis read model");
  modes[4]->description("the HTTP API");
  app.add_option("--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  auto* catalog = app.add_option("--catalog", flags.catalog, "catalog JSON file");
  auto* kafka = app.add_option("--kafka", flags.kafka_bootstrap, "Kafka bootstrap servers");
  auto* redis = app.add_option("--redis", redis_address, "Redis host:port");
  auto* api_port = app.add_option("--api-port", flags.api_port, "API port (0 = any free)");
  auto* gate_port = app.add_option("--gate-port", flags.gate_port,
                                   "embedded gate's h2c port (0 = any free, -1 = no gate)");
  auto* partitions =
      app.add_option("--partitions", flags.kafka_partitions, "partitions of the mock cluster");
  CLI11_PARSE(app, argc, argv);

  BackendConfig config;
  if (!config_path.empty()) {
    auto loaded = boxoffice::booking::load_config_file(config_path, config);
    if (!loaded) {
      std::fprintf(stderr, "boxoffice: %s\n", loaded.error().c_str());
      return 2;
    }
    config = std::move(*loaded);
  }
  // Flags win over the file.
  if (*catalog) config.catalog = flags.catalog;
  if (*kafka) config.kafka_bootstrap = flags.kafka_bootstrap;
  if (*api_port) config.api_port = flags.api_port;
  if (*gate_port) config.gate_port = flags.gate_port;
  if (*partitions) config.kafka_partitions = flags.kafka_partitions;
  if (*redis) {
    const auto address = boxoffice::parse_host_port(redis_address);
    if (!address || address->port == 0) {
      std::fprintf(stderr, "boxoffice: --redis: expected host:port, got \"%s\"\n",
                   redis_address.c_str());
      return 2;
    }
    config.redis_host = address->host;
    config.redis_port = address->port;
  }

  std::string mode;
  for (CLI::App* m : modes) {
    if (m->parsed()) mode = m->get_name();
  }
  std::atomic<bool> stop{false};
  auto backend = boxoffice::booking::Backend::start(mode, config, stop);
  if (!backend) {
    std::fprintf(stderr, "boxoffice: %s\n", backend.error().c_str());
    return 1;
  }
  signals.wait(stop);
  auto finished = (*backend)->finish();
  if (!finished) {
    std::fprintf(stderr, "boxoffice: %s\n", finished.error().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boxoffice: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "boxoffice: unknown error\n");
  }
  return 1;
}
