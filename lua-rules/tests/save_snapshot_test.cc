// lua-rules/booking/save_snapshot.lua: a snapshot is stored only over an older one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/apply_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using namespace std::string_literals;
using SaveSnapshotTest = ApplyTest;

TEST_F(SaveSnapshotTest, OnlyALaterOffsetReplacesTheStoredSnapshot) {
  auto save = [&](const std::string& offset, const std::string& seq, const std::string& bytes) {
    return call("booking/save_snapshot.lua", {"bx:snap:4"}, {offset, seq, bytes}).describe();
  };
  EXPECT_EQ(save("100", "40", "first\0snapshot"s), "(integer) 1");
  EXPECT_EQ(run({"HMGET", "bx:snap:4", "offset", "seq"}), R"(["100", "40"])");
  EXPECT_EQ(get({"HGET", "bx:snap:4", "bytes"}), "first\0snapshot"s);

  EXPECT_EQ(save("99", "39", "older"), "(integer) 0") << "a former owner lagging behind";
  EXPECT_EQ(save("100", "40", "same offset"), "(integer) 0");
  EXPECT_EQ(get({"HGET", "bx:snap:4", "bytes"}), "first\0snapshot"s);

  EXPECT_EQ(save("1000", "400", "newer"), "(integer) 1");
  EXPECT_EQ(run({"HMGET", "bx:snap:4", "offset", "seq", "bytes"}), R"(["1000", "400", "newer"])");
  EXPECT_EQ(save("999", "399", "stale"), "(integer) 0");
  EXPECT_EQ(integer({"EXISTS", "bx:snap:5"}), 0);
}

TEST_F(SaveSnapshotTest, ComparesOffsetsAsNumbers) {
  auto save = [&](const std::string& offset) {
    return call("booking/save_snapshot.lua", {"bx:snap:0"}, {offset, "1", "b"}).describe();
  };
  EXPECT_EQ(save("9"), "(integer) 1");
  EXPECT_EQ(save("10"), "(integer) 1") << R"(10 > 9, though "10" < "9")";
  EXPECT_EQ(save("9"), "(integer) 0");
}

TEST_F(SaveSnapshotTest, BadInputIsAnErrorAndChangesNothing) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"1", "2"},
        std::vector<std::string>{"x", "2", "b"}, std::vector<std::string>{"1", "-2", "b"},
        std::vector<std::string>{"01", "2", "b"}}) {
    const redis::Reply reply = call("booking/save_snapshot.lua", {"bx:snap:0"}, args);
    EXPECT_TRUE(reply.is_error()) << reply.describe();
  }
  EXPECT_TRUE(call("booking/save_snapshot.lua", {}, {"1", "2", "b"}).is_error());
  EXPECT_EQ(run({"DBSIZE"}), "(integer) 0");
}

}  // namespace
}  // namespace boxoffice::lua::testing
