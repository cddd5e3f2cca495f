// Write requests to commands: identity, body and id checks, all before anything is sent. Pure:
// a request that fails here gets its error and no command leaves the API.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "booking/api/errors.h"
#include "booking/core/catalog.h"
#include "booking/core/command.h"
#include "booking/service/ids.h"
#include "shared/result.h"

namespace boxoffice::booking::api {

inline constexpr std::string_view kIdentityHeader = "X-Boxoffice-User";

// An empty body is an empty object (writes that need nothing but the identity).
Result<boost::json::object, HttpError> parse_body(std::string_view body);

// The requester: the X-Boxoffice-User header (set by the gate from a verified token) when
// present, else the body's "user_id". Neither: 401 identity_required.
Result<std::string, HttpError> require_identity(std::string_view header,
                                                const boost::json::object& body);
// Same sources, for reads that may name a user (the query's user_id instead of the body's).
Result<std::string, HttpError> require_identity(std::string_view header,
                                                std::string_view query_user);

// Resolves ids in a path: 404 unknown_event / unknown_seat, 400 bad_reservation_id.
Result<const Event*, HttpError> find_event(const Catalog& catalog, std::string_view event_id);
Result<SeatIndex, HttpError> find_seat(const Event& event, std::string_view seat_label);
Result<ReservationRef, HttpError> parse_reservation(std::string_view key);

// POST /events/{id}/seats/{seat}/reserve.
Result<OwnedCommand, HttpError> reserve_seat_command(const Event& event,
                                                     std::string_view seat_label, std::string user,
                                                     int64_t now_ms);
// POST /events/{id}/reserve {seats: [labels]}: 1..16 distinct known seats.
Result<OwnedCommand, HttpError> reserve_seats_command(const Event& event,
                                                      const boost::json::object& body,
                                                      std::string user, int64_t now_ms);
// POST /events/{id}/reserve-best {count, section?, min_price_cents?, max_price_cents?}.
Result<OwnedCommand, HttpError> reserve_best_command(const Event& event,
                                                     const boost::json::object& body,
                                                     std::string user, int64_t now_ms);
// Commands about an existing reservation (cancel, payment started): the key names the event.
OwnedCommand reservation_command(CommandType type, const ReservationRef& ref, std::string user,
                                 int64_t now_ms);
OwnedCommand confirm_command(const ReservationRef& ref, std::string user, std::string payment_id,
                             std::string provider, int64_t amount_cents, int64_t now_ms);
// Join or leave a seat's waitlist.
OwnedCommand waitlist_command(CommandType type, const Event& event, SeatIndex seat,
                              std::string user, int64_t now_ms);

// POST /bookings/{rid}/confirm {payment_id, provider}.
struct ConfirmRequest {
  std::string payment_id;
  std::string provider;
};
Result<ConfirmRequest, HttpError> parse_confirm_request(const boost::json::object& body);

}  // namespace boxoffice::booking::api
