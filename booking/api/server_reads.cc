// Read handlers: the catalog from memory, everything else from the Redis read model
// (lua-rules/booking/README.md).
#include <spdlog/spdlog.h>

#include <boost/asio/use_awaitable.hpp>

#include "booking/api/audit.h"
#include "booking/api/events_view.h"
#include "booking/api/read_model.h"
#include "booking/api/server_impl.h"
#include "booking/core/wire.h"
#include "booking/service/decision_json.h"
#include "shared/http/content_coding.h"
#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

// Keys of the read model. Seats are named by their index in the catalog, as everywhere in it.
std::string seat_part(SeatIndex seat) { return std::to_string(seat); }
std::string seats_key(std::string_view event) { return "bx:seats:" + std::string(event); }
std::string waitlist_key(std::string_view event, SeatIndex seat) {
  return "bx:wl:" + std::string(event) + ":" + seat_part(seat);
}
std::string audit_key(std::string_view event, SeatIndex seat) {
  return "bx:audit:" + std::string(event) + ":" + seat_part(seat);
}

// Requests' answers: a hash per 256 request keys, named by their first 14 hex digits.
constexpr size_t kAnswersPrefixDigits = 14;
std::string answers_key(std::string_view request_key) {
  return "bx:reqs:" + std::string(request_key.substr(0, kAnswersPrefixDigits));
}

std::vector<std::string> strings_of(const RedisReply& r) {
  std::vector<std::string> out;
  for (const RedisReply& e : r.elements) out.push_back(e.str);
  return out;
}

// A list's elements as one string, one per line (nil for no elements).
RedisReply lines_of(const RedisReply& list) {
  RedisReply out;
  for (const RedisReply& e : list.elements) {
    if (out.type == RedisReply::Type::kString) out.str += '\n';
    out.type = RedisReply::Type::kString;
    out.str += e.str;
  }
  return out;
}

HashFields hash_of(const RedisReply& r) {
  HashFields out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  }
  return out;
}

}  // namespace

Awaitable<RedisResult> ServerImpl::redis(std::vector<std::string> argv) {
  RedisResult r = co_await redis_->async_command(std::move(argv), UseAwaitable{});
  if (!r || r->is_error()) metrics_.redis_errors.inc();
  co_return r;
}

Awaitable<RedisResult> ServerImpl::redis_transaction(
    std::vector<std::vector<std::string>> commands) {
  RedisResult r = co_await redis_->async_transaction(std::move(commands), UseAwaitable{});
  if (!r || r->is_error() || r->type != RedisReply::Type::kArray) metrics_.redis_errors.inc();
  co_return r;
}

HttpError ServerImpl::redis_failure(const RedisResult& r) {
  if (!r) return api_error(ApiErrc::kUnavailable, "the read model is unreachable; try again");
  spdlog::error("api: redis refused a read: {}", r->str);
  return api_error(ApiErrc::kInternal, "the read model refused the read");
}

Response ServerImpl::list_events(const RequestContext& rc) const {
  auto query = parse_search_query(rc.query);
  if (!query) return error_response(api_error(ApiErrc::kBadQuery, query.error()));
  return json_response(200, render_event_list(search_events(catalog_, *query), *query));
}

Response ServerImpl::get_event(const RequestContext& rc) const {
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) return error_response(event.error());
  return json_response(200, render_event(**event));
}

Awaitable<SeatMapCache::Body> ServerImpl::cached_seat_map(const Event& event,
                                                          std::optional<uint16_t> section) {
  const SeatMapCache::Key key{static_cast<uint32_t>(&event - catalog_.events.data()),
                              section ? *section + 1U : 0U};
  UseAwaitable token;  // async_initiate takes the token by lvalue reference
  co_return co_await asio::async_initiate<UseAwaitable, void(SeatMapCache::Body)>(
      [this, &event, key, section](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        SeatMapCache::Waiter waiter = [shared](SeatMapCache::Body body) {
          auto ex = asio::get_associated_executor(*shared);
          asio::post(ex, [shared, body = std::move(body)]() mutable {
            std::move (*shared)(std::move(body));
          });
        };
        std::shared_ptr<const RenderedSeatMap> cached;
        const auto now = std::chrono::steady_clock::now();
        switch (seat_maps_.lookup(key, now, config_.seat_map_cache_ttl, waiter, cached)) {
          case SeatMapCache::Lookup::kHit:
            metrics_.seat_map_hits.inc();
            return waiter(SeatMapCache::Body(std::move(cached)));
          case SeatMapCache::Lookup::kJoined:
            metrics_.seat_map_joined.inc();
            return;
          case SeatMapCache::Lookup::kMiss:
            metrics_.seat_map_misses.inc();
            break;
        }
        std::vector<std::string> argv = {"GET", seats_key(event.id)};
        if (section) {
          const Section& s = event.sections[*section];
          argv = {"GETRANGE", seats_key(event.id), std::to_string(s.first_seat),
                  std::to_string(static_cast<uint64_t>(s.first_seat) + s.seat_count - 1)};
        }
        redis_->command(std::move(argv), [this, &event, key, section](RedisResult r) {
          if (!r || r->is_error()) {
            metrics_.redis_errors.inc();
            return seat_maps_.finish(key, unexpected(redis_failure(r)),
                                     std::chrono::steady_clock::now());
          }
          asio::post(*render_io_, [this, &event, key, section, bytes = std::move(r->str)] {
            auto map = std::make_shared<RenderedSeatMap>();
            map->json = render_seat_map(event, section, bytes);
            map->gzip = boxoffice::http::gzip(map->json);
            seat_maps_.finish(key, std::shared_ptr<const RenderedSeatMap>(std::move(map)),
                              std::chrono::steady_clock::now());
          });
        });
      },
      token);
}

Awaitable<Response> ServerImpl::seat_map(const RequestContext& rc) {
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) co_return error_response(event.error());
  std::optional<uint16_t> section;
  if (auto wanted = query_value(rc.query, "section"); wanted && !wanted->empty()) {
    section = find_section(**event, *wanted);
    if (!section) {
      co_return error_response(
          api_error(ApiErrc::kUnknownSection,
                    "no section \"" + std::string(*wanted) + "\" in event " + (*event)->id));
    }
  }
  SeatMapCache::Body map = co_await cached_seat_map(**event, section);
  if (!map) co_return error_response(map.error());
  Response r;
  // The body shares the cached map's lifetime: no copy of a stadium's megabytes per answer.
  if (boxoffice::http::accepts_gzip(rc.header("accept-encoding"))) {
    r.body = std::shared_ptr<const std::string>(*map, &(*map)->gzip);
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = std::shared_ptr<const std::string>(*map, &(*map)->json);
  }
  r.headers.emplace_back("Vary", "Accept-Encoding");
  co_return r;
}

Awaitable<Response> ServerImpl::waitlist_position(const RequestContext& rc) {
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) co_return error_response(event.error());
  auto seat = find_seat(**event, rc.route.param("seat_id"));
  if (!seat) co_return error_response(seat.error());
  auto user =
      require_identity(rc.header(kIdentityHeader), query_value(rc.query, "user_id").value_or(""));
  if (!user) co_return error_response(user.error());
  const std::string key = waitlist_key((*event)->id, *seat);
  RedisResult r = co_await redis_transaction(batch(args("LPOS", key, *user), args("LLEN", key)));
  if (!r || r->is_error() || r->elements.size() != 2) co_return error_response(redis_failure(r));
  const RedisReply& pos = r->elements[0];
  if (pos.type != RedisReply::Type::kInteger) {
    co_return error_response(core_error(Errc::kNotWaitlisted, "not on this seat's waitlist"));
  }
  const auto position = static_cast<uint32_t>(pos.integer + 1);
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("event_id", (*event)->id).field("seat_id", rc.route.param("seat_id"));
  w.field("user_id", *user).field("position", position);
  w.field("waiting", r->elements[1].integer).field("estimated_wait", estimated_wait(position));
  w.end_object();
  co_return json_response(200, std::move(out));
}

Awaitable<Response> ServerImpl::seat_history(const RequestContext& rc) {
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) co_return error_response(event.error());
  auto seat = find_seat(**event, rc.route.param("seat_id"));
  if (!seat) co_return error_response(seat.error());
  std::optional<int64_t> at;
  if (auto text = query_value(rc.query, "at"); text && !text->empty()) {
    auto parsed = parse_instant(*text);
    if (!parsed) co_return error_response(api_error(ApiErrc::kBadQuery, "at: " + parsed.error()));
    at = *parsed;
  }
  RedisResult r = co_await redis(args("LRANGE", audit_key((*event)->id, *seat), "0", "-1"));
  if (!r || r->is_error()) co_return error_response(redis_failure(r));
  auto history = parse_decision_list(strings_of(*r));
  if (!history) {
    spdlog::error("api: {}: {}", audit_key((*event)->id, *seat), history.error());
    co_return error_response(api_error(ApiErrc::kInternal, "the seat's history is unreadable"));
  }
  co_return json_response(200, render_history(**event, *seat, history->decisions, at));
}

Awaitable<Response> ServerImpl::get_reservation(const RequestContext& rc) {
  const std::string_view key = rc.route.param("reservation_id");
  auto ref = parse_reservation(key);
  if (!ref) co_return error_response(ref.error());
  auto event = find_event(catalog_, ref->event_id);
  if (!event) co_return error_response(event.error());
  RedisResult r = co_await redis(args("HGETALL", "bx:res:" + std::string(key)));
  if (!r || r->is_error()) co_return error_response(redis_failure(r));
  if (r->elements.empty()) {
    co_return error_response(
        core_error(Errc::kUnknownReservation, "no reservation " + std::string(key)));
  }
  co_return json_response(200, render_reservation(catalog_, key, hash_of(*r), config_.payment_url));
}

Awaitable<Response> ServerImpl::user_bookings(const RequestContext& rc) {
  const std::string user(rc.route.param("user_id"));
  if (user.size() > kMaxWireIdBytes) {
    co_return error_response(
        api_error(ApiErrc::kInvalidField,
                  "user id longer than " + std::to_string(kMaxWireIdBytes) + " bytes"));
  }
  uint32_t page = 1;
  uint32_t per_page = 50;
  if (auto p = query_value(rc.query, "page")) {
    auto v = parse_positive(*p, 1'000'000);
    if (!v) co_return error_response(api_error(ApiErrc::kBadQuery, "page: " + v.error()));
    page = *v;
  }
  if (auto p = query_value(rc.query, "per_page")) {
    auto v = parse_positive(*p, kMaxPerPage);
    if (!v) co_return error_response(api_error(ApiErrc::kBadQuery, "per_page: " + v.error()));
    per_page = *v;
  }
  const std::string key = "bx:user:" + user + ":bookings";
  const uint64_t first = static_cast<uint64_t>(page - 1) * per_page;
  RedisResult listed = co_await redis_transaction(
      batch(args("ZCARD", key),
            args("ZREVRANGE", key, std::to_string(first), std::to_string(first + per_page - 1))));
  if (!listed || listed->is_error() || listed->elements.size() != 2) {
    co_return error_response(redis_failure(listed));
  }
  const std::vector<std::string> rids = strings_of(listed->elements[1]);
  std::vector<std::pair<std::string, HashFields>> bookings;
  if (!rids.empty()) {
    std::vector<std::vector<std::string>> reads;
    reads.reserve(rids.size());
    for (const std::string& rid : rids) reads.push_back({"HGETALL", "bx:res:" + rid});
    RedisResult hashes = co_await redis_transaction(std::move(reads));
    if (!hashes || hashes->is_error() || hashes->elements.size() != rids.size()) {
      co_return error_response(redis_failure(hashes));
    }
    for (size_t i = 0; i < rids.size(); ++i) {
      bookings.emplace_back(rids[i], hash_of(hashes->elements[i]));
    }
  }
  co_return json_response(200, render_bookings(catalog_, user, bookings,
                                               static_cast<size_t>(listed->elements[0].integer)));
}

Awaitable<Response> ServerImpl::request_status(const RequestContext& rc) {
  const std::string_view key = rc.route.param("request_id");
  auto id = parse_request_key(key);
  if (!id) {
    co_return error_response(api_error(
        ApiErrc::kBadRequestId,
        "\"" + std::string(key) + "\" is not a request id (expected 16 lowercase hex digits)"));
  }
  RedisResult r = co_await redis(args("HGET", answers_key(key), key.substr(kAnswersPrefixDigits)));
  if (r && r->is_nil()) {
    // An answer written before 2026-12-02's change to bx:reqs has a key of its own: a string,
    // or from before that day a list of the same lines. Both are gone an hour after the upgrade.
    const std::string own_key = "bx:req:" + std::string(key);
    r = co_await redis(args("GET", own_key));
    if (r && r->is_error() && r->str.starts_with("WRONGTYPE")) {
      r = co_await redis(args("LRANGE", own_key, "0", "-1"));
      if (r && r->type == RedisReply::Type::kArray) *r = lines_of(*r);
    }
  }
  if (!r || r->is_error()) co_return error_response(redis_failure(r));
  if (r->is_nil()) co_return pending_response(*id);
  auto decisions = parse_decision_lines(r->str);
  if (!decisions) {
    spdlog::error("api: the answer of request {}: {}", key, decisions.error());
    co_return error_response(api_error(ApiErrc::kInternal, "the request's outcome is unreadable"));
  }
  const AnswerContext context{catalog_, config_.payment_url};
  co_return decided_response(context, decisions->decisions, "");
}

}  // namespace boxoffice::booking::api
