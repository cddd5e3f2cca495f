// lua-rules/gate/open.lua: the first seed wins, so every gate agrees on one draw.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using GateOpenTest = GateTest;

TEST_F(GateOpenTest, FirstWriterWins) {
  open_lottery();
  EXPECT_EQ(run({"HMGET", keys_[1], "seed", "commitment", "revealed"}),
            "[\"" + std::string(kSeedHex) + "\", \"" + std::string(kCommitmentHex) + "\", \"0\"]");
  const std::string other_seed(64, 'f');
  const std::string other_commitment(64, 'e');
  EXPECT_EQ(gate("open", {other_seed, other_commitment}), "\"" + std::string(kCommitmentHex) + "\"")
      << "a second gate gets the stored commitment";
  EXPECT_EQ(get({"HGET", keys_[1], "seed"}), kSeedHex);
}

TEST_F(GateOpenTest, BadInputIsAnErrorAndChangesNothing) {
  const std::string c(kCommitmentHex);
  const std::vector<std::vector<std::string>> cases = {
      {},
      {std::string(kSeedHex)},
      {std::string(30, 'a'), c},
      {std::string(130, 'a'), c},
      {std::string(33, 'a'), c},
      {std::string(32, 'A'), c},
      {std::string(31, 'a') + "g", c},
      {std::string(kSeedHex), std::string(63, 'a')},
      {std::string(kSeedHex), std::string(64, 'x')},
      {std::string(kSeedHex), c, "extra"},
  };
  for (const auto& args : cases) {
    const std::string reply = gate("open", args);
    EXPECT_TRUE(reply.starts_with("(error) ERR bad_argument")) << reply;
  }
  EXPECT_EQ(run({"DBSIZE"}), "(integer) 0");
}

}  // namespace
}  // namespace boxoffice::lua::testing
