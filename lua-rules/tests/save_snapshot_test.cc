// lua-rules/booking/save_snapshot.lua: a staged snapshot is stored only over an older one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/apply_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using namespace std::string_literals;

class SaveSnapshotTest : public ApplyTest {
 protected:
  // Stages bytes as the worker does (a plain SET with an expiry), then calls the script.
  std::string save(const std::string& partition, const std::string& offset, const std::string& seq,
                   const std::string& bytes) {
    const std::string staged = staged_key(partition, offset);
    EXPECT_EQ(run({"SET", staged, bytes, "PX", "600000"}), "OK");
    return commit(partition, offset, seq);
  }
  std::string commit(const std::string& partition, const std::string& offset,
                     const std::string& seq) {
    const std::string meta = "bx:snap:" + partition;
    return call("booking/save_snapshot.lua", {meta, meta + ":bytes", staged_key(partition, offset)},
                {offset, seq})
        .describe();
  }
  static std::string staged_key(const std::string& partition, const std::string& offset) {
    return "bx:snap:" + partition + ":staged:" + offset;
  }
};

TEST_F(SaveSnapshotTest, OnlyALaterOffsetReplacesTheStoredSnapshot) {
  EXPECT_EQ(save("4", "100", "40", "first\0snapshot"s), "(integer) 1");
  EXPECT_EQ(run({"HMGET", "bx:snap:4", "offset", "seq"}), R"(["100", "40"])");
  EXPECT_EQ(get({"GET", "bx:snap:4:bytes"}), "first\0snapshot"s);
  EXPECT_EQ(integer({"PTTL", "bx:snap:4:bytes"}), -1) << "the stored snapshot does not expire";
  EXPECT_EQ(integer({"EXISTS", staged_key("4", "100")}), 0) << "moved, not copied";

  EXPECT_EQ(save("4", "99", "39", "older"), "(integer) 0") << "a former owner lagging behind";
  EXPECT_EQ(save("4", "100", "40", "same offset"), "(integer) 0");
  EXPECT_EQ(get({"GET", "bx:snap:4:bytes"}), "first\0snapshot"s);
  EXPECT_EQ(integer({"EXISTS", staged_key("4", "99"), staged_key("4", "100")}), 0)
      << "a refused snapshot's staged bytes are deleted";

  EXPECT_EQ(save("4", "1000", "400", "newer"), "(integer) 1");
  EXPECT_EQ(run({"HMGET", "bx:snap:4", "offset", "seq"}), R"(["1000", "400"])");
  EXPECT_EQ(get({"GET", "bx:snap:4:bytes"}), "newer");
  EXPECT_EQ(save("4", "999", "399", "stale"), "(integer) 0");
  EXPECT_EQ(run({"KEYS", "*"}).find("bx:snap:5"), std::string::npos);
  EXPECT_EQ(integer({"DBSIZE"}), 2);
}

TEST_F(SaveSnapshotTest, ComparesOffsetsAsNumbers) {
  EXPECT_EQ(save("0", "9", "1", "b"), "(integer) 1");
  EXPECT_EQ(save("0", "10", "1", "b"), "(integer) 1") << R"(10 > 9, though "10" < "9")";
  EXPECT_EQ(save("0", "9", "1", "b"), "(integer) 0");
}

TEST_F(SaveSnapshotTest, AMissingStagedSnapshotIsAnErrorAndChangesNothing) {
  EXPECT_EQ(save("0", "5", "2", "kept"), "(integer) 1");
  const std::string reply = commit("0", "6", "3");  // staged key expired, or never written
  EXPECT_NE(reply.find("bx:snap:0:staged:6 does not exist"), std::string::npos) << reply;
  EXPECT_EQ(run({"HMGET", "bx:snap:0", "offset", "seq"}), R"(["5", "2"])");
  EXPECT_EQ(get({"GET", "bx:snap:0:bytes"}), "kept");
}

TEST_F(SaveSnapshotTest, BadInputIsAnErrorAndChangesNothing) {
  const std::vector<std::string> keys = {"bx:snap:0", "bx:snap:0:bytes", "bx:snap:0:staged:1"};
  EXPECT_EQ(run({"SET", keys[2], "b"}), "OK");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"1"},
        std::vector<std::string>{"x", "2"}, std::vector<std::string>{"1", "-2"},
        std::vector<std::string>{"01", "2"}}) {
    const redis::Reply reply = call("booking/save_snapshot.lua", keys, args);
    EXPECT_TRUE(reply.is_error()) << reply.describe();
  }
  EXPECT_TRUE(call("booking/save_snapshot.lua", {keys[0], keys[1]}, {"1", "2"}).is_error());
  EXPECT_EQ(run({"KEYS", "*"}), R"(["bx:snap:0:staged:1"])");
}

}  // namespace
}  // namespace boxoffice::lua::testing
