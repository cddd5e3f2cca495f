// Time for code on the gate's libevent loops: libevent timeouts from milliseconds, and the
// monotonic clock that deadlines are kept in.
#pragma once

#include <sys/time.h>

#include <chrono>
#include <cstdint>

namespace boxoffice::gateway {

// A libevent timeout; a deadline already passed is due at once.
inline timeval to_timeval(int64_t ms) {
  if (ms < 0) ms = 0;
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms % 1000) * 1000);
  return tv;
}

inline int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace boxoffice::gateway
