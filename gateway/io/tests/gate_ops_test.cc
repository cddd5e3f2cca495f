// The operational endpoints end to end: health, readiness with Redis gone, metrics, the JWKS
// that verifies the gate's tokens offline, and the fan page.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/io/tests/gate_fixture.h"
#include "shared/tokens/verify.h"

namespace boxoffice::gateway::testing {
namespace {

using GateOps = GateTest;

TEST_F(GateOps, HealthAndReadiness) {
  start_gate();
  const Response health = call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  ASSERT_TRUE(poll_until([&] { return call("GET", "/readyz").status == 200; }));

  redis_->stop();
  Response ready;
  ASSERT_TRUE(poll_until([&] {
    ready = call("GET", "/readyz");
    return ready.status == 503;
  }));
  EXPECT_EQ(error_code(ready), "unavailable") << ready.body;
  EXPECT_EQ(call("GET", "/healthz").status, 200);  // alive, just not ready
}

TEST_F(GateOps, Metrics) {
  start_gate();
  open_room("e1", {{"paused", true}});
  ASSERT_EQ(join("e1", "fan").status, 200);
  ASSERT_EQ(join("e1", "fan2").status, 200);
  // The room gauges are the thread's room cache: they follow at its next refresh.
  Response m;
  ASSERT_TRUE(poll_until([&] {
    m = call("GET", "/metrics");
    return m.body.find("gate_room_joined{event=\"e1\"} 2\n") != std::string::npos;
  })) << m.body;
  ASSERT_EQ(m.status, 200);
  EXPECT_TRUE(m.header("content-type").starts_with("text/plain")) << m.header("content-type");
  EXPECT_NE(m.body.find("# TYPE gate_joins_total counter\ngate_joins_total 2\n"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("gate_admin_changes_total 1\n"), std::string::npos) << m.body;
}

TEST_F(GateOps, JwksVerifiesTheGatesTokens) {
  start_gate();
  open_room("e1", {{"batch_interval_ms", 20}});
  const std::string waiting = join_token("e1", "fan");
  const std::string admission = await_admission("e1", waiting);
  const Response jwks = call("GET", "/.well-known/jwks.json");
  ASSERT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.header("content-type"), "application/json");
  auto published = tokens::KeySet::from_jwks(jwks.body);
  ASSERT_TRUE(published) << published.error() << " in " << jwks.body;
  EXPECT_EQ(published->kids(), std::vector<std::string>{keys_.active_kid()});
  tokens::VerifyOptions options;
  options.expected_event = "e1";
  options.expected_kind = tokens::kKindAdmission;
  auto claims = tokens::verify(admission, *published, wall_ms() / 1000, options);
  ASSERT_TRUE(claims) << tokens::to_string(claims.error());
  EXPECT_EQ(claims->sub, "fan");
  // Verify-only: the published set cannot sign.
  EXPECT_TRUE(published->sign(claims.value()).empty());
}

// Gates that share a signing key derive the same waiting-token key, so a fan's waiting token
// works on whichever gate answers; a gate with another key refuses it.
TEST_F(GateOps, GatesSharingAKeyAcceptEachOthersWaitingTokens) {
  start_gate();
  open_room("e1", {{"paused", true}});
  const std::string waiting = join_token("e1", "fan");
  const std::vector<Header> auth = {Header{"authorization", "Bearer " + waiting}};

  auto twin = Gate::start(base_config(), keys_);
  ASSERT_TRUE(twin) << twin.error();
  auto twin_client = H2Client::connect("127.0.0.1", (*twin)->h2c_port());
  ASSERT_TRUE(twin_client) << twin_client.error();
  Response r;
  ASSERT_TRUE(poll_until([&] {  // until the new gate's room cache has the room
    r = call(**twin_client, "GET", "/queue/e1/status", auth);
    return r.status != 404;
  }));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r).value("position", 0), 1) << r.body;

  tokens::KeySet other_keys;
  auto kid = other_keys.generate_ed25519();
  ASSERT_TRUE(kid && other_keys.set_active(*kid));
  auto stranger = Gate::start(base_config(), other_keys);
  ASSERT_TRUE(stranger) << stranger.error();
  auto stranger_client = H2Client::connect("127.0.0.1", (*stranger)->h2c_port());
  ASSERT_TRUE(stranger_client) << stranger_client.error();
  ASSERT_TRUE(poll_until([&] {
    r = call(**stranger_client, "GET", "/queue/e1/status", auth);
    return r.status != 404;
  }));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(error_reason(r), "unknown_kid") << r.body;
}

TEST_F(GateOps, ServesTheFanPage) {
  start_gate();
  std::ifstream file(std::filesystem::path(BOXOFFICE_GATE_STATIC_DIR) / "index.html",
                     std::ios::binary);
  ASSERT_TRUE(file);
  std::ostringstream expected;
  expected << file.rdbuf();
  const Response page = call("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(page.header("content-type").starts_with("text/html")) << page.header("content-type");
  EXPECT_EQ(page.body, expected.str());
  EXPECT_EQ(call("GET", "/static/style.css").status, 200);
  const Response missing = call("GET", "/no-such-page.html");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "not_found") << missing.body;
}

}  // namespace
}  // namespace boxoffice::gateway::testing
