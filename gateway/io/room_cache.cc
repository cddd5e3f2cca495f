// Each thread's copy of every room: every room_refresh_ms it lists the rooms, runs the
// admission tick (the script decides whether one is due, so any number of gates may call it)
// and re-reads each room in one script call. Status requests read this copy, never Redis.
#include <spdlog/spdlog.h>

#include "gateway/core/lottery.h"
#include "gateway/io/gate_handler.h"
#include "gateway/io/room_setup.h"

namespace boxoffice::gateway {

void GateHandler::schedule_refresh() {
  const int64_t ms = shared_.config.room_refresh_ms;
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  evtimer_add(refresh_timer_, &tv);
}

void GateHandler::refresh_rooms() {
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
  redis_.call_script("gate/tick.lua", room_keys(event), {now}, [](const io::RedisResult&) {});
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
