// URL pieces the payment code needs beyond shared/http: percent-encoding, repeated query
// parameters and plain http:// URLs.
// Pure functions; nothing here touches the network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/http/percent.h"
#include "shared/http/query.h"
#include "shared/result.h"

namespace boxoffice::payments {

// Query strings and request targets, read as both services read them.
using boxoffice::http::parse_query;
using boxoffice::http::percent_decode;
using boxoffice::http::query_value;
using boxoffice::http::QueryParams;
using boxoffice::http::split_target;
using boxoffice::http::SplitTarget;

// Keeps the unreserved characters of RFC 3986 (A-Z a-z 0-9 - . _ ~), escapes every other byte.
std::string percent_encode(std::string_view s);

// Whether no parameter name repeats: callers that must refuse a repeated parameter (a signed
// link) check this before reading values with query_value.
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
