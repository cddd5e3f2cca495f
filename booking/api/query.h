// Request targets and query strings: splitting, decoding, and the typed parameters of the
// routes that take them. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.h"

namespace boxoffice::booking::api {

struct Target {
  std::string_view path;
  std::string_view query;  // without '?'
};
Target split_target(std::string_view target);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// "a=1&b=x%20y&c" -> {a:1, b:"x y", c:""}; error names the bad parameter.
Result<QueryParams, std::string> parse_query(std::string_view query);
// The first value of name; nullopt if absent.
std::optional<std::string_view> query_value(const QueryParams& params, std::string_view name);

// GET /events parameters.
struct SearchQuery {
  std::string text;                     // query: matches title, artist or venue (case-insensitive)
  std::string location;                 // location: matches the city (case-insensitive)
  std::optional<int64_t> day_start_ms;  // date=YYYY-MM-DD (UTC)
  uint32_t page = 1;                    // 1-based
  uint32_t per_page = 20;               // 1..100
};
inline constexpr uint32_t kMaxPerPage = 100;
// Errors are messages for a 400 bad_query.
Result<SearchQuery, std::string> parse_search_query(const QueryParams& params);

// "2027-01-15" -> the UTC midnight that starts it, in ms.
Result<int64_t, std::string> parse_date(std::string_view date);
// An instant: ISO "2027-01-15T08:00:00Z" (fractions allowed) or integer milliseconds.
Result<int64_t, std::string> parse_instant(std::string_view s);
// A positive decimal integer within [1, max].
Result<uint32_t, std::string> parse_positive(std::string_view s, uint32_t max);

}  // namespace boxoffice::booking::api
