// The proxy to booking: /api/... with a valid admission token for the event the route names
// goes to the booking API; client identity headers are dropped and the verified identity is
// passed on. Without a token: 401/403 JSON for apps, a redirect to the waiting room for
// browsers. Seat-map reads are micro-cached, so a stampede costs booking one read per second
// (per content coding: gzipped or not).
#include "gateway/io/api_route.h"
#include "gateway/io/gate_handler.h"
#include "gateway/io/request_tokens.h"
#include "gateway/io/room_setup.h"
#include "shared/http/content_coding.h"

namespace boxoffice::gateway {
namespace {

using server::Header;

// Headers the gate never passes on: hop-by-hop ones, the client's claims about who it is or
// where it came from, and cookies (the gate's tokens travel as Authorization).
bool dropped_request_header(std::string_view name) {
  return name == kIdentityHeader || name == "cookie" || name == "authorization" ||
         name == "x-forwarded-for" || name == "forwarded" || name == "x-real-ip" ||
         name == "host" || name == "content-length" || name.starts_with(':');
}

}  // namespace

void GateHandler::proxy(server::Request& request, server::ResponseWriter writer) {
  auto route = classify_api_request(request.method, request.target, request.path);
  if (!route) {
    return reply_error(writer, GateErrc::kNotFound, "no such route for fans", route.error());
  }
  if (route->access == ApiRoute::Access::kPublic) {
    return forward(request, std::move(writer), nullptr, {}, false);
  }
  // The token: Authorization first, else the event's admission cookie.
  std::string_view token = request_token(request, admission_cookie_name(route->event));
  const bool html = wants_html(request);
  if (token.empty()) {
    if (html && !route->event.empty()) {
      return writer.respond(303, {Header{"location", "/queue/" + route->event + "/status"}}, "");
    }
    return reply_error(writer, GateErrc::kAdmissionRequired,
                       "an admission token for this event is required: join its waiting room");
  }
  tokens::VerifyOptions options;
  options.expected_event = route->event;  // empty for routes open to any event's token
  options.expected_kind = "admission";
  auto claims = admission_verifier_.verify(token, now_ms(), options);
  if (!claims) {
    shared_.counters.token_rejections.fetch_add(1, std::memory_order_relaxed);
    if (claims.error() == tokens::Errc::kVerifyBusy) {
      return reply_error(writer, GateErrc::kVerifyBusy, "too many unknown tokens; retry shortly");
    }
    if (html && !route->event.empty()) {
      return writer.respond(303, {Header{"location", "/queue/" + route->event + "/status"}}, "");
    }
    return reply_error(writer, GateErrc::kInvalidToken, "the admission token is not valid",
                       tokens::to_string(claims.error()));
  }
  if (!route->user.empty() && route->user != claims->sub) {
    return reply_error(writer, GateErrc::kInvalidToken, "the token belongs to someone else",
                       "wrong_subject");
  }
  if (api_limits_.refill_per_s() > 0 && !api_limits_.allow(claims->sub, now_ms())) {
    shared_.counters.rate_limited.fetch_add(1, std::memory_order_relaxed);
    return reply_error(writer, GateErrc::kRateLimited, "too many requests for this identity");
  }
  const tokens::Claims verified = *claims;
  forward(request, std::move(writer), &verified, std::string(token), route->seat_map);
}

void GateHandler::forward(server::Request& request, server::ResponseWriter writer,
                          const tokens::Claims* claims, const std::string& token, bool seat_map) {
  io::UpstreamRequest up;
  up.method = request.method;
  up.target = std::string(request.path.substr(4));  // "/api/x" → "/x"
  for (const server::Header& h : request.headers) {
    if (!dropped_request_header(h.name)) up.headers.emplace_back(h.name, h.value);
  }
  up.headers.emplace_back("x-forwarded-for", request.peer_ip);
  if (claims != nullptr) {
    up.headers.emplace_back(std::string(kIdentityHeader), claims->sub);
    up.headers.emplace_back("authorization", "Bearer " + token);
  }
  up.body = std::move(request.body);
  shared_.counters.proxied.fetch_add(1, std::memory_order_relaxed);

  auto answer = [this](server::ResponseWriter& w, const io::UpstreamResult& result) {
    if (!result) {
      shared_.counters.upstream_errors.fetch_add(1, std::memory_order_relaxed);
      if (result.error() == io::UpstreamError::kTimeout) {
        return reply_error(w, GateErrc::kUpstreamTimeout, "booking did not answer in time");
      }
      return reply_error(w, GateErrc::kUpstreamUnavailable, "booking is unreachable");
    }
    std::vector<Header> headers;
    for (const auto& [name, value] : result->headers) headers.push_back(Header{name, value});
    w.respond(result->status, std::move(headers), result->body);
  };

  if (!seat_map) {
    return upstream_.send(
        std::move(up), [writer = std::move(writer), answer](
                           const io::UpstreamResult& result) mutable { answer(writer, result); });
  }
  // Seat maps: one upstream read per key per cache period, whatever the stampede. Booking
  // gzips a map for a client that takes it, so whether this one does is part of the key, and
  // the read asks for exactly that.
  const bool gzip = http::accepts_gzip(request.header("accept-encoding"));
  std::erase_if(up.headers, [](const auto& h) { return h.first == "accept-encoding"; });
  if (gzip) up.headers.emplace_back("accept-encoding", "gzip");
  const std::string key = gzip ? up.target + " gzip" : up.target;  // a target holds no space
  const int64_t now = now_ms();
  const io::MicroCache::Lookup lookup = seat_maps_.lookup(key, now);
  if (lookup.hit != nullptr) {
    shared_.counters.seat_map_cache_hits.fetch_add(1, std::memory_order_relaxed);
    return answer(writer, *lookup.hit);
  }
  seat_maps_.park(key, [writer = std::move(writer), answer](const io::UpstreamResult& r) mutable {
    answer(writer, r);
  });
  if (!lookup.fetch) return;
  upstream_.send(std::move(up), [this, key](io::UpstreamResult result) {
    seat_maps_.complete(key, std::move(result), now_ms());
  });
}

}  // namespace boxoffice::gateway
