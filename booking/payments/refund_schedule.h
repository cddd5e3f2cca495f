// The pure part of the refunder: what an owed refund in the read model looks like, and which
// ones to send to the provider now. No I/O and no clock: time comes in as now_ms.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "booking/payments/backoff.h"
#include "shared/result.h"

namespace boxoffice::payments {

inline constexpr std::string_view kRefundsKey = "bx:refunds";

// One field of the Redis hash bx:refunds (lua-rules/booking/README.md): field
// "{provider}:{payment_id}", value {"payment_id", "provider", "amount", "reservation_id",
// "user", "reason", "seq"}.
struct OwedRefund {
  std::string field;
  std::string payment_id;
  std::string provider;
  int64_t amount_cents = 0;
  // What the refund is for, for logs; optional in the value.
  std::string reservation;  // the reservation key, or the id as written when it is a number
  std::string user;
  std::string reason;  // the core's code: hold_expired, already_booked, ...
};

// payment_id, provider (non-empty strings) and amount (an integer >= 0) are required, and the
// field must be "{provider}:{payment_id}"; the other keys are optional but must have their type.
Result<OwedRefund, std::string> parse_owed_refund(std::string_view field, std::string_view value);

class RefundSchedule {
 public:
  explicit RefundSchedule(Backoff backoff) : backoff_(backoff) {}

  // Of everything owed, those to send at now_ms: never tried, or their backoff has passed.
  // Those that have waited longest come first (never tried before retries, then by field);
  // at most limit of them.
  std::vector<const OwedRefund*> due(std::span<const OwedRefund> owed, int64_t now_ms,
                                     size_t limit) const;

  void succeeded(std::string_view field);               // acknowledged: forget it
  void failed(std::string_view field, int64_t now_ms);  // try again after the backoff

  // Forget the retry state of refunds no longer owed (deleted by another refunder).
  void retain(std::span<const OwedRefund> owed);

  // When the earliest backed-off refund becomes due; nullopt when none is backing off.
  std::optional<int64_t> next_retry_ms() const;
  uint32_t failures(std::string_view field) const;

 private:
  struct Attempts {
    uint32_t failures = 0;
    int64_t next_at_ms = 0;
  };
  Backoff backoff_;
  std::map<std::string, Attempts, std::less<>> attempts_;
};

}  // namespace boxoffice::payments
