// POST /queue/{event}/join end to end: identity, unknown rooms, the queue's opening and
// closing, idempotence across tabs and threads, the waiting token and its cookie, the per-IP
// rate limit and proof of work.
#include <set>

#include "gateway/core/proof_of_work.h"
#include "gateway/io/tests/gate_fixture.h"
#include "shared/tokens/verify.h"

namespace boxoffice::gateway::testing {
namespace {

using GateJoin = GateTest;

TEST_F(GateJoin, NeedsAnIdentity) {
  start_gate();
  open_room("e1");
  const Response r = join("e1", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "identity_required") << r.body;
}

TEST_F(GateJoin, RefusesABadIdentity) {
  start_gate();
  open_room("e1");
  for (const std::string& bad :
       std::vector<std::string>{"a/b", "semi;colon", "quote\"d", std::string(65, 'x')}) {
    const Response r = join("e1", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(error_code(r), "bad_identity") << bad << ": " << r.body;
  }
  EXPECT_EQ(joined_in_redis("e1"), 0);
}

TEST_F(GateJoin, UnknownEvent) {
  start_gate();
  open_room("e1");
  const Response r = join("nope", "fan");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "unknown_event") << r.body;
}

TEST_F(GateJoin, BeforeTheQueueOpens) {
  start_gate();
  const int64_t now = wall_ms();
  put_room("e1", {{"queue_opens_at_ms", now + 3'600'000}, {"on_sale_at_ms", now + 7'200'000}});
  const Response r = join("e1", "early");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "queue_not_open") << r.body;
  EXPECT_EQ(joined_in_redis("e1"), 0);
}

TEST_F(GateJoin, ClosedRoom) {
  start_gate();
  open_room("e1", {{"mode", "closed"}});
  const Response r = join("e1", "fan");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "queue_closed") << r.body;
}

TEST_F(GateJoin, AnswersAWaitingTokenAndItsCookie) {
  start_gate();
  open_room("e1", {{"paused", true}});
  const Response r = join("e1", "fan-1");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json body = json_of(r);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.value("phase", ""), "paused");
  EXPECT_EQ(body.value("position", 0), 1);
  const std::string token = body.value("token", "");
  ASSERT_FALSE(token.empty()) << r.body;

  tokens::VerifyOptions options;
  options.expected_event = "e1";
  options.expected_kind = tokens::kKindWaiting;
  auto claims = tokens::verify(token, waiting_keys_, wall_ms() / 1000, options);
  ASSERT_TRUE(claims) << tokens::to_string(claims.error());
  EXPECT_EQ(claims->sub, "fan-1");
  EXPECT_EQ(claims->position, 1U);
  EXPECT_GT(claims->joined_at_ms, 0);

  const std::vector<std::string> cookies = header_values(r, "set-cookie");
  ASSERT_EQ(cookies.size(), 1U);
  EXPECT_TRUE(cookies[0].starts_with("bx_wait_e1=" + token + ";")) << cookies[0];
  EXPECT_NE(cookies[0].find("HttpOnly"), std::string::npos) << cookies[0];
  EXPECT_EQ(r.header("cache-control"), "no-store");
}

TEST_F(GateJoin, IdentityFromTheQueryOrTheBody) {
  start_gate();
  open_room("e1", {{"paused", true}});
  const Response q = call("POST", "/queue/e1/join?user_id=by-query");
  ASSERT_EQ(q.status, 200) << q.body;
  const Response b = call("POST", "/queue/e1/join", {Header{"content-type", "application/json"}},
                          R"({"user_id":"by-body"})");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(json_of(q).value("position", 0), 1);
  EXPECT_EQ(json_of(b).value("position", 0), 2);
  EXPECT_EQ(joined_in_redis("e1"), 2);
}

// Invariant 5: one place per identity, whatever the number of tabs (connections, and with two
// threads, possibly different gate threads with their own room caches).
TEST_F(GateJoin, SameIdentityFromManyTabsKeepsOnePlace) {
  start_gate([](GateConfig& c) { c.threads = 2; });
  open_room("e1", {{"paused", true}});
  ASSERT_EQ(join("e1", "someone-else").status, 200);

  std::vector<std::unique_ptr<H2Client>> tabs;
  std::vector<int32_t> streams;
  for (int i = 0; i < 5; ++i) {
    tabs.push_back(connect());
    ASSERT_NE(tabs.back(), nullptr);
    // The other thread learns the room at its next refresh: until then it does not know it.
    ASSERT_TRUE(
        poll_until([&] { return call(*tabs.back(), "GET", "/queue/e1/lottery").status == 200; }));
  }
  // All five at once, each on its own connection.
  for (auto& tab : tabs) {
    streams.push_back(tab->submit("POST", "/queue/e1/join", {Header{"x-boxoffice-user", "fan"}}));
    tab->flush();
  }
  std::set<int64_t> positions;
  for (size_t i = 0; i < tabs.size(); ++i) {
    auto r = tabs[i]->wait(streams[i], kDeadline);
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->status, 200) << r->body;
    positions.insert(json_of(*r).value("position", int64_t{0}));
  }
  EXPECT_EQ(positions, std::set<int64_t>{2});
  // And later retries too.
  for (auto& tab : tabs) EXPECT_EQ(json_of(join(*tab, "e1", "fan")).value("position", 0), 2);
  EXPECT_EQ(joined_in_redis("e1"), 2);
  figure_reaches("e1", "fifo", 2);
}

TEST_F(GateJoin, SameIdentityInThePreQueueKeepsOneEntry) {
  start_gate();
  const int64_t now = wall_ms();
  put_room("e1", {{"queue_opens_at_ms", 0}, {"on_sale_at_ms", now + 3'600'000}});
  for (int i = 0; i < 5; ++i) {
    auto tab = connect();
    ASSERT_NE(tab, nullptr);
    const Response r = join(*tab, "e1", "fan");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).value("phase", ""), "pre_queue") << r.body;
    EXPECT_EQ(json_of(r).value("position", -1), 0) << r.body;
  }
  EXPECT_EQ(joined_in_redis("e1"), 1);
  figure_reaches("e1", "pre_queue", 1);
}

TEST_F(GateJoin, RateLimitedPerAddress) {
  start_gate([](GateConfig& c) {
    c.join_rate_per_ip_per_s = 0.01;
    c.join_burst_per_ip = 3;
  });
  open_room("e1", {{"paused", true}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(join("e1", "fan" + std::to_string(i)).status, 200) << i;
  }
  const Response r = join("e1", "fan-over");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code(r), "rate_limited") << r.body;
  EXPECT_EQ(joined_in_redis("e1"), 3);
}

TEST_F(GateJoin, ProofOfWork) {
  start_gate();
  open_room("e1", {{"pow_difficulty", 8}, {"paused", true}});

  const Response none = join("e1", "miner");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(error_code(none), "bad_proof_of_work") << none.body;

  // The challenge, by header or by query.
  const Response by_header =
      call("GET", "/queue/e1/challenge", {Header{"x-boxoffice-user", "miner"}});
  ASSERT_EQ(by_header.status, 200) << by_header.body;
  const nlohmann::json ch = json_of(by_header);
  EXPECT_EQ(ch.value("difficulty_bits", 0), 8);
  const std::string challenge = ch.value("challenge", "");
  ASSERT_EQ(challenge.size(), 64U) << by_header.body;
  const Response by_query = call("GET", "/queue/e1/challenge?user_id=miner");
  ASSERT_EQ(by_query.status, 200) << by_query.body;
  EXPECT_EQ(json_of(by_query).value("challenge", "").size(), 64U);

  // A nonce that does not solve it.
  std::string wrong;
  for (int i = 0; wrong.empty(); ++i) {
    if (!pow_solves(challenge, "w" + std::to_string(i), 8)) wrong = "w" + std::to_string(i);
  }
  const Response bad = join("e1", "miner", {Header{"x-pow-nonce", wrong}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "bad_proof_of_work") << bad.body;

  const auto nonce = pow_solve(challenge, 8);
  ASSERT_TRUE(nonce.has_value());
  const Response ok = join("e1", "miner", {Header{"x-pow-nonce", *nonce}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  // Someone else's solution is not ours, unless it happens to solve one of the two challenges
  // (this minute's and the last) that the gate accepts from them: about one time in 128.
  const ProofOfWork pow(GateConfig{}.pow_secret);
  const int64_t before = wall_ms();
  const Response stolen = join("e1", "thief", {Header{"x-pow-nonce", *nonce}});
  const int64_t after = wall_ms();
  if (!pow.verify("e1", "thief", before, *nonce, 8) &&
      !pow.verify("e1", "thief", after, *nonce, 8)) {
    EXPECT_EQ(stolen.status, 400) << stolen.body;
  }

  const Response bad_identity = call("GET", "/queue/e1/challenge?user_id=a%2Fb");
  EXPECT_EQ(bad_identity.status, 400);
  EXPECT_EQ(error_code(bad_identity), "bad_identity") << bad_identity.body;
}

}  // namespace
}  // namespace boxoffice::gateway::testing
