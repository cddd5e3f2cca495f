#include "booking/worker/projector_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <thread>
#include <vector>

namespace boxoffice::booking {

// The consumer goes first: closing it revokes the partitions, which touches continuity_.
ProjectorLoop::~ProjectorLoop() { consumer_.reset(); }

Result<std::unique_ptr<ProjectorLoop>, std::string> ProjectorLoop::create(
    ProjectorLoopConfig config, Apply apply) {
  std::unique_ptr<ProjectorLoop> loop(new ProjectorLoop(std::move(config), std::move(apply)));
  const ProjectorLoopConfig& c = loop->config_;
  const kafka::Settings settings =
      kafka::group_member_defaults(c.bootstrap, c.group, c.session_timeout, c.fetch_wait);
  ProjectorLoop* raw = loop.get();
  auto consumer = kafka::Consumer::subscribe(
      settings, {c.topics.events},
      {.on_assign = [](const auto& partitions) { return partitions; },
       .on_revoke = [raw](const auto& partitions) { raw->forget(partitions); }});
  if (!consumer) return unexpected(consumer.error());
  loop->consumer_ = std::move(*consumer);
  return loop;
}

// Another member may apply these partitions meanwhile: its progress is no loss.
void ProjectorLoop::forget(const std::vector<kafka::TopicPartition>& partitions) {
  for (const kafka::TopicPartition& tp : partitions) continuity_.erase(tp.partition);
}

// boxoffice.events is neither compacted nor transactional, so its offsets have no holes of
// their own: a message past the expected offset means the log deleted the ones between (the
// consumer's auto.offset.reset moved on to the log's new start). A retry that skips the same
// offsets again reports nothing new; offsets read but not applied before the deletion (a
// failed burst) are not counted, so `lost` is a lower bound.
void ProjectorLoop::check_continuity(const rd_kafka_message_t& m) {
  auto [known, first] =
      continuity_.try_emplace(m.partition, Continuity{.next = m.offset + 1, .reported_to = 0});
  if (first) return;
  Continuity& c = known->second;
  if (m.offset > c.next) {
    const int64_t from = std::max(c.next, c.reported_to);
    if (m.offset > from) {
      stats_.lost.fetch_add(static_cast<uint64_t>(m.offset - from), std::memory_order_relaxed);
      spdlog::error(
          "projector: partition {}: offsets {} to {} of {} were deleted before they were "
          "applied: the read model lacks their decisions",
          m.partition, from, m.offset - 1, config_.topics.events);
      c.reported_to = m.offset;
    }
  }
  c.next = m.offset + 1;
}

Result<bool, std::string> ProjectorLoop::run(const std::atomic<bool>& stop) {
  struct Burst {
    std::vector<kafka::MessagePtr> messages;
    std::vector<std::string_view> batches;
  };
  while (!stop.load(std::memory_order_relaxed)) {
    // Gather what is there (waiting briefly for the first message), by partition.
    std::map<int32_t, Burst> bursts;
    size_t gathered = 0;
    auto wait = std::chrono::milliseconds(50);
    while (gathered < config_.max_burst) {
      kafka::MessagePtr m = consumer_->poll(wait);
      if (!m) break;
      wait = std::chrono::milliseconds(0);
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          spdlog::warn("projector: consumer: {}", rd_kafka_message_errstr(m.get()));
        }
        continue;
      }
      check_continuity(*m);
      Burst& b = bursts[m->partition];
      b.batches.emplace_back(static_cast<const char*>(m->payload), m->len);
      b.messages.push_back(std::move(m));
      ++gathered;
    }
    for (auto& [partition, burst] : bursts) {
      auto applied = apply_(partition, burst.batches);
      if (!applied) {
        // Redis is away or refused: go back to the first unapplied offset and try again.
        stats_.failures.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("projector: partition {}: {}", partition, applied.error());
        const rd_kafka_message_t& first = *burst.messages.front();
        rd_kafka_seek(first.rkt, partition, first.offset, 1000);
        continuity_[partition].next = first.offset;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      stats_.batches.fetch_add(burst.batches.size(), std::memory_order_relaxed);
      consumer_->commit(config_.topics.events, partition, burst.messages.back()->offset + 1);
    }
  }
  return true;
}

}  // namespace boxoffice::booking
