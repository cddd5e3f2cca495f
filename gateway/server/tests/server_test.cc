// The server end to end over real sockets: requests, async and streamed answers, static files,
// TLS, drain, threads, and curl as an independent client.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "gateway/server/testing/self_signed_cert.h"
#include "gateway/server/tests/test_server.h"
#include "shared/tests/out_of_descriptors.h"

namespace boxoffice::gateway::server::testing {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "h2test.XXXXXX").string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Server, GetAndPostWithBody) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  auto hello = c->request("GET", "/hello");
  ASSERT_TRUE(hello) << hello.error();
  EXPECT_EQ(hello->status, 200);
  EXPECT_EQ(hello->body, "hello");
  EXPECT_EQ(hello->header("server"), "boxoffice-gate");
  EXPECT_EQ(hello->header("content-length"), "5");
  EXPECT_TRUE(hello->header("date").ends_with(" GMT"));

  auto echo =
      c->request("POST", "/echo?name=a+b%21", {Header{"cookie", "a=1"}, Header{"cookie", "b=2"}},
                 std::string(30000, 'x'));
  ASSERT_TRUE(echo) << echo.error();
  EXPECT_EQ(echo->status, 200);
  EXPECT_EQ(echo->body, std::string(30000, 'x'));
  EXPECT_EQ(echo->header("x-method"), "POST");
  EXPECT_EQ(echo->header("x-name"), "a b!");
  EXPECT_EQ(echo->header("x-cookie"), "a=1; b=2");

  auto head = c->request("HEAD", "/hello");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "5");
  EXPECT_EQ(head->body, "");

  auto missing = c->request("GET", "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(Server, ConcurrentStreamsAndLaterAnswers) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  std::vector<int32_t> ids;
  ids.reserve(10);
  for (int i = 0; i < 10; ++i) ids.push_back(c->submit("GET", i % 2 == 0 ? "/later" : "/hello"));
  for (size_t i = 0; i < ids.size(); ++i) {
    auto r = c->wait(ids[i], kDeadline);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, i % 2 == 0 ? "later" : "hello");
  }
}

TEST(Server, StreamingChunksArriveIncrementally) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  const int32_t id = c->submit("GET", "/stream");
  ASSERT_TRUE(c->run_until(
      [&] { return c->response(id) != nullptr && c->response(id)->body == "chunk 1\n"; },
      kDeadline));
  EXPECT_FALSE(c->response(id)->complete);  // the second chunk is not even written yet
  EXPECT_EQ(c->response(id)->header("content-type"), "text/event-stream");
  auto next = c->request("GET", "/next");
  ASSERT_TRUE(next);
  auto done = c->wait(id, kDeadline);
  ASSERT_TRUE(done) << done.error();
  EXPECT_TRUE(done->complete);
  EXPECT_EQ(done->body, "chunk 1\nchunk 2\n");
  EXPECT_EQ(done->header("content-length"), "");
}

TEST(Server, WriterAfterClientResetIsHarmless) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  const int32_t id = c->submit("GET", "/hold");
  ASSERT_TRUE(c->run_until([&] { return ts.state().held.load() == 1; }, kDeadline));
  c->reset_stream(id);
  ASSERT_TRUE(c->run_until([&] { return ts.state().closes.load() == 1; }, kDeadline));
  auto released = c->request("GET", "/release");
  ASSERT_TRUE(released) << released.error();
  EXPECT_EQ(released->body, "open=0");

  // Writers that outlive their whole connection are harmless too.
  auto c2 = ts.client();
  ASSERT_TRUE(c2);
  c2->submit("GET", "/hold");
  ASSERT_TRUE(c2->run_until([&] { return ts.state().held.load() == 2; }, kDeadline));
  c2.reset();
  auto c3 = ts.client();
  ASSERT_TRUE(c3);
  ASSERT_TRUE(c3->run_until([&] { return ts.state().closes.load() == 2; }, kDeadline));
  auto again = c3->request("GET", "/release");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "open=0");
}

TEST(Server, BadTargetAndMissingRoute) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  for (const char* path : {"/a/../b", "/a%zz", "/a//b"}) {
    auto r = c->request("GET", path);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_EQ(r->header("content-type"), "application/json");
    EXPECT_NE(r->body.find(R"("code":"bad_request_target")"), std::string::npos) << r->body;
  }
  EXPECT_EQ(ts.state().handled.load(), 0);
}

TEST(Server, StaticFilesAndNotModified) {
  TempDir dir;
  {
    std::ofstream(dir.path() + "/index.html") << "<h1>hi</h1>";
    fs::create_directories(dir.path() + "/js");
    std::ofstream(dir.path() + "/js/app.js") << "console.log(1)";
    std::ofstream(dir.path() + "/.secret") << "no";
  }
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto files = StaticFiles::load(dir.path());
  ASSERT_TRUE(files) << files.error();
  EXPECT_EQ(files->size(), 2U);
  ts.state().static_files.emplace(std::move(*files));
  auto c = ts.client();
  ASSERT_TRUE(c);
  auto js = c->request("GET", "/static/js/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->header("cache-control"), "public, max-age=86400");
  const std::string etag(js->header("etag"));
  ASSERT_EQ(etag.size(), 34U);
  auto html = c->request("GET", "/static/index.html");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->header("cache-control"), "no-cache");

  auto cached = c->request("GET", "/static/js/app.js", {Header{"if-none-match", etag}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);
  EXPECT_EQ(cached->body, "");
  EXPECT_EQ(cached->header("etag"), etag);
  auto stale = c->request("GET", "/static/js/app.js", {Header{"if-none-match", "\"other\""}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
  auto hidden = c->request("GET", "/static/.secret");
  ASSERT_TRUE(hidden);
  EXPECT_EQ(hidden->status, 404);
  auto escape = c->request("GET", "/static/%2e%2e/etc/passwd");
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 400);
}

// A response far larger than the socket buffers, to a client that stalls before reading: the
// output the socket does not take waits in the connection and arrives whole and in order.
TEST(Server, LargeResponseToAStalledReaderArrivesWhole) {
  TempDir dir;
  std::string big(size_t{24} << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
  std::ofstream(dir.path() + "/big.txt", std::ios::binary) << big;
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto files = StaticFiles::load(dir.path());
  ASSERT_TRUE(files) << files.error();
  ts.state().static_files.emplace(std::move(*files));
  auto c = ts.client();
  ASSERT_TRUE(c);
  // Windows as large as HTTP/2 allows, so only the sockets hold the server back.
  const std::array<nghttp2_settings_entry, 1> window{
      {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, NGHTTP2_MAX_WINDOW_SIZE}}};
  ASSERT_EQ(nghttp2_submit_settings(c->session(), NGHTTP2_FLAG_NONE, window.data(), window.size()),
            0);
  ASSERT_EQ(nghttp2_session_set_local_window_size(c->session(), NGHTTP2_FLAG_NONE, 0,
                                                  NGHTTP2_MAX_WINDOW_SIZE),
            0);
  const int32_t id = c->submit("GET", "/static/big.txt");
  ASSERT_GT(id, 0);
  ASSERT_TRUE(c->flush());
  std::this_thread::sleep_for(milliseconds(300));  // the server fills the socket buffers
  auto r = c->wait(id, milliseconds(20000));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->complete);
  ASSERT_EQ(r->body.size(), big.size());
  EXPECT_TRUE(r->body == big);
  auto after = c->request("GET", "/hello");  // the connection still serves
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(after->body, "hello");
}

// A client that goes away, cleartext or TLS, takes its connection on the server with it.
TEST(Server, AClosedClientClosesItsConnection) {
  TempDir dir;
  auto cert = write_self_signed_cert(dir.path());
  ASSERT_TRUE(cert) << cert.error();
  ServerConfig config;
  config.tls_port = 0;
  config.cert_file = cert->cert_file;
  config.key_file = cert->key_file;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  auto open = [&] { return ts.server().metrics().connections_open.load(); };
  for (const bool tls : {false, true}) {
    ClientOptions options;
    options.tls = tls;
    auto c = ts.client(options);
    ASSERT_TRUE(c);
    auto r = c->request("GET", "/hello");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(open(), 1);
    c.reset();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (open() != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_EQ(open(), 0) << (tls ? "tls" : "cleartext");
  }
}

// Out of descriptors, a connection waits in the listen backlog and every accept fails at once:
// the listener rests (100 ms) after each failure instead of spinning on it, and the connection
// is accepted once a descriptor is free again.
TEST(Server, OutOfDescriptorsTheListenerPausesThenAccepts) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto fd = boxoffice::testing::connect_out_of_descriptors(static_cast<uint16_t>(ts.port()),
                                                           milliseconds(500));
  ASSERT_TRUE(fd) << fd.error();

  const uint64_t errors = ts.server().metrics().accept_errors.load();
  EXPECT_GE(errors, 1U) << "the limit never bit";
  EXPECT_LE(errors, 20U) << "about one failed accept per pause over 0.5 s, not a spin";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ts.server().metrics().connections_accepted.load() == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(ts.server().metrics().connections_accepted.load(), 1U) << "never accepted";
  ::close(*fd);
}

TEST(Server, TlsWithAlpnH2) {
  TempDir dir;
  auto cert = write_self_signed_cert(dir.path());
  ASSERT_TRUE(cert) << cert.error();
  ServerConfig config;
  config.h2c_port = -1;
  config.tls_port = 0;
  config.cert_file = cert->cert_file;
  config.key_file = cert->key_file;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  ASSERT_GT(ts.server().ports().tls, 0);
  EXPECT_EQ(ts.server().ports().h2c, -1);
  ClientOptions tls;
  tls.tls = true;
  auto c = ts.client(tls);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->alpn(), "h2");
  auto r = c->request("POST", "/echo", {}, "over tls");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "over tls");

  // A client that cannot speak h2 is refused during the handshake.
  ClientOptions http1 = tls;
  http1.alpn = {"http/1.1"};
  auto refused = H2Client::connect("127.0.0.1", ts.server().ports().tls, http1);
  EXPECT_FALSE(refused);
  // One that offers no ALPN at all is closed right after it.
  ClientOptions none = tls;
  none.alpn = {};
  auto bare = H2Client::connect("127.0.0.1", ts.server().ports().tls, none);
  if (bare) {
    auto r2 = (*bare)->request("GET", "/hello");
    EXPECT_FALSE(r2);
  }
  EXPECT_GE(ts.server().metrics().tls_handshake_failures.load(), 1U);
}

TEST(Server, DrainFinishesInFlightThenEnds) {
  ServerConfig config;
  config.drain_timeout_ms = 5000;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  auto idle = ts.client();
  ASSERT_TRUE(idle);
  ASSERT_TRUE(idle->request("GET", "/hello"));
  const int32_t slow = c->submit("GET", "/slow");
  ASSERT_TRUE(c->run_until([&] { return ts.state().handled.load() == 2; }, kDeadline));
  std::thread drainer([&] { ts.server().drain(); });  // from another thread, like a signal
  drainer.join();
  auto r = c->wait(slow, kDeadline);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow");
  EXPECT_TRUE(c->goaway_received());
  EXPECT_EQ(c->goaway_error_code(), static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_FALSE(H2Client::connect("127.0.0.1", ts.port()));  // the listener closed first
  EXPECT_TRUE(c->run_until([&] { return c->closed(); }, kDeadline));
  EXPECT_TRUE(idle->run_until([&] { return idle->closed(); }, kDeadline));
  EXPECT_TRUE(idle->goaway_received());
  ts.server().wait();  // returns: every connection closed
  auto late = H2Client::connect("127.0.0.1", ts.port());
  EXPECT_FALSE(late);
}

TEST(Server, DrainFinishesOpenStreams) {
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  auto c = ts.client();
  ASSERT_TRUE(c);
  const int32_t id = c->submit("GET", "/stream");
  ASSERT_TRUE(c->run_until([&] { return c->response(id) != nullptr; }, kDeadline));
  ts.server().drain();
  auto r = c->wait(id, kDeadline);
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->body, "chunk 1\n");
  ts.server().wait();
}

TEST(Server, RunReturnsAfterDrain) {
  TestState state;
  Server server(ServerConfig{}, [&state](event_base* base, int index) {
    return std::make_unique<TestHandler>(base, index, state);
  });
  ASSERT_TRUE(server.start());
  std::thread stopper([&] { server.drain(); });
  server.wait();
  stopper.join();
  // run() blocks; a thread that drains once the handler exists makes it return.
  std::atomic<bool> built{false};
  Server again(ServerConfig{}, [&state, &built](event_base* base, int index) {
    built = true;
    return std::make_unique<TestHandler>(base, index, state);
  });
  std::thread drainer([&] {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!built && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    again.drain();
  });
  EXPECT_TRUE(again.run());
  drainer.join();
}

TEST(Server, TwoThreadsServeManyConnections) {
  ServerConfig config;
  config.threads = 2;
  TestServer ts(config);
  ASSERT_TRUE(ts.ok());
  std::set<std::string> threads;
  for (int i = 0; i < 40; ++i) {
    auto c = ts.client();
    ASSERT_TRUE(c);
    auto r = c->request("GET", "/hello");
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->status, 200);
    threads.insert(std::string(r->header("x-thread")));
  }
  EXPECT_EQ(threads.size(), 2U);  // SO_REUSEPORT spread them (odds of not: 2^-39)
  EXPECT_EQ(ts.server().metrics().connections_accepted.load(), 40U);
  std::string text;
  ts.server().render_prometheus(text);
  EXPECT_NE(text.find("# TYPE gate_http_streams_total counter\ngate_http_streams_total 40\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("gate_http_responses_total{code=\"2xx\"} 40"), std::string::npos);
}

TEST(Server, CurlWithPriorKnowledge) {
  if (access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "no curl";
  TestServer ts;
  ASSERT_TRUE(ts.ok());
  const std::string cmd =
      "/usr/bin/curl -sS --max-time 5 --http2-prior-knowledge -d 'from curl' "
      "http://127.0.0.1:" +
      std::to_string(ts.port()) + "/echo?name=curl";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(out, "from curl");
}

}  // namespace
}  // namespace boxoffice::gateway::server::testing
