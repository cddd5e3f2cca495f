// Helpers for tests of lua-rules/gate/*.lua: one event's keys, script calls by name, and the
// common set-ups (a configured room, an opened lottery).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/room_keys.h"
#include "lua-rules/lua_rules.h"
#include "shared/redis/tests/redis_fixture.h"

namespace boxoffice::lua::testing {

inline constexpr std::string_view kEvent = "e1";
inline constexpr std::string_view kSeedHex = "000102030405060708090a0b0c0d0e0f";
// sha256 of kSeedHex's bytes.
inline constexpr std::string_view kCommitmentHex =
    "be45cb2605bf36bebde684841a28f0fd43c69850a3dce5fedba69928ee3a8991";

class GateTest : public redis::testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    runner_ = std::make_unique<ScriptRunner>(*client_);
    keys_ = gateway::room_redis_keys(kEvent);
  }

  redis::Reply call(ScriptRunner& runner, std::string_view script,
                    const std::vector<std::string>& args) {
    const std::vector<std::string_view> k(keys_.begin(), keys_.end());
    const std::vector<std::string_view> a(args.begin(), args.end());
    auto reply = runner.call("gate/" + std::string(script) + ".lua", k, a);
    EXPECT_TRUE(reply) << reply.error();
    return reply ? std::move(reply).value() : redis::Reply();
  }
  // The script's answer as describe() prints it: "(integer) 2", "(error) ...".
  std::string gate(std::string_view script, const std::vector<std::string>& args) {
    return call(*runner_, script, args).describe();
  }

  // A lottery room: queue opens at 1000, on sale at 10000; the settings given override.
  void configure(const std::vector<std::string>& fields = {}) {
    std::vector<std::string> args = {"queue_opens_at_ms", "1000", "on_sale_at_ms", "10000"};
    args.insert(args.end(), fields.begin(), fields.end());
    const redis::Reply reply = call(*runner_, "configure", args);
    ASSERT_TRUE(reply.is_integer()) << reply.describe();
  }
  void open_lottery() {
    ASSERT_EQ(gate("open", {std::string(kSeedHex), std::string(kCommitmentHex)}),
              "\"" + std::string(kCommitmentHex) + "\"");
  }
  std::string join(const std::string& identity, int64_t now_ms, uint64_t key = 0) {
    return gate("join", {identity, std::to_string(now_ms), std::to_string(key)});
  }
  std::string tick(int64_t now_ms) { return gate("tick", {std::to_string(now_ms)}); }
  std::string state(std::string_view field) { return get({"HGET", keys_[4], field}); }
  // room.lua's reply as a map.
  std::map<std::string, std::string> room(int64_t now_ms) {
    const redis::Reply reply = call(*runner_, "room", {std::to_string(now_ms)});
    std::map<std::string, std::string> out;
    EXPECT_TRUE(reply.is_array()) << reply.describe();
    for (size_t i = 0; i + 1 < reply.size(); i += 2) {
      out[std::string(reply[i].str())] = std::string(reply[i + 1].str());
    }
    return out;
  }

  std::unique_ptr<ScriptRunner> runner_;
  std::vector<std::string> keys_;  // cfg, lottery, pre, fifo, state, ticks
};

}  // namespace boxoffice::lua::testing
