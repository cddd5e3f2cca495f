// The waiting room's fan routes: join, status, stream, the lottery's public record and the
// proof-of-work challenge. Status and stream are the hot paths: a waiting token that carries
// the fan's position plus this thread's room cache answer them without a Redis call.
#include <nlohmann/json.hpp>

#include "gateway/core/lottery.h"
#include "gateway/core/proof_of_work.h"
#include "gateway/io/gate_handler.h"
#include "gateway/io/request_tokens.h"
#include "gateway/io/room_setup.h"
#include "gateway/io/status_page.h"

namespace boxoffice::gateway {
namespace {

using server::Header;

bool valid_identity(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The identity of a join: the header, the query's user_id, or the JSON body's user_id.
std::string identity_of(const server::Request& request) {
  if (auto h = request.header(kIdentityHeader); !h.empty()) return std::string(h);
  if (auto q = request.target.query("user_id")) return std::string(*q);
  if (!request.body.empty()) {
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_object() && body.contains("user_id") && body["user_id"].is_string()) {
      return body["user_id"].get<std::string>();
    }
  }
  return {};
}

std::string cookie(std::string_view name, std::string_view value, int64_t max_age_s) {
  std::string c(name);
  c.append("=").append(value).append("; Path=/; HttpOnly; SameSite=Lax; Max-Age=");
  c.append(std::to_string(max_age_s));
  return c;
}

}  // namespace

void GateHandler::join(server::Request& request, server::ResponseWriter writer,
                       const std::string& event) {
  const int64_t now = now_ms();
  if (join_limits_.refill_per_s() > 0 && !join_limits_.allow(request.peer_ip, now)) {
    shared_.counters.rate_limited.fetch_add(1, std::memory_order_relaxed);
    return reply_error(writer, GateErrc::kRateLimited, "too many joins from this address");
  }
  std::string identity = identity_of(request);
  if (identity.empty()) {
    return reply_error(writer, GateErrc::kIdentityRequired,
                       "join needs an identity: the X-Boxoffice-User header or user_id");
  }
  if (!valid_identity(identity)) {
    return reply_error(writer, GateErrc::kBadIdentity, "an identity is 1-64 of [A-Za-z0-9_.@-]");
  }
  Room* room = loaded_room(writer, event);
  if (room == nullptr) return;
  if (room->snapshot.config.pow_difficulty > 0 &&
      !proof_of_work_.verify(event, identity, now, request.header("x-pow-nonce"),
                             room->snapshot.config.pow_difficulty)) {
    return reply_error(writer, GateErrc::kBadProofOfWork,
                       "solve GET /queue/{event}/challenge and send X-Pow-Nonce");
  }
  if (room->snapshot.config.mode == RoomMode::kLottery && room->seed.empty()) {
    return reply_error(writer, GateErrc::kUnavailable, "the lottery is not initialised yet");
  }
  const uint64_t key = room->seed.empty() ? 0 : lottery_key(room->seed, identity);
  const bool html = wants_html(request);
  redis_.call_script(
      "gate/join.lua", room_keys(event), {identity, std::to_string(now), std::to_string(key)},
      [this, writer = std::move(writer), event, identity, now,
       html](io::RedisResult result) mutable {
        if (!result) return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
        const io::RedisValue& reply = *result;
        if (reply.is_error()) {
          if (reply.str.find("queue_closed") != std::string::npos) {
            return reply_error(writer, GateErrc::kQueueClosed, "the room is closed");
          }
          if (reply.str.find("queue_not_open") != std::string::npos) {
            return reply_error(writer, GateErrc::kQueueNotOpen, "the queue has not opened yet");
          }
          return reply_error(writer, GateErrc::kInternal, "the join script failed");
        }
        auto joined = parse_place(reply);
        auto room_it = rooms_.find(event);
        if (!joined || room_it == rooms_.end()) {
          return reply_error(writer, GateErrc::kInternal, "unexpected join answer");
        }
        shared_.counters.joins.fetch_add(1, std::memory_order_relaxed);
        tokens::Claims claims;
        claims.sub = identity;
        claims.event = event;
        claims.kind = "waiting";
        claims.position = joined->position;
        claims.joined_at_ms = now;
        answer_status(writer, room_it->second, claims, html, waiting_token(claims));
      });
}

GateHandler::Room* GateHandler::loaded_room(server::ResponseWriter& writer,
                                            const std::string& event) {
  auto it = rooms_.find(event);
  if (it == rooms_.end() || !it->second.loaded) {
    reply_error(writer, GateErrc::kUnknownEvent, "no waiting room for this event");
    return nullptr;
  }
  return &it->second;
}

std::optional<tokens::Claims> GateHandler::waiting_claims(const server::Request& request,
                                                          server::ResponseWriter& writer,
                                                          const std::string& event) {
  const std::string_view token = request_token(request, waiting_cookie_name(event));
  if (token.empty()) {
    reply_error(writer, GateErrc::kWaitingTokenRequired,
                "no waiting token: POST /queue/{event}/join first");
    return std::nullopt;
  }
  tokens::VerifyOptions options;
  options.expected_event = event;
  options.expected_kind = "waiting";
  // The waiting verifier has no signature budget, so it never answers verify_busy.
  auto claims = waiting_verifier_.verify(token, now_ms(), options);
  if (!claims) {
    shared_.counters.token_rejections.fetch_add(1, std::memory_order_relaxed);
    reply_error(writer, GateErrc::kInvalidToken, "the waiting token is not valid",
                tokens::to_string(claims.error()));
    return std::nullopt;
  }
  return std::move(*claims);
}

void GateHandler::status(server::Request& request, server::ResponseWriter writer,
                         const std::string& event) {
  shared_.counters.status_requests.fetch_add(1, std::memory_order_relaxed);
  Room* room = loaded_room(writer, event);
  if (room == nullptr) return;
  const std::optional<tokens::Claims> claims = waiting_claims(request, writer, event);
  if (!claims) return;
  const bool html = wants_html(request);
  if (claims->position != 0 || !room->snapshot.sealed) {
    return answer_status(writer, *room, *claims, html, {});
  }
  // A pre-queue token after the draw: learn the place once and hand out a token carrying it.
  tokens::Claims known = *claims;
  redis_.call_script(
      "gate/position.lua", room_keys(event), {known.sub, std::to_string(now_ms())},
      [this, writer = std::move(writer), event, known, html](io::RedisResult result) mutable {
        auto room_it = rooms_.find(event);
        if (!result || result->is_error() || room_it == rooms_.end()) {
          return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
        }
        auto place = parse_place(*result);
        if (!place) {
          return reply_error(writer, GateErrc::kInternal, "unexpected position answer");
        }
        known.position = place->position;
        answer_status(writer, room_it->second, known, html,
                      known.position != 0 ? waiting_token(known) : std::string());
      });
}

std::string GateHandler::waiting_token(const tokens::Claims& place) {
  tokens::Claims claims = place;  // who, where, joined when: no iat or nbf (claims.h)
  claims.exp = now_ms() / 1000 + shared_.config.waiting_token_ttl_s;
  return shared_.waiting_keys.sign(claims);
}

std::string GateHandler::admission_token(const Room& room, const tokens::Claims& waiting,
                                         int64_t now) {
  std::string key = waiting.event;
  key += '\n';
  key += waiting.sub;
  auto it = admission_tokens_.find(key);
  // Reuse a token while it has most of its life left.
  const int64_t session_s = std::max<int64_t>(60, room.snapshot.config.session_ms / 1000);
  if (it != admission_tokens_.end() && it->second.second - session_s / 2 > now / 1000) {
    return it->second.first;
  }
  if (admission_tokens_.size() > 100'000) admission_tokens_.clear();
  tokens::Claims claims;
  claims.sub = waiting.sub;
  claims.event = waiting.event;
  claims.kind = "admission";
  claims.position = waiting.position;
  claims.iat = now / 1000;
  claims.nbf = now / 1000;
  claims.exp = now / 1000 + session_s;
  std::string token = shared_.keys.sign(claims);
  shared_.counters.admission_tokens_signed.fetch_add(1, std::memory_order_relaxed);
  admission_tokens_[key] = {token, claims.exp};
  return token;
}

void GateHandler::answer_status(server::ResponseWriter& writer, const Room& room,
                                const tokens::Claims& claims, bool html,
                                const std::string& new_waiting_token) {
  const int64_t now = now_ms();
  const RoomStatus st = room_status(room.snapshot, claims.position, now);
  std::string admission;
  if (st.phase == Phase::kAdmitted) admission = admission_token(room, claims, now);
  std::vector<Header> headers;
  headers.reserve(4);
  headers.push_back(Header{"cache-control", "no-store"});
  if (!new_waiting_token.empty()) {
    headers.push_back(
        Header{"set-cookie", cookie(waiting_cookie_name(claims.event), new_waiting_token,
                                    shared_.config.waiting_token_ttl_s)});
  }
  if (!admission.empty()) {
    headers.push_back(Header{"set-cookie", cookie(admission_cookie_name(claims.event), admission,
                                                  room.snapshot.config.session_ms / 1000)});
  }
  StatusView view;
  view.event = claims.event;
  view.identity = claims.sub;
  view.status = st;
  view.waiting_token = new_waiting_token;
  view.admission_token = admission;
  view.commitment = room.snapshot.commitment;
  if (html) {
    headers.push_back(Header{"content-type", "text/html; charset=utf-8"});
    return writer.respond(200, std::move(headers), status_html(view));
  }
  headers.push_back(Header{"content-type", "application/json"});
  writer.respond(200, std::move(headers), status_json(view));
}

void GateHandler::stream(server::Request& request, server::ResponseWriter writer,
                         const std::string& event) {
  shared_.counters.status_requests.fetch_add(1, std::memory_order_relaxed);
  Room* room = loaded_room(writer, event);
  if (room == nullptr) return;
  const std::optional<tokens::Claims> claims = waiting_claims(request, writer, event);
  if (!claims) return;
  writer.begin(200,
               {Header{"content-type", "text/event-stream"}, Header{"cache-control", "no-store"}});
  Watcher watcher;
  watcher.id = next_watcher_id_++;
  watcher.claims = *claims;
  watcher.writer = std::move(writer);
  const uint64_t id = watcher.id;
  watcher.writer.on_close([this, event, id] {
    auto room_it = rooms_.find(event);
    if (room_it == rooms_.end()) return;
    std::erase_if(room_it->second.watchers, [id](const Watcher& w) { return w.id == id; });
  });
  room->watchers.push_back(std::move(watcher));
  notify_watchers(event, *room);
}

// Sends each watcher its place when it changed; an admitted watcher gets its admission token
// and the stream ends. Runs after every room refresh.
void GateHandler::notify_watchers(const std::string& event, Room& room) {
  const int64_t now = now_ms();
  std::vector<uint64_t> done;
  for (Watcher& w : room.watchers) {
    if (!w.writer.open()) {
      done.push_back(w.id);
      continue;
    }
    if (w.claims.position == 0 && room.snapshot.sealed) {
      // A pre-queue token after the draw: learn the place once, then follow it.
      if (!w.looking_up) {
        w.looking_up = true;
        redis_.call_script("gate/position.lua", room_keys(event),
                           {w.claims.sub, std::to_string(now)},
                           [this, event, id = w.id](const io::RedisResult& result) {
                             auto it = rooms_.find(event);
                             if (it == rooms_.end()) return;
                             for (Watcher& found : it->second.watchers) {
                               if (found.id != id) continue;
                               found.looking_up = false;
                               if (!result || result->is_error()) return;
                               if (auto place = parse_place(*result)) {
                                 found.claims.position = place->position;
                               }
                             }
                             notify_watchers(event, it->second);
                           });
      }
      continue;
    }
    const RoomStatus st = room_status(room.snapshot, w.claims.position, now);
    StatusView view;
    view.event = event;
    view.identity = w.claims.sub;
    view.status = st;
    view.commitment = room.snapshot.commitment;
    if (st.phase == Phase::kAdmitted) {
      const std::string admission = admission_token(room, w.claims, now);  // view keeps a view
      view.admission_token = admission;
      w.writer.send("event: admitted\ndata: " + status_json(view) + "\n\n");
      w.writer.finish();
      done.push_back(w.id);
      continue;
    }
    std::string json = status_json(view);
    if (json == w.last_sent) continue;
    w.writer.send("event: position\ndata: " + json + "\n\n");
    w.last_sent = std::move(json);
  }
  std::erase_if(room.watchers, [&done](const Watcher& w) {
    return std::find(done.begin(), done.end(), w.id) != done.end();
  });
}

void GateHandler::lottery(server::ResponseWriter& writer, const std::string& event) {
  Room* room = loaded_room(writer, event);
  if (room == nullptr) return;
  const RoomSnapshot& r = room->snapshot;
  nlohmann::json body = {
      {"event", event},
      {"commitment", r.commitment},
      {"revealed", !r.seed_hex.empty()},
      {"seed", r.seed_hex.empty() ? nlohmann::json() : nlohmann::json(r.seed_hex)},
      {"pre_queue_size", r.pre_count},
      {"function",
       "HMAC-SHA256(key = seed bytes, message = identity), first 52 bits, ascending; ties by "
       "identity bytes"}};
  writer.respond(200, {Header{"content-type", "application/json"}}, body.dump());
}

void GateHandler::challenge(server::Request& request, server::ResponseWriter& writer,
                            const std::string& event) {
  Room* room = loaded_room(writer, event);
  if (room == nullptr) return;
  const std::string identity = identity_of(request);
  if (!valid_identity(identity)) {
    return reply_error(writer, GateErrc::kBadIdentity, "an identity is 1-64 of [A-Za-z0-9_.@-]");
  }
  nlohmann::json body = {{"challenge", proof_of_work_.challenge(event, identity, now_ms())},
                         {"difficulty_bits", room->snapshot.config.pow_difficulty}};
  writer.respond(200, {Header{"content-type", "application/json"}}, body.dump());
}

}  // namespace boxoffice::gateway
