// lua-rules/gate/join.lua: one place per identity, the pre-queue sealed at on-sale, FIFO after.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using GateJoinTest = GateTest;

TEST_F(GateJoinTest, RefusedUntilConfiguredOpenAndWhenClosed) {
  EXPECT_TRUE(join("alice", 2'000).starts_with("(error) ERR not_configured")) << join("a", 2'000);
  configure();
  EXPECT_TRUE(join("alice", 999).starts_with("(error) ERR queue_not_open"));
  configure({"mode", "closed"});
  EXPECT_TRUE(join("alice", 2'000).starts_with("(error) ERR queue_closed"));
  EXPECT_TRUE(join("alice", 20'000).starts_with("(error) ERR queue_closed"));
  EXPECT_EQ(integer({"EXISTS", keys_[2], keys_[3]}), 0);
  configure({"mode", "passthrough"});
  EXPECT_EQ(join("alice", 2'000), R"(["admitted", (integer) 0, (integer) 0])");
  EXPECT_EQ(integer({"EXISTS", keys_[2], keys_[3]}), 0) << "passthrough keeps no queue";
}

TEST_F(GateJoinTest, PreQueueJoinIsIdempotentFromManyTabs) {
  configure();
  EXPECT_EQ(join("alice", 1'000, 77), R"(["pre_queue", (integer) 0, (integer) 1])");
  EXPECT_EQ(join("bob", 1'500, 5), R"(["pre_queue", (integer) 0, (integer) 2])");
  // Eight tabs, each its own connection, join alice again and again.
  std::vector<std::thread> tabs;
  tabs.reserve(8);
  for (int t = 0; t < 8; ++t) {
    tabs.emplace_back([this] {
      auto client = connect();
      ASSERT_NE(client, nullptr);
      ScriptRunner runner(*client);
      for (int i = 0; i < 25; ++i) {
        const redis::Reply r = call(runner, "join", {"alice", std::to_string(2'000 + i), "77"});
        EXPECT_EQ(r.describe(), R"(["pre_queue", (integer) 0, (integer) 2])");
      }
    });
  }
  for (auto& t : tabs) t.join();
  EXPECT_EQ(integer({"ZCARD", keys_[2]}), 2);
  EXPECT_EQ(get({"ZSCORE", keys_[2], "alice"}), "77");
  EXPECT_EQ(join("alice", 3'000, 999), R"(["pre_queue", (integer) 0, (integer) 2])");
  EXPECT_EQ(get({"ZSCORE", keys_[2], "alice"}), "77") << "the first key stays";
}

TEST_F(GateJoinTest, SealingTurnsTheDrawIntoPositionsAndLateJoinersQueueFifo) {
  configure();
  EXPECT_EQ(join("carol", 2'000, 30), R"(["pre_queue", (integer) 0, (integer) 1])");
  EXPECT_EQ(join("alice", 2'000, 10), R"(["pre_queue", (integer) 0, (integer) 2])");
  EXPECT_EQ(join("bob", 9'999, 20), R"(["pre_queue", (integer) 0, (integer) 3])");
  EXPECT_EQ(join("abe", 9'999, 20), R"(["pre_queue", (integer) 0, (integer) 4])")
      << "ties fall back to identity bytes: abe before bob";
  EXPECT_EQ(state("sealed"), "");
  // The first call at on-sale seals: a late joiner gets a FIFO place behind the draw.
  EXPECT_EQ(join("dave", 10'000, 1), R"(["queued", (integer) 5, (integer) 0])");
  EXPECT_EQ(state("sealed"), "1");
  EXPECT_EQ(state("pre_count"), "4");
  // A gate whose clock lags behind still sees the seal: FIFO, not the pre-queue.
  EXPECT_EQ(join("erin", 9'000, 0), R"(["queued", (integer) 6, (integer) 0])");
  EXPECT_EQ(integer({"ZCARD", keys_[2]}), 4);
  EXPECT_EQ(join("alice", 11'000, 10), R"(["queued", (integer) 1, (integer) 0])");
  EXPECT_EQ(join("abe", 11'000, 20), R"(["queued", (integer) 2, (integer) 0])");
  EXPECT_EQ(join("bob", 11'000, 20), R"(["queued", (integer) 3, (integer) 0])");
  EXPECT_EQ(join("carol", 11'000, 30), R"(["queued", (integer) 4, (integer) 0])");
  EXPECT_EQ(join("dave", 12'000), R"(["queued", (integer) 5, (integer) 0])");
  EXPECT_EQ(join("erin", 12'000), R"(["queued", (integer) 6, (integer) 0])");
  EXPECT_EQ(join("fay", 12'000), R"(["queued", (integer) 7, (integer) 0])");
  EXPECT_EQ(state("fifo_count"), "3");
  // The watermark comes back with the place.
  EXPECT_EQ(tick(12'000), "[(integer) 7, (integer) 7, (integer) 7]");
  EXPECT_EQ(join("dave", 12'001), R"(["queued", (integer) 5, (integer) 7])");
}

TEST_F(GateJoinTest, FifoModeOrdersThePreQueueByJoinNumber) {
  configure({"mode", "fifo"});
  EXPECT_EQ(join("zed", 2'000, 1), R"(["pre_queue", (integer) 0, (integer) 1])");
  EXPECT_EQ(join("amy", 2'001, 0), R"(["pre_queue", (integer) 0, (integer) 2])");
  EXPECT_EQ(join("zed", 2'002, 0), R"(["pre_queue", (integer) 0, (integer) 2])");
  EXPECT_EQ(join("kim", 2'003, 0), R"(["pre_queue", (integer) 0, (integer) 3])");
  EXPECT_EQ(join("kim", 10'000), R"(["queued", (integer) 3, (integer) 0])");
  EXPECT_EQ(join("zed", 10'000), R"(["queued", (integer) 1, (integer) 0])");
  EXPECT_EQ(join("amy", 10'000), R"(["queued", (integer) 2, (integer) 0])");
}

TEST_F(GateJoinTest, BadInputIsAnErrorAndChangesNothing) {
  configure();
  const std::string before = dump_all();
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"alice", "2000"},
      {"alice", "2000", "1", "x"},
      {"", "2000", "1"},
      {std::string(257, 'a'), "2000", "1"},
      {"al ice", "2000", "1"},
      {"al\nice", "2000", "1"},
      {"alice", "-1", "1"},
      {"alice", "2e3", "1"},
      {"alice", "2000", "4503599627370496"},
      {"alice", "2000", "-3"},
      {"alice", "20000", "1.5"},  // would seal, but is checked first
  };
  for (const auto& args : cases) {
    const std::string reply = gate("join", args);
    EXPECT_TRUE(reply.starts_with("(error) ERR bad_argument")) << reply;
  }
  EXPECT_EQ(dump_all(), before);
  EXPECT_EQ(join("alice", 2'000, 4503599627370495), R"(["pre_queue", (integer) 0, (integer) 1])");
  EXPECT_EQ(get({"ZSCORE", keys_[2], "alice"}), "4503599627370495") << "2^52 - 1 is exact";
}

}  // namespace
}  // namespace boxoffice::lua::testing
