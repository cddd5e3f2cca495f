// The booking side's provider client against the simulator, and the HTTP client's timeouts
// and keep-alive recovery against small servers of the test's own.
#include "booking/payments/provider_client.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "booking/payments/tests/http_test_util.h"

namespace boxoffice::payments {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using testing::http_call;
using testing::kCheckoutSecret;
using testing::kWebhookSecret;
using testing::PaysimRunner;
using testing::WebhookReceiver;

paysim::PaysimOptions sim_options(const WebhookReceiver& receiver) {
  paysim::PaysimOptions o;
  o.webhook_url = receiver.url();
  o.webhook_secret = std::string(kWebhookSecret);
  o.checkout_secret = std::string(kCheckoutSecret);
  o.faults.send_processing = false;
  return o;
}

// A payment made through the checkout, as a fan would.
// Runs the client's context until the one call in flight has answered.
class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<ProviderClient> client(
      const std::string& base_url, std::chrono::milliseconds timeout = std::chrono::seconds(5),
      std::string api_key = "") {
    auto c = ProviderClient::create(
        io_.get_executor(),
        {.base_url = base_url, .api_key = std::move(api_key), .timeout = timeout});
    EXPECT_TRUE(c.has_value());
    return std::move(*c);
  }

  Result<PaymentInfo, ProviderError> fetch(ProviderClient& c, std::string_view id) {
    std::optional<Result<PaymentInfo, ProviderError>> got;
    c.fetch_payment(id, [&](Result<PaymentInfo, ProviderError> r) { got = std::move(r); });
    io_.restart();
    io_.run();
    EXPECT_TRUE(got.has_value());
    return std::move(*got);
  }

  Result<RefundReceipt, ProviderError> refund(ProviderClient& c, std::string_view id,
                                              int64_t amount) {
    std::optional<Result<RefundReceipt, ProviderError>> got;
    c.refund(id, amount, [&](Result<RefundReceipt, ProviderError> r) { got = std::move(r); });
    io_.restart();
    io_.run();
    EXPECT_TRUE(got.has_value());
    return std::move(*got);
  }

  asio::io_context io_;
};

TEST_F(ClientTest, FetchesPaymentsAndRefundsIdempotently) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(sim_options(receiver));
  const std::string id = sim.pay(4200);
  auto c = client(sim.url());

  auto p = fetch(*c, id);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->payment_id, id);
  EXPECT_EQ(p->status, PaymentStatus::kSucceeded);
  EXPECT_EQ(p->amount_cents, 4200);
  EXPECT_EQ(p->currency, "EUR");
  EXPECT_EQ(p->reservation, "evt_x.7");
  EXPECT_EQ(p->user, "fan-9");

  auto first = refund(*c, id, 4200);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->status, "refunded");
  auto again = refund(*c, id, 4200);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->refund_id, first->refund_id);
  EXPECT_EQ(fetch(*c, id)->status, PaymentStatus::kRefunded);
  EXPECT_EQ(sim.counter("refunds_created"), 1U);
}

TEST_F(ClientTest, ProviderErrorsAreClassified) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  PaysimRunner sim(sim_options(receiver));
  const std::string ok = sim.pay(100);
  const std::string declined = sim.pay(100, "decline");
  auto c = client(sim.url());

  auto missing = fetch(*c, "pay_missing");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ProviderErrc::kNotFound);
  EXPECT_EQ(missing.error().http_status, 404U);
  EXPECT_EQ(missing.error().message, "HTTP 404 unknown_payment");
  EXPECT_EQ(fetch(*c, declined)->status, PaymentStatus::kFailed);

  auto partial = refund(*c, ok, 1);
  ASSERT_FALSE(partial.has_value());
  EXPECT_EQ(partial.error().code, ProviderErrc::kRejected);
  EXPECT_EQ(refund(*c, declined, 100).error().code, ProviderErrc::kRejected);

  ASSERT_EQ(sim.set_mode(R"({"fail_refunds": true})"), 200U);
  auto failing = refund(*c, ok, 100);
  ASSERT_FALSE(failing.has_value());
  EXPECT_EQ(failing.error().code, ProviderErrc::kUnavailable);
  EXPECT_EQ(failing.error().http_status, 503U);

  // Refused before anything is sent.
  EXPECT_EQ(fetch(*c, "").error().code, ProviderErrc::kInvalidArgument);
  EXPECT_EQ(refund(*c, std::string(129, 'p'), 1).error().code, ProviderErrc::kInvalidArgument);
  EXPECT_EQ(refund(*c, ok, -1).error().code, ProviderErrc::kInvalidArgument);
}

TEST_F(ClientTest, SendsTheApiKey) {
  WebhookReceiver receiver{std::string(kWebhookSecret)};
  auto o = sim_options(receiver);
  o.api_key = "sk_live";
  PaysimRunner sim(o);
  EXPECT_EQ(fetch(*client(sim.url()), "pay_x").error().http_status, 401U);
  EXPECT_EQ(fetch(*client(sim.url(), std::chrono::seconds(5), "sk_live"), "pay_x").error().code,
            ProviderErrc::kNotFound);
}

TEST_F(ClientTest, NobodyListening) {
  // A port that was free a moment ago.
  tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = probe.local_endpoint().port();
  probe.close();
  auto r = fetch(*client("http://127.0.0.1:" + std::to_string(port)), "pay_x");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ProviderErrc::kUnreachable);
  EXPECT_EQ(r.error().http_status, 0U);
}

TEST_F(ClientTest, AServerThatNeverAnswersTimesOut) {
  tcp::acceptor silent(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::optional<tcp::socket> accepted;
  silent.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) accepted.emplace(std::move(s));  // and never answers
  });
  const uint16_t port = silent.local_endpoint().port();
  auto r = fetch(
      *client("http://127.0.0.1:" + std::to_string(port), std::chrono::milliseconds(200)), "pay_x");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ProviderErrc::kUnreachable);
  EXPECT_NE(r.error().message.find("timed out after 200 ms"), std::string::npos)
      << r.error().message;
}

TEST_F(ClientTest, RecoversWhenTheServerClosedAKeptAliveConnection) {
  // Answers one request per connection with a keep-alive response, then hangs up: the client's
  // pooled connection is dead when it is used next, and the request goes again on a new one.
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  int connections = 0;
  const auto listening = acceptor.release();
  std::thread server([&] {
    asio::io_context server_io;
    tcp::acceptor a(server_io, tcp::v4(), listening);
    for (int i = 0; i < 2; ++i) {
      tcp::socket s = a.accept();
      ++connections;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(s, buffer, req);
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"payment_id":"pay_1","status":"succeeded","amount":5,"currency":"GBP",)"
                   R"("reservation":"e.1","user":"u"})";
      res.keep_alive(true);
      res.prepare_payload();
      http::write(s, res);
      s.close();
    }
  });
  auto c = client("http://127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(fetch(*c, "pay_1").has_value());
  auto second = fetch(*c, "pay_1");
  EXPECT_TRUE(second.has_value()) << second.error().message;
  server.join();
  EXPECT_EQ(connections, 2);
}

TEST(ProviderResponseTest, MalformedSuccessIsABadResponse) {
  for (
      const std::string body :
      {"", "[]", R"({"payment_id":"p"})",
       R"({"payment_id":"p","status":"lost","amount":1,"currency":"GBP","reservation":"r","user":"u"})",
       R"({"payment_id":"p","status":"failed","amount":-1,"currency":"GBP","reservation":"r","user":"u"})"}) {
    auto r = payment_from_response(HttpResponse{200, "application/json", body});
    ASSERT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error().code, ProviderErrc::kBadResponse);
  }
  EXPECT_EQ(refund_from_response(HttpResponse{200, "", R"({"status":"refunded"})"}).error().code,
            ProviderErrc::kBadResponse);
  EXPECT_EQ(refund_from_response(HttpResponse{502, "text/html", "<html>"}).error().message,
            "HTTP 502");
}

TEST(ProviderClientTest, RefusesBadBaseUrls) {
  asio::io_context io;
  for (const std::string url : {"", "https://x", "http://x/?q=1", "http://x:0"}) {
    ProviderClient::Options o;
    o.base_url = url;
    EXPECT_FALSE(ProviderClient::create(io.get_executor(), o).has_value()) << url;
  }
}

}  // namespace
}  // namespace boxoffice::payments
