// Stable error codes of the booking core. The string forms travel in decisions, HTTP error
// bodies and the audit log: never rename one, only add.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace boxoffice::booking {

enum class Errc : uint8_t {
  kOk = 0,
  kUnknownEvent,
  kUnknownSeat,
  kUnknownReservation,
  kDuplicateSeat,
  kTooManySeats,
  kNotOnSale,
  kSeatTaken,
  kSeatSold,
  kSeatAvailable,
  kNoSeatsAvailable,
  kLimitExceeded,
  kNotHolder,
  kHoldExpired,
  kAlreadyBooked,
  kWrongAmount,
  kWaitlistFull,
  kNotWaitlisted,
  kAlreadyHolder,
  kBadCommand,
  kNotDue,
  kCapacityExceeded,
};

inline constexpr int kErrcCount = static_cast<int>(Errc::kCapacityExceeded) + 1;

constexpr std::string_view to_string(Errc e) {
  switch (e) {
    case Errc::kOk:
      return "ok";
    case Errc::kUnknownEvent:
      return "unknown_event";
    case Errc::kUnknownSeat:
      return "unknown_seat";
    case Errc::kUnknownReservation:
      return "unknown_reservation";
    case Errc::kDuplicateSeat:
      return "duplicate_seat";
    case Errc::kTooManySeats:
      return "too_many_seats";
    case Errc::kNotOnSale:
      return "not_on_sale";
    case Errc::kSeatTaken:
      return "seat_taken";
    case Errc::kSeatSold:
      return "seat_sold";
    case Errc::kSeatAvailable:
      return "seat_available";
    case Errc::kNoSeatsAvailable:
      return "no_seats_available";
    case Errc::kLimitExceeded:
      return "limit_exceeded";
    case Errc::kNotHolder:
      return "not_holder";
    case Errc::kHoldExpired:
      return "hold_expired";
    case Errc::kAlreadyBooked:
      return "already_booked";
    case Errc::kWrongAmount:
      return "wrong_amount";
    case Errc::kWaitlistFull:
      return "waitlist_full";
    case Errc::kNotWaitlisted:
      return "not_waitlisted";
    case Errc::kAlreadyHolder:
      return "already_holder";
    case Errc::kBadCommand:
      return "bad_command";
    case Errc::kNotDue:
      return "not_due";
    case Errc::kCapacityExceeded:
      return "capacity_exceeded";
  }
  return "unknown";
}

constexpr std::optional<Errc> errc_from_int(uint64_t v) {
  if (v >= static_cast<uint64_t>(kErrcCount)) return std::nullopt;
  return static_cast<Errc>(v);
}

}  // namespace boxoffice::booking
