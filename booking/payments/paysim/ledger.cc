#include "booking/payments/paysim/ledger.h"

namespace boxoffice::payments::paysim {

std::string_view to_string(RefundErrc e) {
  switch (e) {
    case RefundErrc::kUnknownPayment:
      return "unknown_payment";
    case RefundErrc::kNotSucceeded:
      return "payment_not_succeeded";
    case RefundErrc::kWrongAmount:
      return "wrong_amount";
  }
  return "unknown";
}

const Payment& Ledger::add(Payment payment) {
  std::string id = payment.id;
  return payments_.insert_or_assign(std::move(id), std::move(payment)).first->second;
}

const Payment* Ledger::find(std::string_view id) const {
  const auto it = payments_.find(id);
  return it == payments_.end() ? nullptr : &it->second;
}

Result<RefundOutcome, RefundErrc> Ledger::refund(std::string_view payment_id, int64_t amount_cents,
                                                 std::string_view new_refund_id) {
  const auto it = payments_.find(payment_id);
  if (it == payments_.end()) return unexpected(RefundErrc::kUnknownPayment);
  Payment& p = it->second;
  if (p.status == PaymentStatus::kFailed) return unexpected(RefundErrc::kNotSucceeded);
  if (amount_cents != p.amount_cents) return unexpected(RefundErrc::kWrongAmount);
  if (p.status == PaymentStatus::kRefunded) return RefundOutcome{p.refund_id, false};
  p.status = PaymentStatus::kRefunded;
  p.refund_id = std::string(new_refund_id);
  return RefundOutcome{p.refund_id, true};
}

}  // namespace boxoffice::payments::paysim
