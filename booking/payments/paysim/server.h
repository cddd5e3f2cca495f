// paysim: a payment provider simulator with a hosted checkout, signed webhooks, a payments and
// refunds API and live fault injection (README.md). An HTTP/1.1 server on Asio + Beast that
// runs on any executor (tests and the embedded mode run it in-process).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "booking/payments/backoff.h"
#include "booking/payments/paysim/control.h"
#include "shared/result.h"

namespace boxoffice::payments::paysim {

struct PaysimOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0 = any free port (see Paysim::port())
  std::string webhook_url;   // where webhooks go: the booking API's webhook endpoint
  std::string webhook_secret;
  std::string checkout_secret;  // signs checkout links (checkout_url.h)
  std::string provider_name = "paysim";
  std::string api_key;  // when set, /v1/* needs "Authorization: Bearer <key>"
  FaultMode faults;     // the mode at start; POST /control changes it live
  uint32_t webhook_max_attempts = 8;
  Backoff webhook_backoff{.initial_ms = 200, .max_ms = 10'000};
  std::chrono::milliseconds webhook_timeout{5000};  // per attempt
  std::function<int64_t()> clock_s;                 // unix seconds; empty = the system clock
};

class Paysim {
 public:
  // Binds and starts accepting. All of the simulator runs on a strand of executor, so any
  // number of threads may run its context.
  static Result<std::unique_ptr<Paysim>, std::string> start(
      const boost::asio::any_io_executor& executor, PaysimOptions options);
  ~Paysim();  // stop()  NOLINT(bugprone-exception-escape): see server.cc
  Paysim(const Paysim&) = delete;
  Paysim& operator=(const Paysim&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:NNNN"

  // Any thread. Stops accepting, closes connections, cancels pending webhook retries; webhook
  // requests in flight end by their timeout. The context's run() returns once all has ended.
  void stop();

  class Impl;

 private:
  Paysim(std::shared_ptr<Impl> impl, std::string host, uint16_t port)
      : impl_(std::move(impl)), host_(std::move(host)), port_(port) {}
  std::shared_ptr<Impl> impl_;
  std::string host_;
  uint16_t port_ = 0;
};

}  // namespace boxoffice::payments::paysim
