#include "shared/http/query.h"

#include "shared/http/percent.h"

namespace boxoffice::http {

bool parse_query_into(std::string_view query, QueryParams& out) {
  size_t params = 0;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (params == out.size()) out.emplace_back();
    auto& [name, value] = out[params++];
    name.clear();
    value.clear();
    if (!percent_decode_append(pair.substr(0, eq), true, name) ||
        !percent_decode_append(
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true, value)) {
      return false;
    }
  }
  out.resize(params);
  return true;
}

std::optional<QueryParams> parse_query(std::string_view query) {
  QueryParams out;
  if (!parse_query_into(query, out)) return std::nullopt;
  return out;
}

std::optional<std::string_view> query_value(const QueryParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

SplitTarget split_target(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

}  // namespace boxoffice::http
