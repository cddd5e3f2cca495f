// The load generator's engine: keep-alive HTTP/1.1 connections (Boost.Asio + Beast) reserving
// the seats of a SeatOrder slice, in closed loop (each connection sends its next request when
// the answer arrives) or open loop (requests due at fixed intervals, latency from the due
// time). One io_context per thread, each with its share of the connections and of the rate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/catalog.h"
#include "loadtest/loadgen/histogram.h"
#include "shared/result.h"

namespace boxoffice::loadgen {

struct Url {
  std::string host;
  uint16_t port = 80;
  std::string base_path;  // "" or "/api", no trailing slash
};
// "http://127.0.0.1:8080" or "http://localhost:8080/api".
Result<Url, std::string> parse_url(std::string_view url);

struct LoadOptions {
  Url url;
  int connections = 64;
  int threads = 1;
  double duration_s = 10;
  double warmup_s = 0;
  double rate_per_s = 0;  // 0 = closed loop
  uint64_t seed = 1;
  uint64_t seat_offset = 0;  // first position of this run's slice of the seat order
  uint64_t seat_count = 0;   // positions in the slice; 0 = all from seat_offset on
  double drain_s = 5;        // how long answers may take after the run before they count as lost
  // The window is also reported in slices of this length, each with its own latencies, so a
  // stall of the system under test shows when it happened instead of only in the tail.
  double slice_s = 1;
  // Signs each request's admission token (the API checks them on writes), as the gate would;
  // empty = send none.
  std::string admission_hs256_secret;
};

// What happened to the requests of the measured window (started, or in open loop due, after
// the warmup and before the end).
struct Outcomes {
  uint64_t held = 0;       // 201
  uint64_t rejected = 0;   // 409, 422
  uint64_t pending = 0;    // 202: decided later than the API's deadline
  uint64_t other = 0;      // any other status
  uint64_t transport = 0;  // connection failed or closed under the request, unparsable answer
  uint64_t timed_out = 0;  // no answer by the end of the drain
  uint64_t unsent = 0;     // open loop: due, but no connection was free before the drain ended
  uint64_t answered() const { return held + rejected + pending + other; }
  uint64_t errors() const { return transport + timed_out + unsent; }
  void add(const Outcomes& o);
};

struct LoadReport {
  LoadOptions options;
  double measured_s = 0;  // the window: duration_s, or less when the slice ran out of seats
  bool ran_out_of_seats = false;
  Outcomes outcomes;
  LatencyHistogram latency_ns;  // answered requests of the window
  // The same requests by the slice (LoadOptions::slice_s) of the window their latency counts
  // from: the due time in open loop, the send time in closed loop.
  std::vector<LatencyHistogram> latency_by_slice_ns;
  uint64_t seats_used = 0;     // positions taken from the slice, warmup included
  uint64_t requests_sent = 0;  // warmup included
  uint64_t reconnects = 0;
  double cpu_s = 0;                                 // this process, user + system
  std::map<int, std::string> first_body_by_status;  // a sample answer per status, truncated
};

// Connects every connection first (an error if one cannot), then runs warmup + duration.
Result<LoadReport, std::string> run_load(const LoadOptions& options,
                                         const booking::Catalog& catalog);

// The human summary, then `loadgen.metric: value` lines.
std::string format_report(const LoadReport& report);

}  // namespace boxoffice::loadgen
