// GET /queue/{event}/status end to end: the waiting token (header or cookie), the JSON and HTML
// answers, the pre-queue and the lottery draw at on-sale, and every token the gate must refuse.
#include <map>
#include <sstream>

#include "gateway/core/lottery.h"
#include "gateway/io/tests/gate_fixture.h"
#include "shared/tokens/verify.h"

namespace boxoffice::gateway::testing {
namespace {

using GateStatus = GateTest;

TEST_F(GateStatus, NeedsAWaitingToken) {
  start_gate();
  open_room("e1");
  const Response r = call("GET", "/queue/e1/status");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "waiting_token_required") << r.body;
  const Response unknown = call("GET", "/queue/nope/status");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_code(unknown), "unknown_event") << unknown.body;
}

// One fan admitted fills the active cap, so the next ones wait with an honest place.
class GateStatusWaiting : public GateTest {
 protected:
  void SetUp() override {
    GateTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(start_gate());
    open_room("e1", {{"active_cap", 1}, {"batch_interval_ms", 20}, {"session_ms", 3'600'000}});
    first_ = join_token("e1", "first");
    ASSERT_FALSE(await_admission("e1", first_).empty());
    second_ = join_token("e1", "second");
    third_ = join_token("e1", "third");
  }
  std::string first_, second_, third_;
};

TEST_F(GateStatusWaiting, JsonFields) {
  const Response r = status("e1", third_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("cache-control"), "no-store");
  const nlohmann::json body = json_of(r);
  EXPECT_EQ(body.value("event", ""), "e1");
  EXPECT_EQ(body.value("phase", ""), "waiting");
  EXPECT_EQ(body.value("position", 0), 3);
  EXPECT_EQ(body.value("people_ahead", -1), 1);
  ASSERT_TRUE(body.contains("estimated_wait_s")) << r.body;
  const int64_t low = body["estimated_wait_s"].value("low", int64_t{-2});
  const int64_t high = body["estimated_wait_s"].value("high", int64_t{-2});
  EXPECT_GE(low, 0);
  EXPECT_LE(low, high);
  EXPECT_GT(high, 0);  // behind a full active cap: at least one session
  EXPECT_EQ(body.value("wave", 0), 1);
  EXPECT_FALSE(body.contains("admission_token"));
  EXPECT_FALSE(body.contains("token"));  // no new waiting token on a plain poll
  EXPECT_TRUE(header_values(r, "set-cookie").empty());

  const nlohmann::json admitted = json_of(status("e1", first_));
  EXPECT_EQ(admitted.value("phase", ""), "admitted");
  EXPECT_EQ(admitted.value("position", 0), 1);
}

TEST_F(GateStatusWaiting, HtmlForBrowsers) {
  const Response r = status("e1", second_, {Header{"accept", "text/html,application/xhtml+xml"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.header("content-type").starts_with("text/html")) << r.header("content-type");
  EXPECT_NE(r.body.find("<html"), std::string::npos);
  EXPECT_NE(r.body.find("<strong>2</strong>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("waiting"), std::string::npos);
}

TEST_F(GateStatusWaiting, TokenFromTheCookie) {
  const Response r =
      call("GET", "/queue/e1/status", {Header{"cookie", "theme=dark; bx_wait_e1=" + second_}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).value("position", 0), 2);
  // Another event's cookie is not this event's token.
  const Response other =
      call("GET", "/queue/e1/status", {Header{"cookie", "bx_wait_e2=" + second_}});
  EXPECT_EQ(other.status, 401);
  EXPECT_EQ(error_code(other), "waiting_token_required") << other.body;
}

TEST_F(GateStatusWaiting, RejectedTokens) {
  for (const Forged& f : forged_tokens("e1", tokens::kKindWaiting, second_)) {
    const Response r = status("e1", f.token);
    EXPECT_EQ(r.status, 403) << f.name << ": " << r.body;
    EXPECT_EQ(error_code(r), "invalid_token") << f.name;
    EXPECT_EQ(error_reason(r), f.reason) << f.name << ": " << r.body;
    // The same by cookie.
    const Response c = call("GET", "/queue/e1/status", {Header{"cookie", "bx_wait_e1=" + f.token}});
    EXPECT_EQ(error_reason(c), f.reason) << f.name << " (cookie): " << c.body;
  }
  // The admission token the gate itself issued is not a waiting token: waiting tokens have keys
  // of their own.
  const std::string admission = await_admission("e1", first_);
  const Response r = status("e1", admission);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_reason(r), "unknown_kid") << r.body;
  // And a waiting token of e1 is not one of e2's.
  open_room("e2");
  const Response e2 = status("e2", second_);
  EXPECT_EQ(e2.status, 403);
  EXPECT_EQ(error_reason(e2), "wrong_event") << e2.body;
}

// Pre-queue joiners have no place until the on-sale; then the draw places them, and anyone can
// recompute it from the revealed seed and the identities.
TEST_F(GateStatus, PreQueueThenLotteryAtOnSale) {
  start_gate();
  const int64_t now = wall_ms();
  put_room("e1", {{"queue_opens_at_ms", 0}, {"on_sale_at_ms", now + 3'600'000}, {"paused", true}});
  const std::vector<std::string> users = {"ann", "ben", "cat", "dan", "eve", "fay", "gus"};
  std::map<std::string, std::string> pre_tokens;
  for (const std::string& u : users) {
    pre_tokens[u] = join_token("e1", u);
    const Response r = status("e1", pre_tokens[u]);
    ASSERT_EQ(r.status, 200) << r.body;
    const nlohmann::json body = json_of(r);
    EXPECT_EQ(body.value("phase", ""), "pre_queue") << u;
    EXPECT_EQ(body.value("position", -1), 0) << u;
    EXPECT_EQ(body.value("lottery_commitment", "").size(), 64U) << r.body;
  }
  const std::string commitment = json_of(call("GET", "/queue/e1/lottery")).value("commitment", "");

  // The on-sale, now: the room seals at its next read and the seed becomes public.
  put_room("e1", {{"on_sale_at_ms", wall_ms()}});
  const nlohmann::json lottery = json_of(call("GET", "/queue/e1/lottery"));
  ASSERT_TRUE(lottery.value("revealed", false)) << lottery.dump();
  EXPECT_EQ(lottery.value("pre_queue_size", 0), 7);
  const auto seed = from_hex(lottery.value("seed", ""));
  ASSERT_TRUE(seed.has_value()) << lottery.dump();
  EXPECT_EQ(seed_commitment(*seed), commitment);
  const std::vector<std::string> order = lottery_order(*seed, users);

  for (size_t i = 0; i < order.size(); ++i) {
    const std::string& u = order[i];
    const Response r = status("e1", pre_tokens[u]);
    ASSERT_EQ(r.status, 200) << r.body;
    const nlohmann::json body = json_of(r);
    EXPECT_EQ(body.value("position", size_t{0}), i + 1) << u;
    EXPECT_EQ(body.value("phase", ""), "paused") << u;
    // A new waiting token carries the place, as does its cookie.
    const std::string renewed = body.value("token", "");
    ASSERT_FALSE(renewed.empty()) << r.body;
    tokens::VerifyOptions options;
    options.expected_event = "e1";
    options.expected_kind = tokens::kKindWaiting;
    auto claims = tokens::verify(renewed, waiting_keys_, wall_ms() / 1000, options);
    ASSERT_TRUE(claims) << tokens::to_string(claims.error());
    EXPECT_EQ(claims->sub, u);
    EXPECT_EQ(claims->position, i + 1);
    const std::vector<std::string> cookies = header_values(r, "set-cookie");
    ASSERT_EQ(cookies.size(), 1U);
    EXPECT_TRUE(cookies[0].starts_with("bx_wait_e1=" + renewed + ";"));
    // The renewed token answers the same place.
    EXPECT_EQ(json_of(status("e1", renewed)).value("position", size_t{0}), i + 1);
  }

  // The operators' list is the draw's input; in Redis's order it is the draw itself.
  const Response pre = call("GET", "/admin/events/e1/pre-queue");
  std::vector<std::string> listed;
  std::istringstream lines(pre.body);
  for (std::string line; std::getline(lines, line);) listed.push_back(line);
  EXPECT_EQ(listed, order);
  EXPECT_EQ(lottery_order(*seed, listed), order);

  // A latecomer queues FIFO behind the pre-queue.
  const Response late = join("e1", "late");
  EXPECT_EQ(json_of(late).value("position", 0), 8) << late.body;
  // Joining again after the draw gives the drawn place, not a new one.
  EXPECT_EQ(json_of(join("e1", order[3])).value("position", 0), 4);
}

}  // namespace
}  // namespace boxoffice::gateway::testing
