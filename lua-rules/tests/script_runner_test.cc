// The embedded scripts and the runner that loads and calls them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lua-rules/lua_rules.h"
#include "shared/redis/tests/redis_fixture.h"

namespace boxoffice::lua {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(EmbeddedScriptsTest, EveryLuaFileIsEmbeddedByteForByte) {
  std::vector<std::string> on_disk;
  const fs::path root = BOXOFFICE_LUA_RULES_DIR;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".lua") {
      on_disk.push_back(fs::relative(entry.path(), root).generic_string());
    }
  }
  std::sort(on_disk.begin(), on_disk.end());
  const std::vector<std::string_view> names = script_names();
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.end()), on_disk);
  EXPECT_NE(std::find(names.begin(), names.end(), "booking/apply.lua"), names.end());
  for (const std::string& name : on_disk) {
    EXPECT_EQ(script(name), read_file(root / name)) << name;
  }
  EXPECT_EQ(script("booking/nope.lua"), "");
  EXPECT_EQ(script("booking/apply"), "");
}

class ScriptRunnerTest : public redis::testing::RedisTest {
 protected:
  // save_snapshot.lua of a snapshot staged at offset: any script would do.
  std::string call_snapshot(ScriptRunner& runner, const std::string& offset) {
    const std::string staged = "bx:snap:0:staged:" + offset;
    EXPECT_EQ(run({"SET", staged, "bytes"}), "OK");
    const std::vector<std::string_view> keys = {"bx:snap:0", "bx:snap:0:bytes", staged};
    const std::vector<std::string_view> args = {offset, "1"};
    auto reply = runner.call("booking/save_snapshot.lua", keys, args);
    return reply ? reply->describe() : "io error: " + reply.error();
  }
};

TEST_F(ScriptRunnerTest, LoadAllKeepsTheServersSha1s) {
  ScriptRunner runner(*client_);
  EXPECT_EQ(runner.sha1("booking/apply.lua"), "");
  ASSERT_TRUE(runner.load_all());
  for (std::string_view name : script_names()) {
    const std::string sha(runner.sha1(name));
    EXPECT_EQ(sha.size(), 40u) << name;
    EXPECT_EQ(run({"SCRIPT", "EXISTS", sha}), "[(integer) 1]") << name;
  }
}

TEST_F(ScriptRunnerTest, CallLoadsOnFirstUseAndAgainAfterTheServerForgot) {
  ScriptRunner runner(*client_);
  EXPECT_EQ(call_snapshot(runner, "1"), "(integer) 1");
  ASSERT_EQ(run({"SCRIPT", "FLUSH"}), "OK");  // what a restart does to the script cache
  EXPECT_EQ(call_snapshot(runner, "2"), "(integer) 1");
  EXPECT_EQ(get({"HGET", "bx:snap:0", "offset"}), "2");
}

TEST_F(ScriptRunnerTest, ScriptErrorsAreReplies) {
  ScriptRunner runner(*client_);
  const std::vector<std::string_view> none;
  auto reply = runner.call("booking/save_snapshot.lua", none, none);
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_TRUE(reply->is_error());
  EXPECT_NE(reply->str().find("save_snapshot.lua"), std::string_view::npos) << reply->describe();
}

TEST_F(ScriptRunnerTest, UnknownScriptsAreErrors) {
  ScriptRunner runner(*client_);
  const std::vector<std::string_view> none;
  auto reply = runner.call("booking/nope.lua", none, none);
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().find("unknown script booking/nope.lua"), std::string::npos);
  EXPECT_FALSE(runner.load("gate/nope.lua"));
}

TEST_F(ScriptRunnerTest, PipelinedCallsNeedALoadedScriptAndAnswerInOrder) {
  ScriptRunner runner(*client_);
  auto keys = [](std::string_view offset) {
    return std::vector<std::string>{"bx:snap:0", "bx:snap:0:bytes",
                                    "bx:snap:0:staged:" + std::string(offset)};
  };
  auto append = [&](std::string_view offset) {
    const std::vector<std::string> k = keys(offset);
    const std::vector<std::string_view> kv(k.begin(), k.end());
    const std::vector<std::string_view> a = {offset, "1"};
    return runner.append_call("booking/save_snapshot.lua", kv, a);
  };
  auto unloaded = append("5");
  ASSERT_FALSE(unloaded);
  EXPECT_NE(unloaded.error().find("not loaded"), std::string::npos);

  ASSERT_TRUE(runner.load_all());
  const std::vector<std::string> offsets = {"5", "4", "6"};
  for (const std::string& offset : offsets) ASSERT_EQ(run({"SET", keys(offset)[2], "b"}), "OK");
  for (const std::string& offset : offsets) ASSERT_TRUE(append(offset));
  std::vector<std::string> answers;
  for (size_t i = 0; i < offsets.size(); ++i) {
    auto reply = client_->get_reply();
    ASSERT_TRUE(reply) << reply.error();
    answers.push_back(reply->describe());
  }
  EXPECT_EQ(answers, (std::vector<std::string>{"(integer) 1", "(integer) 0", "(integer) 1"}));

  // After a flush the pipelined call answers NOSCRIPT: the caller reloads and sends it again.
  ASSERT_EQ(run({"SCRIPT", "FLUSH"}), "OK");
  ASSERT_EQ(run({"SET", keys("7")[2], "b"}), "OK");
  ASSERT_TRUE(append("7"));
  auto lost = client_->get_reply();
  ASSERT_TRUE(lost);
  EXPECT_TRUE(ScriptRunner::is_noscript(*lost)) << lost->describe();
  ASSERT_TRUE(runner.load("booking/save_snapshot.lua"));
  ASSERT_TRUE(append("7"));
  auto again = client_->get_reply();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->describe(), "(integer) 1");
}

TEST(ScriptRunnerRestartTest, AfterARestartTheScriptsAreLoadedAgain) {
  auto server = redis::RedisProcess::start({});
  ASSERT_TRUE(server) << server.error();
  auto client = redis::SyncClient::connect(server->host(), server->port());
  ASSERT_TRUE(client) << client.error();
  ScriptRunner runner(*client);
  ASSERT_TRUE(runner.load_all());
  ASSERT_TRUE(server->restart());
  ASSERT_TRUE(client->reconnect());
  ASSERT_TRUE(client->command({"SET", "bx:snap:0:staged:1", "b"}));
  const std::vector<std::string_view> keys = {"bx:snap:0", "bx:snap:0:bytes", "bx:snap:0:staged:1"};
  const std::vector<std::string_view> args = {"1", "1"};
  auto reply = runner.call("booking/save_snapshot.lua", keys, args);
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(reply->describe(), "(integer) 1");
}

}  // namespace
}  // namespace boxoffice::lua
