#include "booking/worker/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "booking/core/wire.h"

namespace boxoffice::booking {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFlushTimeout = std::chrono::seconds(30);
constexpr auto kLagWarningEvery = std::chrono::seconds(30);
// Commands read from the client's queue before their decisions are sent, at most: bounds how
// long the first of them waits (the core decides millions a second).
constexpr size_t kMostCommandsPerRead = 1024;

bool schedules_expiry(DecisionType t) {
  return t == DecisionType::kHeld || t == DecisionType::kOffered ||
         t == DecisionType::kPaymentPending;
}

}  // namespace

Worker::Worker(const Catalog& catalog, WorkerConfig config)
    : catalog_(catalog), config_(std::move(config)) {}

// The writer goes first (it commits through the consumer), then the consumer: closing it
// revokes the partitions, and give_up() needs the rest.
Worker::~Worker() {
  writer_.reset();
  consumer_.reset();
}

Result<std::unique_ptr<Worker>, std::string> Worker::create(const Catalog& catalog,
                                                            WorkerConfig config) {
  std::unique_ptr<Worker> w(new Worker(catalog, std::move(config)));
  const WorkerConfig& c = w->config_;
  auto store = SnapshotStore::connect(c.redis_host, c.redis_port);
  if (!store) return unexpected(store.error());
  w->snapshots_ = std::move(*store);
  auto writer_store = SnapshotStore::connect(c.redis_host, c.redis_port);
  if (!writer_store) return unexpected(writer_store.error());
  auto producer = kafka::Producer::create(kafka::producer_defaults(c.bootstrap));
  if (!producer) return unexpected(producer.error());
  w->producer_ = std::move(*producer);
  // Expiries wait minutes; they need not be stored before a snapshot (take() re-arms them).
  auto timers =
      kafka::Producer::create(kafka::producer_defaults(c.bootstrap, kafka::Batching::kBackground));
  if (!timers) return unexpected(timers.error());
  w->timers_ = std::move(*timers);

  kafka::Settings settings =
      kafka::group_member_defaults(c.bootstrap, c.group, c.session_timeout, c.fetch_wait);
  // take() starts each partition at its snapshot's offset (or the log's beginning): an offset
  // the log does not hold means it is not the log the snapshot came from. (Later settings win.)
  settings.emplace_back("auto.offset.reset", "error");
  settings.insert(settings.end(), c.extra_consumer_settings.begin(),
                  c.extra_consumer_settings.end());
  Worker* raw = w.get();
  auto consumer =
      kafka::Consumer::subscribe(settings, {c.topics.commands},
                                 {.on_assign = [raw](const auto& tps) { return raw->take(tps); },
                                  .on_revoke = [raw](const auto& tps) { raw->give_up(tps); }});
  if (!consumer) return unexpected(consumer.error());
  w->consumer_ = std::move(*consumer);
  w->writer_ = std::make_unique<SnapshotWriter>(
      std::move(*writer_store),
      [raw](int32_t partition, int64_t next_offset, bool written) {
        raw->snapshot_stored(partition, next_offset, written);
      },
      kFlushTimeout);
  return w;
}

std::vector<kafka::TopicPartition> Worker::take(
    const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<kafka::TopicPartition> start;
  for (const kafka::TopicPartition& tp : partitions) {
    auto stored = snapshots_->load(tp.partition);
    if (!stored) {
      fatal_ = "partition " + std::to_string(tp.partition) + ": " + stored.error();
      break;
    }
    auto& counts = decision_counts_[tp.partition];
    if (!counts) counts = std::make_unique<DecisionCounts>();
    Owned owned{Partition(catalog_), counts.get(), 0, 0, Clock::now(), {}, 0};
    if (*stored) {
      auto restored = Partition::restore(catalog_, (*stored)->bytes);
      if (!restored) {
        // Starting empty would sell seats the snapshot says are taken: refuse instead.
        fatal_ =
            "partition " + std::to_string(tp.partition) + ": bad snapshot: " + restored.error();
        break;
      }
      owned.state = std::move(*restored);
      owned.next_offset = (*stored)->next_offset;
    }
    rearm(owned);
    spdlog::info("worker: took partition {} at offset {} (seq {})", tp.partition, owned.next_offset,
                 owned.state.last_seq());
    start.push_back({tp.topic, tp.partition,
                     owned.next_offset > 0 ? owned.next_offset : RD_KAFKA_OFFSET_BEGINNING});
    owned_.insert_or_assign(tp.partition, std::move(owned));
  }
  stats_.partitions = static_cast<uint32_t>(owned_.size());
  return start;
}

void Worker::give_up(const std::vector<kafka::TopicPartition>& partitions) {
  for (const kafka::TopicPartition& tp : partitions) {
    auto it = owned_.find(tp.partition);
    if (it == owned_.end()) continue;
    // A parting snapshot shortens the next owner's replay; losing it loses nothing.
    if (writer_) writer_->wait_idle();
    if (it->second.unsnapshotted > 0) {
      if (auto ok = store_snapshot(tp.partition, it->second); !ok) {
        spdlog::warn("worker: parting snapshot of partition {}: {}", tp.partition, ok.error());
      }
    }
    spdlog::info("worker: gave up partition {}", tp.partition);
    owned_.erase(it);
  }
  stats_.partitions = static_cast<uint32_t>(owned_.size());
}

void Worker::rearm(Owned& owned) {
  for (const Event& event : catalog_.events) {
    for (const ReservationView& r : owned.state.reservations(event.id)) {
      if (r.status != ReservationStatus::kHeld) continue;
      schedule_expiry(event.id, r.id, r.expires_at_ms);
      stats_.rearmed.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void Worker::schedule_expiry(std::string_view event_id, ReservationId id, int64_t due_ms) {
  Command expire;
  expire.type = CommandType::kExpire;
  expire.at_ms = due_ms;
  expire.event_id = event_id;
  expire.reservation_id = id;
  expire_.clear();
  encode_command(expire, expire_);
  timers_->produce(config_.topics.delay, RD_KAFKA_PARTITION_UA, event_id, expire_);
}

void Worker::handle(const rd_kafka_message_t& m) {
  auto it = owned_.find(m.partition);
  if (it == owned_.end() || m.offset < it->second.next_offset) return;  // stale or replayed
  Owned& owned = it->second;
  owned.next_offset = m.offset + 1;
  ++owned.unsnapshotted;
  stats_.commands.fetch_add(1, std::memory_order_relaxed);

  auto cmd = decode_command({static_cast<const char*>(m.payload), m.len});
  if (!cmd) {
    // Skipping is deterministic, so a replay skips it too.
    stats_.malformed.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("worker: partition {} offset {}: malformed command: {} at byte {}", m.partition,
                 m.offset, cmd.error().what, cmd.error().offset);
    return;
  }
  decisions_.clear();
  owned.state.apply(*cmd, decisions_);
  // Readers tell a batch's commands apart by request id (WIRE.md), so a command repeating the
  // request of the one before it (the same request sent twice) starts a new batch.
  if (owned.unsent.size() + decisions_.size() > kMaxBatchDecisions ||
      (cmd->request_id != 0 && cmd->request_id == owned.unsent_last_request)) {
    if (!send(m.partition, owned)) return;
  }
  for (const Decision& d : decisions_) owned.unsent.add(d);
  owned.unsent_last_request = cmd->request_id;
  for (const Decision& d : decisions_) {
    if (schedules_expiry(d.type)) schedule_expiry(d.event_id, d.reservation_id, d.expires_at_ms);
  }
}

// One message for the decisions of every command read since the last send: the Kafka clients
// and every reader of the topic pay per message more than per byte. No key: the partition is
// the commands', and the decisions may be of several events.
bool Worker::send(int32_t partition, Owned& owned) {
  if (owned.unsent.size() == 0) return true;
  batch_.clear();
  owned.unsent.finish(batch_);
  owned.unsent_last_request = 0;
  DecisionCounts* counts = owned.decisions;
  if (!producer_->produce(config_.topics.events, partition, {}, batch_,
                          [counts](bool ok, std::string_view /*error*/) {
                            if (ok) counts->acknowledged.fetch_add(1, std::memory_order_release);
                          })) {
    fatal_ = "cannot queue the decisions of partition " + std::to_string(partition);
    return false;
  }
  ++counts->produced;
  return true;
}

Result<bool, std::string> Worker::store_snapshot(int32_t partition, Owned& owned) {
  // The snapshot says every decision before its offset is in the log.
  if (!send(partition, owned)) return unexpected(fatal_);
  if (!producer_->flush(kFlushTimeout) || producer_->failures() > 0) {
    return unexpected(std::string("decisions could not be stored in Kafka"));
  }
  StoredSnapshot s{owned.next_offset, owned.state.last_seq(), owned.state.snapshot()};
  auto saved = snapshots_->save(partition, s);
  if (!saved) return unexpected(saved.error());
  snapshot_stored(partition, owned.next_offset, *saved);
  owned.unsnapshotted = 0;
  owned.last_snapshot = Clock::now();
  return true;
}

void Worker::snapshot_due(Clock::time_point now) {
  if (writer_->busy()) return;
  for (auto& [partition, owned] : owned_) {
    if (owned.unsnapshotted == 0) continue;
    if (owned.unsnapshotted < config_.snapshot_every_commands &&
        now - owned.last_snapshot < config_.snapshot_every) {
      continue;
    }
    writer_->submit({partition, owned.next_offset, writer_->copy(owned.state), owned.decisions,
                     owned.decisions->produced});
    owned.unsnapshotted = 0;
    owned.last_snapshot = now;
    return;
  }
}

// The offset is the next command the partition's state needs (restored from a snapshot, or
// read since). Starting over from the log's beginning would skip every new command below it
// (handle() takes them for replays), and going on from where the log now starts would lose
// the commands in between: either way seats would be decided wrongly, so stop instead.
std::string Worker::log_lost_its_place(const rd_kafka_message_t& m) const {
  const auto it = owned_.find(m.partition);
  const int64_t offset = it == owned_.end() ? m.offset : it->second.next_offset;
  return "partition " + std::to_string(m.partition) + " of " + config_.topics.commands +
         " does not hold offset " + std::to_string(offset) + ", the next command its state (from " +
         snapshot_key(m.partition) +
         " and what was read since) needs: the log lost it (retention) or is not the log that " +
         "state came from (recreated) (kafka: " + rd_kafka_message_errstr(&m) + ")";
}

// On the writer's thread, or on the worker's for a synchronous snapshot.
void Worker::snapshot_stored(int32_t partition, int64_t next_offset, bool written) {
  if (!written) {
    // Someone stored a later snapshot: this worker lost the partition without being told yet.
    spdlog::warn("worker: partition {}: a newer snapshot exists", partition);
  }
  // Not while the consumer is being destroyed (its close revokes, and give_up() lands here).
  if (consumer_) consumer_->commit(config_.topics.commands, partition, next_offset);
  stats_.snapshots.fetch_add(1, std::memory_order_relaxed);
}

// The lag from librdkafka's cached high watermark (updated by every fetch): no broker round
// trip on this thread. A partition whose watermark is not known yet is left out; a partition
// given up is no longer reported, so its last report goes stale and the gates ignore it.
void Worker::report_lag_due(Clock::time_point now) {
  if (owned_.empty() || now - last_lag_report_ < config_.lag_report_every) return;
  last_lag_report_ = now;
  std::vector<PartitionLag> lags;
  for (const auto& [partition, owned] : owned_) {
    const auto high = consumer_->cached_high_watermark(config_.topics.commands, partition);
    if (!high) continue;
    const int64_t lag = std::max<int64_t>(0, *high - owned.next_offset);
    lags.push_back({partition, static_cast<uint64_t>(lag)});
  }
  if (lags.empty()) return;
  const int64_t unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  if (auto ok = snapshots_->report_lag(lags, unix_ms); !ok) {
    // The gates then size batches without the lag; nothing here depends on the report.
    const uint64_t errors = stats_.lag_report_errors.fetch_add(1, std::memory_order_relaxed) + 1;
    if (!last_lag_warning_ || now - *last_lag_warning_ >= kLagWarningEvery) {
      last_lag_warning_ = now;
      spdlog::warn("worker: command lag report: {} ({} failed so far)", ok.error(), errors);
    }
    return;
  }
  stats_.lag_reports.fetch_add(1, std::memory_order_relaxed);
}

void Worker::receive(const rd_kafka_message_t& m) {
  if (m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    handle(m);
  } else if (m.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
    fatal_ = log_lost_its_place(m);
  } else if (m.err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    spdlog::warn("worker: consumer: {}", rd_kafka_message_errstr(&m));
  }
}

Result<bool, std::string> Worker::run(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) {
    // Waits for the first command, then takes the ones already fetched without waiting.
    kafka::MessagePtr m = consumer_->poll(std::chrono::milliseconds(100));
    for (size_t taken = 0; m && fatal_.empty();) {
      receive(*m);
      if (++taken == kMostCommandsPerRead) break;
      m = consumer_->poll(std::chrono::milliseconds(0));
    }
    for (auto& [partition, owned] : owned_) {
      if (!fatal_.empty() || !send(partition, owned)) break;
    }
    if (!fatal_.empty()) return unexpected(fatal_);
    if (producer_->failures() > 0) {
      return unexpected(std::string("decisions could not be stored in Kafka"));
    }
    if (timers_->failures() > 0) {
      return unexpected(std::string("hold expiries could not be stored in Kafka"));
    }
    if (auto failed = writer_->error()) return unexpected(*failed);
    const Clock::time_point now = Clock::now();
    snapshot_due(now);
    report_lag_due(now);
  }
  // A clean stop: snapshot what changed so the next owner starts where this one ended.
  writer_->wait_idle();
  for (auto& [partition, owned] : owned_) {
    if (owned.unsnapshotted == 0) continue;
    if (auto ok = store_snapshot(partition, owned); !ok) return ok;
  }
  return true;
}

}  // namespace boxoffice::booking
