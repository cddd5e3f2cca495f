// A blocking HTTP/2 client on nghttp2 for tests: h2c (prior knowledge) or TLS with ALPN, several
// streams on one connection, streamed responses read incrementally, and access to the frames
// for abuse tests (resets, floods, GOAWAY). Not for production use: certificates are not
// verified.
#pragma once

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/server/server.h"
#include "shared/result.h"

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace boxoffice::gateway::server::testing {

struct ClientOptions {
  bool tls = false;
  std::vector<std::string> alpn = {"h2"};   // offered over TLS; empty offers none
  std::chrono::milliseconds timeout{5000};  // connect, handshake, and each request()
};

struct Response {
  int status = 0;
  std::vector<Header> headers;  // without pseudo-headers
  std::string body;             // so far, for a response still streaming
  bool complete = false;        // END_STREAM received
  bool reset = false;           // the stream ended without END_STREAM (RST_STREAM, GOAWAY)
  uint32_t error_code = 0;      // of the reset

  std::string_view header(std::string_view name) const;
};

class H2Client {
 public:
  // Connects and sends the connection preface and SETTINGS; reads nothing yet.
  static Result<std::unique_ptr<H2Client>, std::string> connect(const std::string& host, int port,
                                                                ClientOptions options = {});
  ~H2Client();
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  // Sends a request and waits for the whole response (options.timeout).
  Result<Response, std::string> request(std::string_view method, std::string_view path,
                                        const std::vector<Header>& headers = {},
                                        std::string body = {});

  // Queues a request; it leaves at the next flush() or pump(). Returns the stream id, or -1.
  // A non-empty body is sent as DATA; with end_stream false the request stays open.
  int32_t submit(std::string_view method, std::string_view path,
                 const std::vector<Header>& headers = {}, std::string body = {},
                 bool end_stream = true);
  // Waits until the stream completed or was reset (or the timeout).
  Result<Response, std::string> wait(int32_t stream_id, std::chrono::milliseconds timeout);
  // The response so far (nullptr before any frame of it arrived).
  const Response* response(int32_t stream_id) const;

  // Writes whatever nghttp2 has queued. False once the connection failed.
  bool flush();
  // flush(), then waits up to `wait` for input and processes it. False once the connection is
  // closed.
  bool pump(std::chrono::milliseconds wait);
  // Pumps until done() or the timeout; returns done().
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

  // Frame-level access for abuse tests.
  bool reset_stream(int32_t stream_id, uint32_t error_code = NGHTTP2_CANCEL);
  bool send_raw(std::string_view bytes);  // bypasses nghttp2
  nghttp2_session* session() { return session_; }

  bool goaway_received() const { return goaway_received_; }
  uint32_t goaway_error_code() const { return goaway_error_code_; }
  int32_t goaway_last_stream_id() const { return goaway_last_stream_id_; }
  // The server closed the connection (or reading failed). A failed write alone does not close:
  // what the server sent before closing (its GOAWAY) can still be read.
  bool closed() const { return closed_; }
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS, once its SETTINGS were processed.
  uint32_t remote_max_concurrent_streams() const;
  std::string alpn() const;

 private:
  H2Client() = default;
  bool write_all(const uint8_t* data, size_t len);
  void read_available();

  friend struct ClientCallbacks;
  ClientOptions options_;
  int fd_ = -1;
  SSL_CTX* ssl_ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, Response> responses_;
  std::vector<std::unique_ptr<std::pair<std::string, size_t>>> bodies_;  // request bodies
  bool goaway_received_ = false;
  uint32_t goaway_error_code_ = 0;
  int32_t goaway_last_stream_id_ = 0;
  bool closed_ = false;  // read side
  bool write_failed_ = false;
};

}  // namespace boxoffice::gateway::server::testing
