#include "gateway/io/room_setup.h"

#include <openssl/rand.h>

#include "gateway/core/lottery.h"
#include "lua-rules/lua_rules.h"

namespace boxoffice::gateway {

bool valid_event_id(std::string_view event) {
  if (event.empty() || event.size() > 64) return false;
  for (const char c : event) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string pre_queue_key(std::string_view event) { return room_keys(event)[2]; }
std::string lottery_hash_key(std::string_view event) { return room_keys(event)[1]; }

LotterySeed new_lottery_seed() {
  std::string bytes(32, '\0');
  // RAND_bytes fails only when the OS has no entropy; a gate must not draw a guessable seed.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 32) != 1) std::abort();
  LotterySeed seed;
  seed.seed_hex = to_hex(bytes);
  seed.commitment_hex = seed_commitment(bytes);
  return seed;
}

Result<bool, std::string> ensure_room(redis::SyncClient& client, std::string_view event,
                                      const RoomConfigUpdate& settings) {
  if (!valid_event_id(event)) return unexpected("bad event id \"" + std::string(event) + "\"");
  const std::vector<std::string> keys = room_keys(event);
  auto exists = client.command({"EXISTS", keys[0]});
  if (!exists) return unexpected(exists.error());
  if (exists->integer() == 1) return false;
  lua::ScriptRunner runner(client);
  const std::vector<std::string_view> key_views(keys.begin(), keys.end());
  const std::vector<std::string> args = configure_args(settings);
  const std::vector<std::string_view> arg_views(args.begin(), args.end());
  auto configured = runner.call("gate/configure.lua", key_views, arg_views);
  if (!configured) return unexpected(configured.error());
  if (configured->is_error()) return unexpected(std::string(configured->str()));
  const LotterySeed seed = new_lottery_seed();
  const std::vector<std::string_view> open_args = {seed.seed_hex, seed.commitment_hex};
  auto opened = runner.call("gate/open.lua", key_views, open_args);
  if (!opened) return unexpected(opened.error());
  if (opened->is_error()) return unexpected(std::string(opened->str()));
  auto added = client.command({"SADD", kRoomsKey, event});
  if (!added) return unexpected(added.error());
  return true;
}

Result<Place, std::string> parse_place(const io::RedisValue& reply) {
  if (!reply.is_array() || reply.elements.size() != 3 || !reply.elements[0].is_string() ||
      !reply.elements[1].is_integer()) {
    return unexpected("unexpected answer " + reply.describe());
  }
  Place place;
  place.kind = reply.elements[0].str;
  place.position = static_cast<uint64_t>(std::max<int64_t>(0, reply.elements[1].integer));
  return place;
}

Result<RoomSnapshot, std::string> parse_room_reply(const io::RedisValue& reply) {
  if (!reply.is_array()) return unexpected("unexpected answer " + reply.describe());
  std::vector<std::string_view> flat;
  flat.reserve(reply.elements.size());
  for (const io::RedisValue& v : reply.elements) flat.emplace_back(v.str);
  auto snapshot = parse_room_snapshot(flat);
  if (!snapshot) return unexpected(snapshot.error().message);
  return std::move(*snapshot);
}

}  // namespace boxoffice::gateway
