// One table from error codes to HTTP statuses and JSON error bodies. Every error the API answers
// is {"error": {"code": "...", "message": "..."}}: codes are stable (clients branch on them),
// messages are for people. The booking core's codes (booking/core/errc.h) keep their names.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "booking/core/errc.h"

namespace boxoffice::booking::api {

// The API's own codes, for what it refuses before anything reaches the core.
enum class ApiErrc : uint8_t {
  kBadJson,                     // 400 body is not a JSON object
  kInvalidField,                // 400 a field is missing, of the wrong type or out of range
  kBadQuery,                    // 400 a query parameter is malformed
  kBadPath,                     // 400 a path segment is not valid percent-encoding
  kBadHttp,                     // 400 not a well-formed HTTP/1.1 request
  kBadReservationId,            // 400 not a reservation key "{event}.{hex}"
  kBadRequestId,                // 400 not a request key (16 hex digits)
  kBadSignature,                // 400 webhook signature does not verify
  kBadWebhook,                  // 400 webhook body is not a payment event
  kIdentityRequired,            // 401 a write without X-Boxoffice-User or user_id
  kAdmissionRequired,           // 401 a write without the gate's admission token
  kPaymentNotSucceeded,         // 402 the provider has not taken the money
  kInvalidAdmission,            // 403 the admission token does not verify for this event
  kIdentityMismatch,            // 403 the token's subject is not the user the request names
  kNotFound,                    // 404 no such route
  kUnknownSection,              // 404 section not in the event
  kUnknownPayment,              // 404 the provider does not know the payment
  kMethodNotAllowed,            // 405 route exists, method does not (Allow lists the others)
  kBodyTooLarge,                // 413
  kPaymentMismatch,             // 422 the payment belongs to another reservation or user
  kInternal,                    // 500
  kPaymentProviderUnavailable,  // 503 the provider did not answer
  kUnavailable,                 // 503 Redis or the command log is unreachable
  kNotReady,                    // 503 /readyz
};
inline constexpr int kApiErrcCount = static_cast<int>(ApiErrc::kNotReady) + 1;

std::string_view to_string(ApiErrc e);
int http_status(ApiErrc e);
// Every core code has a status: 404 for unknown ids, 422 for requests that can never succeed,
// 409 for conflicts with the current state, 403 for someone else's reservation, 503 for
// capacity.
int http_status(Errc e);

// An error answer: status, stable code, message, and optional extra members of the error
// object (a JSON fragment such as "\"seat_id\":\"A-1-1\"").
struct HttpError {
  int status = 500;
  std::string code;
  std::string message;
  std::string extra_members;
};
HttpError api_error(ApiErrc e, std::string message);
HttpError core_error(Errc e, std::string message);

// What every handler returns; the shell writes it. The body is shared so a cached seat map is
// sent to many clients without copies.
struct Response {
  int status = 200;
  std::string_view content_type = "application/json";  // a literal: it outlives the answer
  std::shared_ptr<const std::string> body;
  std::vector<std::pair<std::string, std::string>> headers;
};
Response json_response(int status, std::string body);
Response error_response(const HttpError& e);
std::string error_body(const HttpError& e);

}  // namespace boxoffice::booking::api
