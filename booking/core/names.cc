// String forms of the core's enums. They appear in logs, JSON and the read model: never rename
// one, only add.
#include <string_view>

#include "booking/core/command.h"
#include "booking/core/decision.h"
#include "booking/core/partition.h"

namespace boxoffice::booking {

std::string_view to_string(CommandType t) {
  switch (t) {
    case CommandType::kReserve:
      return "reserve";
    case CommandType::kReserveBest:
      return "reserve_best";
    case CommandType::kPaymentStarted:
      return "payment_started";
    case CommandType::kConfirm:
      return "confirm";
    case CommandType::kCancel:
      return "cancel";
    case CommandType::kExpire:
      return "expire";
    case CommandType::kJoinWaitlist:
      return "join_waitlist";
    case CommandType::kLeaveWaitlist:
      return "leave_waitlist";
  }
  return "unknown";
}

std::string_view to_string(DecisionType t) {
  switch (t) {
    case DecisionType::kHeld:
      return "held";
    case DecisionType::kRejected:
      return "rejected";
    case DecisionType::kPaymentPending:
      return "payment_pending";
    case DecisionType::kBooked:
      return "booked";
    case DecisionType::kCancelled:
      return "cancelled";
    case DecisionType::kExpired:
      return "expired";
    case DecisionType::kReleased:
      return "released";
    case DecisionType::kOffered:
      return "offered";
    case DecisionType::kWaitlisted:
      return "waitlisted";
    case DecisionType::kWaitlistLeft:
      return "waitlist_left";
    case DecisionType::kWaitlistCleared:
      return "waitlist_cleared";
    case DecisionType::kRefundRequired:
      return "refund_required";
  }
  return "unknown";
}

std::string_view to_string(SeatStatus s) {
  switch (s) {
    case SeatStatus::kAvailable:
      return "available";
    case SeatStatus::kHeld:
      return "held";
    case SeatStatus::kBooked:
      return "booked";
  }
  return "unknown";
}

}  // namespace boxoffice::booking
