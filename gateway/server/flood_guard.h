// Per-connection abuse counters in fixed windows. Pure: the caller passes the time.
#pragma once

#include <cstdint>

namespace boxoffice::gateway::server {

// Counts events in windows of window_ms; exceeded() once more than `limit` events fell into one
// window. A window starts at the first event after the previous one ended.
class WindowCounter {
 public:
  WindowCounter(int limit, int64_t window_ms) : limit_(limit), window_ms_(window_ms) {}

  // Records one event at now_ms; true when this event exceeds the limit.
  bool add(int64_t now_ms) {
    if (count_ == 0 || now_ms - window_start_ms_ >= window_ms_) {
      window_start_ms_ = now_ms;
      count_ = 0;
    }
    ++count_;
    return count_ > limit_;
  }

 private:
  int limit_;
  int64_t window_ms_;
  int64_t window_start_ms_ = 0;
  int count_ = 0;
};

enum class Flood { kNone, kResets, kControlFrames };

class FloodGuard {
 public:
  FloodGuard(int max_resets, int max_control_frames, int64_t window_ms)
      : resets_(max_resets, window_ms), control_(max_control_frames, window_ms) {}

  Flood on_reset(int64_t now_ms) { return resets_.add(now_ms) ? Flood::kResets : Flood::kNone; }
  Flood on_control_frame(int64_t now_ms) {
    return control_.add(now_ms) ? Flood::kControlFrames : Flood::kNone;
  }

 private:
  WindowCounter resets_;
  WindowCounter control_;
};

}  // namespace boxoffice::gateway::server
