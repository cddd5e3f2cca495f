#include "booking/payments/webhook.h"

#include <boost/json.hpp>

#include "booking/core/wire.h"

namespace boxoffice::payments {
namespace json = boost::json;
namespace {

constexpr std::string_view kSucceeded = "payment_intent.succeeded";
constexpr std::string_view kFailed = "payment_intent.payment_failed";
constexpr std::string_view kProcessing = "payment_intent.processing";

WebhookError fail(WebhookErrc code, std::string_view path) {
  return WebhookError{code, std::string(path)};
}

// Lookups that name the offending field on failure.
Result<const json::object*, WebhookError> object_at(const json::object& parent,
                                                    std::string_view key, std::string_view path) {
  const json::value* v = parent.if_contains(key);
  if (v == nullptr) return unexpected(fail(WebhookErrc::kMissingField, path));
  if (!v->is_object()) return unexpected(fail(WebhookErrc::kWrongType, path));
  return &v->get_object();
}

Result<std::string, WebhookError> string_at(const json::object& parent, std::string_view key,
                                            std::string_view path) {
  const json::value* v = parent.if_contains(key);
  if (v == nullptr) return unexpected(fail(WebhookErrc::kMissingField, path));
  if (!v->is_string()) return unexpected(fail(WebhookErrc::kWrongType, path));
  return std::string(v->get_string());
}

// Ids travel on into booking commands, whose wire format caps them.
Result<std::string, WebhookError> id_at(const json::object& parent, std::string_view key,
                                        std::string_view path) {
  auto s = string_at(parent, key, path);
  if (s && (s->empty() || s->size() > booking::kMaxWireIdBytes)) {
    return unexpected(fail(WebhookErrc::kBadValue, path));
  }
  return s;
}

// A JSON integer that fits int64 and is >= 0; 12.0 and "12" are the wrong type.
Result<int64_t, WebhookError> count_at(const json::object& parent, std::string_view key,
                                       std::string_view path) {
  const json::value* v = parent.if_contains(key);
  if (v == nullptr) return unexpected(fail(WebhookErrc::kMissingField, path));
  if (v->is_int64()) {
    if (v->get_int64() < 0) return unexpected(fail(WebhookErrc::kBadValue, path));
    return v->get_int64();
  }
  if (v->is_uint64()) return unexpected(fail(WebhookErrc::kBadValue, path));  // above int64
  return unexpected(fail(WebhookErrc::kWrongType, path));
}

bool is_currency(std::string_view c) {
  if (c.size() != 3) return false;
  for (const char ch : c) {
    if (ch < 'A' || ch > 'Z') return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(PaymentEventType t) {
  switch (t) {
    case PaymentEventType::kSucceeded:
      return kSucceeded;
    case PaymentEventType::kFailed:
      return kFailed;
    case PaymentEventType::kProcessing:
      return kProcessing;
  }
  return "unknown";
}

std::string_view to_string(WebhookErrc e) {
  switch (e) {
    case WebhookErrc::kNotJson:
      return "not_json";
    case WebhookErrc::kMissingField:
      return "missing_field";
    case WebhookErrc::kWrongType:
      return "wrong_type";
    case WebhookErrc::kUnknownType:
      return "unknown_event_type";
    case WebhookErrc::kBadValue:
      return "bad_value";
  }
  return "unknown";
}

std::string WebhookError::message() const {
  switch (code) {
    case WebhookErrc::kNotJson:
      return "the body is not a JSON object";
    case WebhookErrc::kMissingField:
      return "missing field " + field;
    case WebhookErrc::kWrongType:
      return "wrong type of field " + field;
    case WebhookErrc::kUnknownType:
      return "unknown event type in field " + field;
    case WebhookErrc::kBadValue:
      return "bad value of field " + field;
  }
  return "bad webhook";
}

Result<PaymentEvent, WebhookError> parse_webhook(std::string_view body) {
  boost::system::error_code ec;
  const json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return unexpected(fail(WebhookErrc::kNotJson, ""));
  const json::object& top = root.get_object();

  PaymentEvent e;
  auto event_id = id_at(top, "id", "id");
  if (!event_id) return unexpected(event_id.error());
  e.event_id = std::move(*event_id);

  auto type = string_at(top, "type", "type");
  if (!type) return unexpected(type.error());
  if (*type == kSucceeded) {
    e.type = PaymentEventType::kSucceeded;
  } else if (*type == kFailed) {
    e.type = PaymentEventType::kFailed;
  } else if (*type == kProcessing) {
    e.type = PaymentEventType::kProcessing;
  } else {
    return unexpected(fail(WebhookErrc::kUnknownType, "type"));
  }

  auto created = count_at(top, "created", "created");
  if (!created) return unexpected(created.error());
  e.created_s = *created;

  auto data = object_at(top, "data", "data");
  if (!data) return unexpected(data.error());
  auto object = object_at(**data, "object", "data.object");
  if (!object) return unexpected(object.error());
  const json::object& o = **object;

  auto payment_id = id_at(o, "id", "data.object.id");
  if (!payment_id) return unexpected(payment_id.error());
  e.payment_id = std::move(*payment_id);
  auto provider = id_at(o, "provider", "data.object.provider");
  if (!provider) return unexpected(provider.error());
  e.provider = std::move(*provider);
  auto amount = count_at(o, "amount", "data.object.amount");
  if (!amount) return unexpected(amount.error());
  e.amount_cents = *amount;
  auto currency = string_at(o, "currency", "data.object.currency");
  if (!currency) return unexpected(currency.error());
  if (!is_currency(*currency))
    return unexpected(fail(WebhookErrc::kBadValue, "data.object.currency"));
  e.currency = std::move(*currency);

  auto metadata = object_at(o, "metadata", "data.object.metadata");
  if (!metadata) return unexpected(metadata.error());
  auto reservation = id_at(**metadata, "reservation", "data.object.metadata.reservation");
  if (!reservation) return unexpected(reservation.error());
  e.reservation = std::move(*reservation);
  auto user = id_at(**metadata, "user", "data.object.metadata.user");
  if (!user) return unexpected(user.error());
  e.user = std::move(*user);
  return e;
}

std::string webhook_body(const PaymentEvent& event) {
  const json::object body = {
      {"id", event.event_id},
      {"object", "event"},
      {"type", to_string(event.type)},
      {"created", event.created_s},
      {"data",
       {{"object",
         {{"id", event.payment_id},
          {"object", "payment_intent"},
          {"provider", event.provider},
          {"amount", event.amount_cents},
          {"currency", event.currency},
          {"metadata", {{"reservation", event.reservation}, {"user", event.user}}}}}}},
  };
  return json::serialize(body);
}

}  // namespace boxoffice::payments
