// boxoffice_loadgen_dummy: the DummyServer as a process, for measuring what the load generator
// can drive (`loadtest/bench loadgen`). Prints "dummy: http://127.0.0.1:PORT", serves until
// SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>

#include "loadtest/loadgen/dummy_server.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"boxoffice_loadgen_dummy: answers reserve requests with 201 (409 on a repeat)"};
  uint16_t port = 0;
  bool no_tracking = false;
  app.add_option("--port", port, "port on 127.0.0.1 (0 = any free one)")->capture_default_str();
  app.add_flag("--no-tracking", no_tracking, "always 201: no per-seat bookkeeping");
  CLI11_PARSE(app, argc, argv);

  // Signals wait in this thread; the server serves on its own.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  boxoffice::loadgen::DummyServer::Options options;
  options.track_seats = !no_tracking;
  boxoffice::loadgen::DummyServer server(options, port);
  server.start();
  std::printf("dummy: http://127.0.0.1:%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  server.stop();
  std::printf("dummy: %llu requests\n", static_cast<unsigned long long>(server.requests()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // the port is taken, most likely
    std::fprintf(stderr, "boxoffice_loadgen_dummy: %s\n", e.what());
    return 1;
  }
}
