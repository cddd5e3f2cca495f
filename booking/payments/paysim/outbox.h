// The simulator's webhook sender: signs each event (signature.h), posts it to the booking
// webhook URL and retries with backoff until a 2xx or the last attempt, applying the fault
// modes (drop, duplicate, hold back for reordering, delay) on the way.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "booking/payments/backoff.h"
#include "booking/payments/http_client.h"
#include "booking/payments/paysim/control.h"
#include "booking/payments/signature.h"
#include "booking/payments/url.h"
#include "booking/payments/webhook.h"

namespace spdlog {
class logger;
}

namespace boxoffice::payments::paysim {

struct OutboxOptions {
  HttpUrl webhook;
  uint32_t max_attempts = 8;
  Backoff backoff{.initial_ms = 200, .max_ms = 10'000};
  std::chrono::milliseconds timeout{5000};  // per attempt
  std::function<int64_t()> clock_s;         // unix seconds for the signature
};

// Lives on one strand (executor): every call and callback runs there. Made by create() and
// kept alive by its own timers and requests until they end.
class Outbox : public std::enable_shared_from_this<Outbox> {
 public:
  static std::shared_ptr<Outbox> create(const boost::asio::any_io_executor& strand,
                                        OutboxOptions options, WebhookSigner signer,
                                        std::shared_ptr<spdlog::logger> log);

  // Sends event under mode (drop, duplicate, reorder and delay apply).
  void submit(const PaymentEvent& event, const FaultMode& mode);
  // Releases the held-back webhooks newest first, each after the previous one was answered
  // (or given up), so they arrive in exactly that order. Returns how many were released.
  size_t flush(int64_t delay_ms);
  // No new attempts after this; timers are cancelled, requests in flight end by their timeout.
  void stop();

  // The webhook_* counters (the others stay zero).
  const Counters& counters() const { return counters_; }

  Outbox(const boost::asio::any_io_executor& strand, OutboxOptions options, WebhookSigner signer,
         std::shared_ptr<spdlog::logger> log);  // use create()

 private:
  struct Delivery {
    explicit Delivery(const boost::asio::any_io_executor& ex) : timer(ex) {}
    std::string event_id;
    std::string body;
    uint32_t attempts = 0;
    bool chained = false;  // part of a flush: the next one waits for it
    boost::asio::steady_timer timer;
  };
  using DeliveryPtr = std::shared_ptr<Delivery>;

  void start(const DeliveryPtr& d, int64_t delay_ms);
  void attempt(const DeliveryPtr& d);
  void finished(const DeliveryPtr& d);
  void release_next();

  boost::asio::any_io_executor strand_;
  OutboxOptions options_;
  WebhookSigner signer_;
  std::shared_ptr<spdlog::logger> log_;
  HttpClient http_;
  Counters counters_;
  std::deque<DeliveryPtr> held_;       // reorder_webhooks: oldest first
  std::deque<DeliveryPtr> releasing_;  // a flush in progress: next to send first
  int64_t release_delay_ms_ = 0;
  std::set<DeliveryPtr> live_;  // started and not finished: stop() cancels their timers
  bool stopped_ = false;
};

}  // namespace boxoffice::payments::paysim
