// An event's admission settings: the typed form of the gate:{E}:cfg hash that
// lua-rules/gate/configure.lua writes. The admin API's JSON partial update is checked here
// (errors name the field) and turned into configure.lua's field/value pairs; the script checks
// them again, since any client may call it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/core/errc.h"
#include "shared/result.h"

namespace boxoffice::gateway {

enum class RoomMode : uint8_t {
  kLottery,      // pre-queue drawn by lottery at on-sale, FIFO after
  kFifo,         // pre-queue in join order, FIFO after
  kPassthrough,  // everyone is admitted at once
  kClosed,       // joins are refused
};
std::string_view to_string(RoomMode mode);
std::optional<RoomMode> parse_room_mode(std::string_view text);

// Positions are split into consecutive waves: wave 1 is positions 1..capacity, wave 2 the
// next capacity positions, and so on. A wave's positions are admissible once it opened.
struct Wave {
  int64_t opens_at_ms = 0;
  uint64_t capacity = 0;   // ignored when unbounded
  bool unbounded = false;  // only the last wave: every position after the earlier waves
};
inline constexpr size_t kMaxWaves = 64;
// "opens_at_ms:capacity,..." with "*" as the last capacity for an unbounded last wave;
// "" = no waves (every position admissible from on-sale).
std::string encode_waves(const std::vector<Wave>& waves);
Result<std::vector<Wave>, Error> parse_waves(std::string_view text);

inline constexpr int kMaxPowDifficultyBits = 40;
inline constexpr int64_t kMaxConfigNumber = 999'999'999'999'999;  // 15 digits: exact in Lua

struct RoomConfig {
  int64_t queue_opens_at_ms = 0;  // the pre-queue accepts joins from here
  int64_t on_sale_at_ms = 0;      // the pre-queue is sealed and drawn here; FIFO after
  uint64_t batch_size = 100;      // users admitted per tick
  int64_t batch_interval_ms = 1000;
  uint64_t active_cap = 0;  // max admitted users whose session still runs; 0 = no cap
  int64_t session_ms = 600'000;
  bool paused = false;
  RoomMode mode = RoomMode::kLottery;
  std::vector<Wave> waves;
  int pow_difficulty = 0;   // leading zero bits of proof-of-work at join; 0 = off
  uint64_t lag_target = 0;  // booking command lag at which batches shrink to 0; 0 = off
  uint64_t version = 0;     // bumped by every configure.lua call
};

// Every field in range; queue_opens_at_ms <= on_sale_at_ms; waves well formed.
Result<std::monostate, Error> validate(const RoomConfig& config);

// A partial update: the fields the admin API's JSON named.
struct RoomConfigUpdate {
  std::optional<int64_t> queue_opens_at_ms;
  std::optional<int64_t> on_sale_at_ms;
  std::optional<uint64_t> batch_size;
  std::optional<int64_t> batch_interval_ms;
  std::optional<uint64_t> active_cap;
  std::optional<int64_t> session_ms;
  std::optional<bool> paused;
  std::optional<RoomMode> mode;
  std::optional<std::vector<Wave>> waves;
  std::optional<int> pow_difficulty;
  std::optional<uint64_t> lag_target;
};

// A JSON object with any of the RoomConfig fields but version: numbers as JSON integers,
// paused as a boolean (or 0/1), mode as its name, waves as the encoded string or an array of
// {"opens_at_ms": n, "capacity": n | "*"}. Unknown fields are errors.
Result<RoomConfigUpdate, Error> parse_room_update(std::string_view json_text);
// The update applied to a config, then validated (catches opens after on-sale, etc.).
Result<RoomConfig, Error> apply_update(RoomConfig config, const RoomConfigUpdate& update);
// configure.lua's ARGV: field, value, field, value, ...
std::vector<std::string> configure_args(const RoomConfigUpdate& update);
// The config as the admin API shows it (the same shape parse_room_update accepts, plus
// version).
nlohmann::json room_config_json(const RoomConfig& config);

// From the cfg fields of room.lua's reply (field -> value); every field must be present.
using FieldMap = std::map<std::string, std::string, std::less<>>;
Result<RoomConfig, Error> parse_room_config(const FieldMap& fields);

}  // namespace boxoffice::gateway
