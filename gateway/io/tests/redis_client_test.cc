// RedisClient against a real redis-server: plain commands, scripts, NOSCRIPT recovery,
// reconnects, timeouts and destruction with calls in flight.
#include "gateway/io/redis_client.h"

#include <event2/event.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/io/tests/run_loop.h"
#include "lua-rules/lua_rules.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::gateway::io {
namespace {

using namespace std::string_literals;

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis::RedisProcess::Options o;
    o.append_only = false;
    auto started = redis::RedisProcess::start(o);
    ASSERT_TRUE(started) << started.error();
    server_.emplace(std::move(*started));
    base_ = event_base_new();
    // Wakes the loop now and then, so run_until() checks its deadline even when idle.
    tick_ = event_new(
        base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
    const timeval tv{0, 5'000};
    event_add(tick_, &tv);
  }

  void TearDown() override {
    client_.reset();
    event_free(tick_);
    event_base_free(base_);
  }

  // Runs the loop until done() or the deadline; returns done().
  bool run_until(const std::function<bool()>& done, int64_t timeout_ms = kLoopWaitMs) {
    return run_loop_until(base_, done, timeout_ms);
  }

  RedisClient& connect(RedisClientOptions options = {}) {
    client_ = std::make_unique<RedisClient>(base_, server_->host(), server_->port(), options);
    EXPECT_TRUE(run_until([&] { return client_->connected(); }));
    return *client_;
  }

  // One call, run to its answer.
  RedisResult call(std::vector<std::string> argv) {
    std::optional<RedisResult> got;
    client_->command(std::move(argv), [&](RedisResult r) { got.emplace(std::move(r)); });
    EXPECT_TRUE(run_until([&] { return got.has_value(); }));
    return got ? std::move(*got) : RedisResult(unexpected(RedisError::kTimeout));
  }

  RedisResult script(std::string_view name, std::vector<std::string> keys,
                     std::vector<std::string> args) {
    std::optional<RedisResult> got;
    client_->call_script(name, std::move(keys), std::move(args),
                         [&](RedisResult r) { got.emplace(std::move(r)); });
    EXPECT_TRUE(run_until([&] { return got.has_value(); }));
    return got ? std::move(*got) : RedisResult(unexpected(RedisError::kTimeout));
  }

  // booking/save_snapshot.lua (any script would do) of bytes staged at the offset.
  RedisResult save_snapshot(const std::string& partition, const std::string& offset,
                            const std::string& bytes) {
    const std::string meta = "bx:snap:" + partition;
    const std::string staged = meta + ":staged:" + offset;
    EXPECT_EQ(show(call({"SET", staged, bytes})), "OK");
    return script("booking/save_snapshot.lua", {meta, meta + ":bytes", staged}, {offset, "1"});
  }

  static std::string show(const RedisResult& r) {
    return r ? r->describe() : "failed: " + std::string(to_string(r.error()));
  }

  std::optional<redis::RedisProcess> server_;
  event_base* base_ = nullptr;
  event* tick_ = nullptr;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, PlainCommandsAreBinarySafeAndCopiedIntoOwnedValues) {
  RedisClient& client = connect();
  EXPECT_EQ(show(call({"SET", "k\0ey"s, "v\0al\r\n"s})), "OK");
  const RedisResult got = call({"GET", "k\0ey"s});
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->is_string());
  EXPECT_EQ(got->str, "v\0al\r\n"s);
  EXPECT_EQ(show(call({"INCRBY", "n", "41"})), "(integer) 41");
  EXPECT_TRUE(call({"GET", "missing"})->is_nil());
  EXPECT_EQ(show(call({"RPUSH", "l", "a", "b"})), "(integer) 2");
  const RedisResult list = call({"LRANGE", "l", "0", "-1"});
  ASSERT_TRUE(list && list->is_array());
  ASSERT_EQ(list->elements.size(), 2U);
  EXPECT_EQ(list->elements[1].str, "b");
  const RedisResult bad = call({"NOSUCHCOMMAND"});
  ASSERT_TRUE(bad) << "an error answer is a value, not a failed call";
  EXPECT_TRUE(bad->is_error());
  EXPECT_EQ(client.stats().calls, 7U);
  EXPECT_EQ(client.stats().error_replies, 1U);
  EXPECT_EQ(client.stats().errors, 0U);
}

TEST_F(RedisClientTest, CallsMadeWhileConnectingAreSentOnceConnected) {
  client_ = std::make_unique<RedisClient>(base_, server_->host(), server_->port());
  EXPECT_FALSE(client_->connected());
  EXPECT_EQ(show(call({"PING"})), "PONG");
  EXPECT_TRUE(client_->connected());
}

TEST_F(RedisClientTest, RunsALuaRulesScriptByEvalsha) {
  connect();
  ASSERT_FALSE(lua::script("booking/save_snapshot.lua").empty());
  EXPECT_EQ(show(save_snapshot("1", "10", "snap\0shot"s)), "(integer) 1");
  EXPECT_EQ(show(save_snapshot("1", "9", "older")), "(integer) 0");
  EXPECT_EQ(call({"GET", "bx:snap:1:bytes"})->str, "snap\0shot"s);
  const RedisResult refused = script("booking/save_snapshot.lua", {"a", "b", "c"}, {"x", "1"});
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->is_error()) << "what the script answers comes back as the value";
}

TEST_F(RedisClientTest, UnknownScriptFailsFromTheLoopNotInsideTheCall) {
  RedisClient& client = connect();
  std::optional<RedisResult> got;
  client.call_script("no/such.lua", {}, {}, [&](RedisResult r) { got.emplace(std::move(r)); });
  EXPECT_FALSE(got.has_value());
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  ASSERT_FALSE(*got);
  EXPECT_EQ(got->error(), RedisError::kUnknownScript);
}

TEST_F(RedisClientTest, ReloadsAScriptTheServerForgot) {
  RedisClient& client = connect();
  EXPECT_EQ(show(save_snapshot("2", "1", "a")), "(integer) 1");
  const uint64_t loads_before = client.stats().script_loads;
  EXPECT_EQ(show(call({"SCRIPT", "FLUSH"})), "OK");
  EXPECT_EQ(show(save_snapshot("2", "2", "b")), "(integer) 1");
  EXPECT_EQ(client.stats().script_loads, loads_before + 1);
  EXPECT_EQ(show(save_snapshot("2", "3", "c")), "(integer) 1");
  EXPECT_EQ(client.stats().script_loads, loads_before + 1) << "loaded once";
}

TEST_F(RedisClientTest, ReconnectsAfterTheServerRestarts) {
  RedisClientOptions o;
  o.reconnect_min_ms = 10;
  o.reconnect_max_ms = 100;
  RedisClient& client = connect(o);
  EXPECT_EQ(show(call({"SET", "before", "1"})), "OK");

  server_->kill();
  ASSERT_TRUE(run_until([&] { return !client.connected(); }));
  // No connection: calls fail fast, from the loop.
  std::optional<RedisResult> down;
  client.command({"PING"}, [&](RedisResult r) { down.emplace(std::move(r)); });
  EXPECT_FALSE(down.has_value());
  ASSERT_TRUE(run_until([&] { return down.has_value(); }, 1'000));
  ASSERT_FALSE(*down);
  EXPECT_TRUE(down->error() == RedisError::kNotConnected ||
              down->error() == RedisError::kDisconnected);
  ASSERT_TRUE(run_until([&] { return client.stats().reconnects >= 2; })) << "keeps trying";

  auto restarted = server_->restart();
  ASSERT_TRUE(restarted) << restarted.error();
  ASSERT_TRUE(run_until([&] { return client.connected(); }));
  EXPECT_EQ(show(call({"PING"})), "PONG");
  // The restarted server has no scripts: NOSCRIPT recovery covers it.
  EXPECT_EQ(show(save_snapshot("3", "1", "a")), "(integer) 1");
}

TEST_F(RedisClientTest, CallsInFlightWhenTheConnectionDropsFail) {
  RedisClient& client = connect();
  std::optional<RedisResult> blocked;
  client.command({"BLPOP", "never", "0"}, [&](RedisResult r) { blocked.emplace(std::move(r)); });
  const auto sent = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  run_until([&] { return std::chrono::steady_clock::now() >= sent; });
  server_->kill();
  ASSERT_TRUE(run_until([&] { return blocked.has_value(); }));
  ASSERT_FALSE(*blocked);
  EXPECT_EQ(blocked->error(), RedisError::kDisconnected);
  EXPECT_FALSE(client.connected());
}

TEST_F(RedisClientTest, ACallWithoutAnAnswerTimesOutAndItsLateAnswerIsDropped) {
  RedisClientOptions o;
  o.call_timeout_ms = 200;
  RedisClient& client = connect(o);
  int answers = 0;
  std::optional<RedisResult> got;
  const auto start = std::chrono::steady_clock::now();
  // BLPOP on an empty list blocks this connection until something is pushed.
  client.command({"BLPOP", "q", "0"}, [&](RedisResult r) {
    ++answers;
    got.emplace(std::move(r));
  });
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(*got);
  EXPECT_EQ(got->error(), RedisError::kTimeout);
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::milliseconds(5'000));
  EXPECT_EQ(client.stats().timeouts, 1U);

  // Unblock it from another connection: the late answer arrives and is dropped.
  auto other = redis::SyncClient::connect(server_->host(), server_->port());
  ASSERT_TRUE(other) << other.error();
  ASSERT_TRUE(other->command({"RPUSH", "q", "x"}));
  EXPECT_EQ(show(call({"PING"})), "PONG") << "the connection stays usable";
  EXPECT_EQ(answers, 1);
  EXPECT_TRUE(client.connected());
}

TEST_F(RedisClientTest, DestructionWithCallsInFlightDropsTheirCallbacks) {
  connect();
  int called = 0;
  for (int i = 0; i < 3; ++i) {
    client_->command({"BLPOP", "never", "0"}, [&](const RedisResult&) { ++called; });
  }
  client_->command({"PING"}, [&](const RedisResult&) { ++called; });
  client_.reset();
  // Nothing is left on the loop that refers to the client.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  run_until([&] { return std::chrono::steady_clock::now() >= until; });
  EXPECT_EQ(called, 0);
}

TEST_F(RedisClientTest, MayBeDestroyedFromInsideItsOwnCallback) {
  connect();
  int called = 0;
  client_->command({"PING"}, [&](const RedisResult&) {
    ++called;
    client_.reset();
  });
  client_->command({"PING"}, [&](const RedisResult&) { ++called; });
  client_->command({"BLPOP", "never", "0"}, [&](const RedisResult&) { ++called; });
  ASSERT_TRUE(run_until([&] { return client_ == nullptr; }));
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  run_until([&] { return std::chrono::steady_clock::now() >= until; });
  EXPECT_EQ(called, 1);
}

TEST_F(RedisClientTest, KeepsRetryingAServerThatIsNotThere) {
  const uint16_t port = server_->port();
  server_->kill();
  RedisClientOptions o;
  o.reconnect_min_ms = 5;
  o.reconnect_max_ms = 20;
  client_ = std::make_unique<RedisClient>(base_, "127.0.0.1", port, o);
  ASSERT_TRUE(run_until([&] { return client_->stats().reconnects >= 3; }));
  EXPECT_FALSE(client_->connected());
  const RedisResult r = call({"PING"});
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == RedisError::kNotConnected || r.error() == RedisError::kDisconnected);
  EXPECT_GE(client_->stats().errors, 1U);
}

}  // namespace
}  // namespace boxoffice::gateway::io
