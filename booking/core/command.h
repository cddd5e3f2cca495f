// Commands: what the booking core is fed, in log order. Time arrives inside each command
// (at_ms); the core never reads a clock, so replaying the same commands gives the same state.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace boxoffice::booking {

using SeatIndex = uint32_t;  // index into Event::seats of the catalog
// A reservation id is (serial << 32) | slot, unique within its event: serial counts every hold
// the event ever made, slot is where the live hold sits.
using ReservationId = uint64_t;

inline constexpr uint32_t kMaxSeatsPerHold = 16;  // also caps Event::per_user_limit
inline constexpr uint16_t kAnySection = 0xFFFF;

// A small inline list of seats: commands and decisions never allocate.
struct SeatList {
  std::array<SeatIndex, kMaxSeatsPerHold> items{};
  uint8_t count = 0;

  std::span<const SeatIndex> span() const {
    return {items.data(), std::min<size_t>(count, kMaxSeatsPerHold)};  // count is public
  }
  bool push(SeatIndex s) {
    if (count >= kMaxSeatsPerHold) return false;
    items[count++] = s;
    return true;
  }
  bool operator==(const SeatList& o) const {
    return count == o.count && std::ranges::equal(span(), o.span());
  }
};

enum class CommandType : uint8_t {
  kReserve = 1,     // user, seats (all or nothing)
  kReserveBest,     // user, count, section, min/max price
  kPaymentStarted,  // user, reservation_id: freezes the hold up to Event::payment_hold_ms
  kConfirm,         // user, reservation_id, payment_id, provider, amount_cents
  kCancel,          // user, reservation_id
  kExpire,          // reservation_id (due time = at_ms)
  kJoinWaitlist,    // user, seats[0]
  kLeaveWaitlist,   // user, seats[0]
};
inline constexpr uint8_t kCommandTypeMax = static_cast<uint8_t>(CommandType::kLeaveWaitlist);

std::string_view to_string(CommandType t);

// One flat struct for every command type; fields a type does not use stay zero/empty.
// String fields are views: into the wire bytes when decoded, into caller storage otherwise.
struct Command {
  CommandType type = CommandType::kReserve;
  uint64_t request_id = 0;  // chosen by the producer, echoed in every resulting decision
  int64_t at_ms = 0;
  std::string_view event_id;
  std::string_view user_id;
  ReservationId reservation_id = 0;
  SeatList seats;
  // ReserveBest
  uint16_t count = 0;
  uint16_t section = kAnySection;
  int64_t min_price_cents = 0;
  int64_t max_price_cents = 0;  // 0 = no upper bound
  // Confirm
  std::string_view payment_id;
  std::string_view provider;
  int64_t amount_cents = 0;

  bool operator==(const Command&) const = default;
};

// A command that owns its strings, for keeping one beyond the buffers a Command's views point
// into (a request being answered, a message received); view() lends them to a Command.
struct OwnedCommand {
  CommandType type = CommandType::kReserve;
  uint64_t request_id = 0;
  int64_t at_ms = 0;
  std::string event_id;
  std::string user_id;
  ReservationId reservation_id = 0;
  SeatList seats;
  uint16_t count = 0;
  uint16_t section = kAnySection;
  int64_t min_price_cents = 0;
  int64_t max_price_cents = 0;
  std::string payment_id;
  std::string provider;
  int64_t amount_cents = 0;

  static OwnedCommand of(const Command& c);
  Command view() const;
};

}  // namespace boxoffice::booking
