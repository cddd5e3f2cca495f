// JSON of what the read model stores about reservations and bookings (hash bx:res:{rid},
// lua-rules/booking/README.md). Pure: fields come in as read from Redis.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "booking/api/answers.h"
#include "booking/core/catalog.h"

namespace boxoffice::booking::api {

using HashFields = std::vector<std::pair<std::string, std::string>>;  // HGETALL, in order

std::string_view hash_field(const HashFields& fields, std::string_view name);

// The status fans see: held -> reserved, booked -> confirmed; the rest as stored
// (payment_pending, cancelled, expired).
std::string_view public_status(std::string_view stored);

// GET /reservations/{rid}. Seat indices are rendered as labels; a held reservation carries its
// payment_url. Unknown seat indices (a catalog that changed) render as "#index".
std::string render_reservation(const Catalog& catalog, std::string_view rid,
                               const HashFields& fields, const PaymentUrlFn& payment_url);

// GET /users/{id}/bookings: the hashes of the user's booked reservations, newest first.
std::string render_bookings(const Catalog& catalog, std::string_view user,
                            const std::vector<std::pair<std::string, HashFields>>& bookings,
                            size_t total);

}  // namespace boxoffice::booking::api
