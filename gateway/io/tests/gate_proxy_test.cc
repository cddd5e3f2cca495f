// The proxy to booking end to end, against a stand-in booking API: only admitted traffic for the
// event passes (invariant 6), with the verified identity instead of the client's claims; public
// routes, the seat-map micro-cache, unknown routes, the per-identity rate limit, booking down.
#include <set>

#include "gateway/io/tests/gate_fixture.h"

namespace boxoffice::gateway::testing {
namespace {

class GateProxy : public GateTest {
 protected:
  // A gate in front of booking_, one room on sale with quick ticks, and alice admitted.
  void start(const std::function<void(GateConfig&)>& tweak = {}) {
    ASSERT_TRUE(booking_.ok());
    ASSERT_NO_FATAL_FAILURE(start_gate([&](GateConfig& c) {
      c.upstream_port = booking_.port();
      c.seat_map_cache_ms = 5'000;
      if (tweak) tweak(c);
    }));
    open_room("e1", {{"batch_interval_ms", 20}});
    alice_waiting_ = join_token("e1", "alice");
    alice_ = await_admission("e1", alice_waiting_);
    ASSERT_FALSE(alice_.empty());
  }

  FakeBooking booking_;
  std::string alice_waiting_;
  std::string alice_;  // admission token
};

TEST_F(GateProxy, ForwardsWithTheVerifiedIdentityOnly) {
  ASSERT_NO_FATAL_FAILURE(start());
  const Response r =
      call("POST", "/api/events/e1/seats/A-1/reserve",
           {Header{"authorization", "Bearer " + alice_}, Header{"x-boxoffice-user", "mallory"},
            Header{"cookie", "bx_admit_e1=" + alice_ + "; session=s1"},
            Header{"x-forwarded-for", "6.6.6.6"}, Header{"content-type", "application/json"}},
           R"({"hold":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).value("uri", ""), "/events/e1/seats/A-1/reserve");
  const std::vector<FakeBooking::Seen> seen = booking_.seen();
  ASSERT_EQ(seen.size(), 1U);
  const FakeBooking::Seen& s = seen[0];
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.uri, "/events/e1/seats/A-1/reserve");
  EXPECT_EQ(s.header("x-boxoffice-user"), "alice");
  EXPECT_EQ(s.count("x-boxoffice-user"), 1U);
  EXPECT_EQ(s.header("authorization"), "Bearer " + alice_);
  EXPECT_EQ(s.count("authorization"), 1U);
  EXPECT_EQ(s.header("cookie"), "(none)");
  EXPECT_EQ(s.header("x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(s.header("content-type"), "application/json");
  EXPECT_EQ(s.body, R"({"hold":true})");
}

TEST_F(GateProxy, BrowsersAdmittedByCookie) {
  ASSERT_NO_FATAL_FAILURE(start());
  const Response r =
      call("GET", "/api/events/e1/seats/A-1",
           {Header{"cookie", "other=1; bx_admit_e1=" + alice_}, Header{"accept", "text/html"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<FakeBooking::Seen> seen = booking_.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].header("x-boxoffice-user"), "alice");
  EXPECT_EQ(seen[0].header("authorization"), "Bearer " + alice_);
  EXPECT_EQ(seen[0].header("cookie"), "(none)");
}

TEST_F(GateProxy, PublicEventSearchNeedsNoToken) {
  ASSERT_NO_FATAL_FAILURE(start());
  const Response r = call("GET", "/api/events?q=rock&city=Oslo",
                          {Header{"x-boxoffice-user", "mallory"}, Header{"cookie", "a=b"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<FakeBooking::Seen> seen = booking_.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].uri, "/events?q=rock&city=Oslo");
  EXPECT_EQ(seen[0].header("x-boxoffice-user"), "(none)");
  EXPECT_EQ(seen[0].header("authorization"), "(none)");
  EXPECT_EQ(seen[0].header("cookie"), "(none)");
}

TEST_F(GateProxy, SeatMapStampedeCostsOneRead) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::vector<Header> auth = {Header{"authorization", "Bearer " + alice_}};
  std::vector<int32_t> ids;
  ids.reserve(50);
  for (int i = 0; i < 50; ++i) ids.push_back(client_->submit("GET", "/api/events/e1/seats", auth));
  std::set<std::string> bodies;
  for (const int32_t id : ids) {
    auto r = client_->wait(id, kDeadline);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 200) << r->body;
    bodies.insert(r->body);
  }
  EXPECT_EQ(bodies.size(), 1U);
  EXPECT_EQ(booking_.hits("/events/e1/seats"), 1U);
  // And later reads within the period too.
  EXPECT_EQ(call("GET", "/api/events/e1/seats", auth).status, 200);
  EXPECT_EQ(booking_.hits("/events/e1/seats"), 1U);
  // Another query is another key.
  EXPECT_EQ(call("GET", "/api/events/e1/seats?section=B", auth).status, 200);
  EXPECT_EQ(booking_.hits("/events/e1/seats?section=B"), 1U);
}

TEST_F(GateProxy, SeatMapsAreCachedPerContentCoding) {
  ASSERT_NO_FATAL_FAILURE(start());
  const Header auth{"authorization", "Bearer " + alice_};
  // Browsers, apps that take gzip in other words, and clients that take it not at all.
  const std::vector<std::pair<std::string, bool>> asks = {{"gzip, deflate, br, zstd", true},
                                                          {"identity", false},
                                                          {"deflate;q=1, x-gzip;q=0.5", true},
                                                          {"", false},
                                                          {"gzip;q=0", false},
                                                          {"*", true}};
  std::vector<std::pair<int32_t, bool>> ids;
  for (int round = 0; round < 5; ++round) {
    for (const auto& [accept, gzip] : asks) {
      std::vector<Header> headers = {auth};
      if (!accept.empty()) headers.push_back(Header{"accept-encoding", accept});
      ids.emplace_back(client_->submit("GET", "/api/events/e1/seats", headers), gzip);
    }
  }
  std::set<std::string> gzip_bodies;
  std::set<std::string> plain_bodies;
  for (const auto& [id, gzip] : ids) {
    auto r = client_->wait(id, kDeadline);
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->status, 200) << r->body;
    // Each client got the read made for its coding, and only that.
    const auto answer = nlohmann::json::parse(r->body);
    EXPECT_EQ(answer.value("accept_encoding", ""), gzip ? "gzip" : "(none)") << r->body;
    (gzip ? gzip_bodies : plain_bodies).insert(r->body);
  }
  EXPECT_EQ(gzip_bodies.size(), 1U);
  EXPECT_EQ(plain_bodies.size(), 1U);
  EXPECT_EQ(booking_.hits("/events/e1/seats"), 2U);
}

TEST_F(GateProxy, WithoutATokenNothingPasses) {
  ASSERT_NO_FATAL_FAILURE(start());
  const Response app =
      call("POST", "/api/events/e1/seats/A-1/reserve", {Header{"x-boxoffice-user", "alice"}});
  EXPECT_EQ(app.status, 401);
  EXPECT_EQ(error_code(app), "admission_required") << app.body;

  const Response browser = call("GET", "/api/events/e1/seats", {Header{"accept", "text/html"}});
  EXPECT_EQ(browser.status, 303);
  EXPECT_EQ(browser.header("location"), "/queue/e1/status");

  // A waiting token is not an admission token: its key is not one of the admission keys.
  const Response waiting =
      call("GET", "/api/events/e1/seats", {Header{"authorization", "Bearer " + alice_waiting_}});
  EXPECT_EQ(waiting.status, 403);
  EXPECT_EQ(error_reason(waiting), "unknown_kid") << waiting.body;

  const Response webhook =
      call("POST", "/api/webhooks/payments", {Header{"authorization", "Bearer " + alice_}}, "{}");
  EXPECT_EQ(webhook.status, 404);
  EXPECT_EQ(error_code(webhook), "not_found") << webhook.body;

  // Another identity's bookings.
  const Response theirs =
      call("GET", "/api/users/bob/bookings", {Header{"authorization", "Bearer " + alice_}});
  EXPECT_EQ(theirs.status, 403);
  EXPECT_EQ(error_reason(theirs), "wrong_subject") << theirs.body;
  EXPECT_TRUE(booking_.seen().empty());
}

TEST_F(GateProxy, RejectedTokens) {
  ASSERT_NO_FATAL_FAILURE(start());
  for (const Forged& f : forged_tokens("e1", tokens::kKindAdmission, alice_)) {
    const Response r = call("POST", "/api/events/e1/seats/A-1/reserve",
                            {Header{"authorization", "Bearer " + f.token}});
    EXPECT_EQ(r.status, 403) << f.name << ": " << r.body;
    EXPECT_EQ(error_code(r), "invalid_token") << f.name;
    EXPECT_EQ(error_reason(r), f.reason) << f.name << ": " << r.body;
    // A browser with the same cookie is sent back to the waiting room.
    const Response b =
        call("GET", "/api/events/e1/seats",
             {Header{"cookie", "bx_admit_e1=" + f.token}, Header{"accept", "text/html"}});
    EXPECT_EQ(b.status, 303) << f.name;
  }
  // Alice's own token names e1: it opens nothing of e2.
  open_room("e2");
  const Response other =
      call("GET", "/api/events/e2/seats", {Header{"authorization", "Bearer " + alice_}});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(error_reason(other), "wrong_event") << other.body;
  EXPECT_TRUE(booking_.seen().empty());
}

TEST_F(GateProxy, RateLimitedPerIdentity) {
  ASSERT_NO_FATAL_FAILURE(start([](GateConfig& c) {
    c.api_rate_per_identity_per_s = 0.01;
    c.api_burst_per_identity = 3;
  }));
  const std::vector<Header> auth = {Header{"authorization", "Bearer " + alice_}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call("GET", "/api/events/e1/seats/A-" + std::to_string(i), auth).status, 200) << i;
  }
  const Response r = call("GET", "/api/events/e1/seats/A-9", auth);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code(r), "rate_limited") << r.body;
  EXPECT_EQ(booking_.seen().size(), 3U);
  // Public routes carry no identity to limit.
  EXPECT_EQ(call("GET", "/api/events").status, 200);
}

TEST_F(GateProxy, BookingDown) {
  ASSERT_NO_FATAL_FAILURE(start([](GateConfig& c) { c.upstream_port = closed_port(); }));
  const Response r = call("POST", "/api/events/e1/seats/A-1/reserve",
                          {Header{"authorization", "Bearer " + alice_}});
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(error_code(r), "upstream_unavailable") << r.body;
  const Response pub = call("GET", "/api/events");
  EXPECT_EQ(pub.status, 502);
}

}  // namespace
}  // namespace boxoffice::gateway::testing
