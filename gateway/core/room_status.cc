#include "gateway/core/room_status.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "shared/decimal.h"

namespace boxoffice::gateway {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

struct Estimate {
  int64_t low_ms = 0;
  int64_t high_ms = 0;
};

// The time until `remaining` more users (the fan included) are admitted, ticks running from
// now; see the README for the formula.
Estimate admission_estimate(const RoomSnapshot& room, uint64_t remaining) {
  const RoomConfig& c = room.config;
  const uint64_t ticks = ceil_div(remaining, c.batch_size);
  Estimate e;
  e.low_ms = static_cast<int64_t>(ticks - 1) * c.batch_interval_ms;
  e.high_ms = static_cast<int64_t>(ticks) * c.batch_interval_ms;
  if (c.active_cap > 0) {
    const uint64_t free = c.active_cap > room.active ? c.active_cap - room.active : 0;
    if (remaining > free) {
      // Beyond the free room, each active_cap more users wait for a session to end.
      const auto sessions = static_cast<int64_t>(ceil_div(remaining - free, c.active_cap));
      e.low_ms = std::max(e.low_ms, (sessions - 1) * c.session_ms);
      e.high_ms = std::max(e.high_ms, sessions * c.session_ms);
    }
  }
  return e;
}

}  // namespace

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::kBeforeOpen:
      return "before_open";
    case Phase::kPreQueue:
      return "pre_queue";
    case Phase::kWaiting:
      return "waiting";
    case Phase::kAdmitted:
      return "admitted";
    case Phase::kPaused:
      return "paused";
    case Phase::kClosed:
      return "closed";
  }
  return "closed";
}

Result<RoomSnapshot, Error> parse_room_snapshot(std::span<const std::string_view> flat) {
  if (flat.size() % 2 != 0) {
    return unexpected(Error{Errc::kBadReply, "room reply: odd number of elements"});
  }
  FieldMap fields;
  for (size_t i = 0; i < flat.size(); i += 2) fields.emplace(flat[i], flat[i + 1]);
  return parse_room_snapshot(fields);
}

Result<RoomSnapshot, Error> parse_room_snapshot(const FieldMap& f) {
  auto config = parse_room_config(f);
  if (!config) return unexpected(config.error());
  RoomSnapshot r;
  r.config = std::move(*config);
  auto missing = [](std::string_view field) {
    return unexpected(Error{Errc::kBadReply, std::string(field) + ": missing or malformed"});
  };
  const std::pair<std::string_view, uint64_t*> numbers[] = {{"pre_count", &r.pre_count},
                                                            {"fifo_count", &r.fifo_count},
                                                            {"watermark", &r.watermark},
                                                            {"admitted_total", &r.admitted_total},
                                                            {"active", &r.active}};
  for (const auto& [field, out] : numbers) {
    auto it = f.find(field);
    const auto n = it == f.end() ? std::nullopt : parse_decimal<uint64_t>(it->second);
    if (!n) return missing(field);
    *out = *n;
  }
  auto flag = [&f](std::string_view field) -> std::optional<bool> {
    auto it = f.find(field);
    if (it == f.end() || (it->second != "0" && it->second != "1")) return std::nullopt;
    return it->second == "1";
  };
  const auto sealed = flag("sealed");
  const auto revealed = flag("revealed");
  if (!sealed) return missing("sealed");
  if (!revealed) return missing("revealed");
  r.sealed = *sealed;
  r.revealed = *revealed;
  auto last = f.find("last_tick_ms");
  const auto last_ms = last == f.end() ? std::nullopt : parse_decimal<uint64_t>(last->second);
  if (!last_ms) return missing("last_tick_ms");
  r.last_tick_ms = static_cast<int64_t>(*last_ms);
  auto commitment = f.find("commitment");
  auto seed = f.find("seed");
  if (commitment == f.end()) return missing("commitment");
  if (seed == f.end()) return missing("seed");
  r.commitment = commitment->second;
  r.seed_hex = seed->second;
  return r;
}

WaveOf wave_of(const RoomConfig& config, uint64_t position) {
  if (position == 0) return {};
  if (config.waves.empty()) return {1, config.on_sale_at_ms};
  uint64_t end = 0;  // the last position of the waves so far
  for (size_t i = 0; i < config.waves.size(); ++i) {
    const Wave& w = config.waves[i];
    if (w.unbounded || position <= end + w.capacity) {
      return {static_cast<int64_t>(i + 1), w.opens_at_ms};
    }
    end += w.capacity;
  }
  return {};
}

RoomStatus room_status(const RoomSnapshot& room, uint64_t position, int64_t now_ms) {
  const RoomConfig& c = room.config;
  RoomStatus s;
  if (c.mode == RoomMode::kClosed) {
    s.phase = Phase::kClosed;
    return s;
  }
  if (c.mode == RoomMode::kPassthrough) {
    s.phase = Phase::kAdmitted;
    return s;
  }
  const int64_t to_sale_ms = std::max<int64_t>(0, c.on_sale_at_ms - now_ms);
  if (position == 0) {
    s.phase = !room.sealed && now_ms < c.queue_opens_at_ms ? Phase::kBeforeOpen : Phase::kPreQueue;
    // The draw may put the fan first or last of the pre-queue.
    const Estimate last = admission_estimate(room, std::max<uint64_t>(1, room.pre_count));
    s.wait_low_s = to_sale_ms / 1000;
    s.wait_high_s = (to_sale_ms + last.high_ms + 999) / 1000;
    return s;
  }
  s.position = position;
  const WaveOf wave = wave_of(c, position);
  s.wave = wave.wave;
  s.wave_opens_at_ms = wave.opens_at_ms;
  if (position <= room.watermark) {
    s.phase = Phase::kAdmitted;
    return s;
  }
  s.phase = c.paused ? Phase::kPaused : Phase::kWaiting;
  s.people_ahead = position - room.watermark - 1;
  if (wave.wave == 0) {
    s.wait_low_s = -1;
    s.wait_high_s = -1;
    return s;
  }
  const Estimate e = admission_estimate(room, s.people_ahead + 1);
  const int64_t start_ms = std::max(to_sale_ms, wave.opens_at_ms - now_ms);
  s.wait_low_s = std::max(start_ms, e.low_ms) / 1000;
  s.wait_high_s = (std::max(start_ms, e.high_ms) + 999) / 1000;
  return s;
}

}  // namespace boxoffice::gateway
