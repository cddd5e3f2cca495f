// lua-rules/gate/position.lua: an identity's place, without joining.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using GatePositionTest = GateTest;

TEST_F(GatePositionTest, ReportsThePlaceWithoutJoining) {
  EXPECT_TRUE(gate("position", {"alice", "2000"}).starts_with("(error) ERR not_configured"));
  configure();
  EXPECT_EQ(gate("position", {"alice", "2000"}), R"(["none", (integer) 0, (integer) 0])");
  EXPECT_EQ(join("alice", 2'000, 9), R"(["pre_queue", (integer) 0, (integer) 1])");
  EXPECT_EQ(join("bob", 2'000, 3), R"(["pre_queue", (integer) 0, (integer) 2])");
  EXPECT_EQ(gate("position", {"alice", "2000"}), R"(["pre_queue", (integer) 0, (integer) 2])");
  EXPECT_EQ(gate("position", {"carol", "2000"}), R"(["none", (integer) 0, (integer) 0])");
  EXPECT_EQ(integer({"ZCARD", keys_[2]}), 2) << "no join";
  // At on-sale it seals, like every script that takes the time.
  EXPECT_EQ(gate("position", {"alice", "10000"}), R"(["queued", (integer) 2, (integer) 0])");
  EXPECT_EQ(state("sealed"), "1");
  EXPECT_EQ(gate("position", {"bob", "10000"}), R"(["queued", (integer) 1, (integer) 0])");
  EXPECT_EQ(join("carol", 10'001), R"(["queued", (integer) 3, (integer) 0])");
  EXPECT_EQ(tick(10'001), "[(integer) 3, (integer) 3, (integer) 3]");
  EXPECT_EQ(gate("position", {"carol", "10002"}), R"(["queued", (integer) 3, (integer) 3])");
  EXPECT_EQ(gate("position", {"dave", "10002"}), R"(["none", (integer) 0, (integer) 3])");
  configure({"mode", "passthrough"});
  EXPECT_EQ(gate("position", {"dave", "10002"}), R"(["admitted", (integer) 0, (integer) 0])");
}

TEST_F(GatePositionTest, BadInputIsAnErrorAndChangesNothing) {
  configure();
  const std::string before = dump_all();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"alice"},
        std::vector<std::string>{"", "1"}, std::vector<std::string>{"alice", "x"},
        std::vector<std::string>{"alice", "20000", "3"}}) {
    const std::string reply = gate("position", args);
    EXPECT_TRUE(reply.starts_with("(error) ERR bad_argument")) << reply;
  }
  EXPECT_EQ(dump_all(), before);
}

}  // namespace
}  // namespace boxoffice::lua::testing
