// Decisions: what the booking core answers, each with a per-partition sequence number. They are
// the events of the log (boxoffice.events): the read model, notifications and the audit trail are
// all built from them.
#pragma once

#include <cstdint>
#include <string_view>

#include "booking/core/command.h"
#include "booking/core/errc.h"

namespace boxoffice::booking {

enum class DecisionType : uint8_t {
  kHeld = 1,         // reservation_id, user, seats, expires_at_ms, amount_cents (to pay)
  kRejected,         // code, user, reservation_id (the command's), seats (the offending one)
  kPaymentPending,   // reservation_id, user, expires_at_ms (the frozen deadline)
  kBooked,           // reservation_id (= booking id), user, seats, payment_id, provider, amount
  kCancelled,        // reservation_id, user, seats
  kExpired,          // reservation_id, user, seats
  kReleased,         // seats[0] is available again
  kOffered,          // waitlist head got a fresh hold: like kHeld, for the offered user
  kWaitlisted,       // user, seats[0], position (1-based)
  kWaitlistLeft,     // user, seats[0]
  kWaitlistCleared,  // seats[0] was sold: its waitlist ended; position = how many were waiting
  kRefundRequired,   // code (why), reservation_id, user, payment_id, provider, amount_cents
};
inline constexpr uint8_t kDecisionTypeMax = static_cast<uint8_t>(DecisionType::kRefundRequired);

std::string_view to_string(DecisionType t);

struct Decision {
  uint64_t seq = 0;
  DecisionType type = DecisionType::kHeld;
  Errc code = Errc::kOk;
  uint64_t request_id = 0;  // of the command that caused it
  int64_t at_ms = 0;        // of the command that caused it
  std::string_view event_id;
  std::string_view user_id;
  ReservationId reservation_id = 0;
  SeatList seats;
  int64_t expires_at_ms = 0;
  int64_t amount_cents = 0;
  uint32_t position = 0;
  std::string_view payment_id;
  std::string_view provider;

  bool operator==(const Decision&) const = default;
};

}  // namespace boxoffice::booking
