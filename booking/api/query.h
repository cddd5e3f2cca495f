// The typed query parameters of the routes that take them (splitting and decoding are
// shared/http/query.h). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/http/query.h"
#include "shared/result.h"

namespace boxoffice::booking::api {

// Request targets and query strings, read as both services read them.
using boxoffice::http::parse_query;
using boxoffice::http::query_value;
using boxoffice::http::QueryParams;
using boxoffice::http::split_target;
using boxoffice::http::SplitTarget;

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
