// The CommandBus over Kafka: commands go to boxoffice.commands keyed by event id; a listener
// thread reads every partition of boxoffice.events from the moment the bus started and hands
// each command's decisions to the request that caused it (request ids name this instance in
// their top 16 bits, so several API instances share the topics).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>

#include "booking/service/command_bus.h"
#include "booking/service/kafka.h"
#include "booking/service/topics.h"
#include "shared/result.h"

namespace boxoffice::booking {

struct CommandBusConfig {
  std::string bootstrap;
  // The decision listener's: on brokers kafka::kBrokerFetchWait, on the mock cluster
  // kafka::kMockAnswerFetchWait (kafka.h).
  std::chrono::milliseconds fetch_wait = kafka::kBrokerFetchWait;
  Topics topics;
  uint16_t instance = 0;  // 0 = random
};

class KafkaCommandBus final : public CommandBus {
 public:
  static Result<std::unique_ptr<KafkaCommandBus>, std::string> create(CommandBusConfig config);
  ~KafkaCommandBus() override;  // answers every waiting request kPending
  KafkaCommandBus(const KafkaCommandBus&) = delete;
  KafkaCommandBus& operator=(const KafkaCommandBus&) = delete;

  void submit(Command cmd, std::chrono::milliseconds deadline, Done done) override;
  size_t waiting() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiter {
    Done done;
    Clock::time_point deadline;
    Clock::time_point submitted;
    int64_t submitted_unix_us = 0;  // to compare with the decisions' Kafka timestamp
    std::optional<std::chrono::microseconds> stored;
  };
  explicit KafkaCommandBus(CommandBusConfig config) : config_(std::move(config)) {}
  void listen();
  void answer(const std::shared_ptr<const std::string>& batch, std::span<const Decision> decisions,
              int64_t decided_unix_ms);
  void stored(uint64_t request_id);
  // decided_unix_ms: the decisions' Kafka timestamp, 0 if none.
  void resolve(uint64_t request_id, CommandOutcome outcome, int64_t decided_unix_ms = 0);
  void expire_overdue(Clock::time_point now);

  CommandBusConfig config_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> listener_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Waiter> waiting_;
  std::multimap<Clock::time_point, uint64_t> deadlines_;
  uint64_t next_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace boxoffice::booking
