// Internals of ApiServer, shared by its source files (api_server.cc: listener, sessions,
// dispatch, health and metrics; server_reads.cc, server_writes.cc, server_stream.cc: the
// handlers). Not a public header.
//
// Threads: config.threads threads, each running an io_context of its own. Every connection is a
// coroutine on one of them; the Redis connections live on the first, on strands of their own.
// Shared state (seat-map cache, SSE watchers, bridges) is guarded by its own mutex; metrics are
// atomics.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "booking/api/api_server.h"
#include "booking/api/completion_bridge.h"
#include "booking/api/connection.h"
#include "booking/api/errors.h"
#include "booking/api/metrics.h"
#include "booking/api/query.h"
#include "booking/api/redis_async.h"
#include "booking/api/requests.h"
#include "booking/api/router.h"
#include "booking/api/sse.h"

namespace boxoffice::booking::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using HttpRequest = http::request<http::string_body>;
template <class T>
using Awaitable = asio::awaitable<T, Executor>;
using UseAwaitable = asio::use_awaitable_t<Executor>;
// Completes with (error_code, ...) instead of throwing.
constexpr auto kNoThrow = asio::as_tuple(UseAwaitable{});

// A Redis command line. (A braced list inside a co_await expression trips GCC 12: "array used
// as initializer"; a function call does not.)
template <class... A>
std::vector<std::string> args(A&&... a) {
  std::vector<std::string> v;
  v.reserve(sizeof...(a));
  (v.emplace_back(std::forward<A>(a)), ...);
  return v;
}
// Several command lines, for a MULTI/EXEC transaction.
template <class... C>
std::vector<std::vector<std::string>> batch(C&&... c) {
  std::vector<std::vector<std::string>> v;
  v.reserve(sizeof...(c));
  (v.push_back(std::forward<C>(c)), ...);
  return v;
}

// How long a client may take to read what the server writes before it is dropped.
constexpr std::chrono::seconds kWriteTimeout{30};

// Writes `buffers` whole within kWriteTimeout, then leaves the connection without a deadline;
// false if the connection failed. The sequence is copied (a few pointers and sizes); the bytes
// it points to must outlive the write.
template <class ConstBufferSequence>
Awaitable<bool> write_all(Connection& connection, ConstBufferSequence buffers) {
  connection.expires_after(kWriteTimeout);
  auto [ec, n] = co_await asio::async_write(connection.socket(), buffers, kNoThrow);
  connection.expires_never();
  co_return !ec;
}

// Writes one response; false if the connection failed.
Awaitable<bool> write_response(Connection& connection, const Response& r, unsigned version,
                               bool keep_alive);

// What a route handler sees of a request.
struct RequestContext {
  const HttpRequest& http;
  const RouteMatch& route;
  const QueryParams& query;
  std::string_view header(std::string_view name) const;
};

struct ServerMetrics {
  static constexpr std::array<int, 14> kStatuses = {200, 201, 202, 400, 401, 402, 403,
                                                    404, 405, 409, 413, 422, 500, 503};
  static constexpr size_t kStatusSlots = kStatuses.size() + 1;  // + other
  static constexpr size_t kRouteSlots = kRouteCount + 1;        // + unmatched

  explicit ServerMetrics(MetricsRegistry& r);
  void request_done(std::optional<RouteId> route, int status, uint64_t elapsed_us);
  // resumed: from submit until the request's coroutine had the outcome, on its own thread.
  void command_done(const CommandOutcome& outcome, std::chrono::microseconds resumed);

  MetricsRegistry& registry;
  std::array<std::array<Counter*, kStatusSlots>, kRouteSlots> requests{};
  std::array<Histogram*, kRouteSlots> latency{};
  Gauge& in_flight;
  Gauge& connections;
  Counter& commands_decided;
  Counter& commands_pending;
  Counter& commands_unavailable;
  // A decided command's time from submit to each stage (CommandOutcome::Timing).
  Histogram& command_stored;
  Histogram& command_decided;
  Histogram& command_received;
  Histogram& command_resumed;
  Counter& seat_map_hits;
  Counter& seat_map_misses;
  Counter& seat_map_joined;
  Gauge& sse_streams;
  Counter& sse_deltas;
  Counter& redis_errors;
  Counter& accept_errors;
};

// One open SSE stream, as the hub sees it. Touched only on its session's strand (the hub posts
// there); the hub keeps weak references.
struct SseSink {
  SseSink(const Executor& ex, std::string fan) : wake(ex), user(std::move(fan)) {}
  Timer wake;  // cancelled to wake the stream
  std::string user;
  std::deque<std::shared_ptr<const DeltaFrames>> queue;
  bool resync = false;    // the subscriber reconnected: deltas may have been missed
  bool overflow = false;  // too slow a reader: the stream ends, the client resumes
};

// Deltas from the Redis subscriber to the streams watching each event.
class SseHub {
 public:
  explicit SseHub(size_t max_queued) : max_queued_(max_queued) {}
  void add(const std::string& event_id, const std::shared_ptr<SseSink>& sink);
  bool watched(std::string_view event_id);
  void publish(const std::string& event_id, std::shared_ptr<const DeltaFrames> frames);
  void resync_all();
  void clear();

 private:
  template <class Fn>
  void for_each(const std::string* event_id, Fn fn);
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<SseSink>>> watchers_;
  size_t max_queued_;
};

// A seat map as rendered once per cache period: its JSON, and the same gzipped for the clients
// that take it (a stadium's 6 MB shrink about twentyfold).
struct RenderedSeatMap {
  std::string json;
  std::string gzip;
};

// Rendered seat maps per (event, section), each fetched by one Redis read however many
// requests want it at once, and reused for the TTL.
class SeatMapCache {
 public:
  using Body = Result<std::shared_ptr<const RenderedSeatMap>, HttpError>;
  using Waiter = std::function<void(Body)>;
  struct Key {
    uint32_t event = 0;
    uint32_t section = 0;  // index + 1; 0 = the whole event
    bool operator<(const Key& o) const {
      return event != o.event ? event < o.event : section < o.section;
    }
  };
  enum class Lookup : uint8_t { kHit, kJoined, kMiss };
  // kHit: body set, waiter untouched. kJoined: waiter queued behind a fetch in flight. kMiss:
  // waiter queued, the caller must fetch and call finish().
  Lookup lookup(const Key& key, std::chrono::steady_clock::time_point now,
                std::chrono::milliseconds ttl, Waiter& waiter,
                std::shared_ptr<const RenderedSeatMap>& body);
  void finish(const Key& key, Body body, std::chrono::steady_clock::time_point now);
  void clear();

 private:
  struct Entry {
    std::chrono::steady_clock::time_point fetched_at{};
    std::shared_ptr<const RenderedSeatMap> body;
    bool loading = false;
    std::vector<Waiter> waiters;
  };
  std::mutex mu_;
  std::map<Key, Entry> entries_;
};

class ServerImpl {
 public:
  ServerImpl(const Catalog& catalog, CommandBus& bus, ApiConfig config);
  ~ServerImpl();

  Result<bool, std::string> start();
  void stop();
  uint16_t port() const { return port_; }

  // api_server.cc
  Awaitable<void> accept_loop();
  Awaitable<void> session(Socket socket);
  Awaitable<Response> dispatch(const RequestContext& rc);
  Response health() const;
  Awaitable<Response> readiness();
  Response metrics_text() const;
  int64_t now_ms() const;

  // server_reads.cc
  Response list_events(const RequestContext& rc) const;
  Response get_event(const RequestContext& rc) const;
  Awaitable<Response> seat_map(const RequestContext& rc);
  Awaitable<Response> waitlist_position(const RequestContext& rc);
  Awaitable<Response> seat_history(const RequestContext& rc);
  Awaitable<Response> get_reservation(const RequestContext& rc);
  Awaitable<Response> user_bookings(const RequestContext& rc);
  Awaitable<Response> request_status(const RequestContext& rc);
  Awaitable<SeatMapCache::Body> cached_seat_map(const Event& event,
                                                std::optional<uint16_t> section);
  Awaitable<RedisResult> redis(std::vector<std::string> argv);
  Awaitable<RedisResult> redis_transaction(std::vector<std::vector<std::string>> commands);
  HttpError redis_failure(const RedisResult& r);

  // server_writes.cc
  enum class ReserveKind : uint8_t { kSeat, kSeats, kBest };
  Awaitable<Response> reserve(const RequestContext& rc, ReserveKind kind);
  // Who makes a write for event_id: the admission token's subject when booking checks tokens,
  // else the identity header or the body's user_id.
  Result<std::string, HttpError> writer_identity(const RequestContext& rc,
                                                 std::string_view event_id,
                                                 const boost::json::object& body);
  Awaitable<Response> waitlist_change(const RequestContext& rc, CommandType type);
  // A write on the reservation the route names, of an event in the catalog: by whom, with what.
  // key and ref view the route's reservation_id, which lives as long as the request.
  struct ReservationWrite {
    std::string_view key;
    ReservationRef ref;
    boost::json::object body;
    std::string user;
  };
  Result<ReservationWrite, HttpError> reservation_write(const RequestContext& rc);
  Awaitable<Response> cancel_reservation(const RequestContext& rc);
  Awaitable<Response> confirm_booking(const RequestContext& rc);
  Awaitable<Response> payment_webhook(const RequestContext& rc);
  Awaitable<CommandOutcome> submit(const OwnedCommand& command);
  Response outcome_response(const CommandOutcome& outcome, std::string_view user);

  // server_stream.cc: serves the stream until the client leaves; returns the HTTP status.
  Awaitable<int> event_stream(Connection& connection, const RequestContext& rc);
  void on_delta(std::string_view channel, std::string_view payload);

  const Catalog& catalog_;
  CommandBus& bus_;
  const ApiConfig config_;
  MetricsRegistry registry_;
  ServerMetrics metrics_{registry_};
  SeatMapCache seat_maps_;
  SseHub hub_;
  CompletionBridge<CommandOutcome> bus_bridge_;
  CompletionBridge<ProviderPayment> payment_bridge_;

  // Declared after everything the connections' coroutines use, and torn down explicitly in
  // ~ServerImpl: handlers that die with the io_context may still touch the members above.
  std::vector<std::unique_ptr<asio::io_context>> ios_;  // one per thread
  // Seat maps are rendered and compressed on a thread of their own: a stadium's takes tens of
  // milliseconds, which would stall every connection of an io thread.
  std::unique_ptr<asio::io_context> render_io_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  size_t accepted_ = 0;  // connections accepted, which picks each one's io_context
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisSubscriber> subscriber_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace boxoffice::booking::api
