// Query strings, and the split of a request target into path and query: the gate, the booking
// API and the payment simulator read them the same way. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxoffice::http {

// Decoded name=value pairs in their original order, '+' as space. "a" gives ("a", ""); empty
// pairs ("a=1&&b=2") are skipped. Names may repeat.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Parses a query string (what follows '?') into `out`, reusing the capacity of its strings;
// false for a truncated or non-hex escape or a NUL, with `out` partly filled.
bool parse_query_into(std::string_view query, QueryParams& out);
std::optional<QueryParams> parse_query(std::string_view query);

// The first value of name; nullopt when it is absent.
std::optional<std::string_view> query_value(const QueryParams& params, std::string_view name);

// "/a/b?x=1" -> path "/a/b" and query "x=1" (without the '?'); no '?', no query.
struct SplitTarget {
  std::string_view path;
  std::string_view query;
};
SplitTarget split_target(std::string_view target);

}  // namespace boxoffice::http
