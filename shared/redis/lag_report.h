// The command lag report, a contract between the booking workers, which write it about once a
// second, and the gates, which size admission batches by it (lua-rules/booking/README.md): the
// Redis hash bx:lag, one field per partition a worker owns (the partition number), valued
// "<lag> <unix_ms>" (commands not applied yet, and when that was measured). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/decimal.h"

namespace boxoffice::redis {

inline constexpr std::string_view kLagReportKey = "bx:lag";

struct LagReport {
  uint32_t partition = 0;
  uint64_t lag = 0;
  int64_t at_ms = 0;
};

// The field and the value of one partition's report.
inline std::string lag_report_field(uint32_t partition) { return std::to_string(partition); }
inline std::string lag_report_value(uint64_t lag, int64_t at_ms) {
  return std::to_string(lag) + ' ' + std::to_string(at_ms);
}

// One field and value of the hash; nullopt if either is malformed.
inline std::optional<LagReport> parse_lag_report(std::string_view field, std::string_view value) {
  const auto partition = parse_decimal<uint32_t>(field);
  const size_t space = value.find(' ');
  if (!partition || space == std::string_view::npos) return std::nullopt;
  const auto lag = parse_decimal<uint64_t>(value.substr(0, space));
  const auto at_ms = parse_decimal<int64_t>(value.substr(space + 1));
  if (!lag || !at_ms) return std::nullopt;
  return LagReport{*partition, *lag, *at_ms};
}

}  // namespace boxoffice::redis
