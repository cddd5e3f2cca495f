// lua-rules/gate/room.lua: everything a gate caches, in one call; the seed only once sealed.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using GateRoomTest = GateTest;

TEST_F(GateRoomTest, ReportsSettingsStateAndLottery) {
  EXPECT_TRUE(gate("room", {"2000"}).starts_with("(error) ERR not_configured"));
  configure({"batch_size", "2", "waves", "10000:5,20000:*", "active_cap", "9"});
  std::map<std::string, std::string> r = room(2'000);
  EXPECT_EQ(r.size(), 22u);
  EXPECT_EQ(r["queue_opens_at_ms"], "1000");
  EXPECT_EQ(r["on_sale_at_ms"], "10000");
  EXPECT_EQ(r["batch_size"], "2");
  EXPECT_EQ(r["batch_interval_ms"], "1000");
  EXPECT_EQ(r["active_cap"], "9");
  EXPECT_EQ(r["session_ms"], "600000");
  EXPECT_EQ(r["paused"], "0");
  EXPECT_EQ(r["mode"], "lottery");
  EXPECT_EQ(r["waves"], "10000:5,20000:*");
  EXPECT_EQ(r["pow_difficulty"], "0");
  EXPECT_EQ(r["lag_target"], "0");
  EXPECT_EQ(r["version"], "1");
  EXPECT_EQ(r["sealed"], "0");
  EXPECT_EQ(r["pre_count"], "0");
  EXPECT_EQ(r["fifo_count"], "0");
  EXPECT_EQ(r["watermark"], "0");
  EXPECT_EQ(r["last_tick_ms"], "0");
  EXPECT_EQ(r["admitted_total"], "0");
  EXPECT_EQ(r["commitment"], "");
  EXPECT_EQ(r["revealed"], "0");
  EXPECT_EQ(r["seed"], "");
  EXPECT_EQ(r["active"], "0");

  open_lottery();
  ASSERT_TRUE(join("alice", 2'000, 1).starts_with(R"(["pre_queue")"));
  ASSERT_TRUE(join("bob", 2'000, 2).starts_with(R"(["pre_queue")"));
  r = room(9'999);
  EXPECT_EQ(r["pre_count"], "2") << "the live size before the seal";
  EXPECT_EQ(r["commitment"], kCommitmentHex);
  EXPECT_EQ(r["seed"], "") << "secret until on-sale";
  EXPECT_EQ(r["revealed"], "0");
  EXPECT_EQ(get({"HGET", keys_[1], "revealed"}), "0");

  r = room(10'000);
  EXPECT_EQ(r["sealed"], "1");
  EXPECT_EQ(r["revealed"], "1");
  EXPECT_EQ(r["seed"], kSeedHex) << "revealed at on-sale";
  EXPECT_EQ(get({"HGET", keys_[1], "revealed"}), "1");

  ASSERT_TRUE(join("carol", 10'001).starts_with(R"(["queued", (integer) 3)"));
  EXPECT_EQ(tick(10'001), "[(integer) 2, (integer) 2, (integer) 2]");
  r = room(10'002);
  EXPECT_EQ(r["fifo_count"], "1");
  EXPECT_EQ(r["watermark"], "2");
  EXPECT_EQ(r["admitted_total"], "2");
  EXPECT_EQ(r["last_tick_ms"], "10001");
  EXPECT_EQ(r["active"], "2");
  EXPECT_EQ(room(610'001)["active"], "0") << "sessions over";
}

TEST_F(GateRoomTest, BadInputIsAnErrorAndChangesNothing) {
  configure();
  const std::string before = dump_all();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"x"},
        std::vector<std::string>{"20000", "1"}}) {
    const std::string r = gate("room", args);
    EXPECT_TRUE(r.starts_with("(error) ERR bad_argument")) << r;
  }
  EXPECT_EQ(dump_all(), before);
}

}  // namespace
}  // namespace boxoffice::lua::testing
