// Optional whitespace (RFC 9110 section 5.6.3): the spaces and tabs allowed around the
// elements of a header's list and its parameters.
#pragma once

#include <string_view>

namespace boxoffice::http {

inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace boxoffice::http
