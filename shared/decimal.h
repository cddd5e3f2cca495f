// Whole-string decimal numbers, as ids, counters, offsets and times travel in Redis values,
// query strings and flags. Pure.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

namespace boxoffice {

// Decimal digits only (no sign, no spaces, not empty) whose value fits T; otherwise nullopt.
template <class T>
std::optional<T> parse_decimal(std::string_view s) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  T v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace boxoffice
