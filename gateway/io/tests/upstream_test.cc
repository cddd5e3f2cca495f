// UpstreamPool against an evhttp server on the same loop: round trips, keep-alive reuse,
// hop-by-hop headers, a server that is down, a slow one, saturation and destruction.
#include "gateway/io/upstream.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/io/tests/run_loop.h"

namespace boxoffice::gateway::io {
namespace {

using namespace std::string_literals;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string header(const HeaderList& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (lower(n) == name) return v;
  }
  return "(none)";
}

// A port nothing listens on (bound, then released).
uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  return ok ? ntohs(addr.sin_port) : uint16_t{1};  // port 1: nothing listens there either
}

class UpstreamTest : public ::testing::Test {
 protected:
  // What the server saw of one request.
  struct Seen {
    std::string method;
    std::string uri;
    HeaderList headers;
    std::string body;
  };

  void SetUp() override {
    base_ = event_base_new();
    tick_ = event_new(
        base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
    const timeval tv{0, 5'000};
    event_add(tick_, &tv);
    http_ = evhttp_new(base_);
    evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                          EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(http_, &UpstreamTest::on_request, this);
    evhttp_bound_socket* bound = evhttp_bind_socket_with_handle(http_, "127.0.0.1", 0);
    ASSERT_NE(bound, nullptr);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(evhttp_bound_socket_get_fd(bound), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }

  void TearDown() override {
    pool_.reset();
    evhttp_free(http_);  // frees the requests it still holds
    event_free(tick_);
    event_base_free(base_);
  }

  bool run_until(const std::function<bool()>& done, int64_t timeout_ms = kLoopWaitMs) {
    return run_loop_until(base_, done, timeout_ms);
  }

  void run_for(int64_t ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    run_until([&] { return std::chrono::steady_clock::now() >= until; }, ms + 1'000);
  }

  UpstreamPool& make_pool(int connections = 4, int64_t timeout_ms = 2'000, size_t max_queue = 64,
                          uint16_t port = 0) {
    UpstreamOptions o;
    o.host = "127.0.0.1";
    o.port = port != 0 ? port : port_;
    o.connections = connections;
    o.timeout_ms = timeout_ms;
    o.max_queue = max_queue;
    pool_.emplace(base_, o);
    return *pool_;
  }

  UpstreamResult fetch(UpstreamRequest request) {
    std::optional<UpstreamResult> got;
    pool_->send(std::move(request), [&](UpstreamResult r) { got.emplace(std::move(r)); });
    EXPECT_TRUE(run_until([&] { return got.has_value(); }));
    return got ? std::move(*got) : UpstreamResult(unexpected(UpstreamError::kTimeout));
  }

  static UpstreamRequest get(std::string target) {
    UpstreamRequest r;
    r.target = std::move(target);
    return r;
  }

  static void on_request(evhttp_request* req, void* arg) {
    static_cast<UpstreamTest*>(arg)->handle(req);
  }

  void handle(evhttp_request* req) {
    Seen seen;
    switch (evhttp_request_get_command(req)) {
      case EVHTTP_REQ_GET:
        seen.method = "GET";
        break;
      case EVHTTP_REQ_POST:
        seen.method = "POST";
        break;
      case EVHTTP_REQ_PUT:
        seen.method = "PUT";
        break;
      case EVHTTP_REQ_DELETE:
        seen.method = "DELETE";
        break;
      case EVHTTP_REQ_PATCH:
        seen.method = "PATCH";
        break;
      default:
        seen.method = "OTHER";
        break;
    }
    seen.uri = evhttp_request_get_uri(req);
    const evkeyvalq* in = evhttp_request_get_input_headers(req);
    for (const evkeyval* h = in->tqh_first; h != nullptr; h = h->next.tqe_next) {
      seen.headers.emplace_back(h->key, h->value);
    }
    evbuffer* body = evhttp_request_get_input_buffer(req);
    seen.body.resize(evbuffer_get_length(body));
    evbuffer_copyout(body, seen.body.data(), seen.body.size());
    char* peer = nullptr;
    uint16_t peer_port = 0;
    evhttp_connection_get_peer(evhttp_request_get_connection(req), &peer, &peer_port);
    peers_.insert(peer_port);
    seen_.push_back(seen);

    const std::string path = seen.uri.substr(0, seen.uri.find('?'));
    evkeyvalq* out = evhttp_request_get_output_headers(req);
    if (path == "/slow" || path == "/hold") {
      held_.push_back(req);  // answered by release(), or never
      return;
    }
    evbuffer* reply = evbuffer_new();
    if (path == "/hop") {
      evhttp_add_header(out, "Connection", "x-private");
      evhttp_add_header(out, "X-Private", "1");
      evhttp_add_header(out, "Keep-Alive", "timeout=5");
      evhttp_add_header(out, "Proxy-Authenticate", "Basic");
      evhttp_add_header(out, "Upgrade", "h2c");
      evhttp_add_header(out, "X-Kept", "yes");
    }
    if (path == "/chunked") {
      evhttp_send_reply_start(req, 200, "OK");
      evbuffer_add_printf(reply, "part one,");
      evhttp_send_reply_chunk(req, reply);
      evbuffer_add_printf(reply, "part two");
      evhttp_send_reply_chunk(req, reply);
      evhttp_send_reply_end(req);
      evbuffer_free(reply);
      return;
    }
    const int status = path == "/missing" ? 404 : 200;
    evhttp_add_header(out, "Content-Type", "text/plain");
    const std::string answer = seen.method + " " + seen.uri + "\n" + seen.body;
    evbuffer_add(reply, answer.data(), answer.size());
    evhttp_send_reply(req, status, status == 200 ? "OK" : "Not Found", reply);
    evbuffer_free(reply);
  }

  void release_held() {
    std::vector<evhttp_request*> held;
    held.swap(held_);
    for (evhttp_request* req : held) {
      evbuffer* reply = evbuffer_new();
      evbuffer_add_printf(reply, "released");
      evhttp_send_reply(req, 200, "OK", reply);
      evbuffer_free(reply);
    }
  }

  event_base* base_ = nullptr;
  event* tick_ = nullptr;
  evhttp* http_ = nullptr;
  uint16_t port_ = 0;
  std::vector<Seen> seen_;
  std::set<uint16_t> peers_;  // client ports the server saw: one per connection
  std::vector<evhttp_request*> held_;
  std::optional<UpstreamPool> pool_;
};

TEST_F(UpstreamTest, GetAndPostRoundTripWithBodies) {
  make_pool();
  const UpstreamResult got = fetch(get("/events/e1/seats?section=a%20b"));
  ASSERT_TRUE(got) << to_string(got.error());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "GET /events/e1/seats?section=a%20b\n");
  EXPECT_EQ(header(got->headers, "content-type"), "text/plain");
  EXPECT_EQ(header(got->headers, "content-length"), "(none)") << "the gate sets its own";

  UpstreamRequest post;
  post.method = "POST";
  post.target = "/holds";
  post.headers = {{"Content-Type", "application/json"}, {"X-Boxoffice-User", "u1"}};
  post.body = "{\"seats\":[\"A1\"]}\0tail"s;
  const UpstreamResult posted = fetch(post);
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->body, "POST /holds\n" + post.body);
  ASSERT_EQ(seen_.size(), 2U);
  EXPECT_EQ(header(seen_[1].headers, "x-boxoffice-user"), "u1");
  EXPECT_EQ(header(seen_[1].headers, "content-length"), std::to_string(post.body.size()));
  EXPECT_EQ(header(seen_[1].headers, "host"), "127.0.0.1:" + std::to_string(port_));

  UpstreamRequest patch;
  patch.method = "PATCH";
  patch.target = "/holds/1";
  patch.body = "x";
  EXPECT_EQ(fetch(patch)->body, "PATCH /holds/1\nx");
  EXPECT_EQ(fetch(get("/missing"))->status, 404) << "any status is an answer, not an error";
  EXPECT_EQ(pool_->stats().responses, 4U);
  EXPECT_EQ(pool_->stats().errors, 0U);
}

TEST_F(UpstreamTest, ChunkedAnswersArriveWhole) {
  make_pool();
  const UpstreamResult got = fetch(get("/chunked"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "part one,part two");
  EXPECT_EQ(header(got->headers, "transfer-encoding"), "(none)");
}

TEST_F(UpstreamTest, SequentialRequestsReuseOneKeepAliveConnection) {
  make_pool(4);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(fetch(get("/n/" + std::to_string(i))));
  EXPECT_EQ(peers_.size(), 1U);

  // Concurrent requests spread over the pool, never beyond it.
  int done = 0;
  for (int i = 0; i < 12; ++i) {
    pool_->send(get("/c"), [&](const UpstreamResult& r) { done += r ? 1 : 100; });
  }
  ASSERT_TRUE(run_until([&] { return done >= 12; }));
  EXPECT_EQ(done, 12);
  EXPECT_GE(peers_.size(), 2U);
  EXPECT_LE(peers_.size(), 4U);
}

TEST_F(UpstreamTest, HopByHopHeadersAreNeverForwarded) {
  make_pool();
  UpstreamRequest r = get("/hop");
  r.headers = {{"Connection", "X-Drop, close"},
               {"X-Drop", "1"},
               {"Keep-Alive", "300"},
               {"TE", "trailers"},
               {"Upgrade", "h2c"},
               {"Proxy-Authorization", "x"},
               {"Transfer-Encoding", "chunked"},
               {"Trailer", "x"},
               {"Content-Length", "99"},
               {"X-Keep", "yes"}};
  const UpstreamResult got = fetch(r);
  ASSERT_TRUE(got);
  ASSERT_EQ(seen_.size(), 1U);
  for (const auto& [name, value] : seen_[0].headers) {
    const std::string n = lower(name);
    EXPECT_TRUE(n == "x-keep" || n == "host") << "forwarded " << name << ": " << value;
  }
  EXPECT_EQ(header(got->headers, "x-kept"), "yes");
  for (const auto& [name, value] : got->headers) {
    const std::string n = lower(name);
    EXPECT_FALSE(is_hop_by_hop(n) || n == "x-private") << "passed back " << name;
  }
  // "Connection: close" was not forwarded, so the connection stays open for the next one.
  ASSERT_TRUE(fetch(get("/again")));
  EXPECT_EQ(peers_.size(), 1U);
}

TEST_F(UpstreamTest, AServerThatIsDownIsAnError) {
  make_pool(2, 2'000, 64, closed_port());
  const UpstreamResult got = fetch(get("/x"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), UpstreamError::kUnavailable);
  EXPECT_EQ(pool_->stats().errors, 1U);
  EXPECT_EQ(pool_->busy(), 0U);
}

TEST_F(UpstreamTest, AnAnswerCutShortIsAnError) {
  make_pool();
  std::optional<UpstreamResult> got;
  pool_->send(get("/hold"), [&](UpstreamResult r) { got.emplace(std::move(r)); });
  ASSERT_TRUE(run_until([&] { return held_.size() == 1; }));
  evhttp_connection_free(evhttp_request_get_connection(held_[0]));  // closes without answering
  held_.clear();
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  ASSERT_FALSE(*got);
  EXPECT_EQ(got->error(), UpstreamError::kUnavailable);
  EXPECT_TRUE(fetch(get("/after"))) << "the connection is made again";
}

TEST_F(UpstreamTest, ASlowServerTimesOutAndTheConnectionRecovers) {
  make_pool(1, 200);
  const auto start = std::chrono::steady_clock::now();
  const UpstreamResult got = fetch(get("/slow"));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), UpstreamError::kTimeout);
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::milliseconds(5'000));
  EXPECT_EQ(pool_->stats().timeouts, 1U);
  release_held();  // the late answer has no connection to go to
  const UpstreamResult after = fetch(get("/fast"));
  ASSERT_TRUE(after) << to_string(after.error());
  EXPECT_EQ(after->body, "GET /fast\n");
}

TEST_F(UpstreamTest, BusyPoolQueuesThenRefusesWhenTheQueueIsFull) {
  make_pool(2, 5'000, 2);
  std::vector<std::string> got;
  auto record = [&](const UpstreamResult& r) {
    got.push_back(r ? r->body : std::string(to_string(r.error())));
  };
  for (int i = 0; i < 4; ++i) pool_->send(get("/hold"), record);
  EXPECT_EQ(pool_->busy(), 2U);
  EXPECT_EQ(pool_->queued(), 2U);
  pool_->send(get("/hold"), record);
  EXPECT_TRUE(got.empty()) << "answers come from the loop, never inside send()";
  ASSERT_TRUE(run_until([&] { return got.size() == 1 && held_.size() == 2; }));
  EXPECT_EQ(got[0], "upstream_overloaded");
  EXPECT_EQ(pool_->stats().overloaded, 1U);
  EXPECT_EQ(pool_->stats().queued, 2U);

  release_held();  // the first two answer; the queued two go out on the same connections
  ASSERT_TRUE(run_until([&] { return held_.size() == 2; }));
  release_held();
  ASSERT_TRUE(run_until([&] { return got.size() == 5; }));
  EXPECT_EQ(std::count(got.begin(), got.end(), "released"), 4);
  EXPECT_EQ(peers_.size(), 2U);
  EXPECT_EQ(pool_->busy(), 0U);
}

TEST_F(UpstreamTest, QueuedRequestsTimeOutToo) {
  make_pool(1, 200);
  std::vector<UpstreamError> errors;
  for (int i = 0; i < 3; ++i) {
    pool_->send(get("/hold"), [&](const UpstreamResult& r) {
      errors.push_back(r ? UpstreamError{} : r.error());
    });
  }
  ASSERT_TRUE(run_until([&] { return errors.size() == 3; }));
  for (UpstreamError e : errors) EXPECT_EQ(e, UpstreamError::kTimeout);
}

TEST_F(UpstreamTest, UnsendableRequestsAreRefused) {
  make_pool();
  UpstreamRequest brew = get("/pot");
  brew.method = "BREW";
  EXPECT_EQ(fetch(brew).error(), UpstreamError::kBadRequest);
  EXPECT_EQ(fetch(get("no-slash")).error(), UpstreamError::kBadRequest);
  EXPECT_EQ(fetch(get("/a\r\nX-Injected: 1")).error(), UpstreamError::kBadRequest);
  EXPECT_EQ(fetch(get("/a HTTP/1.0")).error(), UpstreamError::kBadRequest);
  UpstreamRequest smuggle = get("/b");
  smuggle.headers = {{"X-A", "1\r\nX-Injected: 1"}};
  EXPECT_EQ(fetch(smuggle).error(), UpstreamError::kBadRequest);
  EXPECT_TRUE(seen_.empty());
}

TEST_F(UpstreamTest, DestructionWithRequestsInFlightDropsTheirCallbacks) {
  make_pool(1);
  int called = 0;
  pool_->send(get("/hold"), [&](const UpstreamResult&) { ++called; });
  pool_->send(get("/hold"), [&](const UpstreamResult&) { ++called; });  // queued
  ASSERT_TRUE(run_until([&] { return held_.size() == 1; }));
  pool_.reset();
  run_for(50);
  EXPECT_EQ(called, 0);
}

}  // namespace
}  // namespace boxoffice::gateway::io
