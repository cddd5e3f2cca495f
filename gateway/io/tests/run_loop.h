// Drives a test's libevent loop until something happened, with a deadline (no sleeps).
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>

namespace boxoffice::gateway::io {

inline constexpr int64_t kLoopWaitMs = 10'000;

// Runs base's loop until done() or timeout_ms have passed; returns done().
inline bool run_loop_until(event_base* base, const std::function<bool()>& done,
                           int64_t timeout_ms = kLoopWaitMs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    event_base_loop(base, EVLOOP_ONCE);
  }
  return done();
}

}  // namespace boxoffice::gateway::io
