#include "booking/payments/refunder.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <array>
#include <optional>

namespace boxoffice::payments {
namespace {

using Clock = std::chrono::steady_clock;

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, FreeReply>;

template <size_t N>
ReplyPtr command(redisContext* c, const std::array<std::string_view, N>& argv) {
  std::array<const char*, N> ptrs{};
  std::array<size_t, N> lens{};
  for (size_t i = 0; i < N; ++i) {
    ptrs[i] = argv[i].data();
    lens[i] = argv[i].size();
  }
  return ReplyPtr(
      static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(N), ptrs.data(), lens.data())));
}

int64_t ms_since_epoch(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void Refunder::FreeContext::operator()(redisContext* c) const { redisFree(c); }

Refunder::Refunder(RefunderOptions options)
    : options_(std::move(options)),
      log_(spdlog::default_logger()->clone("refunder")),
      schedule_(options_.backoff) {}

Refunder::~Refunder() = default;

Result<std::unique_ptr<Refunder>, std::string> Refunder::create(RefunderOptions options) {
  if (options.max_in_flight == 0) return unexpected(std::string("refunder: max_in_flight is 0"));
  if (options.backoff.initial_ms <= 0) {
    return unexpected(std::string("refunder: the initial backoff must be > 0 ms"));
  }
  if (options.poll_interval.count() <= 0 || options.request_timeout.count() <= 0) {
    return unexpected(std::string("refunder: poll interval and request timeout must be > 0"));
  }
  std::unique_ptr<Refunder> r(new Refunder(std::move(options)));
  for (const auto& [name, endpoint] : r->options_.providers) {
    auto client =
        ProviderClient::create(r->io_.get_executor(), {.base_url = endpoint.base_url,
                                                       .api_key = endpoint.api_key,
                                                       .timeout = r->options_.request_timeout});
    if (!client) return unexpected("refunder: provider " + name + ": " + client.error());
    r->clients_.emplace(name, std::move(*client));
  }
  return r;
}

bool Refunder::connect_redis() {
  if (redis_ && redis_->err == 0) return true;
  const timeval timeout{5, 0};
  redis_.reset(redisConnectWithTimeout(options_.redis_host.c_str(), options_.redis_port, timeout));
  if (redis_ && redis_->err == 0) return true;
  ++redis_errors_;
  log_->warn("redis {}:{}: {}", options_.redis_host, options_.redis_port,
             redis_ ? redis_->errstr : "out of memory");
  return false;
}

Result<std::vector<OwedRefund>, std::string> Refunder::read_owed() {
  // HGETALL: owed refunds are few (each is a payment that came too late), so one read is fine.
  ReplyPtr r = command<2>(redis_.get(), {"HGETALL", kRefundsKey});
  if (!r) return unexpected("HGETALL: " + std::string(redis_->errstr));
  if (r->type == REDIS_REPLY_ERROR) return unexpected("HGETALL: " + std::string(r->str, r->len));
  if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
    return unexpected(std::string("HGETALL: unexpected reply"));
  }
  std::vector<OwedRefund> owed;
  std::set<std::string, std::less<>> malformed_now;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    const redisReply* f = r->element[i];
    const redisReply* v = r->element[i + 1];
    if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
    const std::string_view field(f->str, f->len);
    auto refund = parse_owed_refund(field, std::string_view(v->str, v->len));
    if (refund) {
      owed.push_back(std::move(*refund));
      continue;
    }
    // Left in place for an operator to repair; said once, not every round.
    malformed_now.emplace(field);
    if (!reported_malformed_.contains(field)) {
      ++malformed_;
      log_->error("{} (left in place)", refund.error());
    }
  }
  reported_malformed_ = std::move(malformed_now);
  return owed;
}

Result<bool, std::string> Refunder::delete_field(const std::string& field) {
  ReplyPtr r = command<3>(redis_.get(), {"HDEL", kRefundsKey, field});
  if (!r) return unexpected("HDEL: " + std::string(redis_->errstr));
  if (r->type != REDIS_REPLY_INTEGER) return unexpected(std::string("HDEL: unexpected reply"));
  return r->integer == 1;
}

void Refunder::send(const std::vector<const OwedRefund*>& due) {
  std::vector<std::optional<Result<RefundReceipt, ProviderError>>> results(due.size());
  for (size_t i = 0; i < due.size(); ++i) {
    const auto client = clients_.find(due[i]->provider);
    if (client == clients_.end()) {
      results[i] = unexpected(ProviderError{ProviderErrc::kInvalidArgument, 0,
                                            "no endpoint configured for this provider"});
      continue;
    }
    client->second->refund(
        due[i]->payment_id, due[i]->amount_cents,
        [&results, i](Result<RefundReceipt, ProviderError> r) { results[i] = std::move(r); });
  }
  // Every request ends by its timeout at the latest, and then run() has no work left. If
  // stop() interrupts it, the callbacks not yet run never will (the context is not run again),
  // and those refunds simply stay owed.
  io_.restart();
  io_.run();

  const int64_t now_ms = ms_since_epoch(Clock::now());
  for (size_t i = 0; i < due.size(); ++i) {
    const OwedRefund& refund = *due[i];
    if (!results[i]) continue;  // interrupted by stop()
    if (!*results[i]) {
      const ProviderError& e = results[i]->error();
      schedule_.failed(refund.field, now_ms);
      ++failed_attempts_;
      log_->warn("refund {} ({} cents, reservation {}): {}: {}; attempt {}, next in {} ms",
                 refund.field, refund.amount_cents, refund.reservation, to_string(e.code),
                 e.message, schedule_.failures(refund.field),
                 options_.backoff.delay_ms(schedule_.failures(refund.field)));
      continue;
    }
    auto deleted = delete_field(refund.field);
    if (!deleted) {
      // Refunded but still listed: the next round sends it again, which the provider answers
      // with the same refund.
      ++redis_errors_;
      log_->warn("refund {}: acknowledged, but {}", refund.field, deleted.error());
      continue;
    }
    schedule_.succeeded(refund.field);
    ++refunded_;
    log_->info("refund {} ({} cents, reservation {}, {}): acknowledged as {}", refund.field,
               refund.amount_cents, refund.reservation, refund.reason, (*results[i])->refund_id);
  }
}

void Refunder::wait_until(Clock::time_point t) {
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, t, [this] { return stopping_; });
}

void Refunder::run() {
  while (true) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const Clock::time_point now = Clock::now();
    Clock::time_point next = now + options_.poll_interval;
    if (!connect_redis()) {
      wait_until(next);
      continue;
    }
    auto owed = read_owed();
    if (!owed) {
      ++redis_errors_;
      log_->warn("{}", owed.error());
      redis_.reset();  // reconnect next round
      wait_until(next);
      continue;
    }
    schedule_.retain(*owed);
    const auto due = schedule_.due(*owed, ms_since_epoch(now), options_.max_in_flight);
    if (!due.empty()) send(due);
    if (due.size() == options_.max_in_flight) continue;  // more may be waiting right now
    if (const auto retry = schedule_.next_retry_ms()) {
      const Clock::time_point at{std::chrono::milliseconds(*retry)};
      if (at < next) next = at;
    }
    wait_until(next);
  }
}

void Refunder::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  io_.stop();
}

Refunder::Stats Refunder::stats() const {
  return Stats{refunded_.load(), failed_attempts_.load(), malformed_.load(), redis_errors_.load()};
}

}  // namespace boxoffice::payments
