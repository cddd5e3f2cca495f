#include "booking/api/api_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include "booking/api/response_head.h"
#include "booking/api/server_impl.h"
#include "shared/json/json_writer.h"
#include "shared/open_files.h"
#include "shared/thread_name.h"

namespace boxoffice::booking::api {
namespace {

using asio::ip::tcp;
constexpr size_t kMaxHeaderBytes = size_t{16} * 1024;

// Requests and a command's stages take from under a millisecond (reads served from the cache)
// to tens of them (a write's Kafka round trip): fine buckets there, coarse beyond.
constexpr std::array<double, 16> kLatencyBounds = {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075,
                                                   0.01,   0.015, 0.02,  0.03,  0.05,  0.1,
                                                   0.25,   0.5,   1.0,   5.0};

std::string route_label(size_t slot) {
  return slot < kRouteCount ? std::string(route_table()[slot].name) : "unmatched";
}

}  // namespace

std::string_view RequestContext::header(std::string_view name) const {
  auto it = http.find(beast::string_view(name.data(), name.size()));
  if (it == http.end()) return {};
  return {it->value().data(), it->value().size()};
}

// ---------------------------------------------------------------------------------------------
// Metrics

ServerMetrics::ServerMetrics(MetricsRegistry& r)
    : registry(r),
      in_flight(r.gauge("boxoffice_api_requests_in_flight", "Requests being handled")),
      connections(r.gauge("boxoffice_api_connections", "Open HTTP connections")),
      commands_decided(r.counter("boxoffice_api_commands_total",
                                 "Commands sent to the command bus, by outcome",
                                 "outcome=\"decided\"")),
      commands_pending(r.counter("boxoffice_api_commands_total", "", "outcome=\"pending\"")),
      commands_unavailable(
          r.counter("boxoffice_api_commands_total", "", "outcome=\"unavailable\"")),
      command_stored(r.histogram("boxoffice_api_command_stage_seconds",
                                 "Time from sending a command to each stage of its round trip: "
                                 "stored by the log, decided by its worker (the worker's clock, "
                                 "in milliseconds), decisions read back, request resumed on its "
                                 "thread",
                                 "stage=\"stored\"", kLatencyBounds)),
      command_decided(r.histogram("boxoffice_api_command_stage_seconds", "", "stage=\"decided\"",
                                  kLatencyBounds)),
      command_received(r.histogram("boxoffice_api_command_stage_seconds", "", "stage=\"received\"",
                                   kLatencyBounds)),
      command_resumed(r.histogram("boxoffice_api_command_stage_seconds", "", "stage=\"resumed\"",
                                  kLatencyBounds)),
      seat_map_hits(r.counter("boxoffice_api_seat_map_cache_total",
                              "Seat map requests by cache result", "result=\"hit\"")),
      seat_map_misses(r.counter("boxoffice_api_seat_map_cache_total", "", "result=\"miss\"")),
      seat_map_joined(r.counter("boxoffice_api_seat_map_cache_total", "", "result=\"joined\"")),
      sse_streams(r.gauge("boxoffice_api_sse_streams", "Open event streams")),
      sse_deltas(r.counter("boxoffice_api_sse_deltas_total", "Deltas received from Redis")),
      redis_errors(r.counter("boxoffice_api_redis_errors_total",
                             "Redis commands that failed (unreachable or refused)")),
      accept_errors(
          r.counter("boxoffice_api_accept_errors_total",
                    "Connections the server failed to accept (out of descriptors, ...)")) {
  for (size_t route = 0; route < kRouteSlots; ++route) {
    const std::string label = "route=\"" + route_label(route) + "\"";
    for (size_t s = 0; s < kStatusSlots; ++s) {
      const std::string status = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      std::string labels = label;
      labels += ",status=\"";
      labels += status;
      labels += '"';
      requests[route][s] = &r.counter("boxoffice_api_requests_total",
                                      "HTTP requests by route and status", labels, true);
    }
    latency[route] = &r.histogram("boxoffice_api_request_duration_seconds",
                                  "Time from request read to response written, by route", label,
                                  kLatencyBounds, true);
  }
}

void ServerMetrics::request_done(std::optional<RouteId> route, int status, uint64_t elapsed_us) {
  const size_t r = route ? static_cast<size_t>(*route) : kRouteCount;
  size_t s = kStatuses.size();
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) s = i;
  }
  requests[r][s]->inc();
  latency[r]->observe_us(elapsed_us);
}

void ServerMetrics::command_done(const CommandOutcome& outcome, std::chrono::microseconds resumed) {
  switch (outcome.status) {
    case CommandOutcome::Status::kDecided:
      commands_decided.inc();
      break;
    case CommandOutcome::Status::kPending:
      commands_pending.inc();
      break;
    case CommandOutcome::Status::kUnavailable:
      commands_unavailable.inc();
      break;
  }
  const auto observe = [](Histogram& h, std::optional<std::chrono::microseconds> t) {
    if (t) h.observe_us(static_cast<uint64_t>(t->count()));
  };
  observe(command_stored, outcome.timing.stored);
  observe(command_decided, outcome.timing.decided);
  observe(command_received, outcome.timing.received);
  if (outcome.status == CommandOutcome::Status::kDecided) observe(command_resumed, resumed);
}

// ---------------------------------------------------------------------------------------------
// Seat map cache and SSE hub

SeatMapCache::Lookup SeatMapCache::lookup(const Key& key, std::chrono::steady_clock::time_point now,
                                          std::chrono::milliseconds ttl, Waiter& waiter,
                                          std::shared_ptr<const RenderedSeatMap>& body) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[key];
  if (e.body && now - e.fetched_at < ttl) {
    body = e.body;
    return Lookup::kHit;
  }
  e.waiters.push_back(std::move(waiter));
  if (e.loading) return Lookup::kJoined;
  e.loading = true;
  return Lookup::kMiss;
}

void SeatMapCache::finish(const Key& key, Body body, std::chrono::steady_clock::time_point now) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    Entry& e = entries_[key];
    e.loading = false;
    waiters.swap(e.waiters);
    if (body) {
      e.body = *body;
      e.fetched_at = now;
    }
  }
  for (Waiter& w : waiters) w(body);
}

void SeatMapCache::clear() {
  std::map<Key, Entry> dropped;
  std::lock_guard lock(mu_);
  dropped.swap(entries_);
}

template <class Fn>
void SseHub::for_each(const std::string* event_id, Fn fn) {
  std::vector<std::shared_ptr<SseSink>> live;
  {
    std::lock_guard lock(mu_);
    for (auto it = watchers_.begin(); it != watchers_.end();) {
      if (event_id != nullptr && it->first != *event_id) {
        ++it;
        continue;
      }
      auto& list = it->second;
      std::erase_if(list, [&](const std::weak_ptr<SseSink>& w) {
        if (auto s = w.lock()) {
          live.push_back(std::move(s));
          return false;
        }
        return true;
      });
      it = list.empty() ? watchers_.erase(it) : std::next(it);
    }
  }
  for (auto& sink : live) fn(sink);
}

void SseHub::add(const std::string& event_id, const std::shared_ptr<SseSink>& sink) {
  std::lock_guard lock(mu_);
  auto& list = watchers_[event_id];
  std::erase_if(list, [](const std::weak_ptr<SseSink>& w) { return w.expired(); });
  list.push_back(sink);
}

bool SseHub::watched(std::string_view event_id) {
  std::lock_guard lock(mu_);
  return watchers_.contains(std::string(event_id));
}

void SseHub::publish(const std::string& event_id, std::shared_ptr<const DeltaFrames> frames) {
  for_each(&event_id, [&](const std::shared_ptr<SseSink>& sink) {
    asio::post(sink->wake.get_executor(), [sink, frames, max = max_queued_] {
      if (sink->queue.size() >= max) {
        sink->overflow = true;
      } else {
        sink->queue.push_back(frames);
      }
      sink->wake.cancel();
    });
  });
}

void SseHub::resync_all() {
  for_each(nullptr, [](const std::shared_ptr<SseSink>& sink) {
    asio::post(sink->wake.get_executor(), [sink] {
      sink->resync = true;
      sink->wake.cancel();
    });
  });
}

void SseHub::clear() {
  std::lock_guard lock(mu_);
  watchers_.clear();
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

ServerImpl::ServerImpl(const Catalog& catalog, CommandBus& bus, ApiConfig config)
    : catalog_(catalog), bus_(bus), config_(std::move(config)), hub_(config_.sse_max_queued) {
  // One io_context per thread, each run by that thread alone (concurrency hint 1): a shared
  // one hands every batch of ready handlers from the thread waiting in epoll to the other
  // through a futex, about two wake-ups a request.
  const int threads = std::max(1, config_.threads);
  for (int i = 0; i < threads; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
  render_io_ = std::make_unique<asio::io_context>(1);
}

ServerImpl::~ServerImpl() {
  stop();
  // Handlers still waiting on the outside world die first, while the io_context they refer to
  // is alive; then everything that holds I/O objects, then the io_context itself.
  bus_bridge_.close();
  payment_bridge_.close();
  subscriber_.reset();
  redis_.reset();
  seat_maps_.clear();
  hub_.clear();
  acceptor_.reset();
  work_.clear();
  render_io_.reset();
  ios_.clear();
}

Result<bool, std::string> ServerImpl::start() {
  if (started_.exchange(true)) return unexpected(std::string("api: already started"));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.host, ec);
  if (ec) return unexpected("api: bad listen address \"" + config_.host + "\"");
  acceptor_ = std::make_unique<tcp::acceptor>(*ios_.front());
  const tcp::endpoint endpoint(address, config_.port);
  if (acceptor_->open(endpoint.protocol(), ec); ec) {
    return unexpected("api: open: " + ec.message());
  }
  acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor_->bind(endpoint, ec); ec) {
    return unexpected("api: bind " + config_.host + ":" + std::to_string(config_.port) + ": " +
                      ec.message());
  }
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return unexpected("api: listen: " + ec.message());
  }
  port_ = acceptor_->local_endpoint().port();

  RedisOptions redis_options;
  redis_options.host = config_.redis_host;
  redis_options.port = config_.redis_port;
  redis_ = std::make_unique<RedisClient>(*ios_.front(), redis_options);
  subscriber_ = std::make_unique<RedisSubscriber>(
      *ios_.front(), redis_options, std::vector<std::string>{"bx:deltas:*"},
      [this](std::string_view channel, std::string_view payload) { on_delta(channel, payload); },
      [this] { hub_.resync_all(); });
  redis_->start();
  subscriber_->start();

  for (const auto& io : ios_) work_.emplace_back(io->get_executor());
  work_.emplace_back(render_io_->get_executor());
  asio::co_spawn(ios_.front()->get_executor(), accept_loop(), asio::detached);
  for (size_t i = 0; i < ios_.size(); ++i) {
    threads_.emplace_back([this, i] {
      name_this_thread("api-io-" + std::to_string(i));
      ios_[i]->run();
    });
  }
  threads_.emplace_back([this] {
    name_this_thread("api-render");
    render_io_->run();
  });
  spdlog::info("api: listening on {}:{} ({} threads)", config_.host, port_, ios_.size());
  return true;
}

void ServerImpl::stop() {
  if (!started_ || stopped_.exchange(true)) return;
  if (redis_) redis_->stop();
  if (subscriber_) subscriber_->stop();
  work_.clear();
  for (const auto& io : ios_) io->stop();
  render_io_->stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

int64_t ServerImpl::now_ms() const {
  if (config_.now_ms) return config_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// Connections

Awaitable<void> ServerImpl::accept_loop() {
  for (;;) {
    // Connections go to the threads in turn; each lives on its thread's io_context.
    auto [ec, socket] =
        co_await acceptor_->async_accept(*ios_[accepted_++ % ios_.size()], kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) {
      metrics_.accept_errors.inc();
      spdlog::warn("api: accept: {}", ec.message());
      if (accept_needs_pause(ec.value())) {
        Timer pause(ios_.front()->get_executor(), kAcceptPause);
        co_await pause.async_wait(kNoThrow);
      }
      continue;
    }
    // Answers and SSE events are written whole. With Nagle on, an event written while the one
    // before is unacknowledged waits for the client's delayed ACK, up to 40 ms.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), [](const std::exception_ptr& e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("api: connection failed: {}", ex.what());
      }
    });
  }
}

Awaitable<bool> write_response(Connection& connection, const Response& r, unsigned version,
                               bool keep_alive) {
  const std::string head = response_head(r, version, keep_alive);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::const_buffer()};
  if (r.body) buffers[1] = asio::buffer(*r.body);
  co_return co_await write_all(connection, buffers);
}

namespace {

// After refusing a request whose body was left unread, read (and drop) what the client still
// sends before closing: closing with unread data makes the kernel reset the connection, and
// the client may lose the answer.
Awaitable<void> drain_and_close(Connection& connection) {
  constexpr size_t kMaxDrainBytes = size_t{4} * 1024 * 1024;
  boost::system::error_code ignored;
  (void)connection.socket().shutdown(tcp::socket::shutdown_send, ignored);
  connection.expires_after(std::chrono::seconds(2));
  std::array<char, size_t{16} * 1024> sink{};
  for (size_t total = 0; total < kMaxDrainBytes;) {
    auto [ec, n] = co_await connection.socket().async_read_some(asio::buffer(sink), kNoThrow);
    if (ec) break;
    total += n;
  }
}

}  // namespace

Awaitable<void> ServerImpl::session(Socket socket) {
  Connection connection(std::move(socket));
  beast::flat_buffer buffer;
  metrics_.connections.add(1);
  struct Closed {
    Gauge& g;
    ~Closed() { g.add(-1); }
  } closed{metrics_.connections};

  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(config_.max_body_bytes);
    connection.expires_after(config_.idle_timeout);
    auto [ec, n] = co_await http::async_read(connection.socket(), buffer, parser, kNoThrow);
    if (ec == http::error::body_limit) {
      const HttpError e =
          api_error(ApiErrc::kBodyTooLarge,
                    "body larger than " + std::to_string(config_.max_body_bytes) + " bytes");
      metrics_.request_done(std::nullopt, e.status, 0);
      const Response answer = error_response(e);
      const bool written = co_await write_response(connection, answer, 11, false);
      if (written) co_await drain_and_close(connection);
      co_return;
    }
    if (ec) {
      // A malformed request gets an answer; a closed or idle connection just ends.
      if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        const HttpError e = api_error(ApiErrc::kBadHttp, "malformed HTTP request: " + ec.message());
        metrics_.request_done(std::nullopt, e.status, 0);
        const Response answer = error_response(e);
        const bool written = co_await write_response(connection, answer, 11, false);
        if (written) co_await drain_and_close(connection);
        co_return;
      }
      break;
    }
    connection.expires_never();
    const HttpRequest& req = parser.get();
    const auto started = std::chrono::steady_clock::now();
    const SplitTarget target = split_target({req.target().data(), req.target().size()});
    const RouteMatch route =
        match_route({req.method_string().data(), req.method_string().size()}, target.path);
    auto query = parse_query(target.query);
    const QueryParams params = query ? std::move(*query) : QueryParams{};
    const RequestContext rc{req, route, params};

    if (route.kind == RouteMatch::Kind::kFound && route.id == RouteId::kEventStream && query) {
      metrics_.sse_streams.add(1);
      const int status = co_await event_stream(connection, rc);
      metrics_.sse_streams.add(-1);
      metrics_.request_done(route.id, status, 0);
      break;  // a stream owns the rest of the connection
    }

    metrics_.in_flight.add(1);
    // (Never co_await inside ?: or a call's arguments: GCC 12 destroys such temporaries twice.)
    Response res;
    if (query) {
      res = co_await dispatch(rc);
    } else {
      res = error_response(
          api_error(ApiErrc::kBadQuery, "bad percent-encoding (or a NUL) in the query string"));
    }
    metrics_.in_flight.add(-1);
    const bool keep_alive = req.keep_alive();
    const bool written = co_await write_response(connection, res, req.version(), keep_alive);
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    metrics_.request_done(
        route.kind == RouteMatch::Kind::kFound ? std::optional(route.id) : std::nullopt, res.status,
        static_cast<uint64_t>(elapsed.count()));
    if (!written || !keep_alive) break;
  }
  boost::system::error_code ignored;
  (void)connection.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

namespace {

// An answer known without waiting, as the awaitable the routes return.
Awaitable<Response> answered(Response r) { co_return r; }

}  // namespace

// Not a coroutine itself: it hands back the route's own, so no frame is allocated for it per
// request (one frame holding every route's temporaries would be larger than asio recycles).
Awaitable<Response> ServerImpl::dispatch(const RequestContext& rc) {
  switch (rc.route.kind) {
    case RouteMatch::Kind::kNotFound:
      return answered(error_response(
          api_error(ApiErrc::kNotFound, "no route for " + std::string(rc.http.target()))));
    case RouteMatch::Kind::kBadPath:
      return answered(
          error_response(api_error(ApiErrc::kBadPath, "bad percent-encoding in the path")));
    case RouteMatch::Kind::kMethodNotAllowed: {
      Response r = error_response(api_error(
          ApiErrc::kMethodNotAllowed,
          std::string(rc.http.method_string()) + " is not allowed here; use " + rc.route.allow));
      r.headers.emplace_back("Allow", rc.route.allow);
      return answered(std::move(r));
    }
    case RouteMatch::Kind::kFound:
      break;
  }
  switch (rc.route.id) {
    case RouteId::kListEvents:
      return answered(list_events(rc));
    case RouteId::kGetEvent:
      return answered(get_event(rc));
    case RouteId::kSeatMap:
      return seat_map(rc);
    case RouteId::kEventStream:
      break;  // handled by the session: it takes over the connection
    case RouteId::kReserveSeats:
      return reserve(rc, ReserveKind::kSeats);
    case RouteId::kReserveBest:
      return reserve(rc, ReserveKind::kBest);
    case RouteId::kReserveSeat:
      return reserve(rc, ReserveKind::kSeat);
    case RouteId::kJoinWaitlist:
      return waitlist_change(rc, CommandType::kJoinWaitlist);
    case RouteId::kLeaveWaitlist:
      return waitlist_change(rc, CommandType::kLeaveWaitlist);
    case RouteId::kWaitlistPosition:
      return waitlist_position(rc);
    case RouteId::kSeatHistory:
      return seat_history(rc);
    case RouteId::kGetReservation:
      return get_reservation(rc);
    case RouteId::kCancelReservation:
      return cancel_reservation(rc);
    case RouteId::kConfirmBooking:
      return confirm_booking(rc);
    case RouteId::kUserBookings:
      return user_bookings(rc);
    case RouteId::kPaymentWebhook:
      return payment_webhook(rc);
    case RouteId::kRequestStatus:
      return request_status(rc);
    case RouteId::kHealthz:
      return answered(health());
    case RouteId::kReadyz:
      return readiness();
    case RouteId::kMetrics:
      return answered(metrics_text());
  }
  return answered(error_response(api_error(ApiErrc::kInternal, "unrouted request")));
}

// ---------------------------------------------------------------------------------------------
// Operations

Response ServerImpl::health() const { return json_response(200, R"({"status":"ok"})"); }

Awaitable<Response> ServerImpl::readiness() {
  const RedisResult ping = co_await redis(args("PING"));
  const bool redis_ok = ping && !ping->is_error();
  const bool subscriber_ok = subscriber_->subscribed();
  const bool bus_ok = !config_.ready || config_.ready();
  std::string checks;
  JsonWriter w(checks);
  w.field("redis", redis_ok).field("deltas", subscriber_ok).field("command_bus", bus_ok);
  if (redis_ok && subscriber_ok && bus_ok) {
    co_return json_response(200, R"({"status":"ready","checks":{)" + checks + "}}");
  }
  HttpError e = api_error(ApiErrc::kNotReady, "not ready");
  e.extra_members = R"("checks":{)" + checks + "}";
  co_return error_response(e);
}

Response ServerImpl::metrics_text() const {
  Response r = json_response(200, registry_.render());
  r.content_type = "text/plain; version=0.0.4";
  return r;
}

// ---------------------------------------------------------------------------------------------

ApiServer::ApiServer(const Catalog& catalog, CommandBus& bus, ApiConfig config)
    : impl_(std::make_unique<ServerImpl>(catalog, bus, std::move(config))) {}
ApiServer::~ApiServer() = default;
Result<bool, std::string> ApiServer::start() { return impl_->start(); }
void ApiServer::stop() { impl_->stop(); }
uint16_t ApiServer::port() const { return impl_->port(); }

}  // namespace boxoffice::booking::api
