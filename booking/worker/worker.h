// The worker: a member of the Kafka consumer group on boxoffice.commands. For each partition it
// owns it keeps a booking::Partition, applies the partition's commands in log order on one
// thread, and publishes each command's decisions as one batch on the same partition of
// boxoffice.events. Every hold schedules its Expire on the delay topic.
//
// Nothing relies on Kafka transactions: a snapshot (with the offset of the next command) is
// stored only after every decision before it is acknowledged, then the offset is committed;
// a SnapshotWriter does that off the command path. A new
// owner loads the snapshot, replays from its offset, and the outputs it re-emits carry the same
// sequence numbers, which readers ignore. Taking a partition also re-arms the expiry of every
// open hold, so no hold outlives its timer even if a delayed message was lost.
//
// About once a second it reports each owned partition's command lag (commands in the log not
// applied yet) to the Redis hash bx:lag, where the gates read it to shrink admission batches.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/partition.h"
#include "booking/core/wire.h"
#include "booking/service/kafka.h"
#include "booking/service/topics.h"
#include "booking/worker/snapshot_store.h"
#include "booking/worker/snapshot_writer.h"
#include "shared/result.h"

namespace boxoffice::booking {

struct WorkerConfig {
  std::string bootstrap;  // Kafka bootstrap servers
  // kafka::kBrokerFetchWait on brokers, kafka::kMockFetchWait on the mock cluster (kafka.h).
  std::chrono::milliseconds fetch_wait = kafka::kBrokerFetchWait;
  std::string group = "boxoffice.workers";
  Topics topics;
  std::string redis_host = "127.0.0.1";  // where snapshots live
  uint16_t redis_port = 6379;
  uint64_t snapshot_every_commands = 50'000;
  std::chrono::milliseconds snapshot_every{30'000};
  std::chrono::milliseconds session_timeout{6'000};  // group liveness: failover takes ~2x this
  // How often the command lag of the owned partitions goes to bx:lag (the gates' batch sizing).
  std::chrono::milliseconds lag_report_every{1'000};
  kafka::Settings extra_consumer_settings;
};

struct WorkerStats {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> snapshots{0};
  std::atomic<uint64_t> rearmed{0};
  std::atomic<uint32_t> partitions{0};
  std::atomic<uint64_t> lag_reports{0};
  std::atomic<uint64_t> lag_report_errors{0};  // reports Redis did not take (the worker goes on)
};

class Worker {
 public:
  // The catalog must outlive the worker.
  static Result<std::unique_ptr<Worker>, std::string> create(const Catalog& catalog,
                                                             WorkerConfig config);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs until stop is set (returns ok) or an output could not be stored (returns the error:
  // the process should exit and let another owner take over from the last snapshot).
  Result<bool, std::string> run(const std::atomic<bool>& stop);
  const WorkerStats& stats() const { return stats_; }

 private:
  struct Owned {
    Partition state;
    DecisionCounts* decisions = nullptr;  // in decision_counts_
    int64_t next_offset = 0;
    uint64_t unsnapshotted = 0;  // commands applied since the last stored snapshot
    std::chrono::steady_clock::time_point last_snapshot;
    DecisionBatchBuilder unsent;  // decisions of the commands read since the last send()
    uint64_t unsent_last_request = 0;
  };

  Worker(const Catalog& catalog, WorkerConfig config);
  std::vector<kafka::TopicPartition> take(const std::vector<kafka::TopicPartition>& partitions);
  void give_up(const std::vector<kafka::TopicPartition>& partitions);
  void receive(const rd_kafka_message_t& m);
  void handle(const rd_kafka_message_t& m);
  bool send(int32_t partition, Owned& owned);
  void schedule_expiry(std::string_view event_id, ReservationId id, int64_t due_ms);
  void rearm(Owned& owned);
  // Synchronous: flushes the decisions, stores the snapshot, commits (when giving up, stopping).
  Result<bool, std::string> store_snapshot(int32_t partition, Owned& owned);
  // Hands the next due snapshot to the writer, if it is free.
  void snapshot_due(std::chrono::steady_clock::time_point now);
  void snapshot_stored(int32_t partition, int64_t next_offset, bool written);
  void report_lag_due(std::chrono::steady_clock::time_point now);
  // The fatal error for a partition whose log does not hold the offset it was started at.
  std::string log_lost_its_place(const rd_kafka_message_t& m) const;

  const Catalog& catalog_;
  WorkerConfig config_;
  std::unique_ptr<SnapshotStore> snapshots_;
  // Per partition ever owned, never erased: delivery callbacks may outlive an ownership.
  std::map<int32_t, std::unique_ptr<DecisionCounts>> decision_counts_;
  std::unique_ptr<kafka::Producer> producer_;  // decisions
  std::unique_ptr<kafka::Producer> timers_;    // expiries, to the delay topic
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<SnapshotWriter> writer_;  // commits through consumer_
  std::map<int32_t, Owned> owned_;
  std::vector<Decision> decisions_;
  std::string batch_, expire_;
  std::string fatal_;  // set when something inside a callback must stop the worker
  std::chrono::steady_clock::time_point last_lag_report_;
  std::optional<std::chrono::steady_clock::time_point> last_lag_warning_;
  WorkerStats stats_;
};

}  // namespace boxoffice::booking
