// Test helpers for the payment tests: a blocking HTTP call, a booking-side webhook receiver
// (a small Beast server that checks signatures), and the simulator run on a thread of its own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "booking/payments/paysim/server.h"
#include "booking/payments/signature.h"
#include "booking/payments/webhook.h"

namespace boxoffice::payments::testing {

// The webhook signing secret the tests give both the provider simulator and the receiver.
inline constexpr std::string_view kWebhookSecret = "whsec_test";
// The secret the simulator signs its checkout links with.
inline constexpr std::string_view kCheckoutSecret = "checkout_test";

struct CallResult {
  unsigned status = 0;  // 0: no response (the error says why)
  std::string content_type;
  std::string body;
  std::string error;
  boost::json::value json() const;  // null unless the body is JSON
};

// One request on a fresh connection to 127.0.0.1:port; waits for the answer (5 s at most).
CallResult http_call(uint16_t port, boost::beast::http::verb method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {});

// Polls pred until it holds or the deadline passes; true if it held.
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds deadline = std::chrono::seconds(10));

// The booking side of the webhook: accepts POSTs on any path, checks the signature with the
// given secret (answering 400 when it fails, as the booking API does), parses the body, and
// records every request. Runs its own io_context on its own thread.
class WebhookReceiver {
 public:
  struct Received {
    std::string body;
    std::string signature;
    bool signature_ok = false;
    std::optional<PaymentEvent> event;  // when the body parsed
    unsigned answered = 0;              // the status sent back
  };

  explicit WebhookReceiver(const std::string& secret);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT/hooks/payments"

  // The next n requests are answered with status instead of 200 (after being recorded).
  void fail_next(int n, unsigned status = 500);

  std::vector<Received> requests() const;
  std::vector<PaymentEvent> acknowledged() const;  // events answered 2xx, in arrival order
  // Waits until at least n requests were answered 2xx.
  bool wait_for_acknowledged(size_t n,
                             std::chrono::milliseconds deadline = std::chrono::seconds(10));

  struct Impl;

 private:
  // Declared first, destroyed last: its destruction frees the handlers that keep impl_ alive.
  boost::asio::io_context io_;
  std::shared_ptr<Impl> impl_;
  std::thread thread_;
};

// The simulator in-process, on its own io_context and thread.
class PaysimRunner {
 public:
  explicit PaysimRunner(paysim::PaysimOptions options);
  ~PaysimRunner();  // stops it and waits for its thread
  PaysimRunner(const PaysimRunner&) = delete;
  PaysimRunner& operator=(const PaysimRunner&) = delete;

  uint16_t port() const { return sim_->port(); }
  std::string url() const { return sim_->url(); }

  // GET /control as JSON.
  boost::json::object control() const;
  uint64_t counter(const std::string& name) const;
  // POST /control with body; returns the status.
  unsigned set_mode(const std::string& body) const;
  // Pays a checkout of amount_cents (signed with kCheckoutSecret) the way a fan's browser
  // would, with the given outcome; returns the payment id.
  std::string pay(int64_t amount_cents, std::string_view outcome = "succeed") const;

 private:
  boost::asio::io_context io_;
  std::unique_ptr<paysim::Paysim> sim_;
  std::thread thread_;
};

}  // namespace boxoffice::payments::testing
