// The payment provider's webhook body (after its signature was verified, signature.h): a
// Stripe-like event about one payment. JSON shape in README.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace boxoffice::payments {

enum class PaymentEventType : uint8_t {
  kSucceeded,   // "payment_intent.succeeded": the money is taken -> Confirm
  kFailed,      // "payment_intent.payment_failed": declined -> Cancel (release the hold)
  kProcessing,  // "payment_intent.processing": under way -> PaymentStarted (freeze the hold)
};
std::string_view to_string(PaymentEventType t);

struct PaymentEvent {
  std::string event_id;  // "evt_...": unique per event; a redelivery repeats it
  PaymentEventType type = PaymentEventType::kSucceeded;
  int64_t created_s = 0;    // unix seconds
  std::string payment_id;   // "pay_..."
  std::string provider;     // the provider's name: a payment is known by (provider, payment_id)
  std::string reservation;  // reservation key "{event}.{hex}" (booking/service/ids.h)
  std::string user;
  int64_t amount_cents = 0;
  std::string currency;  // ISO 4217, upper case: "GBP"

  bool operator==(const PaymentEvent&) const = default;
};

enum class WebhookErrc : uint8_t {
  kNotJson,  // not parseable, or not a JSON object
  kMissingField,
  kWrongType,    // e.g. a string where a number belongs, 12.5 for an amount
  kUnknownType,  // "type" names no event this system handles
  kBadValue,     // right type, wrong value: empty or over-long id, negative amount, "gbp"
};
std::string_view to_string(WebhookErrc e);  // "not_json", "missing_field", ...

struct WebhookError {
  WebhookErrc code = WebhookErrc::kNotJson;
  std::string field;            // dotted path, "data.object.metadata.user"; empty for kNotJson
  std::string message() const;  // "missing field data.object.amount"
};

Result<PaymentEvent, WebhookError> parse_webhook(std::string_view body);

// The body a provider sends for event; parse_webhook(webhook_body(e)) == e for a valid e.
std::string webhook_body(const PaymentEvent& event);

}  // namespace boxoffice::payments
