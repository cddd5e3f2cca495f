// lua-rules/gate/tick.lua: batches, the active cap, pause, waves, lag and concurrent gates.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

class GateTickTest : public GateTest {
 protected:
  // n identities in the pre-queue (keys = their number), sealed at 10000.
  void fill(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(join("fan" + std::to_string(i), 2'000, i).starts_with(R"(["pre_queue")"));
    }
  }
  std::string tick_lag(int64_t now_ms, int64_t lag) {
    return gate("tick", {std::to_string(now_ms), std::to_string(lag)});
  }
};

std::string reply(int64_t batch, int64_t watermark, int64_t active) {
  return "[(integer) " + std::to_string(batch) + ", (integer) " + std::to_string(watermark) +
         ", (integer) " + std::to_string(active) + "]";
}

TEST_F(GateTickTest, AdvancesOneBatchPerIntervalFromOnSale) {
  EXPECT_TRUE(tick(10'000).starts_with("(error) ERR not_configured"));
  configure({"batch_size", "100", "batch_interval_ms", "1000"});
  fill(250);
  EXPECT_EQ(tick(9'999), reply(0, 0, 0)) << "not on sale yet";
  EXPECT_EQ(state("sealed"), "");
  EXPECT_EQ(tick(10'000), reply(100, 100, 100));
  EXPECT_EQ(state("sealed"), "1");
  EXPECT_EQ(tick(10'999), reply(0, 100, 100)) << "not due";
  EXPECT_EQ(tick(11'000), reply(100, 200, 200));
  EXPECT_EQ(tick(12'500), reply(50, 250, 250)) << "no more than are waiting";
  EXPECT_EQ(tick(13'500), reply(0, 250, 250));
  EXPECT_EQ(join("late", 13'600), R"(["queued", (integer) 251, (integer) 250])");
  EXPECT_EQ(tick(14'000), reply(0, 250, 250)) << "due at 14500";
  EXPECT_EQ(tick(14'500), reply(1, 251, 251));
  EXPECT_EQ(state("admitted_total"), "251");
  EXPECT_EQ(state("last_tick_ms"), "14500");
}

TEST_F(GateTickTest, ActiveCapHoldsBackUntilSessionsEnd) {
  configure({"batch_size", "100", "active_cap", "150", "session_ms", "5000"});
  fill(400);
  EXPECT_EQ(tick(10'000), reply(100, 100, 100));
  EXPECT_EQ(tick(11'000), reply(50, 150, 150));
  EXPECT_EQ(tick(12'000), reply(0, 150, 150));
  EXPECT_EQ(tick(14'000), reply(0, 150, 150));
  EXPECT_EQ(tick(15'000), reply(100, 250, 150)) << "the 10000 batch's sessions ended";
  EXPECT_EQ(tick(16'000), reply(50, 300, 150));
  EXPECT_EQ(room(16'000)["active"], "150");
  EXPECT_EQ(room(20'999)["active"], "50");
  EXPECT_EQ(room(21'000)["active"], "0") << "the 16000 batch's sessions end at 21000";
}

TEST_F(GateTickTest, PausedTicksChangeNothing) {
  configure({"batch_size", "10"});
  fill(30);
  EXPECT_EQ(tick(10'000), reply(10, 10, 10));
  configure({"paused", "1"});
  const std::string before = dump_all();
  for (int64_t t = 11'000; t < 20'000; t += 250) EXPECT_EQ(tick(t), reply(0, 10, 10));
  EXPECT_EQ(dump_all(), before);
  configure({"paused", "0"});
  EXPECT_EQ(tick(20'000), reply(10, 20, 20));
}

TEST_F(GateTickTest, ClosedAndPassthroughRoomsDoNotAdvance) {
  configure({"batch_size", "10"});
  fill(30);
  configure({"mode", "closed"});
  EXPECT_EQ(tick(10'000), reply(0, 0, 0));
  configure({"mode", "passthrough"});
  EXPECT_EQ(tick(11'000), reply(0, 0, 0));
  configure({"mode", "lottery"});
  EXPECT_EQ(tick(12'000), reply(10, 10, 10));
}

TEST_F(GateTickTest, WavesGateTheWatermark) {
  configure({"batch_size", "100", "waves", "10000:30,20000:50,30000:*"});
  fill(200);
  EXPECT_EQ(tick(10'000), reply(30, 30, 30));
  EXPECT_EQ(tick(11'000), reply(0, 30, 30));
  EXPECT_EQ(tick(19'000), reply(0, 30, 30));
  EXPECT_EQ(tick(20'000), reply(50, 80, 80));
  EXPECT_EQ(tick(29'000), reply(0, 80, 80));
  EXPECT_EQ(tick(30'000), reply(100, 180, 180));
  EXPECT_EQ(tick(31'000), reply(20, 200, 200));
}

TEST_F(GateTickTest, BoundedLastWaveStopsAdmission) {
  configure({"batch_size", "100", "waves", "10000:40"});
  fill(100);
  EXPECT_EQ(tick(10'000), reply(40, 40, 40));
  EXPECT_EQ(tick(50'000), reply(0, 40, 40));
}

TEST_F(GateTickTest, LagShrinksTheBatch) {
  configure({"batch_size", "100", "lag_target", "200"});
  fill(1'000);
  EXPECT_EQ(tick_lag(10'000, 0), reply(100, 100, 100));
  EXPECT_EQ(tick_lag(11'000, 50), reply(75, 175, 175));
  EXPECT_EQ(tick_lag(12'000, 100), reply(50, 225, 225));
  EXPECT_EQ(tick_lag(13'000, 199), reply(0, 225, 225)) << "rounded down";
  EXPECT_EQ(tick_lag(14'000, 200), reply(0, 225, 225));
  EXPECT_EQ(tick_lag(15'000, 5'000), reply(0, 225, 225));
  configure({"lag_target", "0"});
  EXPECT_EQ(tick_lag(16'000, 5'000), reply(100, 325, 325)) << "lag_target 0: lag ignored";
}

TEST_F(GateTickTest, BadInputIsAnErrorAndChangesNothing) {
  configure();
  fill(3);
  const std::string before = dump_all();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"x"}, std::vector<std::string>{"-5"},
        std::vector<std::string>{"20000", "-1"}, std::vector<std::string>{"20000", "1", "2"},
        std::vector<std::string>{"20000", "a"}}) {
    const std::string r = gate("tick", args);
    EXPECT_TRUE(r.starts_with("(error) ERR bad_argument")) << r;
  }
  EXPECT_EQ(dump_all(), before);
}

TEST_F(GateTickTest, ConcurrentGatesAdvanceExactlyOncePerInterval) {
  configure({"batch_size", "10", "batch_interval_ms", "1000"});
  fill(500);
  constexpr int kGates = 4;
  std::vector<std::vector<int64_t>> batches(kGates);
  std::vector<std::thread> gates;
  gates.reserve(kGates);
  for (int g = 0; g < kGates; ++g) {
    gates.emplace_back([this, g, &batches] {
      auto client = connect();
      ASSERT_NE(client, nullptr);
      ScriptRunner runner(*client);
      // Every gate polls every 100 ms over ten seconds of on-sale.
      for (int64_t now = 10'000; now < 20'000; now += 100) {
        const redis::Reply r = call(runner, "tick", {std::to_string(now)});
        ASSERT_TRUE(r.is_array()) << r.describe();
        if (r[0].integer() > 0) batches[g].push_back(r[0].integer());
      }
    });
  }
  for (auto& t : gates) t.join();
  std::vector<int64_t> all;
  for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
  EXPECT_EQ(all.size(), 10u) << "one advance per interval, whichever gate ran it";
  for (const int64_t b : all) EXPECT_EQ(b, 10);
  EXPECT_EQ(state("watermark"), "100");
  EXPECT_EQ(integer({"ZCARD", keys_[5]}), 10);
}

// Random tick times, lags and settings against a reference model of the batch formula.
TEST_F(GateTickTest, MatchesTheReferenceModel) {
  constexpr int64_t kSession = 4'000;
  configure({"batch_size", "40", "active_cap", "100", "session_ms", std::to_string(kSession),
             "lag_target", "100", "batch_interval_ms", "500"});
  fill(600);
  std::mt19937 rng(7);
  int64_t now = 10'000;
  std::optional<int64_t> last;
  int64_t watermark = 0;
  std::vector<std::pair<int64_t, int64_t>> ticks;  // time, batch
  int64_t batch_size = 40;
  for (int step = 0; step < 300; ++step) {
    now += static_cast<int64_t>(rng() % 700);
    if (step % 50 == 49) {
      batch_size = 1 + static_cast<int64_t>(rng() % 80);
      configure({"batch_size", std::to_string(batch_size)});
    }
    const auto lag = static_cast<int64_t>(rng() % 150);
    int64_t active = 0;
    for (const auto& [t, b] : ticks) active += t > now - kSession ? b : 0;
    int64_t expected = 0;
    if (!last || now - *last >= 500) {
      expected = batch_size * std::max<int64_t>(0, 100 - lag) / 100;
      expected = std::max<int64_t>(0, std::min({expected, 100 - active, 600 - watermark}));
      last = now;
      if (expected > 0) ticks.emplace_back(now, expected);
      watermark += expected;
      active += expected;
    }
    ASSERT_EQ(tick_lag(now, lag), reply(expected, watermark, active)) << "step " << step;
    ASSERT_LE(active, 100);
    ASSERT_LE(expected, batch_size);
  }
  EXPECT_GT(watermark, 300);
}

}  // namespace
}  // namespace boxoffice::lua::testing
