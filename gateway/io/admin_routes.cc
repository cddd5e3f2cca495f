// The operators' admin API: read and change an event's admission settings live, pause,
// resume, reveal the lottery seed, list figures and the pre-queue. Loopback peers, or anyone
// with the bearer secret. Changes go through gate/configure.lua, so every gate sees them at
// its next room refresh.
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "gateway/io/gate_handler.h"
#include "gateway/io/room_setup.h"

namespace boxoffice::gateway {
namespace {

using server::Header;

nlohmann::json figures(const std::string& event, const RoomSnapshot& r) {
  const uint64_t joined = r.pre_count + r.fifo_count;
  return {{"event", event},
          {"config", room_config_json(r.config)},
          {"sealed", r.sealed},
          {"pre_queue", r.pre_count},
          {"fifo", r.fifo_count},
          {"joined", joined},
          {"admitted_watermark", r.watermark},
          {"waiting", joined > r.watermark ? joined - r.watermark : 0},
          {"active", r.active},
          {"last_tick_ms", r.last_tick_ms},
          {"lottery_commitment", r.commitment},
          {"seed_revealed", !r.seed_hex.empty()}};
}

}  // namespace

bool GateHandler::admin_allowed(const server::Request& request) const {
  // With a secret, only the secret: behind a TLS terminator on the same host every peer is
  // loopback. Without one, only loopback peers.
  const std::string& secret = shared_.config.admin_secret;
  if (secret.empty()) return request.peer_ip == "127.0.0.1" || request.peer_ip == "::1";
  const std::string_view auth = request.header("authorization");
  const std::string_view given = auth.starts_with("Bearer ") ? auth.substr(7) : "";
  return given.size() == secret.size() &&
         CRYPTO_memcmp(given.data(), secret.data(), secret.size()) == 0;
}

void GateHandler::admin(server::Request& request, server::ResponseWriter writer) {
  if (!admin_allowed(request)) {
    return reply_error(writer, GateErrc::kAdminForbidden,
                       "the admin API answers loopback or the bearer secret only");
  }
  const std::vector<std::string>& s = request.target.segments;
  const std::string_view method = request.method;
  if (s.size() < 2 || s[1] != "events") {
    return reply_error(writer, GateErrc::kNotFound, "no such admin route");
  }
  auto reply_json = [](server::ResponseWriter& w, int status, const nlohmann::json& body) {
    w.respond(status, {Header{"content-type", "application/json"}}, body.dump());
  };
  if (s.size() == 2 && method == "GET") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [event, room] : rooms_) {
      if (room.loaded) list.push_back(figures(event, room.snapshot));
    }
    return reply_json(writer, 200, {{"events", list}});
  }
  if (s.size() < 3) return reply_error(writer, GateErrc::kNotFound, "no such admin route");
  const std::string event = s[2];
  if (!valid_event_id(event)) {
    return reply_error(writer, GateErrc::kBadRequest, "an event id is 1-64 of [a-z0-9_-]");
  }
  const std::string_view action = s.size() == 4 ? std::string_view(s[3]) : std::string_view();
  if (s.size() > 4) return reply_error(writer, GateErrc::kNotFound, "no such admin route");

  auto known = rooms_.find(event);
  const bool loaded = known != rooms_.end() && known->second.loaded;
  if (action.empty() && method == "GET") {
    if (!loaded) return reply_error(writer, GateErrc::kUnknownEvent, "no waiting room");
    return reply_json(writer, 200, figures(event, known->second.snapshot));
  }

  // Every change is field/value pairs for gate/configure.lua.
  std::vector<std::string> fields;
  if (action.empty() && method == "PUT") {
    auto update = parse_room_update(request.body);
    if (!update) return reply_error(writer, GateErrc::kBadJson, update.error().message);
    // Checked against the room's current settings, so "opens after on-sale" is caught here.
    if (loaded) {
      auto merged = apply_update(known->second.snapshot.config, *update);
      if (!merged) return reply_error(writer, GateErrc::kBadRequest, merged.error().message);
    }
    fields = configure_args(*update);
  } else if (action == "pause" && method == "POST") {
    if (!loaded) return reply_error(writer, GateErrc::kUnknownEvent, "no waiting room");
    fields = {"paused", "1"};
  } else if (action == "resume" && method == "POST") {
    if (!loaded) return reply_error(writer, GateErrc::kUnknownEvent, "no waiting room");
    fields = {"paused", "0"};
  } else if (action == "reveal" && method == "POST") {
    if (!loaded) return reply_error(writer, GateErrc::kUnknownEvent, "no waiting room");
    return redis_.call_script(
        "gate/reveal.lua", room_keys(event), {std::to_string(now_ms())},
        [this, writer = std::move(writer), event](io::RedisResult result) mutable {
          if (!result) return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
          if (result->is_error()) {
            return reply_error(writer, GateErrc::kNotRevealable,
                               "the seed is revealed only once the on-sale began");
          }
          shared_.counters.admin_changes.fetch_add(1, std::memory_order_relaxed);
          refresh_room(event, nullptr);
          writer.respond(200, {Header{"content-type", "application/json"}},
                         nlohmann::json({{"event", event}, {"seed", result->str}}).dump());
        });
  } else if (action == "pre-queue" && method == "GET") {
    // The list of identities that, with the revealed seed, lets anyone recompute the order.
    return redis_.command(
        {"ZRANGE", pre_queue_key(event), "0", "-1"},
        [this, writer = std::move(writer)](io::RedisResult result) mutable {
          if (!result || result->is_error()) {
            return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
          }
          std::string body;
          for (const io::RedisValue& v : result->elements) body.append(v.str).append("\n");
          writer.respond(200, {Header{"content-type", "text/plain"}}, std::move(body));
        });
  } else {
    return reply_error(writer, GateErrc::kNotFound, "no such admin route");
  }

  std::vector<std::string> args = std::move(fields);
  redis_.call_script(
      "gate/configure.lua", room_keys(event), std::move(args),
      [this, writer = std::move(writer), event](io::RedisResult result) mutable {
        if (!result) return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
        if (result->is_error()) return reply_error(writer, GateErrc::kBadRequest, result->str);
        shared_.counters.admin_changes.fetch_add(1, std::memory_order_relaxed);
        // Register the room and draw its seed (the first writer's seed wins), then answer
        // with what every gate will see.
        redis_.command({"SADD", std::string(kRoomsKey), event}, [](const io::RedisResult&) {});
        const LotterySeed seed = new_lottery_seed();
        redis_.call_script(
            "gate/open.lua", room_keys(event), {seed.seed_hex, seed.commitment_hex},
            [this, writer = std::move(writer), event](io::RedisResult opened) mutable {
              if (!opened || opened->is_error()) {
                return reply_error(writer, GateErrc::kUnavailable, "Redis is unreachable");
              }
              rooms_[event];  // known from now on; loaded at the refresh below
              refresh_room(event, [this, writer = std::move(writer), event]() mutable {
                auto it = rooms_.find(event);
                if (it == rooms_.end() || !it->second.loaded) {
                  return reply_error(writer, GateErrc::kUnavailable, "the room did not load");
                }
                writer.respond(200, {Header{"content-type", "application/json"}},
                               figures(event, it->second.snapshot).dump());
              });
            });
      });
}

}  // namespace boxoffice::gateway
