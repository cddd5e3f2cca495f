// Helpers for tests of lua-rules/booking/apply.lua: decisions as its argument fields.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lua-rules/lua_rules.h"
#include "shared/redis/tests/redis_fixture.h"

namespace boxoffice::lua::testing {

// One decision as apply.lua's 15 fields (see the top of the script).
struct D {
  std::string seq;
  std::string type;
  std::string user;
  std::string rid;
  std::string seats;
  std::string expires_at = "0";
  std::string amount = "0";
  std::string position = "0";
  std::string payment_id;
  std::string provider;
  std::string code;
  std::string request;
  std::string at = "1000";
  std::string event = "evt";
  std::string json;  // empty: json_of() makes one
};

// The decision JSON apply.lua stores as given. The projector builds the real one
// (booking/service/decision_json.h); the script only checks its seq and type, so a test's
// decision carries the fields every type has unless it sets its own.
inline std::string json_of(const D& d) {
  if (!d.json.empty()) return d.json;
  return R"({"seq":)" + d.seq + R"(,"type":")" + d.type + R"(","at":)" + d.at + R"(,"event":")" +
         d.event + R"("})";
}

inline D decision(int seq, std::string type) {
  D d;
  d.seq = std::to_string(seq);
  d.type = std::move(type);
  return d;
}
inline D hold(int seq, std::string type, std::string user, std::string rid, std::string seats) {
  D d = decision(seq, std::move(type));
  d.user = std::move(user);
  d.rid = std::move(rid);
  d.seats = std::move(seats);
  d.expires_at = "61000";
  d.amount = "2500";
  return d;
}
inline D on_seats(int seq, std::string type, std::string user, std::string seats) {
  D d = decision(seq, std::move(type));
  d.user = std::move(user);
  d.seats = std::move(seats);
  return d;
}

class ApplyTest : public redis::testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    runner_ = std::make_unique<ScriptRunner>(*client_);
  }

  static std::vector<std::string> fields(const std::vector<D>& ds, std::string partition,
                                         std::string required) {
    std::vector<std::string> out = {std::move(partition), std::move(required)};
    for (const D& d : ds) {
      out.insert(out.end(),
                 {d.seq, d.type, d.at, d.event, d.user, d.rid, d.seats, d.expires_at, d.amount,
                  d.position, d.payment_id, d.provider, d.code, d.request, json_of(d)});
    }
    return out;
  }
  redis::Reply call(const std::string& name, const std::vector<std::string>& keys,
                    const std::vector<std::string>& args) {
    const std::vector<std::string_view> k(keys.begin(), keys.end());
    const std::vector<std::string_view> a(args.begin(), args.end());
    auto reply = runner_->call(name, k, a);
    EXPECT_TRUE(reply) << reply.error();
    return reply ? std::move(reply).value() : redis::Reply();
  }
  // apply.lua's answer as describe() prints it: "(integer) 2", "(error) ...".
  std::string apply(const std::vector<D>& ds, std::string partition = "0",
                    std::string required = "0") {
    return call("booking/apply.lua", {}, fields(ds, std::move(partition), std::move(required)))
        .describe();
  }

  std::unique_ptr<ScriptRunner> runner_;
};

}  // namespace boxoffice::lua::testing
