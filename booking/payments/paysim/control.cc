#include "booking/payments/paysim/control.h"

#include <boost/json.hpp>

namespace boxoffice::payments::paysim {
namespace json = boost::json;

Result<FaultMode, std::string> apply_control(const FaultMode& current, std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return unexpected(std::string("the body is not a JSON object"));
  FaultMode next = current;
  for (const auto& [key, value] : v.get_object()) {
    bool* flag = nullptr;
    if (key == "decline_all") flag = &next.decline_all;
    if (key == "duplicate_webhooks") flag = &next.duplicate_webhooks;
    if (key == "reorder_webhooks") flag = &next.reorder_webhooks;
    if (key == "drop_webhooks") flag = &next.drop_webhooks;
    if (key == "fail_refunds") flag = &next.fail_refunds;
    if (key == "send_processing") flag = &next.send_processing;
    if (flag != nullptr) {
      if (!value.is_bool()) return unexpected(std::string(key) + ": expected true or false");
      *flag = value.get_bool();
    } else if (key == "webhook_delay_ms") {
      if (!value.is_int64() || value.get_int64() < 0 || value.get_int64() > kMaxWebhookDelayMs) {
        return unexpected("webhook_delay_ms: expected an integer 0.." +
                          std::to_string(kMaxWebhookDelayMs));
      }
      next.webhook_delay_ms = value.get_int64();
    } else {
      return unexpected("unknown field " + std::string(key));
    }
  }
  return next;
}

std::string control_json(const FaultMode& m, const Counters& c) {
  const json::object out = {
      {"mode",
       {{"decline_all", m.decline_all},
        {"webhook_delay_ms", m.webhook_delay_ms},
        {"duplicate_webhooks", m.duplicate_webhooks},
        {"reorder_webhooks", m.reorder_webhooks},
        {"drop_webhooks", m.drop_webhooks},
        {"fail_refunds", m.fail_refunds},
        {"send_processing", m.send_processing}}},
      {"counters",
       {{"payments_succeeded", c.payments_succeeded},
        {"payments_failed", c.payments_failed},
        {"webhooks_sent", c.webhooks_sent},
        {"webhooks_acknowledged", c.webhooks_acknowledged},
        {"webhooks_failed", c.webhooks_failed},
        {"webhooks_dropped", c.webhooks_dropped},
        {"webhooks_held", c.webhooks_held},
        {"refunds_received", c.refunds_received},
        {"refunds_created", c.refunds_created},
        {"refunds_failed", c.refunds_failed},
        {"accept_errors", c.accept_errors}}},
  };
  return json::serialize(out);
}

}  // namespace boxoffice::payments::paysim
