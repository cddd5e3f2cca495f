#include "booking/worker/relay.h"

#include <spdlog/spdlog.h>

#include "booking/core/wire.h"

namespace boxoffice::booking {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void DelayQueue::add(Item item) {
  unforwarded_[item.partition].insert(item.offset);
  int64_t& seen = seen_.try_emplace(item.partition, item.offset).first->second;
  seen = std::max(seen, item.offset);
  pending_.push(std::move(item));
}

std::vector<DelayQueue::Item> DelayQueue::take_due(int64_t now_ms) {
  std::vector<Item> due;
  while (!pending_.empty() && pending_.top().due_ms <= now_ms) {
    due.push_back(pending_.top());
    pending_.pop();
  }
  return due;
}

void DelayQueue::drop_partition(int32_t partition) {
  std::priority_queue<Item, std::vector<Item>, Later> kept;
  while (!pending_.empty()) {
    if (pending_.top().partition != partition) kept.push(pending_.top());
    pending_.pop();
  }
  pending_ = std::move(kept);
  unforwarded_.erase(partition);
  seen_.erase(partition);
}

void DelayQueue::mark_forwarded(int32_t partition, int64_t offset) {
  auto it = unforwarded_.find(partition);
  if (it == unforwarded_.end()) return;
  auto at = it->second.find(offset);
  if (at != it->second.end()) it->second.erase(at);
}

std::optional<int64_t> DelayQueue::commit_offset(int32_t partition) const {
  auto it = unforwarded_.find(partition);
  if (it != unforwarded_.end() && !it->second.empty()) return *it->second.begin();
  auto seen = seen_.find(partition);
  if (seen == seen_.end()) return std::nullopt;
  return seen->second + 1;
}

// The consumer goes first: closing it revokes the partitions, which touches the queue.
Relay::~Relay() { consumer_.reset(); }

Result<std::unique_ptr<Relay>, std::string> Relay::create(RelayConfig config) {
  std::unique_ptr<Relay> r(new Relay(std::move(config)));
  const RelayConfig& c = r->config_;
  auto producer = kafka::Producer::create(kafka::producer_defaults(c.bootstrap));
  if (!producer) return unexpected(producer.error());
  r->producer_ = std::move(*producer);
  const kafka::Settings settings =
      kafka::group_member_defaults(c.bootstrap, c.group, c.session_timeout, c.fetch_wait);
  Relay* raw = r.get();
  auto consumer = kafka::Consumer::subscribe(settings, {c.topics.delay},
                                             {.on_assign = [](const auto& tps) { return tps; },
                                              .on_revoke =
                                                  [raw](const auto& tps) {
                                                    for (const kafka::TopicPartition& tp : tps) {
                                                      raw->queue_.drop_partition(tp.partition);
                                                      raw->committed_.erase(tp.partition);
                                                    }
                                                  }});
  if (!consumer) return unexpected(consumer.error());
  r->consumer_ = std::move(*consumer);
  return r;
}

Result<bool, std::string> Relay::forward_due() {
  std::vector<DelayQueue::Item> due = queue_.take_due(wall_ms());
  if (due.empty()) return true;
  for (const DelayQueue::Item& item : due) {
    if (!producer_->produce(config_.topics.commands, RD_KAFKA_PARTITION_UA, item.key, item.value)) {
      return unexpected(std::string("relay: cannot queue an Expire"));
    }
  }
  // Commit past a message only once its forward is stored.
  if (!producer_->flush(std::chrono::seconds(30)) || producer_->failures() > 0) {
    return unexpected(std::string("relay: Expire commands could not be stored in Kafka"));
  }
  for (const DelayQueue::Item& item : due) queue_.mark_forwarded(item.partition, item.offset);
  stats_.forwarded.fetch_add(due.size(), std::memory_order_relaxed);
  for (const auto& [partition, offset] : std::map<int32_t, int64_t>(committed_)) {
    const auto next = queue_.commit_offset(partition);
    if (next && *next > offset) {
      consumer_->commit(config_.topics.delay, partition, *next);
      committed_[partition] = *next;
    }
  }
  return true;
}

Result<bool, std::string> Relay::run(const std::atomic<bool>& stop) {
  while (!stop.load(std::memory_order_relaxed)) {
    kafka::MessagePtr m = consumer_->poll(std::chrono::milliseconds(20));
    if (m && m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      stats_.received.fetch_add(1, std::memory_order_relaxed);
      const std::string_view value(static_cast<const char*>(m->payload), m->len);
      auto cmd = decode_command(value);
      if (!cmd || cmd->type != CommandType::kExpire) {
        stats_.malformed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("relay: partition {} offset {}: not an Expire command", m->partition,
                     m->offset);
      } else {
        committed_.try_emplace(m->partition, -1);
        queue_.add({cmd->at_ms, m->partition, m->offset,
                    m->key != nullptr ? std::string(static_cast<const char*>(m->key), m->key_len)
                                      : std::string(),
                    std::string(value)});
        // Malformed messages are committed past with the next forward.
      }
    } else if (m && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spdlog::warn("relay: consumer: {}", rd_kafka_message_errstr(m.get()));
    }
    if (auto ok = forward_due(); !ok) return ok;
    stats_.pending.store(queue_.size(), std::memory_order_relaxed);
  }
  return true;
}

}  // namespace boxoffice::booking
