// Sends the refunds the read model says are owed (Redis hash bx:refunds) to their provider,
// and deletes each field only after the provider acknowledged it (2xx). Failures back off and
// are retried until acknowledged; nothing owed is ever dropped.
//
// Several refunders may run at once (one per API instance): a refund is idempotent by payment
// id at the provider, and deleting a field twice is harmless.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "booking/payments/backoff.h"
#include "booking/payments/provider_client.h"
#include "booking/payments/refund_schedule.h"
#include "shared/result.h"

struct redisContext;
namespace spdlog {
class logger;
}

namespace boxoffice::payments {

struct ProviderEndpoint {
  std::string base_url;  // "http://127.0.0.1:8090"
  std::string api_key;
};

struct RefunderOptions {
  std::string redis_host = "127.0.0.1";
  uint16_t redis_port = 6379;
  // By provider name (the "{provider}" of a field). Refunds for a provider not listed stay
  // owed, retried with backoff, and are logged.
  std::map<std::string, ProviderEndpoint, std::less<>> providers;
  Backoff backoff{.initial_ms = 1000, .max_ms = 300'000};
  std::chrono::milliseconds poll_interval{1000};  // how often the hash is read again
  std::chrono::milliseconds request_timeout{5000};
  size_t max_in_flight = 16;  // refunds sent per round
};

class Refunder {
 public:
  // Checks the options (URLs, limits); connects to Redis lazily, so a Redis that is down at
  // start only delays the first round.
  static Result<std::unique_ptr<Refunder>, std::string> create(RefunderOptions options);
  ~Refunder();
  Refunder(const Refunder&) = delete;
  Refunder& operator=(const Refunder&) = delete;

  // Runs rounds on the calling thread until stop(). A round: read the hash, send what is due,
  // delete what was acknowledged, wait for the next due retry or the poll interval.
  void run();
  void stop();  // any thread; run() returns within about one request timeout

  struct Stats {
    uint64_t refunded = 0;         // acknowledged and deleted
    uint64_t failed_attempts = 0;  // not acknowledged (will be retried)
    uint64_t malformed = 0;        // fields whose value could not be read (left in place)
    uint64_t redis_errors = 0;
  };
  Stats stats() const;

 private:
  explicit Refunder(RefunderOptions options);
  Result<std::vector<OwedRefund>, std::string> read_owed();
  Result<bool, std::string> delete_field(const std::string& field);
  void send(const std::vector<const OwedRefund*>& due);
  bool connect_redis();
  void wait_until(std::chrono::steady_clock::time_point t);

  RefunderOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  RefundSchedule schedule_;
  std::set<std::string, std::less<>> reported_malformed_;  // logged once each
  // The provider clients run on this context, driven by run() during each round.
  boost::asio::io_context io_;
  std::map<std::string, std::unique_ptr<ProviderClient>, std::less<>> clients_;
  struct FreeContext {
    void operator()(redisContext* c) const;
  };
  std::unique_ptr<redisContext, FreeContext> redis_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_

  std::atomic<uint64_t> refunded_{0};
  std::atomic<uint64_t> failed_attempts_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> redis_errors_{0};
};

}  // namespace boxoffice::payments
