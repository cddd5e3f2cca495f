#include "gateway/core/command_lag.h"

#include <charconv>

#include "gateway/core/room_config.h"

namespace boxoffice::gateway {
namespace {

// Decimal digits only: no sign, no spaces, not empty.
template <class T>
std::optional<T> parse_decimal(std::string_view s) {
  T v = 0;
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<uint64_t> command_lag(std::span<const std::string_view> flat, int64_t now_ms) {
  std::optional<uint64_t> sum;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    if (!parse_decimal<uint32_t>(flat[i])) continue;  // the partition number
    const std::string_view value = flat[i + 1];
    const size_t space = value.find(' ');
    if (space == std::string_view::npos) continue;
    const auto lag = parse_decimal<uint64_t>(value.substr(0, space));
    const auto at_ms = parse_decimal<int64_t>(value.substr(space + 1));
    if (!lag || !at_ms) continue;
    if (*at_ms < now_ms - kCommandLagFreshMs || *at_ms > now_ms + kCommandLagFreshMs) continue;
    // tick.lua takes at most 15 digits; a lag that large is past every lag_target anyway.
    constexpr auto kMax = static_cast<uint64_t>(kMaxConfigNumber);
    const uint64_t before = sum.value_or(0);
    sum = *lag > kMax - before ? kMax : before + *lag;
  }
  return sum;
}

}  // namespace boxoffice::gateway
