// The simulator over real HTTP on loopback, with a booking-side receiver that checks every
// webhook's signature.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <set>

#include "booking/payments/checkout_url.h"
#include "booking/payments/tests/http_test_util.h"

namespace boxoffice::payments {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using testing::CallResult;
using testing::http_call;
using testing::kCheckoutSecret;
using testing::kWebhookSecret;
using testing::PaysimRunner;
using testing::wait_until;
using testing::WebhookReceiver;

constexpr std::string_view kReservation = "evt_hamlet.50000000a";

paysim::PaysimOptions options_for(const WebhookReceiver& receiver) {
  paysim::PaysimOptions o;
  o.webhook_url = receiver.url();
  o.webhook_secret = std::string(kWebhookSecret);
  o.checkout_secret = std::string(kCheckoutSecret);
  o.webhook_max_attempts = 5;
  o.webhook_backoff = Backoff{.initial_ms = 10, .max_ms = 40};
  o.webhook_timeout = std::chrono::seconds(5);
  return o;
}

// The path and query of a checkout link to the simulator.
std::string link(const PaysimRunner& sim, int64_t amount_cents = 9000,
                 std::string_view reservation = kReservation) {
  auto url = checkout_url(sim.url(), kCheckoutSecret, reservation, "fan-1", amount_cents, "GBP");
  EXPECT_TRUE(url.has_value());
  return url->substr(sim.url().size());
}

// Presses a button of the checkout page: POST {link path}/pay?{query} with the form body.
CallResult pay(const PaysimRunner& sim, const std::string& target,
               std::string_view outcome = "succeed") {
  std::string pay_target = target;
  pay_target.insert(pay_target.find('?'), "/pay");
  return http_call(sim.port(), http::verb::post, pay_target, "outcome=" + std::string(outcome),
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::string paid(const PaysimRunner& sim, std::string_view outcome = "succeed",
                 int64_t amount_cents = 9000) {
  const CallResult r = pay(sim, link(sim, amount_cents), outcome);
  EXPECT_EQ(r.status, 200U) << r.error << r.body;
  const json::value v = r.json();
  return v.is_object() ? std::string(v.at("payment_id").as_string()) : "";
}

std::string error_code(const CallResult& r) {
  const json::value v = r.json();
  const json::value* e = v.is_object() ? v.get_object().if_contains("error") : nullptr;
  return e != nullptr && e->is_string() ? std::string(e->get_string()) : "(none: " + r.body + ")";
}

TEST(PaysimTest, CheckoutPageOffersPayAndDecline) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  const std::string target = link(sim);
  const CallResult page = http_call(sim.port(), http::verb::get, target);
  ASSERT_EQ(page.status, 200U) << page.body;
  EXPECT_TRUE(page.content_type.starts_with("text/html"));
  EXPECT_NE(page.body.find("Pay 90.00 GBP"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(">Decline<"), std::string::npos);
  EXPECT_NE(page.body.find("action=\"/checkout/evt_hamlet.50000000a/pay?user=fan-1&amp;amount="),
            std::string::npos)
      << page.body;

  // A fan who lowers the amount gets a refusal, not a cheaper checkout.
  std::string cheaper = target;
  cheaper.replace(cheaper.find("amount=9000"), 11, "amount=100");
  const CallResult tampered = http_call(sim.port(), http::verb::get, cheaper);
  EXPECT_EQ(tampered.status, 403U);
  EXPECT_EQ(error_code(tampered), "bad_signature");
  EXPECT_EQ(pay(sim, cheaper).status, 403U);
  EXPECT_EQ(sim.counter("payments_succeeded"), 0U);

  const CallResult unsigned_link =
      http_call(sim.port(), http::verb::get, target.substr(0, target.find("&sig=")));
  EXPECT_EQ(unsigned_link.status, 400U);
  EXPECT_EQ(error_code(unsigned_link), "missing_parameter");
}

TEST(PaysimTest, PaymentSendsProcessingAndSucceededSigned) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  const CallResult r = pay(sim, link(sim));
  ASSERT_EQ(r.status, 200U) << r.body;
  const json::object answer = r.json().as_object();
  const std::string payment_id(answer.at("payment_id").as_string());
  EXPECT_TRUE(payment_id.starts_with("pay_")) << payment_id;
  EXPECT_EQ(answer.at("status").as_string(), "succeeded");

  ASSERT_TRUE(receiver.wait_for_acknowledged(2));
  std::set<PaymentEventType> types;
  std::set<std::string> event_ids;
  for (const auto& req : receiver.requests()) {
    EXPECT_TRUE(req.signature_ok) << req.signature;
    ASSERT_TRUE(req.event.has_value()) << req.body;
    const PaymentEvent& e = *req.event;
    types.insert(e.type);
    event_ids.insert(e.event_id);
    EXPECT_EQ(e.payment_id, payment_id);
    EXPECT_EQ(e.provider, "paysim");
    EXPECT_EQ(e.reservation, kReservation);
    EXPECT_EQ(e.user, "fan-1");
    EXPECT_EQ(e.amount_cents, 9000);
    EXPECT_EQ(e.currency, "GBP");
  }
  EXPECT_EQ(types, (std::set{PaymentEventType::kProcessing, PaymentEventType::kSucceeded}));
  EXPECT_EQ(event_ids.size(), 2U);

  const CallResult lookup = http_call(sim.port(), http::verb::get, "/v1/payments/" + payment_id);
  ASSERT_EQ(lookup.status, 200U);
  const json::object p = lookup.json().as_object();
  EXPECT_EQ(p.at("status").as_string(), "succeeded");
  EXPECT_EQ(p.at("amount").as_int64(), 9000);
  EXPECT_EQ(p.at("currency").as_string(), "GBP");
  EXPECT_EQ(p.at("reservation").as_string(), kReservation);
  EXPECT_EQ(p.at("user").as_string(), "fan-1");
  EXPECT_TRUE(wait_until([&] { return sim.counter("webhooks_acknowledged") == 2; }));
  EXPECT_EQ(sim.counter("payments_succeeded"), 1U);
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/v1/payments/pay_nope").status, 404U);
}

TEST(PaysimTest, DeclinesSendOnePaymentFailed) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  const std::string declined = paid(sim, "decline");
  ASSERT_TRUE(receiver.wait_for_acknowledged(1));

  // decline_all overrides the fan's choice.
  ASSERT_EQ(sim.set_mode(R"({"decline_all": true})"), 200U);
  const std::string overridden = paid(sim, "succeed");
  ASSERT_TRUE(receiver.wait_for_acknowledged(2));
  const auto events = receiver.acknowledged();
  ASSERT_EQ(events.size(), 2U);
  for (const PaymentEvent& e : events) EXPECT_EQ(e.type, PaymentEventType::kFailed);
  for (const std::string& id : {declined, overridden}) {
    const CallResult lookup = http_call(sim.port(), http::verb::get, "/v1/payments/" + id);
    EXPECT_EQ(lookup.json().at("status").as_string(), "failed");
  }
  EXPECT_EQ(pay(sim, link(sim), "maybe").status, 400U);
  EXPECT_EQ(sim.counter("payments_failed"), 2U);
}

TEST(PaysimTest, DuplicateDeliversTheSameEventTwice) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.faults.send_processing = false;
  o.faults.duplicate_webhooks = true;
  PaysimRunner sim(o);
  paid(sim);
  ASSERT_TRUE(receiver.wait_for_acknowledged(2));
  const auto events = receiver.acknowledged();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0], events[1]);
  EXPECT_EQ(events[0].type, PaymentEventType::kSucceeded);
}

TEST(PaysimTest, DropSendsNothing) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.faults.drop_webhooks = true;
  PaysimRunner sim(o);
  const std::string dropped = paid(sim);
  EXPECT_EQ(sim.counter("webhooks_dropped"), 2U);  // processing and succeeded

  ASSERT_EQ(sim.set_mode(R"({"drop_webhooks": false, "send_processing": false})"), 200U);
  const std::string delivered = paid(sim);
  ASSERT_TRUE(receiver.wait_for_acknowledged(1));
  EXPECT_TRUE(wait_until([&] { return sim.counter("webhooks_acknowledged") == 1; }));
  // Only the second payment's webhook ever arrived.
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].event->payment_id, delivered);
  EXPECT_EQ(sim.counter("webhooks_sent"), 1U);
  // The dropped payment happened all the same: its money is taken.
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/v1/payments/" + dropped)
                .json()
                .at("status")
                .as_string(),
            "succeeded");
}

TEST(PaysimTest, ReorderHoldsBackAndFlushSendsNewestFirst) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.faults.send_processing = false;
  o.faults.reorder_webhooks = true;
  PaysimRunner sim(o);
  const std::vector<std::string> payments = {paid(sim), paid(sim), paid(sim)};
  EXPECT_EQ(sim.counter("webhooks_held"), 3U);
  EXPECT_EQ(sim.counter("webhooks_sent"), 0U);

  const CallResult flushed = http_call(sim.port(), http::verb::post, "/control/flush");
  ASSERT_EQ(flushed.status, 200U);
  EXPECT_EQ(flushed.json().at("released").to_number<uint64_t>(), 3U);
  ASSERT_TRUE(receiver.wait_for_acknowledged(3));
  const auto events = receiver.acknowledged();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].payment_id, payments[2]);
  EXPECT_EQ(events[1].payment_id, payments[1]);
  EXPECT_EQ(events[2].payment_id, payments[0]);
  EXPECT_EQ(sim.counter("webhooks_held"), 0U);
}

TEST(PaysimTest, DelayWaitsBeforeTheFirstAttempt) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.faults.send_processing = false;
  PaysimRunner sim(o);
  ASSERT_EQ(sim.set_mode(R"({"webhook_delay_ms": 300})"), 200U);
  const auto before = std::chrono::steady_clock::now();
  paid(sim);
  ASSERT_TRUE(receiver.wait_for_acknowledged(1));
  // A lower bound only: the timer cannot fire early.
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(300));
  EXPECT_EQ(sim.control().at("mode").at("webhook_delay_ms").as_int64(), 300);
}

TEST(PaysimTest, RetriesUntilTheReceiverAcknowledges) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.faults.send_processing = false;
  PaysimRunner sim(o);
  receiver.fail_next(2, 500);
  paid(sim);
  ASSERT_TRUE(receiver.wait_for_acknowledged(1));
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_EQ(requests[0].answered, 500U);
  EXPECT_EQ(requests[1].answered, 500U);
  EXPECT_EQ(requests[2].answered, 200U);
  for (const auto& r : requests) {
    EXPECT_TRUE(r.signature_ok);
    EXPECT_EQ(r.event->event_id, requests[0].event->event_id);
  }
  EXPECT_TRUE(wait_until([&] { return sim.counter("webhooks_acknowledged") == 1; }));
  EXPECT_EQ(sim.counter("webhooks_sent"), 3U);
}

TEST(PaysimTest, GivesUpAfterTheLastAttempt) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.faults.send_processing = false;
  o.webhook_max_attempts = 3;
  PaysimRunner sim(o);
  receiver.fail_next(1000, 503);
  paid(sim);
  EXPECT_TRUE(wait_until([&] { return sim.counter("webhooks_failed") == 1; }));
  EXPECT_EQ(sim.counter("webhooks_sent"), 3U);
  EXPECT_EQ(receiver.requests().size(), 3U);
}

TEST(PaysimTest, AWrongWebhookSecretIsRefusedByTheReceiver) {
  WebhookReceiver receiver{"whsec_the_receivers_own"};
  auto o = options_for(receiver);
  o.faults.send_processing = false;
  o.webhook_max_attempts = 2;
  PaysimRunner sim(o);
  paid(sim);
  EXPECT_TRUE(wait_until([&] { return sim.counter("webhooks_failed") == 1; }));
  for (const auto& r : receiver.requests()) {
    EXPECT_FALSE(r.signature_ok);
    EXPECT_EQ(r.answered, 400U);
  }
}

TEST(PaysimTest, RefundsAreIdempotentByPaymentId) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  const std::string payment_id = paid(sim);
  const std::string body = R"({"payment_id": ")" + payment_id + R"(", "amount": 9000})";
  const CallResult first = http_call(sim.port(), http::verb::post, "/v1/refunds", body);
  ASSERT_EQ(first.status, 200U) << first.body;
  const std::string refund_id(first.json().at("refund_id").as_string());
  EXPECT_TRUE(refund_id.starts_with("re_"));
  EXPECT_EQ(first.json().at("status").as_string(), "refunded");
  const CallResult again = http_call(sim.port(), http::verb::post, "/v1/refunds", body);
  ASSERT_EQ(again.status, 200U);
  EXPECT_EQ(again.json().at("refund_id").as_string(), refund_id);
  EXPECT_EQ(sim.counter("refunds_received"), 2U);
  EXPECT_EQ(sim.counter("refunds_created"), 1U);
  const json::value p = http_call(sim.port(), http::verb::get, "/v1/payments/" + payment_id).json();
  EXPECT_EQ(p.at("status").as_string(), "refunded");
  EXPECT_EQ(p.at("refund_id").as_string(), refund_id);
}

TEST(PaysimTest, RefundErrors) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  const std::string ok = paid(sim);
  const std::string declined = paid(sim, "decline");
  auto refund = [&](const std::string& body) {
    return http_call(sim.port(), http::verb::post, "/v1/refunds", body);
  };
  const CallResult unknown = refund(R"({"payment_id": "pay_unknown", "amount": 1})");
  EXPECT_EQ(unknown.status, 404U);
  EXPECT_EQ(error_code(unknown), "unknown_payment");
  const CallResult nothing = refund(R"({"payment_id": ")" + declined + R"(", "amount": 9000})");
  EXPECT_EQ(nothing.status, 409U);
  EXPECT_EQ(error_code(nothing), "payment_not_succeeded");
  const CallResult partial = refund(R"({"payment_id": ")" + ok + R"(", "amount": 100})");
  EXPECT_EQ(partial.status, 400U);
  EXPECT_EQ(error_code(partial), "wrong_amount");
  for (const std::string bad : {"", "nope", "[]", R"({"payment_id": 5, "amount": 1})",
                                R"({"payment_id": "x", "amount": "1"})", R"({"amount": 1})"}) {
    const CallResult r = refund(bad);
    EXPECT_EQ(r.status, 400U) << bad;
    EXPECT_EQ(error_code(r), "bad_request");
  }
  // Failing refunds (fault mode) change nothing.
  ASSERT_EQ(sim.set_mode(R"({"fail_refunds": true})"), 200U);
  const CallResult failing = refund(R"({"payment_id": ")" + ok + R"(", "amount": 9000})");
  EXPECT_EQ(failing.status, 503U);
  EXPECT_EQ(error_code(failing), "refunds_unavailable");
  EXPECT_EQ(
      http_call(sim.port(), http::verb::get, "/v1/payments/" + ok).json().at("status").as_string(),
      "succeeded");
  EXPECT_EQ(sim.counter("refunds_created"), 0U);
  EXPECT_EQ(sim.counter("refunds_failed"), 1U);
}

TEST(PaysimTest, ControlRefusesBadInputAndChangesNothing) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  const json::object before = sim.control().at("mode").as_object();
  for (const std::string bad :
       {"", "[]", R"({"nope": 1})", R"({"drop_webhooks": "yes"})", R"({"webhook_delay_ms": -1})",
        R"({"webhook_delay_ms": 600001})", R"({"webhook_delay_ms": 1.5})",
        R"({"decline_all": true, "bogus": 1})"}) {
    const CallResult r = http_call(sim.port(), http::verb::post, "/control", bad);
    EXPECT_EQ(r.status, 400U) << bad;
    EXPECT_EQ(error_code(r), "bad_control");
  }
  EXPECT_EQ(sim.control().at("mode").as_object(), before);
  EXPECT_FALSE(before.at("decline_all").as_bool());
  EXPECT_TRUE(before.at("send_processing").as_bool());
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/control/flush").status, 405U);
}

TEST(PaysimTest, ApiKeyGuardsTheProviderApi) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = options_for(receiver);
  o.api_key = "sk_test";
  PaysimRunner sim(o);
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/v1/payments/pay_x").status, 401U);
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/v1/payments/pay_x", "",
                      {{"Authorization", "Bearer sk_wrong"}})
                .status,
            401U);
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/v1/payments/pay_x", "",
                      {{"Authorization", "Bearer sk_test"}})
                .status,
            404U);
}

TEST(PaysimTest, UnknownRoutes) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(options_for(receiver));
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/nope").status, 404U);
  EXPECT_EQ(http_call(sim.port(), http::verb::get, link(sim).insert(0, "/x")).status, 404U);
  std::string pay_target = link(sim);
  pay_target.insert(pay_target.find('?'), "/pay");
  EXPECT_EQ(http_call(sim.port(), http::verb::get, pay_target).status, 405U);
  EXPECT_EQ(http_call(sim.port(), http::verb::get, "/healthz").status, 200U);
}

TEST(PaysimTest, RefusesBadOptions) {
  paysim::PaysimOptions o;
  o.webhook_url = "http://127.0.0.1:1/hook";
  o.webhook_secret = "w";
  o.checkout_secret = "c";
  boost::asio::io_context io;
  EXPECT_TRUE(paysim::Paysim::start(io.get_executor(), o).has_value());
  for (const auto& change : std::vector<std::function<void(paysim::PaysimOptions&)>>{
           [](auto& x) { x.webhook_url = "https://x"; },
           [](auto& x) { x.webhook_secret = ""; },
           [](auto& x) { x.checkout_secret = ""; },
           [](auto& x) { x.provider_name = ""; },
           [](auto& x) { x.listen_host = "not an address"; },
           [](auto& x) { x.webhook_max_attempts = 0; },
       }) {
    paysim::PaysimOptions bad = o;
    change(bad);
    EXPECT_FALSE(paysim::Paysim::start(io.get_executor(), bad).has_value());
  }
}

// The executable: its first stdout line names the bound URL; SIGTERM ends it cleanly.
TEST(PaysimBinaryTest, PrintsItsUrlAndStopsOnSigterm) {
  std::array<int, 2> out{};
  ASSERT_EQ(pipe(out.data()), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(BOXOFFICE_PAYSIM_BINARY, BOXOFFICE_PAYSIM_BINARY, "--listen", "127.0.0.1:0",
          "--webhook-url", "http://127.0.0.1:1/hook", "--webhook-secret", "w", "--checkout-secret",
          "c", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* child_out = fdopen(out[0], "r");
  ASSERT_NE(child_out, nullptr);
  std::array<char, 256> line{};
  const bool got_line = fgets(line.data(), line.size(), child_out) != nullptr;
  const std::string first = got_line ? line.data() : "";
  constexpr std::string_view kPrefix = "paysim listening on http://127.0.0.1:";
  EXPECT_TRUE(first.starts_with(kPrefix)) << first;
  const int port = got_line ? std::atoi(first.c_str() + kPrefix.size()) : 0;
  EXPECT_GT(port, 0);
  if (port > 0) {
    EXPECT_EQ(http_call(static_cast<uint16_t>(port), http::verb::get, "/healthz").status, 200U);
  }
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  fclose(child_out);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace boxoffice::payments
