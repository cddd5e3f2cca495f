// One table from the gate's error codes to HTTP statuses. Every error the gate answers is
// {"error": {"code": "...", "message": "..."}}: codes are stable, messages are for people.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace boxoffice::gateway {

enum class GateErrc : uint8_t {
  kBadJson,               // 400 body is not the JSON object the route expects
  kBadIdentity,           // 400 an identity is 1-64 of [A-Za-z0-9_.@-]
  kBadRequest,            // 400 anything else malformed
  kBadProofOfWork,        // 400 proof-of-work missing or wrong
  kIdentityRequired,      // 401 join without an identity
  kWaitingTokenRequired,  // 401 status or stream without a waiting token
  kAdmissionRequired,     // 401 /api/ without an admission token
  kInvalidToken,          // 403 a token that does not verify (the reason is in "reason")
  kAdminForbidden,        // 403 admin API from elsewhere than loopback without the secret
  kNotFound,              // 404 no such route
  kUnknownEvent,          // 404 no waiting room for this event
  kQueueNotOpen,          // 409 the pre-queue has not opened yet
  kQueueClosed,           // 409 the room is closed
  kNotRevealable,         // 409 the seed can be revealed only once the on-sale began
  kRateLimited,           // 429
  kInternal,              // 500
  kUpstreamUnavailable,   // 502 the booking API did not answer
  kUnavailable,           // 503 Redis unreachable
  kUpstreamTimeout,       // 504
  kVerifyBusy,            // 503 too many unknown tokens to check right now; retry
};

struct GateErrcInfo {
  std::string_view code;
  int status;
};

GateErrcInfo info(GateErrc e);

// {"error":{"code":"...","message":"..."[,"reason":"..."]}}
std::string error_body(GateErrc e, std::string_view message, std::string_view reason = {});

}  // namespace boxoffice::gateway
