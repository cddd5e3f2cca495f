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

// The coordinated-omission check. One connection, 1000 requests/s, and the server holds one
// answer back for 200 ms. Requests due during the stall wait at the client; their latency
// counts from their due time, so about 200 of the 500 see 0..200 ms and p90 is far above the
// microseconds the others take. A generator that measured from its own (late) send would
// report a single slow request and a p90 in microseconds.
TEST(RunLoad, OpenLoopCountsQueueingAtTheClient) {
  // 100 requests at 200/s on one connection; the 10th answer waits 200 ms, so the 40 requests
  // due meanwhile queue at the client and their latency counts from their due times. The slow
  // rate leaves each request 5 ms, so a loaded machine (a sanitizer build among other tests)
  // still catches up after the stall.
  DummyServer::Options server_options;
  server_options.stall_request = 10;
  server_options.stall_ms = 200;
  DummyServer server(server_options);
  server.start();
  LoadOptions o = options_for(server);
  o.connections = 1;
  o.rate_per_s = 200;
  o.duration_s = 0.5;
  auto report = run_load(o, small_catalog());
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->outcomes.held, 100U);
  EXPECT_GE(report->latency_ns.max(), 195'000'000U);
  EXPECT_GE(report->latency_ns.value_at_quantile(0.9), 50'000'000U);
  EXPECT_LE(report->latency_ns.value_at_quantile(0.5), 100'000'000U);
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
