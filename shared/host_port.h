// Addresses as the command lines take them (--redis, --upstream, --listen): "host:port", or
// "[v6]:port" for an IPv6 address. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/decimal.h"

namespace boxoffice {

struct HostPort {
  std::string host;  // without the brackets of "[v6]:port"
  uint16_t port = 0;
};

// A non-empty host and a decimal port up to 65535; nullopt otherwise. Port 0 is accepted:
// what it means (any free port, or an error) is the caller's to say.
inline std::optional<HostPort> parse_host_port(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) {
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of(":[]") != std::string_view::npos) {
    return std::nullopt;  // an IPv6 address needs its brackets
  }
  if (host.empty() || host.find_first_of("[]") != std::string_view::npos) return std::nullopt;
  const auto port = parse_decimal<uint16_t>(text.substr(colon + 1));
  if (!port) return std::nullopt;
  return HostPort{std::string(host), *port};
}

}  // namespace boxoffice
