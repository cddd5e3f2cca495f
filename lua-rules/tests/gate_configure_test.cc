// lua-rules/gate/configure.lua: validated partial updates, defaults, a version per change.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using GateConfigureTest = GateTest;

TEST_F(GateConfigureTest, FirstCallFillsDefaultsAndEveryCallBumpsTheVersion) {
  EXPECT_EQ(gate("configure", {}), "(integer) 1");
  EXPECT_EQ(run({"HMGET", keys_[0], "mode", "batch_size", "batch_interval_ms", "active_cap",
                 "session_ms", "paused", "waves", "pow_difficulty", "lag_target",
                 "queue_opens_at_ms", "on_sale_at_ms"}),
            R"(["lottery", "100", "1000", "0", "600000", "0", "", "0", "0", "0", "0"])");
  EXPECT_EQ(gate("configure", {"batch_size", "250", "mode", "fifo"}), "(integer) 2");
  EXPECT_EQ(run({"HMGET", keys_[0], "batch_size", "mode", "session_ms"}),
            R"(["250", "fifo", "600000"])")
      << "a partial update keeps the other fields";
  EXPECT_EQ(gate("configure", {"waves", "10000:500,20000:*", "paused", "1", "lag_target", "50",
                               "pow_difficulty", "12", "active_cap", "1000"}),
            "(integer) 3");
  EXPECT_EQ(run({"HMGET", keys_[0], "waves", "paused", "version"}),
            R"(["10000:500,20000:*", "1", "3"])");
}

TEST_F(GateConfigureTest, BadInputIsAnErrorAndChangesNothing) {
  configure();
  const std::string before = dump_all();
  const std::vector<std::vector<std::string>> cases = {
      {"batch_size"},
      {"batch_size", "0"},
      {"batch_size", "-1"},
      {"batch_size", "1.5"},
      {"batch_size", "01"},
      {"batch_interval_ms", "0"},
      {"session_ms", "0"},
      {"on_sale_at_ms", "1234567890123456"},
      {"mode", "random"},
      {"paused", "2"},
      {"pow_difficulty", "41"},
      {"waves", "1000"},
      {"waves", "1000:0"},
      {"waves", "1000:*,2000:5"},
      {"waves", "2000:5,1000:5"},
      {"waves", "1000:5,"},
      {"version", "7"},
      {"nope", "1"},
      {"queue_opens_at_ms", "20000"},      // after on_sale_at_ms
      {"batch_size", "5", "mode", "bad"},  // one bad field spoils the whole update
  };
  for (const auto& args : cases) {
    const std::string reply = gate("configure", args);
    EXPECT_TRUE(reply.starts_with("(error) ERR bad_argument")) << reply;
  }
  EXPECT_EQ(dump_all(), before);
  const std::vector<std::string_view> few_keys = {keys_[0]};
  auto reply = runner_->call("gate/configure.lua", few_keys, {});
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->str().starts_with("ERR bad_argument")) << reply->describe();
}

TEST_F(GateConfigureTest, PreQueueOrderCannotSwitchOnceSomeoneJoined) {
  configure();
  ASSERT_EQ(join("alice", 2'000, 5), R"(["pre_queue", (integer) 0, (integer) 1])");
  EXPECT_TRUE(gate("configure", {"mode", "fifo"}).starts_with("(error) ERR bad_argument"));
  EXPECT_TRUE(gate("configure", {"mode", "closed"}).starts_with("(integer)"));
  EXPECT_TRUE(gate("configure", {"mode", "lottery"}).starts_with("(integer)"));
  EXPECT_TRUE(tick(10'000).starts_with("["));  // seals
  EXPECT_TRUE(gate("configure", {"mode", "fifo"}).starts_with("(integer)"))
      << "after the seal only FIFO places are handed out anyway";
}

}  // namespace
}  // namespace boxoffice::lua::testing
