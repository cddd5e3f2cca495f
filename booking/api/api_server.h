// The booking HTTP API (HTTP/1.1 on Boost.Beast, keep-alive): reads from the Redis read model,
// writes as commands on the CommandBus, answers with what the core decided. Routes, statuses
// and threads: booking/api/README.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "booking/api/answers.h"
#include "booking/core/catalog.h"
#include "booking/service/command_bus.h"
#include "shared/result.h"

namespace boxoffice::booking::api {

// What the payment provider says about one payment (POST /bookings/{rid}/confirm asks before
// confirming).
struct ProviderPayment {
  enum class Status : uint8_t {
    kSucceeded,    // the money is taken
    kFailed,       // declined
    kProcessing,   // under way
    kUnknown,      // the provider has no such payment
    kUnavailable,  // the provider did not answer
  };
  Status status = Status::kUnavailable;
  int64_t amount_cents = 0;
  std::string reservation;  // the reservation key the payment was made for
  std::string user;
};
// (provider, payment_id, done): done is called once, from any thread.
using FetchPaymentFn = std::function<void(std::string provider, std::string payment_id,
                                          std::function<void(ProviderPayment)> done)>;

// A verified payment webhook.
struct WebhookPayment {
  enum class Type : uint8_t { kSucceeded, kFailed, kProcessing };
  Type type = Type::kSucceeded;
  std::string payment_id;
  std::string provider;
  std::string reservation;  // reservation key
  std::string user;
  int64_t amount_cents = 0;
};
struct WebhookRejection {
  bool bad_signature = false;  // true: the signature; false: the body
  std::string message;
};
// (raw body, Boxoffice-Signature header) -> the payment event, or why not.
using VerifyWebhookFn = std::function<Result<WebhookPayment, WebhookRejection>(
    std::string_view body, std::string_view signature)>;

using VerifyAdmissionFn = std::function<Result<std::string, HttpError>(
    std::string_view authorization, std::string_view event_id)>;

struct ApiConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                                   // 0 = any free port (see ApiServer::port())
  int threads = 2;                                     // an io_context each
  std::chrono::milliseconds decision_deadline{2'000};  // then 202 with a status URL
  std::chrono::milliseconds seat_map_cache_ttl{500};   // rendered seat maps, per section
  size_t max_body_bytes = size_t{64} * 1024;           // then 413 body_too_large
  std::chrono::milliseconds idle_timeout{60'000};      // keep-alive connections
  std::chrono::milliseconds sse_heartbeat{15'000};     // comment lines on idle streams
  std::chrono::milliseconds expiring_warning{30'000};  // reservation_expiring lead time
  size_t sse_max_queued = 10'000;  // deltas waiting for a slow stream, then it is closed

  std::string redis_host = "127.0.0.1";
  uint16_t redis_port = 6379;

  PaymentUrlFn payment_url;        // empty: answers carry no payment_url
  FetchPaymentFn fetch_payment;    // empty: confirm answers 503 payment_provider_unavailable
  VerifyWebhookFn verify_webhook;  // empty: webhooks answer 503
  // Checks a write's admission token ("Authorization: Bearer ...") for the event and answers
  // its subject, or the error to send. Empty: writes take X-Boxoffice-User or user_id as is.
  VerifyAdmissionFn verify_admission;
  std::function<bool()> ready;      // the command bus can take commands (/readyz); empty = yes
  std::function<int64_t()> now_ms;  // wall clock for commands' at_ms; empty = system clock
};

class ServerImpl;

class ApiServer {
 public:
  // catalog and bus must outlive the server.
  ApiServer(const Catalog& catalog, CommandBus& bus, ApiConfig config);
  ~ApiServer();  // stop()s
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listener, connects to Redis in the background (/readyz says when), and starts
  // config.threads threads, each running an io_context of its own.
  Result<bool, std::string> start();
  // Closes the listener, every connection and Redis, and joins the threads. Idempotent.
  void stop();
  uint16_t port() const;

 private:
  std::unique_ptr<ServerImpl> impl_;
};

}  // namespace boxoffice::booking::api
