// The gate's HTTP/1.1 keep-alive client pool to the booking API, on libevent's evhttp client.
//
// One pool per gate worker thread, on that thread's event_base; never locked, and every
// callback runs on that thread. A request goes to an idle connection (the lowest-numbered one,
// so light traffic reuses few warm connections); when all connections are busy it waits in a
// bounded FIFO queue, and a full queue answers kOverloaded at once. Each request has one
// deadline, timeout_ms from send(), covering the queue wait, connect, write and read; a request
// past its deadline fails with kTimeout and its connection is reset.
//
// Hop-by-hop headers (connection, keep-alive, transfer-encoding, te, trailer, upgrade,
// proxy-*, and any header the Connection header names) are never forwarded, either way.
// content-length is not forwarded either: bodies travel whole and each side sets its own.
//
// Callbacks always run from the event loop, never inside send(). Destroying the pool drops
// the callbacks of requests in flight or queued without calling them (their owner is going
// away too). Do not destroy the pool from inside one of its callbacks.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.h"

struct evhttp_connection;
struct evhttp_request;

namespace boxoffice::gateway::io {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS
  std::string target = "/";    // path and query: "/events/e1/seats?x=1"
  HeaderList headers;          // names in any case
  std::string body;
};

struct UpstreamResponse {
  int status = 0;
  HeaderList headers;  // as the server sent them, hop-by-hop ones removed
  std::string body;
};

// Stable codes. kTimeout suits a 504, kOverloaded a 503, the others a 502.
enum class UpstreamError : uint8_t {
  kUnavailable = 1,  // connect refused, connection reset or closed before the answer
  kTimeout = 2,      // no complete answer within timeout_ms
  kOverloaded = 3,   // every connection busy and the queue full
  kBadRequest = 4,   // a method or target the pool cannot send
  kBadResponse = 5,  // a malformed answer, or a body over max_response_bytes
};

std::string_view to_string(UpstreamError error);

using UpstreamResult = Result<UpstreamResponse, UpstreamError>;

struct UpstreamOptions {
  std::string host = "127.0.0.1";  // an IP address: a name would be resolved blocking
  uint16_t port = 8080;
  int connections = 16;  // per thread
  int64_t timeout_ms = 5'000;
  size_t max_queue = 1'024;                     // requests waiting for a connection
  size_t max_response_bytes = size_t{8} << 20;  // larger bodies fail with kBadResponse
};

struct UpstreamStats {
  uint64_t requests = 0;   // send() calls
  uint64_t responses = 0;  // answers received (any status)
  uint64_t errors = 0;     // every failed request, whatever the reason
  uint64_t timeouts = 0;
  uint64_t overloaded = 0;
  uint64_t queued = 0;  // requests that had to wait for a connection
};

// True for the headers a proxy never forwards (RFC 9110 section 7.6.1); name in lowercase.
bool is_hop_by_hop(std::string_view lowercase_name);

class UpstreamPool {
 public:
  using Callback = std::function<void(UpstreamResult)>;

  UpstreamPool(event_base* base, UpstreamOptions options);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  void send(UpstreamRequest request, Callback callback);

  const UpstreamStats& stats() const { return stats_; }
  const UpstreamOptions& options() const { return options_; }
  size_t busy() const;  // connections with a request in flight
  size_t queued() const { return queue_.size(); }

 private:
  struct Pending {
    UpstreamRequest request;
    Callback callback;
    int64_t deadline_ms = 0;  // steady clock
  };
  struct Slot {
    UpstreamPool* pool = nullptr;
    evhttp_connection* connection = nullptr;
    evhttp_request* request = nullptr;  // the request in flight; null when idle
    Callback callback;
    int error = -1;  // what evhttp's error callback reported for the request in flight
    event* deadline = nullptr;
  };

  void start(Slot& slot, Pending pending);
  void finish(Slot& slot, UpstreamResult result);
  void pump();
  void fail_later(Callback callback, UpstreamError error);
  void run_deferred();
  void expire_queue();
  void arm_queue_timer();

  static void on_response(evhttp_request* req, void* arg);
  static void on_error(int error, void* arg);
  static void on_deadline(evutil_socket_t fd, short what, void* arg);
  static void on_deferred(evutil_socket_t fd, short what, void* arg);
  static void on_queue_timer(evutil_socket_t fd, short what, void* arg);

  event_base* base_;
  UpstreamOptions options_;
  std::string host_header_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::deque<Pending> queue_;
  std::vector<std::pair<Callback, UpstreamError>> deferred_;
  event* deferred_event_ = nullptr;
  event* queue_timer_ = nullptr;  // the oldest queued request's deadline
  UpstreamStats stats_;
};

}  // namespace boxoffice::gateway::io
