// A seat's history (list bx:audit:{event}:{seat}: every decision that touched it, oldest first)
// and the seat's status at any instant, computed from that history alone. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "booking/core/catalog.h"
#include "booking/core/decision.h"

namespace boxoffice::booking::api {

enum class SeatState : uint8_t { kAvailable, kReserved, kBooked };
std::string_view to_string(SeatState s);

struct SeatStateAt {
  SeatState state = SeatState::kAvailable;
  ReservationId reservation_id = 0;  // the hold or booking, if any
  std::string_view user_id;
  int64_t expires_at_ms = 0;  // of a hold
};

// Replays the decisions made at or before at_ms, in order. A hold whose deadline is at or before
// at_ms counts as ended even if its expiry was recorded later (no hold outlives its deadline,
// booking/core/README.md). payment_pending extends the current hold's deadline.
SeatStateAt seat_state_at(std::span<const Decision> history, SeatIndex seat, int64_t at_ms);

// {event_id, seat_id, history: [...], status_at?: {at, status, ...}}.
std::string render_history(const Event& event, SeatIndex seat, std::span<const Decision> history,
                           std::optional<int64_t> at_ms);

}  // namespace boxoffice::booking::api
