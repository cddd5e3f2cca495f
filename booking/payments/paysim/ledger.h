// The simulator's book of payments and refunds. Pure: no I/O; ids come from the caller.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "booking/payments/provider_client.h"
#include "shared/result.h"

namespace boxoffice::payments::paysim {

struct Payment {
  std::string id;  // "pay_..."
  PaymentStatus status = PaymentStatus::kSucceeded;
  int64_t amount_cents = 0;
  std::string currency;
  std::string reservation;
  std::string user;
  std::string refund_id;  // once refunded
};

enum class RefundErrc : uint8_t {
  kUnknownPayment,  // 404
  kNotSucceeded,    // a declined payment took no money: 409
  kWrongAmount,     // only full refunds: amount must be the payment's: 400
};
std::string_view to_string(RefundErrc e);  // "unknown_payment", ...

struct RefundOutcome {
  std::string refund_id;
  bool created = false;  // false: the payment was refunded before, this is that refund again
};

class Ledger {
 public:
  // Records a new payment (its id must be new).
  const Payment& add(Payment payment);
  const Payment* find(std::string_view id) const;

  // Full refund, idempotent by payment id: a repeat answers the first refund's id, whatever
  // refund id it offers. new_refund_id is used only when the refund is created.
  Result<RefundOutcome, RefundErrc> refund(std::string_view payment_id, int64_t amount_cents,
                                           std::string_view new_refund_id);

  size_t size() const { return payments_.size(); }

 private:
  std::map<std::string, Payment, std::less<>> payments_;
};

}  // namespace boxoffice::payments::paysim
