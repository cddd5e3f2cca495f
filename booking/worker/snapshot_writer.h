// Takes and stores a worker's snapshots on a thread of its own, so that the commands of every
// partition keep flowing while a snapshot is serialized (about 5 ms for a busy stadium), waits
// for Kafka's acknowledgements and travels to Redis (a stadium's snapshot is two megabytes).
// The worker hands over a copy of the partition (copy(): about 0.1 ms for a stadium, tens of ms
// for hundreds of thousands of holds). The order of a synchronous snapshot stays: a snapshot is
// stored only once Kafka has acknowledged every decision batch it covers, and its command offset is
// committed only after it is stored. One snapshot at a time, which also spreads the partitions'
// snapshots out instead of stalling on all of them at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "booking/core/partition.h"
#include "booking/worker/snapshot_store.h"

namespace boxoffice::booking {

// A partition's decision batches: produced by the worker thread, acknowledged by the producer's
// delivery reports (in produce order: one request in flight per connection).
struct DecisionCounts {
  uint64_t produced = 0;
  std::atomic<uint64_t> acknowledged{0};
};

class SnapshotWriter {
 public:
  struct Job {
    int32_t partition = 0;
    int64_t next_offset = 0;                 // the first command offset the state does not include
    Partition state;                         // a copy the writer serializes
    const DecisionCounts* counts = nullptr;  // must outlive the writer
    uint64_t produced = 0;                   // counts->produced when the copy was taken
  };
  // Called on the writer's thread once a snapshot is stored (or found superseded).
  using Stored = std::function<void(int32_t partition, int64_t next_offset, bool written)>;

  SnapshotWriter(std::unique_ptr<SnapshotStore> store, Stored stored,
                 std::chrono::milliseconds ack_timeout);
  // Abandons a snapshot still waiting: the next owner then replays a little more.
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  bool busy() const { return busy_.load(std::memory_order_acquire); }
  // A copy of state for a Job, made in the memory of the copy the writer stored last (which it
  // keeps for this): a fresh copy of a large partition spends most of its time faulting pages
  // in, while the worker's commands wait. Only when !busy().
  Partition copy(const Partition& state);
  void submit(Job job);  // only when !busy()
  void wait_idle();
  // The first failure (Redis, or decisions Kafka never acknowledged); the worker then stops.
  // Cheap while there is none: the worker asks after every command.
  std::optional<std::string> error() const;

 private:
  void run();
  std::optional<std::string> store(const Job& job);

  std::unique_ptr<SnapshotStore> store_;
  Stored stored_;
  std::chrono::milliseconds ack_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::optional<Job> job_;
  std::optional<Partition> spare_;  // the last job's copy, for copy()
  std::optional<std::string> error_;
  std::atomic<bool> failed_{false};  // error_ is set: lets error() skip the lock on the hot path
  std::atomic<bool> busy_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace boxoffice::booking
