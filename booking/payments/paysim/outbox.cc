#include "booking/payments/paysim/outbox.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/verb.hpp>

namespace boxoffice::payments::paysim {
namespace asio = boost::asio;

std::shared_ptr<Outbox> Outbox::create(const asio::any_io_executor& strand, OutboxOptions options,
                                       WebhookSigner signer, std::shared_ptr<spdlog::logger> log) {
  return std::make_shared<Outbox>(strand, std::move(options), std::move(signer), std::move(log));
}

Outbox::Outbox(const asio::any_io_executor& strand, OutboxOptions options, WebhookSigner signer,
               std::shared_ptr<spdlog::logger> log)
    : strand_(strand),
      options_(std::move(options)),
      signer_(std::move(signer)),
      log_(std::move(log)),
      http_(strand, options_.webhook.host, options_.webhook.port,
            HttpClient::Options{.timeout = options_.timeout}) {
  if (!options_.clock_s) {
    options_.clock_s = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

void Outbox::submit(const PaymentEvent& event, const FaultMode& mode) {
  if (stopped_) return;
  if (mode.drop_webhooks) {
    ++counters_.webhooks_dropped;
    log_->info("webhook {} ({}) dropped", event.event_id, to_string(event.type));
    return;
  }
  const std::string body = webhook_body(event);
  for (int copy = 0; copy < (mode.duplicate_webhooks ? 2 : 1); ++copy) {
    auto d = std::make_shared<Delivery>(strand_);
    d->event_id = event.event_id;
    d->body = body;
    if (mode.reorder_webhooks) {
      held_.push_back(std::move(d));
      counters_.webhooks_held = held_.size();
    } else {
      start(d, mode.webhook_delay_ms);
    }
  }
}

size_t Outbox::flush(int64_t delay_ms) {
  if (stopped_) return 0;
  const size_t n = held_.size();
  // Newest first, after whatever an earlier flush is still releasing.
  for (const DeliveryPtr& d : held_) d->chained = true;
  releasing_.insert(releasing_.end(), held_.rbegin(), held_.rend());
  held_.clear();
  counters_.webhooks_held = 0;
  release_delay_ms_ = delay_ms;
  if (releasing_.size() == n) release_next();  // nothing was in progress
  return n;
}

void Outbox::release_next() {
  if (releasing_.empty() || stopped_) return;
  start(releasing_.front(), release_delay_ms_);
}

void Outbox::start(const DeliveryPtr& d, int64_t delay_ms) {
  live_.insert(d);
  if (delay_ms <= 0) {
    attempt(d);
    return;
  }
  d->timer.expires_after(std::chrono::milliseconds(delay_ms));
  d->timer.async_wait([self = shared_from_this(), d](boost::system::error_code ec) {
    if (!ec && !self->stopped_) self->attempt(d);
  });
}

void Outbox::attempt(const DeliveryPtr& d) {
  ++d->attempts;
  ++counters_.webhooks_sent;
  const std::vector<HttpClient::Header> headers = {
      {"Content-Type", "application/json"},
      {std::string(kSignatureHeader), signer_.header(d->body, options_.clock_s())},
  };
  http_.send(boost::beast::http::verb::post,
             options_.webhook.target.empty() ? "/" : options_.webhook.target, d->body, headers,
             [self = shared_from_this(), d](Result<HttpResponse, std::string> r) {
               if (self->stopped_) return;
               if (r && r->status >= 200 && r->status <= 299) {
                 ++self->counters_.webhooks_acknowledged;
                 self->finished(d);
                 return;
               }
               const std::string why = r ? "HTTP " + std::to_string(r->status) : r.error();
               if (d->attempts >= self->options_.max_attempts) {
                 ++self->counters_.webhooks_failed;
                 self->log_->warn("webhook {}: {}; gave up after {} attempts", d->event_id, why,
                                  d->attempts);
                 self->finished(d);
                 return;
               }
               const int64_t wait_ms = self->options_.backoff.delay_ms(d->attempts);
               self->log_->info("webhook {}: {}; attempt {} in {} ms", d->event_id, why,
                                d->attempts + 1, wait_ms);
               d->timer.expires_after(std::chrono::milliseconds(wait_ms));
               d->timer.async_wait([self, d](boost::system::error_code ec) {
                 if (!ec && !self->stopped_) self->attempt(d);
               });
             });
}

void Outbox::finished(const DeliveryPtr& d) {
  live_.erase(d);
  if (d->chained && !releasing_.empty() && releasing_.front() == d) {
    releasing_.pop_front();
    release_next();
  }
}

void Outbox::stop() {
  stopped_ = true;
  for (const DeliveryPtr& d : live_) d->timer.cancel();
  live_.clear();
  held_.clear();
  releasing_.clear();
  counters_.webhooks_held = 0;
}

}  // namespace boxoffice::payments::paysim
