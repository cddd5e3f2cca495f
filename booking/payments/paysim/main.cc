// boxoffice_paysim: the payment provider simulator as a process. The first line on stdout is
// "paysim listening on http://HOST:PORT", so a parent that passed port 0 can read the port;
// logs go to stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "booking/payments/paysim/server.h"
#include "shared/host_port.h"

namespace {

using boxoffice::payments::paysim::Paysim;
using boxoffice::payments::paysim::PaysimOptions;

int run(int argc, char** argv) {
  CLI::App app{"paysim: a payment provider simulator (hosted checkout, signed webhooks, refunds)"};
  PaysimOptions o;
  std::string listen = "127.0.0.1:0";
  app.add_option("--listen", listen, "HOST:PORT to serve on; port 0 picks a free one")
      ->capture_default_str();
  app.add_option("--webhook-url", o.webhook_url, "the booking API's webhook URL (http://...)")
      ->required();
  app.add_option("--webhook-secret", o.webhook_secret, "secret that signs webhooks")
      ->envname("PAYSIM_WEBHOOK_SECRET")
      ->required();
  app.add_option("--checkout-secret", o.checkout_secret, "secret that signs checkout links")
      ->envname("PAYSIM_CHECKOUT_SECRET")
      ->required();
  app.add_option("--provider-name", o.provider_name, "the provider name sent in webhooks")
      ->capture_default_str();
  app.add_option("--api-key", o.api_key, "when set, /v1/* requires Authorization: Bearer KEY")
      ->envname("PAYSIM_API_KEY");
  app.add_flag("--decline-all", o.faults.decline_all, "decline every payment");
  app.add_option("--webhook-delay-ms", o.faults.webhook_delay_ms,
                 "wait this long before the first delivery of each webhook")
      ->check(CLI::Range(int64_t{0}, boxoffice::payments::paysim::kMaxWebhookDelayMs))
      ->capture_default_str();
  app.add_flag("--duplicate-webhooks", o.faults.duplicate_webhooks, "deliver every webhook twice");
  app.add_flag("--reorder-webhooks", o.faults.reorder_webhooks,
               "hold webhooks back until POST /control/flush, then send them newest first");
  app.add_flag("--drop-webhooks", o.faults.drop_webhooks, "never send webhooks");
  app.add_flag("--fail-refunds", o.faults.fail_refunds, "answer refund requests with 503");
  bool no_processing = false;
  app.add_flag("--no-processing-webhook", no_processing,
               "do not send payment_intent.processing before payment_intent.succeeded");
  app.add_option("--webhook-max-attempts", o.webhook_max_attempts,
                 "delivery attempts per webhook before giving up")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--webhook-backoff-ms", o.webhook_backoff.initial_ms,
                 "wait after the first failed attempt; doubles per failure")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  app.add_option("--webhook-max-backoff-ms", o.webhook_backoff.max_ms,
                 "longest wait between attempts")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}))
      ->capture_default_str();
  int64_t timeout_ms = o.webhook_timeout.count();
  app.add_option("--webhook-timeout-ms", timeout_ms, "timeout of one delivery attempt")
      ->check(CLI::Range(int64_t{1}, int64_t{600'000}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Port 0 = any free port.
  const auto address = boxoffice::parse_host_port(listen);
  if (!address) {
    std::cerr << "--listen: expected HOST:PORT, got \"" << listen << "\"\n";
    return 2;
  }
  o.listen_host = address->host;
  o.listen_port = address->port;
  o.faults.send_processing = !no_processing;
  o.webhook_timeout = std::chrono::milliseconds(timeout_ms);

  // stdout carries only the listening line.
  spdlog::set_default_logger(spdlog::stderr_color_mt("paysim"));

  boost::asio::io_context io;
  auto sim = Paysim::start(io.get_executor(), o);
  if (!sim) {
    std::cerr << "paysim: " << sim.error() << "\n";
    return 1;
  }
  std::cout << "paysim listening on " << (*sim)->url() << std::endl;

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int /*signal*/) {
    if (ec) return;
    spdlog::info("stopping");
    (*sim)->stop();
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors are results inside the simulator; what reaches here is a failure of the process
  // itself (out of memory, a broken socket layer): report it and exit non-zero.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "paysim: " << e.what() << "\n";
    return 1;
  }
}
