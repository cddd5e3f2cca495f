// The gzip content coding (RFC 9110 section 8.4.1.3): whether a client's Accept-Encoding
// accepts it, and compressing and decompressing with zlib. Pure; no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace boxoffice::http {

// True when the Accept-Encoding value lists gzip (or x-gzip) with a weight above zero, or
// lists "*" above zero without ruling gzip out. A missing or empty header, "identity" alone, or
// an element whose weight is not a valid qvalue ("gzip;q=2", "gzip;q=x") is not a yes: a
// server that is unsure sends the body as it is.
bool accepts_gzip(std::string_view accept_encoding);

// A gzip member holding `data`. The fastest level: a stadium's seat map (6 MB of JSON)
// shrinks about twentyfold either way, and it is compressed again whenever the map changes.
std::string gzip(std::string_view data);

// The bytes of one gzip member, or why not: corrupt, truncated, followed by extra bytes, or
// inflating to more than max_bytes (a small body must not blow up in memory).
Result<std::string, std::string> gunzip(std::string_view data, size_t max_bytes);

}  // namespace boxoffice::http
