#include "booking/payments/url.h"

#include <algorithm>
#include <charconv>

namespace boxoffice::payments {
namespace {

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (unreserved(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

bool unique_names(const QueryParams& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    for (size_t j = i + 1; j < params.size(); ++j) {
      if (params[i].first == params[j].first) return false;
    }
  }
  return true;
}

Result<HttpUrl, std::string> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  const std::string quoted = "\"" + std::string(url) + "\"";
  if (!url.starts_with(kScheme)) {
    return unexpected(quoted + ": expected an http:// URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find('#') != std::string_view::npos) return unexpected(quoted + ": has a fragment");
  for (const char c : rest) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return unexpected(quoted + ": contains a space or control character");
    }
  }
  const size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  HttpUrl out;
  out.target = end == std::string_view::npos ? std::string() : std::string(rest.substr(end));
  if (authority.find('@') != std::string_view::npos) {
    return unexpected(quoted + ": user info is not supported");
  }
  std::string_view port;
  if (authority.starts_with('[')) {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return unexpected(quoted + ": unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return unexpected(quoted + ": junk after ']'");
      port = after.substr(1);
      if (port.empty()) return unexpected(quoted + ": empty port");
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return unexpected(quoted + ": empty port");
    }
  }
  if (out.host.empty()) return unexpected(quoted + ": no host");
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) {
      return unexpected(quoted + ": bad port");
    }
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

std::string join_path(std::string_view base, std::string_view path) {
  while (base.ends_with('/')) base.remove_suffix(1);
  std::string out(base);
  if (!path.starts_with('/')) out += '/';
  out += path;
  return out;
}

}  // namespace boxoffice::payments
