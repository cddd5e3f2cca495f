// Each thread's copy of every room: every room_refresh_ms it reads the booking backend's
// command lag, lists the rooms, runs the admission tick (the script decides whether one is
// due, so any number of gates may call it) and re-reads each room in one script call. Status
// requests read this copy, never Redis.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "gateway/core/command_lag.h"
#include "gateway/core/lottery.h"
#include "gateway/io/gate_handler.h"
#include "gateway/io/room_setup.h"
#include "shared/redis/lag_report.h"

namespace boxoffice::gateway {

void GateHandler::schedule_refresh() {
  const int64_t ms = shared_.config.room_refresh_ms;
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  evtimer_add(refresh_timer_, &tv);
}

void GateHandler::refresh_rooms() {
  redis_.command({"HGETALL", std::string(redis::kLagReportKey)},
                 [this](const io::RedisResult& result) {
                   update_command_lag(result);
                   refresh_listed_rooms();
                 });
}

// The lag the ticks pass on; unknown (no fresh report, or no answer) ticks without lag.
void GateHandler::update_command_lag(const io::RedisResult& result) {
  command_lag_.reset();
  if (result && result->is_array()) {
    std::vector<std::string_view> flat;
    flat.reserve(result->elements.size());
    for (const io::RedisValue& v : result->elements) flat.emplace_back(v.str);
    command_lag_ = command_lag(flat, now_ms());
  }
  const bool lag_scaled = std::ranges::any_of(rooms_, [](const auto& entry) {
    return entry.second.loaded && entry.second.snapshot.config.lag_target > 0;
  });
  if (!command_lag_ && lag_scaled) {
    shared_.counters.command_lag_unknown.fetch_add(1, std::memory_order_relaxed);
  }
}

void GateHandler::refresh_listed_rooms() {
  redis_.command({"SMEMBERS", std::string(kRoomsKey)}, [this](io::RedisResult result) {
    if (result && !result->is_error()) {
      for (const io::RedisValue& v : result->elements) {
        if (valid_event_id(v.str)) refresh_room(v.str, nullptr);
      }
    } else {
      shared_.counters.room_refresh_errors.fetch_add(1, std::memory_order_relaxed);
    }
    schedule_refresh();
  });
}

void GateHandler::refresh_room(const std::string& event, std::function<void()> done) {
  const std::string now = std::to_string(now_ms());
  std::vector<std::string> tick_args = {now};
  if (command_lag_) tick_args.push_back(std::to_string(*command_lag_));
  redis_.call_script("gate/tick.lua", room_keys(event), std::move(tick_args),
                     [](const io::RedisResult&) {});
  redis_.call_script(
      "gate/room.lua", room_keys(event), {now},
      [this, event, done = std::move(done)](io::RedisResult result) {
        auto snapshot = result ? parse_room_reply(*result)
                               : Result<RoomSnapshot, std::string>(
                                     unexpected(std::string(io::to_string(result.error()))));
        if (!snapshot) {
          shared_.counters.room_refresh_errors.fetch_add(1, std::memory_order_relaxed);
          if (done) done();
          return;
        }
        Room& room = rooms_[event];
        room.snapshot = std::move(*snapshot);
        room.loaded = true;
        if (room.seed.empty()) load_seed(event);
        notify_watchers(event, room);
        if (done) done();
      });
}

// The lottery seed stays in Redis until the reveal; gates read it to compute lottery keys at
// join. It never changes once drawn, so one read per thread suffices.
void GateHandler::load_seed(const std::string& event) {
  redis_.command({"HGET", lottery_hash_key(event), "seed"}, [this, event](io::RedisResult result) {
    if (!result || !result->is_string()) return;
    auto seed = seed_bytes_from_hex(result->str);  // a bad seed leaves the room lottery-less
    auto it = rooms_.find(event);
    if (seed && it != rooms_.end()) it->second.seed = std::move(*seed);
  });
}

}  // namespace boxoffice::gateway
