// boxoffice_gate: the HTTP/2 edge gate alone, pointed at a Redis and a booking API.
// Configuration: gateway/README.md. SIGTERM or SIGINT drains: GOAWAY, in-flight streams finish.
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "gateway/io/gate.h"
#include "shared/host_port.h"
#include "shared/open_files.h"

namespace {

using boxoffice::gateway::GateConfig;

// A --flag's "host:port" into host and port; false, having said why, when malformed.
bool take_address(const char* flag, const std::string& text, std::string& host, uint16_t& port) {
  const auto address = boxoffice::parse_host_port(text);
  if (!address || address->port == 0) {
    std::fprintf(stderr, "boxoffice_gate: %s: expected host:port, got \"%s\"\n", flag,
                 text.c_str());
    return false;
  }
  host = address->host;
  port = address->port;
  return true;
}

int run(int argc, char** argv) {
  // Signals go to a watcher thread, never to the event loops.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  spdlog::set_default_logger(spdlog::stderr_color_mt("gate"));
  if (auto limit = boxoffice::raise_open_files_limit(); !limit) {
    spdlog::warn("gate: {} (clients beyond the open-files limit are refused)", limit.error());
  }

  CLI::App app{"boxoffice_gate: the HTTP/2 edge gate with the waiting room"};
  std::string config_path;
  GateConfig flags;
  std::string redis_address;
  std::string upstream_address;
  bool check_config = false;
  app.add_option("--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  auto* port = app.add_option("--port", flags.h2c_port, "h2c port (0 = any free, -1 = off)");
  auto* threads = app.add_option("--threads", flags.threads, "worker threads");
  auto* redis = app.add_option("--redis", redis_address, "Redis host:port");
  auto* upstream = app.add_option("--upstream", upstream_address, "booking API host:port");
  auto* key = app.add_option("--signing-key", flags.signing_key_file, "Ed25519 PEM signing key");
  auto* static_dir = app.add_option("--static-dir", flags.static_dir, "fan pages directory");
  app.add_flag("--check-config", check_config, "check the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  GateConfig config;
  if (!config_path.empty()) {
    auto loaded = boxoffice::gateway::load_gate_config(config_path, config);
    if (!loaded) {
      std::fprintf(stderr, "boxoffice_gate: %s\n", loaded.error().c_str());
      return 2;
    }
    config = std::move(*loaded);
  }
  if (*port) config.h2c_port = flags.h2c_port;
  if (*threads) config.threads = flags.threads;
  if (*key) config.signing_key_file = flags.signing_key_file;
  if (*static_dir) config.static_dir = flags.static_dir;
  if (*redis && !take_address("--redis", redis_address, config.redis_host, config.redis_port)) {
    return 2;
  }
  if (*upstream &&
      !take_address("--upstream", upstream_address, config.upstream_host, config.upstream_port)) {
    return 2;
  }
  auto keys = boxoffice::gateway::load_signing_keys(config);
  if (!keys) {
    std::fprintf(stderr, "boxoffice_gate: %s\n", keys.error().c_str());
    return 2;
  }
  if (check_config) {
    std::printf("boxoffice_gate: configuration ok\n");
    return 0;
  }

  auto gate = boxoffice::gateway::Gate::start(config, std::move(*keys));
  if (!gate) {
    std::fprintf(stderr, "boxoffice_gate: %s\n", gate.error().c_str());
    return 1;
  }
  if ((*gate)->h2c_port() >= 0) {
    std::printf("gate: h2c http://%s:%d\n", config.host.c_str(), (*gate)->h2c_port());
  }
  if ((*gate)->tls_port() >= 0) {
    std::printf("gate: tls https://%s:%d\n", config.host.c_str(), (*gate)->tls_port());
  }
  std::printf("gate: ready\n");
  std::fflush(stdout);

  std::atomic<bool> ended{false};
  std::thread watcher([&signals, &gate, &ended] {
    const timespec tick{0, 200'000'000};
    while (!ended.load()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        spdlog::info("gate: draining");
        (*gate)->drain();
        return;
      }
    }
  });
  (*gate)->wait();
  ended = true;  // the loops may also end by themselves, on a failure
  watcher.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "boxoffice_gate: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "boxoffice_gate: unknown error\n");
  }
  return 1;
}
