// The status line and header fields of an answer, written as the bytes that go on the wire.
// Beast's serializer keeps the fields in a container of its own (an allocation per field) and
// hands the socket a sequence of buffers built per write; here they are one string, sent with
// the body in one gather write.
#pragma once

#include <string>

#include "booking/api/errors.h"

namespace boxoffice::booking::api {

// How the body that follows is delimited.
enum class BodyFraming : uint8_t {
  kContentLength,  // Content-Length: the size of r.body (0 without one)
  kChunked,        // Transfer-Encoding: chunked, for a stream whose length is not known
};

// "HTTP/1.x <status> <reason>" and the fields, ending with the empty line. `version` is Beast's
// (10 or 11). Keep-alive is the default of HTTP/1.1 and not of 1.0, so the Connection field
// appears only where it departs from the version's default. A field whose name or value holds
// CR, LF or NUL is left out: it would end the field early and let its rest pose as fields of
// its own.
std::string response_head(const Response& r, unsigned version, bool keep_alive,
                          BodyFraming framing = BodyFraming::kContentLength);

}  // namespace boxoffice::booking::api
