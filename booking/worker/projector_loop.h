// The Kafka side of the projector: a member of group boxoffice.projector on boxoffice.events
// that hands each partition's decision batches, in order and a burst at a time, to an apply
// function (booking/projector writes them to Redis), then commits. Applying is idempotent by
// sequence number, so the at-least-once delivery after a crash or rebalance is harmless.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "booking/service/kafka.h"
#include "booking/service/topics.h"
#include "shared/result.h"

namespace boxoffice::booking {

struct ProjectorLoopConfig {
  std::string bootstrap;
  // kafka::kBrokerFetchWait on brokers, kafka::kMockFetchWait on the mock cluster (kafka.h).
  std::chrono::milliseconds fetch_wait = kafka::kBrokerFetchWait;
  std::string group = "boxoffice.projector";
  Topics topics;
  std::chrono::milliseconds session_timeout{6'000};
  size_t max_burst = 2'000;  // batches handed over at once
};

struct ProjectorLoopStats {
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> failures{0};
  // Batches the log deleted before they were applied (retention, or the mock cluster's 5 MB
  // a partition): their decisions are missing from the read model. A lower bound, each offset
  // counted once (projector_loop.cc).
  std::atomic<uint64_t> lost{0};
};

class ProjectorLoop {
 public:
  // Applies the batches of one partition; an error leaves the offsets uncommitted and the
  // burst is retried.
  using Apply =
      std::function<Result<size_t, std::string>(int32_t, std::span<const std::string_view>)>;

  static Result<std::unique_ptr<ProjectorLoop>, std::string> create(ProjectorLoopConfig config,
                                                                    Apply apply);
  Result<bool, std::string> run(const std::atomic<bool>& stop);
  const ProjectorLoopStats& stats() const { return stats_; }
  ~ProjectorLoop();
  ProjectorLoop(const ProjectorLoop&) = delete;
  ProjectorLoop& operator=(const ProjectorLoop&) = delete;

 private:
  ProjectorLoop(ProjectorLoopConfig config, Apply apply)
      : config_(std::move(config)), apply_(std::move(apply)) {}
  // Counts and reports the batches between the offset expected next and m's.
  void check_continuity(const rd_kafka_message_t& m);
  void forget(const std::vector<kafka::TopicPartition>& partitions);

  ProjectorLoopConfig config_;
  Apply apply_;
  std::unique_ptr<kafka::Consumer> consumer_;
  ProjectorLoopStats stats_;
  struct Continuity {
    int64_t next = 0;         // the offset the next message should have
    int64_t reported_to = 0;  // the end of the offsets already reported lost
  };
  // By partition, once a message of it was read (or a retry sought back).
  std::map<int32_t, Continuity> continuity_;
};

}  // namespace boxoffice::booking
