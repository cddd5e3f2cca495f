// URL pieces the payment code needs: percent-encoding, query strings and plain http:// URLs.
// Pure functions; nothing here touches the network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.h"

namespace boxoffice::payments {

// Keeps the unreserved characters of RFC 3986 (A-Z a-z 0-9 - . _ ~), escapes every other byte.
std::string percent_encode(std::string_view s);

// Undoes percent_encode; with plus_is_space (form bodies and query strings) '+' means ' '.
// nullopt on a malformed escape ("%4", "%zz").
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// Decoded name=value pairs in their original order. A name without '=' has an empty value.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::optional<QueryParams> parse_query(std::string_view query);

// Splits a request target "/a/b?x=1" into path and query (without the '?').
struct SplitTarget {
  std::string_view path;
  std::string_view query;
};
SplitTarget split_target(std::string_view target);

// The one value of name; nullopt when it is absent. Callers that must refuse a repeated
// parameter check unique_names() first.
std::optional<std::string_view> find_param(const QueryParams& params, std::string_view name);
bool unique_names(const QueryParams& params);

// "http://host[:port][/path][?query]": the only scheme the payment links use (loopback, or a
// TLS-terminating proxy in front). target is what follows the authority, as written ("" when
// nothing does); a fragment is refused.
struct HttpUrl {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  uint16_t port = 80;
  std::string target;
};
Result<HttpUrl, std::string> parse_http_url(std::string_view url);

// base target + path without a doubled '/': join_path("/api/", "/v1/x") == "/api/v1/x".
std::string join_path(std::string_view base, std::string_view path);

}  // namespace boxoffice::payments
