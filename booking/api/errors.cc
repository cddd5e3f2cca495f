#include "booking/api/errors.h"

#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

struct ApiErrcInfo {
  std::string_view code;
  int status;
};

constexpr ApiErrcInfo kApiErrcInfo[kApiErrcCount] = {
    {"bad_json", 400},           {"invalid_field", 400},
    {"bad_query", 400},          {"bad_path", 400},
    {"bad_http", 400},           {"bad_reservation_id", 400},
    {"bad_request_id", 400},     {"bad_signature", 400},
    {"bad_webhook", 400},        {"identity_required", 401},
    {"admission_required", 401}, {"payment_not_succeeded", 402},
    {"invalid_admission", 403},  {"identity_mismatch", 403},
    {"not_found", 404},          {"unknown_section", 404},
    {"unknown_payment", 404},    {"method_not_allowed", 405},
    {"body_too_large", 413},     {"payment_mismatch", 422},
    {"internal", 500},           {"payment_provider_unavailable", 503},
    {"unavailable", 503},        {"not_ready", 503},
};

}  // namespace

std::string_view to_string(ApiErrc e) {
  const auto i = static_cast<size_t>(e);
  return i < kApiErrcCount ? kApiErrcInfo[i].code : "internal";
}

int http_status(ApiErrc e) {
  const auto i = static_cast<size_t>(e);
  return i < kApiErrcCount ? kApiErrcInfo[i].status : 500;
}

int http_status(Errc e) {
  switch (e) {
    case Errc::kOk:
      return 200;
    case Errc::kUnknownEvent:
    case Errc::kUnknownSeat:
    case Errc::kUnknownReservation:
    case Errc::kNotWaitlisted:
      return 404;
    case Errc::kDuplicateSeat:
    case Errc::kTooManySeats:
    case Errc::kWrongAmount:
    case Errc::kBadCommand:
      return 422;
    case Errc::kNotHolder:
      return 403;
    case Errc::kNotOnSale:
    case Errc::kSeatTaken:
    case Errc::kSeatSold:
    case Errc::kSeatAvailable:
    case Errc::kNoSeatsAvailable:
    case Errc::kLimitExceeded:
    case Errc::kHoldExpired:
    case Errc::kAlreadyBooked:
    case Errc::kWaitlistFull:
    case Errc::kAlreadyHolder:
    case Errc::kNotDue:
      return 409;
    case Errc::kCapacityExceeded:
      return 503;
  }
  return 500;
}

HttpError api_error(ApiErrc e, std::string message) {
  return HttpError{http_status(e), std::string(to_string(e)), std::move(message), {}};
}

HttpError core_error(Errc e, std::string message) {
  return HttpError{http_status(e), std::string(to_string(e)), std::move(message), {}};
}

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

std::string error_body(const HttpError& e) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("error").begin_object();
  w.field("code", e.code).field("message", e.message);
  if (!e.extra_members.empty()) {
    out += ',';
    out += e.extra_members;
  }
  out += "}}";
  return out;
}

Response error_response(const HttpError& e) { return json_response(e.status, error_body(e)); }

}  // namespace boxoffice::booking::api
