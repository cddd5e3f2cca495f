// The glue between the gate and its Redis scripts (lua-rules/gate/): key names, reply parsing,
// and drawing a lottery seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/room_config.h"
#include "gateway/core/room_keys.h"
#include "gateway/core/room_status.h"
#include "gateway/io/redis_client.h"
#include "shared/redis/sync_client.h"
#include "shared/result.h"

namespace boxoffice::gateway {

// The set of events that have a waiting room; every gate thread lists it at each refresh.
inline constexpr std::string_view kRoomsKey = "gate:rooms";

// 1-64 of [a-z0-9_-]: what may appear inside a key's hash tag and a cookie name.
bool valid_event_id(std::string_view event);

// KEYS of every gate script: cfg, lottery, pre, fifo, state, ticks (lua-rules/gate/README.md).
inline std::vector<std::string> room_keys(std::string_view event) { return room_redis_keys(event); }
std::string pre_queue_key(std::string_view event);
std::string lottery_hash_key(std::string_view event);

struct LotterySeed {
  std::string seed_hex;        // 32 random bytes
  std::string commitment_hex;  // sha256 of those bytes, public from the queue's opening
};
LotterySeed new_lottery_seed();

// At start-up (a blocking client, never on an event loop): sets up the event's waiting room
// with these settings and draws its lottery seed, unless the room exists already (an
// operator's live changes survive restarts). Answers whether it set the room up.
Result<bool, std::string> ensure_room(redis::SyncClient& client, std::string_view event,
                                      const RoomConfigUpdate& settings);

// gate/join.lua's and gate/position.lua's answer: {kind, position, n}.
struct Place {
  std::string kind;  // pre_queue, queued, admitted
  uint64_t position = 0;
};
Result<Place, std::string> parse_place(const io::RedisValue& reply);

// gate/room.lua's answer: flat field, value pairs.
Result<RoomSnapshot, std::string> parse_room_reply(const io::RedisValue& reply);

}  // namespace boxoffice::gateway
