// The expiry relay: reads Expire commands from the delay topic and forwards each one into
// boxoffice.commands at its due time (the command's at_ms), keyed by its event as before.
//
// Pending messages wait in memory; the committed offset of a delay partition never passes the
// oldest message not yet forwarded, so a relay that dies loses nothing: the next one re-reads
// from there (forwarding some twice, which the core treats as a no-op).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "booking/service/kafka.h"
#include "booking/service/topics.h"
#include "shared/result.h"

namespace boxoffice::booking {

struct RelayConfig {
  std::string bootstrap;
  // kafka::kBrokerFetchWait on brokers, kafka::kMockFetchWait on the mock cluster (kafka.h).
  std::chrono::milliseconds fetch_wait = kafka::kBrokerFetchWait;
  std::string group = "boxoffice.relay";
  Topics topics;
  std::chrono::milliseconds session_timeout{6'000};
};

struct RelayStats {
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> pending{0};
};

// The pure part: what is waiting, what is due, and how far each partition may be committed.
class DelayQueue {
 public:
  struct Item {
    int64_t due_ms = 0;
    int32_t partition = 0;
    int64_t offset = 0;
    std::string key, value;
  };
  void add(Item item);
  // Removes and returns the items due at now_ms, earliest first.
  std::vector<Item> take_due(int64_t now_ms);
  // Forgets a partition's items (it moved to another relay).
  void drop_partition(int32_t partition);
  // The offset a partition may be committed to: its oldest pending offset, or one past the
  // newest offset seen when nothing is pending; nullopt before anything was seen.
  std::optional<int64_t> commit_offset(int32_t partition) const;
  void mark_forwarded(int32_t partition, int64_t offset);
  size_t size() const { return pending_.size(); }

 private:
  struct Later {
    bool operator()(const Item& a, const Item& b) const {
      return a.due_ms != b.due_ms ? a.due_ms > b.due_ms : a.offset > b.offset;
    }
  };
  std::priority_queue<Item, std::vector<Item>, Later> pending_;
  std::map<int32_t, std::multiset<int64_t>> unforwarded_;  // offsets by partition
  std::map<int32_t, int64_t> seen_;                        // newest offset by partition
};

class Relay {
 public:
  static Result<std::unique_ptr<Relay>, std::string> create(RelayConfig config);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;
  Result<bool, std::string> run(const std::atomic<bool>& stop);
  const RelayStats& stats() const { return stats_; }

 private:
  explicit Relay(RelayConfig config) : config_(std::move(config)) {}
  Result<bool, std::string> forward_due();
  RelayConfig config_;
  DelayQueue queue_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::map<int32_t, int64_t> committed_;
  RelayStats stats_;
};

}  // namespace boxoffice::booking
