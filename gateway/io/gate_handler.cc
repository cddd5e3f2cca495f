#include "gateway/io/gate_handler.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace boxoffice::gateway {
namespace {

using server::Header;

void counter(std::string& out, std::string_view name, std::string_view help, uint64_t value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" counter\n").append(name).append(" ");
  out.append(std::to_string(value)).append("\n");
}

io::UpstreamOptions upstream_options(const GateConfig& c) {
  io::UpstreamOptions o;
  o.host = c.upstream_host;
  o.port = c.upstream_port;
  o.connections = c.upstream_connections;
  o.timeout_ms = c.upstream_timeout_ms;
  return o;
}

io::MicroCacheOptions micro_cache_options(const GateConfig& c) {
  io::MicroCacheOptions o;
  o.ttl_ms = c.seat_map_cache_ms;
  return o;
}

tokens::CachingVerifierOptions admission_verifier_options(const GateConfig& c) {
  tokens::CachingVerifierOptions o;
  o.max_uncached_verifies_per_s = c.max_uncached_verifies_per_s;
  return o;
}

// Waiting tokens are HS256: checking an unknown one costs less than the request carrying it, so
// a flood of forged ones is no worse than any flood of requests and needs no budget of its own.
// A budget would turn away the first poll of every fan who joined on another thread.
tokens::CachingVerifierOptions waiting_verifier_options() {
  tokens::CachingVerifierOptions o;
  o.max_uncached_verifies_per_s = 0;
  return o;
}

}  // namespace

GateHandler::GateHandler(GateShared& shared, event_base* base, int thread_index)
    : shared_(shared),
      base_(base),
      thread_index_(thread_index),
      redis_(base, shared.config.redis_host, shared.config.redis_port),
      upstream_(base, upstream_options(shared.config)),
      seat_maps_(micro_cache_options(shared.config)),
      admission_verifier_(shared.keys, admission_verifier_options(shared.config)),
      waiting_verifier_(shared.waiting_keys, waiting_verifier_options()),
      join_limits_(shared.config.join_rate_per_ip_per_s, shared.config.join_burst_per_ip),
      api_limits_(shared.config.api_rate_per_identity_per_s, shared.config.api_burst_per_identity),
      proof_of_work_(shared.config.pow_secret) {
  refresh_timer_ = evtimer_new(
      base_,
      [](evutil_socket_t, short, void* self) { static_cast<GateHandler*>(self)->refresh_rooms(); },
      this);
  refresh_rooms();
}

GateHandler::~GateHandler() {
  if (refresh_timer_ != nullptr) event_free(refresh_timer_);
}

int64_t GateHandler::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void GateHandler::reply_error(server::ResponseWriter& writer, GateErrc code,
                              std::string_view message, std::string_view reason) {
  writer.respond(info(code).status, {Header{"content-type", "application/json"}},
                 error_body(code, message, reason));
}

void GateHandler::handle(server::Request& request, server::ResponseWriter writer) {
  const std::vector<std::string>& s = request.target.segments;
  const std::string_view method = request.method;
  const std::string_view first = s.empty() ? std::string_view() : std::string_view(s[0]);
  if (first == "queue" && s.size() == 3) {
    const std::string& event = s[1];
    const std::string_view action = s[2];
    if (action == "status" && method == "GET") return status(request, std::move(writer), event);
    if (action == "join" && method == "POST") return join(request, std::move(writer), event);
    if (action == "stream" && method == "GET") return stream(request, std::move(writer), event);
    if (action == "lottery" && method == "GET") return lottery(writer, event);
    if (action == "challenge" && method == "GET") return challenge(request, writer, event);
  } else if (first == "api") {
    return proxy(request, std::move(writer));
  } else if (first == "admin") {
    return admin(request, std::move(writer));
  } else if (method == "GET" && s.size() == 1 && first == "healthz") {
    return writer.respond(200, {Header{"content-type", "text/plain"}}, "ok\n");
  } else if (method == "GET" && s.size() == 1 && first == "readyz") {
    return serve_readyz(writer);
  } else if (method == "GET" && s.size() == 1 && first == "metrics") {
    return serve_metrics(writer);
  } else if (method == "GET" && s.size() == 2 && first == ".well-known" && s[1] == "jwks.json") {
    return writer.respond(
        200,
        {Header{"content-type", "application/json"}, Header{"cache-control", "public, max-age=60"}},
        shared_.jwks);
  } else if (method == "GET" || method == "HEAD") {
    return serve_static(request, writer);
  }
  reply_error(writer, GateErrc::kNotFound, "no such route");
}

void GateHandler::serve_static(const server::Request& request, server::ResponseWriter& writer) {
  if (shared_.static_files) {
    std::string_view path = request.target.path;
    if (path == "/") path = "/index.html";
    if (path.starts_with("/static/")) path.remove_prefix(7);
    if (shared_.static_files->serve(request, writer, path)) return;
  }
  reply_error(writer, GateErrc::kNotFound, "no such route");
}

void GateHandler::serve_readyz(server::ResponseWriter& writer) {
  if (!redis_.connected()) {
    return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
  }
  writer.respond(200, {Header{"content-type", "text/plain"}}, "ready\n");
}

void GateHandler::serve_metrics(server::ResponseWriter& writer) {
  std::string out;
  if (shared_.render_server_metrics) shared_.render_server_metrics(out);
  const GateCounters& c = shared_.counters;
  counter(out, "gate_joins_total", "Queue joins answered.", c.joins.load());
  counter(out, "gate_status_requests_total", "Waiting-room status and stream requests.",
          c.status_requests.load());
  counter(out, "gate_admission_tokens_signed_total", "Admission tokens signed.",
          c.admission_tokens_signed.load());
  counter(out, "gate_token_rejections_total", "Tokens refused, any reason.",
          c.token_rejections.load());
  counter(out, "gate_rate_limited_total", "Requests refused by a rate limit.",
          c.rate_limited.load());
  counter(out, "gate_proxied_total", "Requests forwarded to booking.", c.proxied.load());
  counter(out, "gate_seat_map_cache_hits_total", "Seat-map reads answered by the micro-cache.",
          c.seat_map_cache_hits.load());
  counter(out, "gate_upstream_errors_total", "Booking API calls that failed or timed out.",
          c.upstream_errors.load());
  counter(out, "gate_admin_changes_total", "Admission settings changed through the admin API.",
          c.admin_changes.load());
  counter(out, "gate_room_refresh_errors_total", "Room refreshes that failed.",
          c.room_refresh_errors.load());
  counter(out, "gate_command_lag_unknown_total",
          "Room refreshes without a fresh booking command-lag report while a room has a "
          "lag_target (those rooms ticked without lag).",
          c.command_lag_unknown.load());
  out +=
      "# HELP gate_command_lag The booking command lag as this thread last read it "
      "(absent while no report is fresh).\n";
  out += "# TYPE gate_command_lag gauge\n";
  if (command_lag_) {
    out.append("gate_command_lag ").append(std::to_string(*command_lag_)).append("\n");
  }
  // Room figures as this thread last read them (every thread reads the same rooms).
  out += "# HELP gate_room_joined Identities with a place, per event.\n";
  out += "# TYPE gate_room_joined gauge\n";
  for (const auto& [event, room] : rooms_) {
    if (!room.loaded) continue;
    const RoomSnapshot& r = room.snapshot;
    out.append("gate_room_joined{event=\"").append(event).append("\"} ");
    out.append(std::to_string(r.pre_count + r.fifo_count)).append("\n");
  }
  out += "# HELP gate_room_admitted Admitted watermark, per event.\n";
  out += "# TYPE gate_room_admitted gauge\n";
  for (const auto& [event, room] : rooms_) {
    if (!room.loaded) continue;
    out.append("gate_room_admitted{event=\"").append(event).append("\"} ");
    out.append(std::to_string(room.snapshot.watermark)).append("\n");
  }
  writer.respond(200, {Header{"content-type", "text/plain; version=0.0.4"}}, std::move(out));
}

}  // namespace boxoffice::gateway
