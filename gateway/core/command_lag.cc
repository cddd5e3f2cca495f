#include "gateway/core/command_lag.h"

#include "gateway/core/room_config.h"
#include "shared/redis/lag_report.h"

namespace boxoffice::gateway {

std::optional<uint64_t> command_lag(std::span<const std::string_view> flat, int64_t now_ms) {
  std::optional<uint64_t> sum;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    const auto report = redis::parse_lag_report(flat[i], flat[i + 1]);
    if (!report) continue;
    if (report->at_ms < now_ms - kCommandLagFreshMs ||
        report->at_ms > now_ms + kCommandLagFreshMs) {
      continue;
    }
    // tick.lua takes at most 15 digits; a lag that large is past every lag_target anyway.
    constexpr auto kMax = static_cast<uint64_t>(kMaxConfigNumber);
    const uint64_t before = sum.value_or(0);
    sum = report->lag > kMax - before ? kMax : before + report->lag;
  }
  return sum;
}

}  // namespace boxoffice::gateway
