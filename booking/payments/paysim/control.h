// The simulator's fault modes and counters, and their JSON form (the control API). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace boxoffice::payments::paysim {

inline constexpr int64_t kMaxWebhookDelayMs = 600'000;

struct FaultMode {
  bool decline_all = false;         // every payment is declined, whatever the fan chose
  int64_t webhook_delay_ms = 0;     // wait before the first delivery attempt of each webhook
  bool duplicate_webhooks = false;  // deliver each webhook twice (same event id)
  bool reorder_webhooks = false;    // hold webhooks back; /control/flush sends them newest first
  bool drop_webhooks = false;       // never send webhooks (payments still happen)
  bool fail_refunds = false;        // answer refunds with 503
  bool send_processing = true;      // send payment_intent.processing before succeeded

  bool operator==(const FaultMode&) const = default;
};

struct Counters {
  uint64_t payments_succeeded = 0;
  uint64_t payments_failed = 0;
  uint64_t webhooks_sent = 0;          // delivery attempts (each retry counts)
  uint64_t webhooks_acknowledged = 0;  // attempts answered 2xx
  uint64_t webhooks_failed = 0;        // webhooks given up after the last attempt
  uint64_t webhooks_dropped = 0;       // not sent because of drop_webhooks
  uint64_t webhooks_held = 0;          // held back right now (reorder_webhooks)
  uint64_t refunds_received = 0;       // POST /v1/refunds requests, repeats included
  uint64_t refunds_created = 0;        // distinct refunds
  uint64_t refunds_failed = 0;         // answered 503 because of fail_refunds
  uint64_t accept_errors = 0;          // connections the server failed to accept
};

// Applies a POST /control body: a JSON object with any of FaultMode's field names. Unknown
// names, wrong types and out-of-range values are refused, and then nothing changes.
Result<FaultMode, std::string> apply_control(const FaultMode& current, std::string_view body);

// GET /control: {"mode": {...}, "counters": {...}}
std::string control_json(const FaultMode& mode, const Counters& counters);

}  // namespace boxoffice::payments::paysim
