// What a fan sees of the waiting room: the phase, the place, the people ahead and an honest
// wait estimate. Pure: computed from a RoomSnapshot (one room.lua reply, cached by the gate),
// the fan's position and the time, so status requests cost no Redis call.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gateway/core/errc.h"
#include "gateway/core/room_config.h"
#include "shared/result.h"

namespace boxoffice::gateway {

// room.lua's reply, parsed.
struct RoomSnapshot {
  RoomConfig config;
  bool sealed = false;
  uint64_t pre_count = 0;  // the live pre-queue size until sealed, then the sealed size
  uint64_t fifo_count = 0;
  uint64_t watermark = 0;  // positions 1..watermark are admitted
  int64_t last_tick_ms = 0;
  uint64_t admitted_total = 0;
  std::string commitment;  // hex sha256 of the seed; empty before the lottery opened
  bool revealed = false;
  std::string seed_hex;  // empty until revealed
  uint64_t active = 0;   // admitted users whose session still runs
};

// From room.lua's flat reply: field, value, field, value, ...
Result<RoomSnapshot, Error> parse_room_snapshot(std::span<const std::string_view> flat);
Result<RoomSnapshot, Error> parse_room_snapshot(const FieldMap& fields);

enum class Phase : uint8_t {
  kBeforeOpen,  // the queue has not opened yet
  kPreQueue,    // joined before on-sale; the place is drawn at on-sale
  kWaiting,     // has a place, not admitted yet
  kAdmitted,    // position <= watermark (or passthrough)
  kPaused,      // has a place, admission is paused
  kClosed,      // the room is closed
};
std::string_view to_string(Phase phase);

struct RoomStatus {
  Phase phase = Phase::kBeforeOpen;
  uint64_t position = 0;
  uint64_t people_ahead = 0;
  // Estimated wait in seconds, as a range; -1 = unknown (a place beyond every wave).
  int64_t wait_low_s = 0;
  int64_t wait_high_s = 0;
  int64_t wave = 0;  // 1-based wave of the position; 0 = no place yet, or beyond every wave
  int64_t wave_opens_at_ms = 0;
};

// Which wave holds the position (1-based, with its opening time); {0, 0} when the position is
// 0 or beyond every bounded wave. No waves configured: one wave that opens at on-sale.
struct WaveOf {
  int64_t wave = 0;
  int64_t opens_at_ms = 0;
};
WaveOf wave_of(const RoomConfig& config, uint64_t position);

// position = the fan's place (0 = unknown, e.g. still in the pre-queue). The estimate is
// documented in gateway/core/README.md.
RoomStatus room_status(const RoomSnapshot& room, uint64_t position, int64_t now_ms);

}  // namespace boxoffice::gateway
