// The HTTP/2 server of the edge gate: nghttp2 sessions on libevent, one event loop per worker
// thread, each with its own SO_REUSEPORT listener; cleartext h2 (prior knowledge) and/or TLS with
// ALPN "h2". The application plugs in one RequestHandler per thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gateway/server/metrics.h"
#include "shared/http/request_target.h"
#include "shared/result.h"

struct event_base;

namespace boxoffice::gateway::server {

struct Header {
  std::string name;  // lowercase
  std::string value;
};

struct Request {
  std::string method;
  std::string scheme;
  std::string authority;
  std::string path;  // the raw :path, query included
  http::RequestTarget target;
  std::vector<Header> headers;  // regular headers in arrival order; cookie crumbs joined by "; "
  std::string body;
  std::string peer_ip;
  bool tls = false;

  // The first value of a header (name in lowercase), or "" when absent.
  std::string_view header(std::string_view name) const;
};

struct StreamState;  // server-internal: one per request, shared by the writers of that stream

// Answers one request. Cheap to copy and move; all copies refer to the same stream, and only the
// first answer counts. Use it on the thread that received the request, now or later (after an
// async reply on the same event_base). After the stream or the connection closed every call is
// a harmless no-op.
class ResponseWriter {
 public:
  ResponseWriter() = default;  // refers to no stream: open() is false, calls do nothing
  explicit ResponseWriter(StreamState* state);
  ResponseWriter(const ResponseWriter& other);
  ResponseWriter(ResponseWriter&& other) noexcept;
  ResponseWriter& operator=(const ResponseWriter& other);
  ResponseWriter& operator=(ResponseWriter&& other) noexcept;
  ~ResponseWriter();

  // A complete response. The server adds content-length, server and date.
  void respond(int status, std::vector<Header> headers, std::string body);
  // A streamed response (e.g. server-sent events): begin, send any number of chunks, finish.
  void begin(int status, std::vector<Header> headers);
  void send(std::string chunk);
  void finish();

  // True while the stream is open and no complete answer has been given.
  bool open() const;
  // Called once if the stream ends before its response finished (client reset, connection gone,
  // server stopped). Never called from inside a ResponseWriter method, and not called when the
  // stream is already gone when it is set: check open() first.
  void on_close(std::function<void()> callback);

 private:
  StreamState* state_ = nullptr;
};

class RequestHandler {
 public:
  virtual ~RequestHandler();
  // Called on the worker thread once the request is complete (END_STREAM). `request` is valid
  // for the duration of the call only.
  virtual void handle(Request& request, ResponseWriter writer) = 0;
};

// Called once on each worker thread before it serves: create per-thread clients there.
using HandlerFactory =
    std::function<std::unique_ptr<RequestHandler>(event_base* base, int thread_index)>;

struct ServerConfig {
  std::string host = "127.0.0.1";
  int h2c_port = 0;       // cleartext HTTP/2 with prior knowledge; 0 = any free port; -1 = off
  int tls_port = -1;      // TLS 1.2+ with ALPN h2 only; 0 = any free port; -1 = off
  std::string cert_file;  // PEM chain, for tls_port
  std::string key_file;   // PEM private key, for tls_port
  int threads = 1;

  int64_t max_header_list_bytes = int64_t{16} * 1024;  // HPACK-decoded size, 32 B per field
  int64_t max_body_bytes = int64_t{64} * 1024;
  int max_concurrent_streams = 100;
  int32_t initial_window_bytes = 64 * 1024;       // per stream, for request bodies
  int32_t connection_window_bytes = 1024 * 1024;  // per connection
  int64_t handshake_timeout_ms = 10'000;  // accept to the client preface (TLS handshake too)
  int64_t read_timeout_ms = 30'000;       // a request still arriving, with no bytes for this long
  int64_t idle_timeout_ms = 120'000;      // a connection with no open stream
  int64_t drain_timeout_ms = 10'000;      // drain(): connections still open then are closed

  // Abuse limits per connection, counted in fixed windows: above them the connection gets
  // GOAWAY ENHANCE_YOUR_CALM and closes. Resets: client RST_STREAMs (the "rapid reset" attack).
  // Control frames: PRIORITY, WINDOW_UPDATE, SETTINGS, PING and empty DATA frames without
  // END_STREAM, which cost the server work but no stream.
  int max_resets_per_window = 200;
  int max_control_frames_per_window = 5'000;
  int64_t flood_window_ms = 10'000;
};

struct Ports {
  int h2c = -1;  // -1 = off
  int tls = -1;
};

class Worker;

class Server {
 public:
  Server(ServerConfig config, HandlerFactory factory);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listener and starts the threads; returns once each thread built its handler and
  // listens. Errors name the cause ("bind 127.0.0.1:8000: Address already in use").
  // Ignores SIGPIPE for the process (writes to closed sockets must fail, not kill).
  Result<bool, std::string> start();
  // Blocks until every thread ended (after drain() or stop()).
  void wait();
  // start() then wait().
  Result<bool, std::string> run();
  // Graceful: stop accepting, GOAWAY to every client, let in-flight streams finish (streamed
  // responses are finished), then the threads end, at the latest after drain_timeout_ms.
  // Safe from any thread, e.g. a signal watcher.
  void drain();
  // Immediate: the loops end; open connections are dropped. Safe from any thread.
  void stop();

  Ports ports() const { return ports_; }
  const ServerMetrics& metrics() const { return metrics_; }
  void render_prometheus(std::string& out) const { metrics_.render_prometheus(out); }

 private:
  ServerConfig config_;
  HandlerFactory factory_;
  Ports ports_;
  ServerMetrics metrics_;
  void* ssl_ctx_ = nullptr;  // SSL_CTX, shared by the threads
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace boxoffice::gateway::server
