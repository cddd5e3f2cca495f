// A thin C++ shell over librdkafka: the in-process mock cluster, a producer with delivery
// callbacks, and a consumer (group member or manually assigned). Everything Kafka-specific in
// the booking processes goes through here.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "shared/result.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;  // NOLINT: librdkafka's name

namespace boxoffice::kafka {

// librdkafka configuration properties, applied in order (later ones win).
using Settings = std::vector<std::pair<std::string, std::string>>;

struct Deleter {
  void operator()(rd_kafka_t* rk) const;
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, Deleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, Deleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, Deleter>;

// librdkafka's mock cluster: a real Kafka-protocol server on loopback, in this process, not
// durable. Other processes (and kcat) can connect to bootstrap().
class MockCluster {
 public:
  static Result<std::unique_ptr<MockCluster>, std::string> start(int brokers);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  Result<bool, std::string> create_topic(const std::string& name, int partitions);

 private:
  MockCluster() = default;
  HandlePtr owner_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = RD_KAFKA_OFFSET_INVALID;
};

// Settings every producer of the project uses: keyed messages land on the same partition
// whichever process produces them (murmur2, as the Java clients do), acknowledged by all
// in-sync replicas, idempotent so retries neither duplicate nor reorder.
// How long a producer holds messages back to batch them. Every batch is one message set in the
// partition log, and the mock cluster answers a fetch with one message set per partition,
// found by walking the log from its oldest set (librdkafka keeps no index there): fewer, larger
// batches keep the embedded mode fast. Outputs a request waits for leave within 2 ms (at 1 ms
// the open-loop benchmark spent about an eighth more CPU per reservation; at 3 ms a closed
// loop of 128 connections, which waits on every hop, lost a fifth of its rate, and at 4 ms the
// saturated peak of 1024 connections lost a sixth); expiry timers, due minutes later, wait up
// to 100 ms to travel in bulk.
enum class Batching { kInteractive, kBackground };
Settings producer_defaults(const std::string& bootstrap,
                           Batching batching = Batching::kInteractive);

class Producer {
 public:
  // Called once per message from the producer's poll thread: ok = stored by the broker.
  using Delivered = std::function<void(bool ok, std::string_view error)>;

  static Result<std::unique_ptr<Producer>, std::string> create(const Settings& settings);
  ~Producer();  // flushes for up to 10 s, then drops what is left
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // partition = RD_KAFKA_PARTITION_UA lets the key choose. Returns false (and does not call
  // delivered) when the message could not even be queued.
  bool produce(const std::string& topic, int32_t partition, std::string_view key,
               std::string_view value, Delivered delivered = {});
  // Waits until every queued message is delivered or failed; false on timeout.
  bool flush(std::chrono::milliseconds timeout);
  // Messages whose delivery failed since the start (after librdkafka's own retries).
  uint64_t failures() const { return failures_.load(); }
  rd_kafka_t* handle() { return rk_.get(); }

 private:
  Producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  HandlePtr rk_;
  std::atomic<uint64_t> failures_{0};
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

class Consumer {
 public:
  // Group membership changes, called from inside poll() on the polling thread. on_assign
  // returns the partitions with the offsets to start from (RD_KAFKA_OFFSET_STORED = committed).
  struct Rebalance {
    std::function<std::vector<TopicPartition>(const std::vector<TopicPartition>&)> on_assign;
    std::function<void(const std::vector<TopicPartition>&)> on_revoke;
  };

  // A member of settings' group.id, subscribed to topics.
  static Result<std::unique_ptr<Consumer>, std::string> subscribe(
      const Settings& settings, const std::vector<std::string>& topics, Rebalance rebalance);
  // No group: reads exactly the given partitions from the given offsets.
  static Result<std::unique_ptr<Consumer>, std::string> assign(
      const Settings& settings, const std::vector<TopicPartition>& partitions);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // A message, or null on timeout. Error events (partition EOF, transport) come back as
  // messages with err set: check message->err.
  MessagePtr poll(std::chrono::milliseconds timeout);
  // Asynchronous commit of "next offset to read" for one partition.
  void commit(const std::string& topic, int32_t partition, int64_t next_offset);
  // Partitions of a topic, from the cluster's metadata.
  Result<int, std::string> partition_count(const std::string& topic);
  // The offset the next produced message of a partition will get.
  Result<int64_t, std::string> high_watermark(const std::string& topic, int32_t partition);
  // The same, as the consumer's last fetch of the partition saw it: no broker round trip, never
  // blocks. nullopt until a fetch of the partition was answered.
  std::optional<int64_t> cached_high_watermark(const std::string& topic, int32_t partition);
  rd_kafka_t* handle() { return rk_.get(); }

 private:
  Consumer() = default;
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  HandlePtr rk_;
  Rebalance rebalance_;
};

// How long a fetch may wait for data before an empty answer (fetch.wait.max.ms). A broker
// answers a waiting fetch as soon as data arrives, so waiting long costs no latency and spares
// it hundreds of empty fetches per second per consumer. librdkafka's mock cluster answers only
// when the wait is over: with it, the wait is added to every hop that found nothing, so it stays
// short (and the API's decision listener, on every answer's path, waits shorter still).
inline constexpr std::chrono::milliseconds kBrokerFetchWait{500};
inline constexpr std::chrono::milliseconds kMockFetchWait{5};
inline constexpr std::chrono::milliseconds kMockAnswerFetchWait{2};

// Settings every consumer of the project uses.
Settings consumer_defaults(const std::string& bootstrap, std::chrono::milliseconds fetch_wait);
// consumer_defaults for a member of a consumer group: the range assignor and a heartbeat a
// second, so that a member's death moves its partitions within about twice session_timeout.
Settings group_member_defaults(const std::string& bootstrap, const std::string& group,
                               std::chrono::milliseconds session_timeout,
                               std::chrono::milliseconds fetch_wait);

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list);
PartitionListPtr to_list(const std::vector<TopicPartition>& partitions);

}  // namespace boxoffice::kafka
