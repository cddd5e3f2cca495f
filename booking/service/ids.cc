#include "booking/service/ids.h"

#include <charconv>

namespace boxoffice::booking {
namespace {

std::string hex(uint64_t v, int min_digits) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
  std::string s(buf, end);
  if (static_cast<int>(s.size()) < min_digits) s.insert(0, min_digits - s.size(), '0');
  return s;
}

// Lowercase hex only, no sign, no leading zeros unless min_digits asks for them.
std::optional<uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string reservation_key(std::string_view event_id, ReservationId id) {
  std::string key(event_id);
  key += '.';
  key += hex(id, 1);
  return key;
}

std::optional<ReservationRef> parse_reservation_key(std::string_view key) {
  const size_t dot = key.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view digits = key.substr(dot + 1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;  // one spelling per id
  const auto id = parse_hex(digits);
  if (!id) return std::nullopt;
  return ReservationRef{key.substr(0, dot), *id};
}

std::string request_key(uint64_t request_id) { return hex(request_id, 16); }

std::optional<uint64_t> parse_request_key(std::string_view key) {
  if (key.size() != 16) return std::nullopt;
  return parse_hex(key);
}

}  // namespace boxoffice::booking
