// lua-rules/gate/reveal.lua: the operator's reveal, never before the seal.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/gate_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using GateRevealTest = GateTest;

TEST_F(GateRevealTest, OnlyOnceSealed) {
  EXPECT_TRUE(gate("reveal", {"20000"}).starts_with("(error) ERR not_configured"));
  configure();
  EXPECT_TRUE(gate("reveal", {"20000"}).starts_with("(error) ERR lottery_not_open"));
  open_lottery();
  ASSERT_TRUE(join("alice", 2'000, 1).starts_with(R"(["pre_queue")"));
  const std::string before = dump_all();
  EXPECT_TRUE(gate("reveal", {"9999"}).starts_with("(error) ERR not_revealable"));
  EXPECT_EQ(dump_all(), before);
  EXPECT_EQ(gate("reveal", {"10000"}), "\"" + std::string(kSeedHex) + "\"");
  EXPECT_EQ(state("sealed"), "1") << "revealing at on-sale seals first";
  EXPECT_EQ(state("pre_count"), "1");
  EXPECT_EQ(get({"HGET", keys_[1], "revealed"}), "1");
  EXPECT_EQ(gate("reveal", {"5000"}), "\"" + std::string(kSeedHex) + "\"")
      << "once sealed, any clock may ask again";
}

TEST_F(GateRevealTest, BadInputIsAnErrorAndChangesNothing) {
  configure();
  open_lottery();
  const std::string before = dump_all();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"soon"},
        std::vector<std::string>{"20000", "x"}}) {
    const std::string r = gate("reveal", args);
    EXPECT_TRUE(r.starts_with("(error) ERR bad_argument")) << r;
  }
  EXPECT_EQ(dump_all(), before);
}

}  // namespace
}  // namespace boxoffice::lua::testing
