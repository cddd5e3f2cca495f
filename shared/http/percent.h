// Percent-decoding of URL pieces (RFC 3986 section 2.1). Pure functions, no allocation beyond
// the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxoffice::http {

// Decodes %XX escapes (hex digits of either case). With plus_as_space, '+' becomes ' ' (the
// application/x-www-form-urlencoded rule for query strings). Returns nullopt for a truncated or
// non-hex escape and for a decoded NUL byte, which no caller can handle safely.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space);
// The same, appending to `out` (whose capacity a caller may reuse); false in the same cases,
// with `out` partly appended.
bool percent_decode_append(std::string_view in, bool plus_as_space, std::string& out);

}  // namespace boxoffice::http
