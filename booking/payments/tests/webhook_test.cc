#include "booking/payments/webhook.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace boxoffice::payments {
namespace {
namespace json = boost::json;

PaymentEvent sample() {
  return PaymentEvent{"evt_01", PaymentEventType::kSucceeded, 1'700'000'000, "pay_9a1b",
                      "paysim", "evt_hamlet.50000000a",       "fan-17",      9000,
                      "GBP"};
}

// The sample's JSON with one change made through a JSON pointer-like path.
std::string with(const std::function<void(json::object&)>& change) {
  json::value v = json::parse(webhook_body(sample()));
  change(v.as_object());
  return json::serialize(v);
}

json::object& obj(json::object& root) { return root["data"].as_object()["object"].as_object(); }

WebhookError error_of(std::string_view body) {
  auto r = parse_webhook(body);
  EXPECT_FALSE(r.has_value()) << body;
  return r.has_value() ? WebhookError{} : r.error();
}

TEST(WebhookTest, RoundTripsEveryType) {
  for (const auto type :
       {PaymentEventType::kSucceeded, PaymentEventType::kFailed, PaymentEventType::kProcessing}) {
    PaymentEvent e = sample();
    e.type = type;
    auto parsed = parse_webhook(webhook_body(e));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
    EXPECT_EQ(*parsed, e);
  }
}

TEST(WebhookTest, ParsesTheDocumentedShape) {
  const std::string body = R"({
    "id": "evt_3f9c", "object": "event", "type": "payment_intent.payment_failed",
    "created": 1767225600, "livemode": false,
    "data": {"object": {"id": "pay_1", "object": "payment_intent", "provider": "paysim",
                        "amount": 4500, "currency": "EUR",
                        "metadata": {"reservation": "evt_x.1", "user": "u1", "extra": 1}}}})";
  auto e = parse_webhook(body);
  ASSERT_TRUE(e.has_value()) << e.error().message();
  EXPECT_EQ(e->event_id, "evt_3f9c");
  EXPECT_EQ(e->type, PaymentEventType::kFailed);
  EXPECT_EQ(e->created_s, 1767225600);
  EXPECT_EQ(e->payment_id, "pay_1");
  EXPECT_EQ(e->provider, "paysim");
  EXPECT_EQ(e->amount_cents, 4500);
  EXPECT_EQ(e->currency, "EUR");
  EXPECT_EQ(e->reservation, "evt_x.1");
  EXPECT_EQ(e->user, "u1");
}

TEST(WebhookTest, NotJson) {
  for (const std::string_view bad : {"", "{", "[]", "\"evt\"", "null", "{\"id\":1} trailing"}) {
    const WebhookError e = error_of(bad);
    EXPECT_EQ(e.code, WebhookErrc::kNotJson) << bad;
    EXPECT_EQ(e.message(), "the body is not a JSON object");
  }
}

TEST(WebhookTest, MissingFieldsAreNamed) {
  const std::vector<std::pair<std::string, std::function<void(json::object&)>>> cases = {
      {"id", [](json::object& r) { r.erase("id"); }},
      {"type", [](json::object& r) { r.erase("type"); }},
      {"created", [](json::object& r) { r.erase("created"); }},
      {"data", [](json::object& r) { r.erase("data"); }},
      {"data.object", [](json::object& r) { r["data"].as_object().erase("object"); }},
      {"data.object.id", [](json::object& r) { obj(r).erase("id"); }},
      {"data.object.provider", [](json::object& r) { obj(r).erase("provider"); }},
      {"data.object.amount", [](json::object& r) { obj(r).erase("amount"); }},
      {"data.object.currency", [](json::object& r) { obj(r).erase("currency"); }},
      {"data.object.metadata", [](json::object& r) { obj(r).erase("metadata"); }},
      {"data.object.metadata.reservation",
       [](json::object& r) { obj(r)["metadata"].as_object().erase("reservation"); }},
      {"data.object.metadata.user",
       [](json::object& r) { obj(r)["metadata"].as_object().erase("user"); }},
  };
  for (const auto& [field, change] : cases) {
    const WebhookError e = error_of(with(change));
    EXPECT_EQ(e.code, WebhookErrc::kMissingField) << field;
    EXPECT_EQ(e.field, field);
    EXPECT_EQ(e.message(), "missing field " + field);
  }
}

TEST(WebhookTest, WrongTypes) {
  const std::vector<std::pair<std::string, std::function<void(json::object&)>>> cases = {
      {"id", [](json::object& r) { r["id"] = 7; }},
      {"type", [](json::object& r) { r["type"] = json::array{}; }},
      {"created", [](json::object& r) { r["created"] = "1700000000"; }},
      {"created", [](json::object& r) { r["created"] = 1.7e9; }},
      {"data", [](json::object& r) { r["data"] = "x"; }},
      {"data.object", [](json::object& r) { r["data"].as_object()["object"] = nullptr; }},
      {"data.object.amount", [](json::object& r) { obj(r)["amount"] = "9000"; }},
      {"data.object.amount", [](json::object& r) { obj(r)["amount"] = 90.5; }},
      {"data.object.amount", [](json::object& r) { obj(r)["amount"] = true; }},
      {"data.object.currency", [](json::object& r) { obj(r)["currency"] = 826; }},
      {"data.object.metadata", [](json::object& r) { obj(r)["metadata"] = json::array{}; }},
      {"data.object.metadata.user",
       [](json::object& r) { obj(r)["metadata"].as_object()["user"] = 17; }},
  };
  for (const auto& [field, change] : cases) {
    const WebhookError e = error_of(with(change));
    EXPECT_EQ(e.code, WebhookErrc::kWrongType) << field;
    EXPECT_EQ(e.field, field);
  }
}

TEST(WebhookTest, UnknownType) {
  for (const std::string_view type :
       {"payment_intent.created", "charge.refunded", "", "PAYMENT_INTENT.SUCCEEDED"}) {
    const WebhookError e = error_of(with([&](json::object& r) { r["type"] = type; }));
    EXPECT_EQ(e.code, WebhookErrc::kUnknownType) << type;
    EXPECT_EQ(e.field, "type");
  }
}

TEST(WebhookTest, BadValues) {
  const std::vector<std::pair<std::string, std::function<void(json::object&)>>> cases = {
      {"id", [](json::object& r) { r["id"] = ""; }},
      {"created", [](json::object& r) { r["created"] = -1; }},
      {"data.object.id", [](json::object& r) { obj(r)["id"] = std::string(129, 'p'); }},
      {"data.object.provider", [](json::object& r) { obj(r)["provider"] = ""; }},
      {"data.object.amount", [](json::object& r) { obj(r)["amount"] = -1; }},
      {"data.object.amount", [](json::object& r) { obj(r)["amount"] = UINT64_MAX; }},
      {"data.object.currency", [](json::object& r) { obj(r)["currency"] = "gbp"; }},
      {"data.object.currency", [](json::object& r) { obj(r)["currency"] = "GBPX"; }},
      {"data.object.metadata.reservation",
       [](json::object& r) { obj(r)["metadata"].as_object()["reservation"] = ""; }},
  };
  for (const auto& [field, change] : cases) {
    const WebhookError e = error_of(with(change));
    EXPECT_EQ(e.code, WebhookErrc::kBadValue) << field;
    EXPECT_EQ(e.field, field);
  }
  // 128 bytes is the limit, not beyond it.
  auto ok = parse_webhook(with([](json::object& r) { obj(r)["id"] = std::string(128, 'p'); }));
  EXPECT_TRUE(ok.has_value());
}

TEST(WebhookTest, StableNames) {
  EXPECT_EQ(to_string(PaymentEventType::kSucceeded), "payment_intent.succeeded");
  EXPECT_EQ(to_string(PaymentEventType::kFailed), "payment_intent.payment_failed");
  EXPECT_EQ(to_string(PaymentEventType::kProcessing), "payment_intent.processing");
  EXPECT_EQ(to_string(WebhookErrc::kMissingField), "missing_field");
  EXPECT_EQ(to_string(WebhookErrc::kUnknownType), "unknown_event_type");
}

}  // namespace
}  // namespace boxoffice::payments
