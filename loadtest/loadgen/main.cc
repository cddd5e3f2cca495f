// boxoffice_loadgen: drives the booking API's reserve endpoint with distinct seats and users,
// and reports throughput by outcome and latency percentiles. README.md beside this file.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "booking/core/catalog.h"
#include "loadtest/loadgen/load.h"
#include "shared/open_files.h"

namespace {

int run(int argc, char** argv) {
  namespace loadgen = boxoffice::loadgen;
  CLI::App app{
      "boxoffice_loadgen: reserves distinct seats of a catalog through the booking API and "
      "reports held/s and latency"};
  std::string url;
  std::string catalog_path;
  loadgen::LoadOptions o;
  app.add_option("--url", url, "the API, http://HOST:PORT[/PATH]")->required();
  app.add_option("--catalog", catalog_path, "the catalog JSON file the API serves")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--connections", o.connections, "keep-alive connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  app.add_option("--threads", o.threads, "threads, each with its share of the connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--duration-s", o.duration_s, "measured seconds, after the warmup")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--slice-s", o.slice_s,
                 "the window is also reported in slices of this length, with their latencies")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup-s", o.warmup_s, "seconds of load before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rate", o.rate_per_s,
                 "requests/s, scheduled at fixed intervals with latency counted from the due "
                 "time (open loop); 0 = closed loop, each connection sends when answered")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", o.seed, "shuffles the seat order; also part of every user id")
      ->capture_default_str();
  app.add_option("--seat-offset", o.seat_offset,
                 "first position in the seed's seat order (runs with disjoint slices never ask "
                 "for the same seat)")
      ->capture_default_str();
  app.add_option("--seat-count", o.seat_count,
                 "positions this run may use; the run ends early when they run out (0 = all "
                 "from the offset on)")
      ->capture_default_str();
  app.add_option("--admission-secret", o.admission_hs256_secret,
                 "HS256 secret to sign each request's admission token with, as the gate does");
  app.add_option("--drain-s", o.drain_s,
                 "seconds answers may take after the end before they count as errors")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  auto parsed_url = loadgen::parse_url(url);
  if (!parsed_url) {
    std::fprintf(stderr, "boxoffice_loadgen: %s\n", parsed_url.error().c_str());
    return 2;
  }
  o.url = *parsed_url;
  if (o.threads > o.connections) {
    std::fprintf(stderr, "boxoffice_loadgen: --threads exceeds --connections\n");
    return 2;
  }
  // Every connection is a descriptor; a few more hold the catalog, epoll and timers.
  auto open_files = boxoffice::raise_open_files_limit();
  if (!open_files) {
    std::fprintf(stderr, "boxoffice_loadgen: %s\n", open_files.error().c_str());
    return 2;
  }
  if (static_cast<rlim_t>(o.connections) + 64 > *open_files) {
    std::fprintf(stderr,
                 "boxoffice_loadgen: --connections %d needs more descriptors than the "
                 "open-files limit of %llu allows (ulimit -Hn)\n",
                 o.connections, static_cast<unsigned long long>(*open_files));
    return 2;
  }
  auto catalog = boxoffice::booking::load_catalog_file(catalog_path);
  if (!catalog) {
    std::fprintf(stderr, "boxoffice_loadgen: %s\n", catalog.error().c_str());
    return 2;
  }
  auto report = loadgen::run_load(o, *catalog);
  if (!report) {
    std::fprintf(stderr, "boxoffice_loadgen: %s\n", report.error().c_str());
    return 1;
  }
  std::fputs(loadgen::format_report(*report).c_str(), stdout);
  // Nothing answered at all is a failed run, whatever the reason.
  return report->outcomes.answered() > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bug or out of memory: say what, not just abort
    std::fprintf(stderr, "boxoffice_loadgen: %s\n", e.what());
    return 1;
  }
}
