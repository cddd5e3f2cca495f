// The booking backend's command lag, as the gate reads it from the workers' reports
// (shared/redis/lag_report.h). The gate sums the fresh reports and passes the sum to
// gate/tick.lua, which shrinks the batch of rooms with a lag_target. Pure: the caller reads the
// hash and the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace boxoffice::gateway {

// A report older than this is ignored: its worker gave the partition up or stopped.
inline constexpr int64_t kCommandLagFreshMs = 5'000;

// From HGETALL bx:lag's flat reply (field, value, field, value, ...): the sum of the lags
// reported within the last kCommandLagFreshMs before now_ms (a report from up to that far in
// the future counts too: clocks differ); nullopt when no report is fresh. Malformed fields and
// values are ignored. The sum stops at kMaxConfigNumber, the largest lag tick.lua takes.
std::optional<uint64_t> command_lag(std::span<const std::string_view> flat, int64_t now_ms);

}  // namespace boxoffice::gateway
