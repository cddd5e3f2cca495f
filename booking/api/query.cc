#include "booking/api/query.h"

#include "booking/core/catalog.h"
#include "shared/decimal.h"

namespace boxoffice::booking::api {

Result<uint32_t, std::string> parse_positive(std::string_view s, uint32_t max) {
  const auto v = parse_decimal<uint64_t>(s);
  if (!v || *v < 1 || *v > max) {
    return unexpected("expected an integer from 1 to " + std::to_string(max) + ", got \"" +
                      std::string(s) + "\"");
  }
  return static_cast<uint32_t>(*v);
}

Result<int64_t, std::string> parse_date(std::string_view date) {
  const std::string bad = "bad date \"" + std::string(date) + "\" (expected YYYY-MM-DD)";
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return unexpected(bad);
  auto t = parse_utc_time_ms(std::string(date) + "T00:00:00Z");
  if (!t) return unexpected(bad);
  return *t;
}

Result<int64_t, std::string> parse_instant(std::string_view s) {
  if (const auto ms = parse_decimal<int64_t>(s)) return *ms;
  auto t = parse_utc_time_ms(s);
  if (!t) {
    return unexpected("bad instant \"" + std::string(s) +
                      "\" (expected YYYY-MM-DDTHH:MM:SSZ or milliseconds since the epoch)");
  }
  return *t;
}

Result<SearchQuery, std::string> parse_search_query(const QueryParams& params) {
  SearchQuery q;
  for (const auto& [name, value] : params) {
    if (name == "query" || name == "q") {
      q.text = value;
    } else if (name == "location") {
      q.location = value;
    } else if (name == "date") {
      if (value.empty()) continue;
      auto day = parse_date(value);
      if (!day) return unexpected("date: " + day.error());
      q.day_start_ms = *day;
    } else if (name == "page") {
      auto page = parse_positive(value, 1'000'000);
      if (!page) return unexpected("page: " + page.error());
      q.page = *page;
    } else if (name == "per_page") {
      auto per_page = parse_positive(value, kMaxPerPage);
      if (!per_page) return unexpected("per_page: " + per_page.error());
      q.per_page = *per_page;
    }
  }
  return q;
}

}  // namespace boxoffice::booking::api
