// External ids of the booking API: how reservations and requests are named in URLs and JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "booking/core/command.h"

namespace boxoffice::booking {

// "{event_id}.{reservation id in lowercase hex}", e.g. "evt_hamlet.50000000a": the event is
// part of the id so a request naming only the reservation reaches the right partition. The
// booking id of a confirmed reservation is the same string.
std::string reservation_key(std::string_view event_id, ReservationId id);

struct ReservationRef {
  std::string_view event_id;
  ReservationId id = 0;
};
// Splits at the last '.'; nullopt unless both halves are well formed.
std::optional<ReservationRef> parse_reservation_key(std::string_view key);

// Request ids travel in commands and come back in their decisions: 16 bits name the producing
// API instance, 48 bits count its requests. Externally: 16 lowercase hex digits.
std::string request_key(uint64_t request_id);
std::optional<uint64_t> parse_request_key(std::string_view key);

}  // namespace boxoffice::booking
