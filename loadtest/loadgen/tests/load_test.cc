// The generator against DummyServer on a port of its own, in this process. Runs are short
// (fractions of a second): enough to see each behaviour, not to measure.
#include "loadtest/loadgen/load.h"

#include <gtest/gtest.h>

#include "loadtest/loadgen/dummy_server.h"
#include "loadtest/loadgen/tests/test_catalog.h"

namespace boxoffice::loadgen {
namespace {

LoadOptions options_for(const DummyServer& server) {
  LoadOptions o;
  o.url.host = "127.0.0.1";
  o.url.port = server.port();
  o.connections = 4;
  o.duration_s = 0.3;
  o.drain_s = 2;
  return o;
}

TEST(ParseUrl, HostPortAndPath) {
  auto u = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->base_path, "");
  u = parse_url("http://localhost:9/api/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 9);
  EXPECT_EQ(u->base_path, "/api");
  EXPECT_FALSE(parse_url("https://127.0.0.1:1"));
  EXPECT_FALSE(parse_url("http://127.0.0.1:0"));
  EXPECT_FALSE(parse_url("http://127.0.0.1:99999"));
  EXPECT_FALSE(parse_url("http://:80"));
}

// Closed loop over the whole catalog: every seat asked for once, each by its own user, all
// held, and the run ends early when the seats run out.
TEST(RunLoad, ClosedLoopHoldsEverySeatOnceThenStops) {
  const booking::Catalog catalog = small_catalog();
  DummyServer server({});
  server.start();
  LoadOptions o = options_for(server);
  o.duration_s = 30;  // the 108 seats run out long before
  auto report = run_load(o, catalog);
  ASSERT_TRUE(report) << report.error();
  EXPECT_TRUE(report->ran_out_of_seats);
  EXPECT_LT(report->measured_s, 30);
  EXPECT_EQ(report->seats_used, 108U);
  EXPECT_EQ(report->requests_sent, 108U);
  EXPECT_EQ(report->outcomes.held, 108U);
  EXPECT_EQ(report->outcomes.errors(), 0U);
  EXPECT_EQ(report->latency_ns.count(), 108U);
  EXPECT_EQ(server.requests(), 108U);
  EXPECT_EQ(server.repeated_seats(), 0U);
  EXPECT_EQ(server.repeated_users(), 0U);
  EXPECT_EQ(server.connections(), 4U);  // keep-alive: no connection per request
  EXPECT_EQ(report->first_body_by_status.at(201), R"({"reservation_id":"dummy"})");
}

// Two runs with the same seed and adjacent slices never ask for the same seat.
TEST(RunLoad, DisjointSlicesNeverRepeatASeat) {
  const booking::Catalog catalog = small_catalog();
  DummyServer server({});
  server.start();
  LoadOptions o = options_for(server);
  o.seat_count = 50;
  auto first = run_load(o, catalog);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->seats_used, 50U);
  o.seat_offset = first->seats_used;
  o.seat_count = 0;
  auto second = run_load(o, catalog);
  ASSERT_TRUE(second) << second.error();
  EXPECT_EQ(second->seats_used, 58U);
  EXPECT_EQ(first->outcomes.held + second->outcomes.held, 108U);
  EXPECT_EQ(server.repeated_seats(), 0U);
  // The same slice again meets seats already held: rejected, not errors.
  o.seat_offset = 0;
  o.seat_count = 10;
  auto again = run_load(o, catalog);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->outcomes.rejected, 10U);
  EXPECT_EQ(again->first_body_by_status.count(409), 1U);
}

// A server that closes every third connection after answering: the generator reconnects and
// loses nothing.
TEST(RunLoad, ReconnectsWhenTheServerCloses) {
  const booking::Catalog catalog = small_catalog();
  DummyServer::Options server_options;
  server_options.close_every = 3;
  DummyServer server(server_options);
  server.start();
  auto report = run_load(options_for(server), catalog);
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->outcomes.held, 108U);
  EXPECT_EQ(report->outcomes.errors(), 0U);
  EXPECT_GE(report->reconnects, 30U);
}

TEST(RunLoad, RefusedConnectionIsAnError) {
  const booking::Catalog catalog = small_catalog();
  uint16_t closed_port = 0;
  {
    DummyServer gone({});
    closed_port = gone.port();
  }
  LoadOptions o;
  o.url.host = "127.0.0.1";
  o.url.port = closed_port;
  o.duration_s = 0.1;
  auto report = run_load(o, catalog);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().find("cannot connect"), std::string::npos) << report.error();
}

// Open loop at a fixed rate: the number of requests is the schedule's, not the server's.
TEST(RunLoad, OpenLoopSendsAtTheRate) {
  const booking::Catalog catalog = small_catalog();
  DummyServer server({});
  server.start();
  LoadOptions o = options_for(server);
  o.rate_per_s = 200;
  o.warmup_s = 0.05;
  o.duration_s = 0.4;
  o.threads = 2;
  auto report = run_load(o, catalog);
  ASSERT_TRUE(report) << report.error();
  EXPECT_FALSE(report->ran_out_of_seats);
  EXPECT_EQ(report->outcomes.held, 80U);  // 200/s x 0.4 s, whatever the machine's speed
  EXPECT_EQ(report->requests_sent, 90U);  // and 10 in the warmup
  EXPECT_EQ(report->outcomes.errors(), 0U);
  EXPECT_EQ(server.repeated_seats(), 0U);
}

// 100 requests at 200/s on one connection; the 10th answer waits 200 ms, so the 40 requests
// due meanwhile queue at the client and their latency counts from their due times. The slow
// rate leaves each request 5 ms, so a loaded machine (a sanitizer build among other tests)
// still catches up after the stall.
Result<LoadReport, std::string> run_with_one_stall(double slice_s) {
  DummyServer::Options server_options;
  server_options.stall_request = 10;
  server_options.stall_ms = 200;
  DummyServer server(server_options);
  server.start();
  LoadOptions o = options_for(server);
  o.connections = 1;
  o.rate_per_s = 200;
  o.duration_s = 0.5;
  o.slice_s = slice_s;
  return run_load(o, small_catalog());
}

// The coordinated-omission check: the requests due during the stall see 0..200 ms, so p90 is
// far above the microseconds the others take. A generator that measured from its own (late)
// send would report a single slow request and a p90 in microseconds.
TEST(RunLoad, OpenLoopCountsQueueingAtTheClient) {
  auto report = run_with_one_stall(1);
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->outcomes.held, 100U);
  EXPECT_GE(report->latency_ns.max(), 195'000'000U);
  EXPECT_GE(report->latency_ns.value_at_quantile(0.9), 50'000'000U);
  EXPECT_LE(report->latency_ns.value_at_quantile(0.5), 100'000'000U);
}

// The same stall, with the window in 100 ms slices: the slow answers are in the slices of the
// requests due during the stall (from 50 ms on), and the last slice, due after the client
// caught up, holds none.
TEST(RunLoad, SlicesShowWhenTheStallHappened) {
  auto report = run_with_one_stall(0.1);
  ASSERT_TRUE(report) << report.error();
  ASSERT_EQ(report->latency_by_slice_ns.size(), 5U);
  uint64_t answered = 0;
  for (const LatencyHistogram& slice : report->latency_by_slice_ns) answered += slice.count();
  EXPECT_EQ(answered, 100U);
  EXPECT_GE(report->latency_by_slice_ns[0].max(), 195'000'000U);
  EXPECT_LT(report->latency_by_slice_ns[4].max(), report->latency_ns.max());
  const std::string text = format_report(*report);
  EXPECT_NE(text.find("  slice 0    0.0-0.1 s: 20 answered"), std::string::npos) << text;
  EXPECT_NE(text.find("\nloadgen.worst_slice_p99_ms: "), std::string::npos) << text;
}

TEST(RunLoad, RefusesSlicesThatDoNotFit) {
  LoadOptions o;
  o.url = {"127.0.0.1", 1, ""};
  o.slice_s = 0;
  EXPECT_FALSE(run_load(o, small_catalog()));
  o.slice_s = 0.001;
  o.duration_s = 10;
  EXPECT_FALSE(run_load(o, small_catalog()));
}

TEST(FormatReport, EndsWithMachineLines) {
  LoadReport r;
  r.measured_s = 2;
  r.outcomes.held = 100;
  r.outcomes.rejected = 20;
  r.outcomes.transport = 1;
  r.latency_ns.record(1'500'000);
  r.requests_sent = 121;
  const std::string text = format_report(r);
  EXPECT_NE(text.find("\nloadgen.requests_per_s: 60.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nloadgen.held_per_s: 50.0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nloadgen.p50_ms: 1.500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nloadgen.p99_ms: 1.500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nloadgen.errors: 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace boxoffice::loadgen
