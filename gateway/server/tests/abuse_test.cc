// Limits and abuse: oversized bodies and headers, rapid reset and control-frame floods,
// concurrent-stream limits, and idle timeouts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "gateway/server/tests/test_server.h"

namespace boxoffice::gateway::server::testing {
namespace {

using std::chrono::milliseconds;

TEST(Limits, BodyTooLargeIsRefusedBeforeTheHandler) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  auto big = c->request("POST", "/echo", {}, std::string(size_t{100} * 1024, 'x'));
  ASSERT_TRUE(big) << big.error();
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find(R"("code":"body_too_large")"), std::string::npos);
  // Declared too large: refused from the headers alone, before the body is sent.
  const int32_t id = c->submit("POST", "/echo", {Header{"content-length", "1000000"}},
                               std::string(10, 'x'), /*end_stream=*/false);
  auto declared = c->wait(id, kDeadline);
  ASSERT_TRUE(declared) << declared.error();
  EXPECT_EQ(declared->status, 413);
  EXPECT_EQ(ts.state().handled.load(), 0);
  // The limit itself passes, and the connection still works.
  auto exact = c->request("POST", "/echo", {}, std::string(size_t{64} * 1024, 'y'));
  ASSERT_TRUE(exact) << exact.error();
  EXPECT_EQ(exact->status, 200);
  EXPECT_EQ(exact->body.size(), 64U * 1024);
}

TEST(Limits, OversizedHeadersAreRejected) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  auto r = c->request("GET", "/hello", {Header{"x-big", std::string(size_t{20} * 1024, 'h')}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->status == 431 || r->reset) << r->status;
  if (r->status == 431) {
    EXPECT_NE(r->body.find(R"("code":"headers_too_large")"), std::string::npos);
  }
  EXPECT_EQ(ts.state().handled.load(), 0);
  auto ok = c->request("GET", "/hello");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(Abuse, RapidResetGetsGoawayWhileOthersKeepWorking) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto good = ts.client();
  ASSERT_TRUE(good);
  auto attacker = ts.client();
  ASSERT_TRUE(attacker);
  for (int i = 0; i < 400 && !attacker->closed(); ++i) {
    const int32_t id = attacker->submit("GET", "/later");
    attacker->flush();  // the HEADERS must leave before the RST_STREAM
    attacker->reset_stream(id);
    attacker->flush();
  }
  ASSERT_TRUE(attacker->run_until([&] { return attacker->closed(); }, kDeadline));
  EXPECT_TRUE(attacker->goaway_received());
  EXPECT_EQ(attacker->goaway_error_code(), static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_EQ(ts.server().metrics().rapid_reset_goaways.load(), 1U);
  auto r = good->request("GET", "/hello");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
}

TEST(Abuse, ControlFrameFloodGetsGoaway) {
  ServerConfig config;
  config.max_control_frames_per_window = 500;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  auto attacker = ts.client();
  ASSERT_TRUE(attacker);
  for (int i = 0; i < 2000 && !attacker->closed(); ++i) {
    nghttp2_submit_window_update(attacker->session(), NGHTTP2_FLAG_NONE, 0, 1);
    if (i % 100 == 0) attacker->flush();
  }
  ASSERT_TRUE(attacker->run_until([&] { return attacker->closed(); }, kDeadline));
  EXPECT_TRUE(attacker->goaway_received());
  EXPECT_EQ(attacker->goaway_error_code(), static_cast<uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_EQ(ts.server().metrics().flood_goaways.load(), 1U);
}

TEST(Limits, MaxConcurrentStreamsAdvertisedAndEnforced) {
  ServerConfig config;
  config.max_concurrent_streams = 4;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  // Sent before the client even read the server's SETTINGS, so nghttp2 cannot hold them back.
  std::vector<int32_t> ids;
  ids.reserve(6);
  for (int i = 0; i < 6; ++i) ids.push_back(c->submit("GET", "/hold"));
  ASSERT_TRUE(c->flush());
  ASSERT_TRUE(c->run_until(
      [&] {
        int refused = 0;
        for (int32_t id : ids) {
          const Response* r = c->response(id);
          refused += r != nullptr && r->reset && r->error_code == NGHTTP2_REFUSED_STREAM ? 1 : 0;
        }
        return refused == 2 && ts.state().held.load() == 4;
      },
      kDeadline));
  EXPECT_EQ(c->remote_max_concurrent_streams(), 4U);
}

TEST(Limits, IdleConnectionIsClosed) {
  ServerConfig config;
  config.idle_timeout_ms = 100;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->request("GET", "/hello"));
  EXPECT_TRUE(c->run_until([&] { return c->closed(); }, kDeadline));
  EXPECT_TRUE(c->goaway_received());
}

TEST(Limits, SilentConnectionIsClosedAfterTheHandshakeTimeout) {
  ServerConfig config;
  config.handshake_timeout_ms = 100;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  // A raw TCP peer that never sends the preface.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(ts.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, static_cast<int>(kDeadline.count())), 1);
  std::array<char, 256> buf{};
  ssize_t n = 0;
  // The server's SETTINGS may come first; then the close.
  while ((n = recv(fd, buf.data(), buf.size(), 0)) > 0) {
  }
  EXPECT_EQ(n, 0);
  close(fd);
  // A proper client is unaffected.
  auto c = ts.client();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->request("GET", "/hello"));
}

TEST(Limits, StalledRequestBodyTimesOut) {
  ServerConfig config;
  config.read_timeout_ms = 100;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  c->submit("POST", "/echo", {}, "partial", /*end_stream=*/false);
  EXPECT_TRUE(c->run_until([&] { return c->closed(); }, kDeadline));
  EXPECT_TRUE(c->goaway_received());
  EXPECT_EQ(ts.state().handled.load(), 0);
}

}  // namespace
}  // namespace boxoffice::gateway::server::testing
