// Admission end to end: batches in position order at the configured pace, the admission token,
// the active cap, batches scaled by the booking command lag, the SSE stream, and a drain with
// streams open.
#include <atomic>
#include <thread>

#include "gateway/core/room_keys.h"
#include "gateway/io/tests/gate_fixture.h"
#include "shared/redis/sync_client.h"
#include "shared/tokens/verify.h"

namespace boxoffice::gateway::testing {
namespace {

using GateAdmission = GateTest;

struct Tick {
  int64_t at_ms = 0;
  int64_t batch = 0;
  int64_t watermark = 0;
};

// The admissions recorded by tick.lua: "<tick ms>:<batch>:<watermark after>", in time order.
std::vector<Tick> recorded_ticks(const redis::RedisProcess& redis, const std::string& event) {
  std::vector<Tick> ticks;
  auto client = redis::SyncClient::connect(redis.host(), redis.port());
  if (!client) {
    ADD_FAILURE() << client.error();
    return ticks;
  }
  const std::string key = room_redis_keys(event)[5];
  auto reply = client->command({"ZRANGE", key, "0", "-1"});
  if (!reply || !reply->is_array()) {
    ADD_FAILURE() << "ZRANGE " << key;
    return ticks;
  }
  for (size_t i = 0; i < reply->size(); ++i) {
    const std::string member((*reply)[i].str());
    Tick t;
    if (std::sscanf(member.c_str(), "%ld:%ld:%ld", &t.at_ms, &t.batch, &t.watermark) != 3) {
      ADD_FAILURE() << "tick " << member;
      continue;
    }
    ticks.push_back(t);
  }
  return ticks;
}

TEST_F(GateAdmission, BatchesInPositionOrder) {
  start_gate();
  constexpr int64_t kIntervalMs = 250;
  open_room("e1", {{"batch_size", 2}, {"batch_interval_ms", kIntervalMs}, {"paused", true}});
  std::vector<std::string> waiting;
  for (int i = 0; i < 5; ++i) {
    const std::string user = "fan" + std::to_string(i);
    const Response r = join("e1", user);
    ASSERT_EQ(json_of(r).value("position", 0), i + 1) << r.body;
    waiting.push_back(json_of(r).value("token", ""));
  }
  ASSERT_EQ(call("POST", "/admin/events/e1/resume").status, 200);

  // Poll everyone, round after round; note the round each was admitted in. Each round goes from
  // the last position to the first: a tick between two polls then can only make a later
  // position look admitted later, never earlier, so any out-of-order admission shows.
  std::vector<int> admitted_in(5, -1);
  std::vector<std::string> admission(5);
  int round = 0;
  ASSERT_TRUE(poll_until([&] {
    ++round;
    for (size_t i = waiting.size(); i-- > 0;) {
      if (admitted_in[i] >= 0) continue;
      const Response r = status("e1", waiting[i]);
      const nlohmann::json body = json_of(r);
      if (body.value("phase", "") != "admitted") continue;
      admitted_in[i] = round;
      admission[i] = body.value("admission_token", "");
      const std::vector<std::string> cookies = header_values(r, "set-cookie");
      EXPECT_EQ(cookies.size(), 1U);
      if (!cookies.empty()) {
        EXPECT_TRUE(cookies[0].starts_with("bx_admit_e1=" + admission[i] + ";")) << cookies[0];
      }
    }
    return std::ranges::all_of(admitted_in, [](int r) { return r >= 0; });
  }));
  for (size_t i = 1; i < admitted_in.size(); ++i) {
    EXPECT_LE(admitted_in[i - 1], admitted_in[i]) << "position " << i + 1 << " before " << i;
  }

  // At most two per tick, ticks at least an interval apart.
  const std::vector<Tick> ticks = recorded_ticks(*redis_, "e1");
  ASSERT_EQ(ticks.size(), 3U);
  int64_t total = 0;
  for (size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_LE(ticks[i].batch, 2);
    total += ticks[i].batch;
    EXPECT_EQ(ticks[i].watermark, total);
    if (i > 0) {
      EXPECT_GE(ticks[i].at_ms - ticks[i - 1].at_ms, kIntervalMs);
    }
  }
  EXPECT_EQ(total, 5);

  // The admission tokens: the fan's identity, event and place, valid for a session.
  for (size_t i = 0; i < admission.size(); ++i) {
    tokens::VerifyOptions options;
    options.expected_event = "e1";
    options.expected_kind = tokens::kKindAdmission;
    auto claims = tokens::verify(admission[i], keys_, wall_ms() / 1000, options);
    ASSERT_TRUE(claims) << tokens::to_string(claims.error());
    EXPECT_EQ(claims->sub, "fan" + std::to_string(i));
    EXPECT_EQ(claims->position, i + 1);
    EXPECT_EQ(claims->exp - claims->iat, 600);  // the default session_ms
  }
}

TEST_F(GateAdmission, ActiveCapStopsAdmission) {
  start_gate();
  open_room("e1", {{"batch_size", 5},
                   {"batch_interval_ms", 20},
                   {"active_cap", 2},
                   {"session_ms", 3'600'000},
                   {"paused", true}});
  std::vector<std::string> waiting;
  waiting.reserve(5);
  for (int i = 0; i < 5; ++i) waiting.push_back(join_token("e1", "fan" + std::to_string(i)));
  ASSERT_EQ(call("POST", "/admin/events/e1/resume").status, 200);
  ASSERT_TRUE(poll_until([&] { return figures("e1").value("admitted_watermark", 0) == 2; }));

  // Ten more ticks: the cap holds.
  const int64_t since = figures("e1").value("last_tick_ms", int64_t{0});
  ASSERT_TRUE(poll_until([&] {
    const nlohmann::json f = figures("e1");
    EXPECT_EQ(f.value("admitted_watermark", -1), 2);
    EXPECT_EQ(f.value("active", -1), 2);
    return f.value("last_tick_ms", int64_t{0}) >= since + int64_t{10} * 20;
  }));
  EXPECT_EQ(json_of(status("e1", waiting[1])).value("phase", ""), "admitted");
  const nlohmann::json third = json_of(status("e1", waiting[2]));
  EXPECT_EQ(third.value("phase", ""), "waiting");
  EXPECT_EQ(third.value("people_ahead", -1), 0);

  // Operators raise the cap live.
  put_room("e1", {{"active_cap", 4}});
  ASSERT_TRUE(poll_until([&] { return figures("e1").value("admitted_watermark", 0) == 4; }));
  EXPECT_FALSE(await_admission("e1", waiting[3]).empty());
  EXPECT_EQ(json_of(status("e1", waiting[4])).value("phase", ""), "waiting");
}

// Rooms whose batches scale with the booking command lag (bx:lag, written here as the booking
// workers would).
class GateAdmissionLag : public GateTest {
 protected:
  // A paused FIFO room of batches of 10 scaled by a lag_target of 100, one tick a minute (so
  // the test sees exactly one), with 12 fans waiting.
  void open_lag_scaled_room(const std::string& event) {
    open_room(
        event,
        {{"batch_size", 10}, {"batch_interval_ms", 60'000}, {"lag_target", 100}, {"paused", true}});
    for (int i = 0; i < 12; ++i) ASSERT_FALSE(join_token(event, "fan" + std::to_string(i)).empty());
  }
  // Partition 0's report: "<lag> <unix_ms>".
  void report_lag(std::string_view value) {
    auto client = redis::SyncClient::connect(redis_->host(), redis_->port());
    ASSERT_TRUE(client) << client.error();
    auto r = client->command({"HSET", "bx:lag", "0", value});
    ASSERT_TRUE(r && r->is_integer()) << "HSET bx:lag";
  }
  // The value of the /metrics line "name value"; nullopt when absent.
  std::optional<int64_t> metric(std::string_view name) {
    const Response r = call("GET", "/metrics");
    const std::string line = "\n" + std::string(name) + " ";
    const size_t at = r.body.find(line);
    if (at == std::string::npos) return std::nullopt;
    return std::stoll(r.body.substr(at + line.size()));
  }
};

TEST_F(GateAdmissionLag, AFreshCommandLagShrinksTheBatch) {
  start_gate();
  open_lag_scaled_room("e1");
  report_lag("50 " + std::to_string(wall_ms()));
  ASSERT_TRUE(poll_until([&] { return metric("gate_command_lag") == 50; }));

  ASSERT_EQ(call("POST", "/admin/events/e1/resume").status, 200);
  ASSERT_TRUE(figure_reaches("e1", "admitted_watermark", 5));  // 10 * (100 - 50) / 100
  const std::vector<Tick> ticks = recorded_ticks(*redis_, "e1");
  ASSERT_EQ(ticks.size(), 1U);
  EXPECT_EQ(ticks[0].batch, 5);
}

TEST_F(GateAdmissionLag, AStaleCommandLagIsIgnored) {
  start_gate();
  report_lag("50 " + std::to_string(wall_ms() - 10'000));
  open_lag_scaled_room("e1");
  // The report predates the room, so a refresh that counted no fresh report came after it.
  ASSERT_TRUE(poll_until([&] { return metric("gate_command_lag_unknown_total").value_or(0) > 0; }));
  EXPECT_EQ(metric("gate_command_lag"), std::nullopt);

  ASSERT_EQ(call("POST", "/admin/events/e1/resume").status, 200);
  ASSERT_TRUE(figure_reaches("e1", "admitted_watermark", 10));
  const std::vector<Tick> ticks = recorded_ticks(*redis_, "e1");
  ASSERT_EQ(ticks.size(), 1U);
  EXPECT_EQ(ticks[0].batch, 10);
}

// The SSE body's events: (name, data JSON).
std::vector<std::pair<std::string, nlohmann::json>> sse_events(const std::string& body) {
  std::vector<std::pair<std::string, nlohmann::json>> events;
  size_t at = 0;
  while (true) {
    const size_t end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string frame = body.substr(at, end - at);
    at = end + 2;
    std::string name;
    std::string data;
    size_t line_start = 0;
    while (line_start <= frame.size()) {
      size_t line_end = frame.find('\n', line_start);
      if (line_end == std::string::npos) line_end = frame.size();
      const std::string line = frame.substr(line_start, line_end - line_start);
      if (line.starts_with("event: ")) name = line.substr(7);
      if (line.starts_with("data: ")) data = line.substr(6);
      line_start = line_end + 1;
    }
    events.emplace_back(name, nlohmann::json::parse(data, nullptr, false));
  }
  return events;
}

TEST_F(GateAdmission, StreamSendsPositionsThenTheAdmission) {
  start_gate();
  open_room("e1", {{"batch_interval_ms", 20}, {"paused", true}});
  ASSERT_FALSE(join_token("e1", "ahead").empty());
  const std::string token = join_token("e1", "fan");

  const Response no_token = call("GET", "/queue/e1/stream");
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(error_code(no_token), "waiting_token_required") << no_token.body;

  const int32_t id =
      client_->submit("GET", "/queue/e1/stream", {Header{"authorization", "Bearer " + token}});
  ASSERT_TRUE(client_->run_until(
      [&] {
        const Response* r = client_->response(id);
        return r != nullptr && r->body.find("\n\n") != std::string::npos;
      },
      kDeadline));
  const Response* open = client_->response(id);
  EXPECT_EQ(open->status, 200);
  EXPECT_EQ(open->header("content-type"), "text/event-stream");
  EXPECT_FALSE(open->complete);
  auto events = sse_events(open->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].first, "position");
  EXPECT_EQ(events[0].second.value("position", 0), 2);
  EXPECT_EQ(events[0].second.value("phase", ""), "paused");

  ASSERT_EQ(call("POST", "/admin/events/e1/resume").status, 200);
  auto done = client_->wait(id, kDeadline);
  ASSERT_TRUE(done) << done.error();
  EXPECT_TRUE(done->complete);
  EXPECT_FALSE(done->reset);
  events = sse_events(done->body);
  ASSERT_GE(events.size(), 2U) << done->body;
  for (size_t i = 0; i + 1 < events.size(); ++i) EXPECT_EQ(events[i].first, "position");
  EXPECT_EQ(events.back().first, "admitted");
  const std::string admission = events.back().second.value("admission_token", "");
  tokens::VerifyOptions options;
  options.expected_event = "e1";
  options.expected_kind = tokens::kKindAdmission;
  auto claims = tokens::verify(admission, keys_, wall_ms() / 1000, options);
  ASSERT_TRUE(claims) << tokens::to_string(claims.error()) << " in " << done->body;
  EXPECT_EQ(claims->sub, "fan");
  EXPECT_EQ(claims->position, 2U);

  // An admitted fan's stream answers at once.
  auto again =
      client_->request("GET", "/queue/e1/stream", {Header{"authorization", "Bearer " + token}});
  ASSERT_TRUE(again) << again.error();
  EXPECT_TRUE(again->complete);
  events = sse_events(again->body);
  ASSERT_EQ(events.size(), 1U) << again->body;
  EXPECT_EQ(events[0].first, "admitted");
}

// A fan who joined the pre-queue follows the stream (the fan page does, with the bx_wait cookie
// from the join, whose token has no place yet). At the on-sale the draw places them and the
// batches admit them: the stream must learn the place and end with the admission.
TEST_F(GateAdmission, StreamOfAPreQueueJoinerLearnsItsPlaceAtOnSale) {
  start_gate();
  put_room("e1", {{"queue_opens_at_ms", 0},
                  {"on_sale_at_ms", wall_ms() + 3'600'000},
                  {"batch_interval_ms", 20}});
  const std::string token = join_token("e1", "fan");
  const int32_t id =
      client_->submit("GET", "/queue/e1/stream", {Header{"cookie", "bx_wait_e1=" + token}});
  ASSERT_TRUE(client_->run_until(
      [&] {
        const Response* r = client_->response(id);
        return r != nullptr && r->body.find("\n\n") != std::string::npos;
      },
      kDeadline));
  EXPECT_EQ(sse_events(client_->response(id)->body).at(0).second.value("phase", ""), "pre_queue");

  put_room("e1", {{"on_sale_at_ms", wall_ms()}});
  // The status endpoint learns the place (and the batch admits it) at once.
  EXPECT_FALSE(await_admission("e1", token).empty());
  auto done = client_->wait(id, std::chrono::milliseconds(3'000));
  ASSERT_TRUE(done) << done.error() << "; the stream so far:\n"
                    << (client_->response(id) != nullptr ? client_->response(id)->body : "");
  const auto events = sse_events(done->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().first, "admitted") << done->body;
}

TEST_F(GateAdmission, DrainEndsOpenStreams) {
  start_gate([](GateConfig& c) { c.threads = 2; });
  open_room("e1", {{"paused", true}});
  const std::string token = join_token("e1", "fan");
  const int32_t id =
      client_->submit("GET", "/queue/e1/stream", {Header{"authorization", "Bearer " + token}});
  ASSERT_TRUE(client_->run_until(
      [&] {
        const Response* r = client_->response(id);
        return r != nullptr && r->body.find("event: position") != std::string::npos;
      },
      kDeadline));

  gate_->drain();
  ASSERT_TRUE(client_->run_until(
      [&] {
        const Response* r = client_->response(id);
        return client_->closed() || (r != nullptr && (r->complete || r->reset));
      },
      kDeadline));
  EXPECT_TRUE(client_->goaway_received());

  std::atomic<bool> ended{false};
  std::thread waiter([&] {
    gate_->wait();
    ended.store(true);
  });
  const bool ok = poll_until([&] { return ended.load(); });
  if (!ok) {
    // Do not hang the suite: leave the gate (and the waiting thread) behind.
    waiter.detach();
    static_cast<void>(gate_.release());
    FAIL() << "Gate::wait() did not return after drain()";
  }
  waiter.join();
}

}  // namespace
}  // namespace boxoffice::gateway::testing
