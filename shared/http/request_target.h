// The request target of an HTTP request (the :path pseudo-header): decoded path, its segments
// and the query parameters. Pure; untrusted bytes in, a value or a stable error code out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/http/query.h"
#include "shared/result.h"

namespace boxoffice::http {

enum class Errc {
  kNotOriginForm,  // does not start with '/' ("*", absolute URLs, empty)
  kTooLong,        // longer than kMaxRequestTargetBytes
  kBadByte,        // a control character, space, '#' or a non-ASCII byte, raw or decoded in path
  kBadEscape,      // a truncated or non-hex %XX escape, or an escaped NUL
  kDotSegment,     // a "." or ".." segment (also when escaped)
  kEmptySegment,   // "//" inside the path
  kEncodedSlash,   // "%2F" inside a segment: the segment boundaries would become ambiguous
};

// Stable snake_case codes ("bad_escape", ...) for logs and JSON error bodies.
std::string_view errc_code(Errc e);

inline constexpr size_t kMaxRequestTargetBytes = size_t{8} * 1024;

struct RequestTarget {
  std::string path;                   // decoded, always starts with '/'
  std::vector<std::string> segments;  // decoded; "/" has none; a trailing '/' adds none
  QueryParams params;                 // in order, decoded with '+' as space (query.h)

  // The first value of `key`, if present.
  std::optional<std::string_view> query(std::string_view key) const;
};

// Parses an origin-form request target ("/a/b?x=1"). Segments are split on the raw '/' before
// decoding, so "%2F" never creates a boundary (it is refused instead). Empty segments are refused
// but for one trailing '/', which is allowed and ignored in `segments` ("/a/" has segments {"a"},
// path "/a/"), so routing never sees an empty segment.
Result<RequestTarget, Errc> parse_request_target(std::string_view target);
// The same into `out`, reusing the capacity of its strings and vectors: a server that keeps a
// RequestTarget per pooled stream allocates nothing for targets of a familiar shape. After an
// error `out` holds a partial parse.
Result<bool, Errc> parse_request_target_into(std::string_view target, RequestTarget& out);

}  // namespace boxoffice::http
