// Exponential backoff between retries: webhook deliveries (the simulator) and refunds (the
// refunder) both wait this way.
#pragma once

#include <algorithm>
#include <cstdint>

namespace boxoffice::payments {

struct Backoff {
  int64_t initial_ms = 500;
  int64_t max_ms = 60'000;

  // The wait after the failures-th failure in a row (1 = the first): initial, 2x, 4x, ...
  // capped at max_ms. Never overflows, whatever failures is.
  int64_t delay_ms(uint32_t failures) const {
    const int64_t first = std::max<int64_t>(initial_ms, 0);
    const int64_t cap = std::max(max_ms, first);
    int64_t delay = first;
    for (uint32_t i = 1; i < failures && delay > 0 && delay < cap; ++i) {
      delay = delay > cap / 2 ? cap : delay * 2;
    }
    return std::min(delay, cap);
  }
};

}  // namespace boxoffice::payments
