#include "booking/service/kafka_command_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "booking/core/wire.h"
#include "shared/thread_name.h"

namespace boxoffice::booking {
namespace {

constexpr int kInstanceShift = 48;
constexpr uint64_t kCounterMask = (uint64_t{1} << kInstanceShift) - 1;

CommandOutcome undecided(CommandOutcome::Status status) {
  CommandOutcome o;
  o.status = status;
  return o;
}

}  // namespace

Result<std::unique_ptr<KafkaCommandBus>, std::string> KafkaCommandBus::create(
    CommandBusConfig config) {
  if (config.instance == 0) {
    std::random_device rd;
    config.instance = static_cast<uint16_t>(rd() % 0xFFFF + 1);
  }
  std::unique_ptr<KafkaCommandBus> bus(new KafkaCommandBus(std::move(config)));
  const CommandBusConfig& c = bus->config_;
  auto producer = kafka::Producer::create(kafka::producer_defaults(c.bootstrap));
  if (!producer) return unexpected(producer.error());
  bus->producer_ = std::move(*producer);

  // Start every events partition at its current end: decisions for requests of this bus can
  // only come later.
  const kafka::Settings settings = kafka::consumer_defaults(c.bootstrap, c.fetch_wait);
  auto probe = kafka::Consumer::assign(settings, {});
  if (!probe) return unexpected(probe.error());
  auto partitions = (*probe)->partition_count(c.topics.events);
  if (!partitions) return unexpected(partitions.error());
  std::vector<kafka::TopicPartition> start;
  for (int32_t p = 0; p < *partitions; ++p) {
    auto high = (*probe)->high_watermark(c.topics.events, p);
    if (!high) return unexpected(high.error());
    start.push_back({c.topics.events, p, *high});
  }
  probe->reset();
  auto listener = kafka::Consumer::assign(settings, start);
  if (!listener) return unexpected(listener.error());
  bus->listener_ = std::move(*listener);
  bus->next_ = uint64_t{bus->config_.instance} << kInstanceShift;
  bus->thread_ = std::thread([raw = bus.get()] {
    name_this_thread("bus-decisions");
    raw->listen();
  });
  return bus;
}

KafkaCommandBus::~KafkaCommandBus() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  expire_overdue(Clock::time_point::max());
}

size_t KafkaCommandBus::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void KafkaCommandBus::submit(Command cmd, std::chrono::milliseconds deadline, Done done) {
  // The clocks are read before the lock, which the listener, the delivery reports and every
  // API thread take.
  const Clock::time_point now = Clock::now();
  const Clock::time_point due = now + deadline;
  const auto unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = ++next_;
    if ((id & kCounterMask) == 0) id = ++next_;  // 0 means "no request"
    waiting_.emplace(id, Waiter{std::move(done), due, now, unix_us.count(), std::nullopt});
    deadlines_.emplace(due, id);
  }
  cmd.request_id = id;
  std::string bytes;
  encode_command(cmd, bytes);
  const bool queued =
      producer_->produce(config_.topics.commands, RD_KAFKA_PARTITION_UA, cmd.event_id, bytes,
                         [this, id](bool ok, std::string_view error) {
                           if (ok) {
                             stored(id);
                             return;
                           }
                           spdlog::warn("command bus: request {:016x} not stored: {}", id, error);
                           resolve(id, undecided(CommandOutcome::Status::kUnavailable));
                         });
  if (!queued) resolve(id, undecided(CommandOutcome::Status::kUnavailable));
}

void KafkaCommandBus::stored(uint64_t request_id) {
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mu_);
  auto it = waiting_.find(request_id);
  if (it == waiting_.end()) return;
  it->second.stored =
      std::chrono::duration_cast<std::chrono::microseconds>(now - it->second.submitted);
}

void KafkaCommandBus::resolve(uint64_t request_id, CommandOutcome outcome,
                              int64_t decided_unix_ms) {
  using std::chrono::microseconds;
  const Clock::time_point now = Clock::now();
  Done done;
  {
    std::lock_guard lock(mu_);
    auto it = waiting_.find(request_id);
    if (it == waiting_.end()) return;  // answered already (or another instance's request)
    const Waiter& w = it->second;
    if (outcome.status == CommandOutcome::Status::kDecided) {
      outcome.timing.stored = w.stored;
      outcome.timing.received = std::chrono::duration_cast<microseconds>(now - w.submitted);
      // Millisecond timestamps from another clock: a decision seemingly made before its
      // command was sent counts as made at once.
      if (decided_unix_ms > 0) {
        outcome.timing.decided =
            microseconds(std::max<int64_t>(0, decided_unix_ms * 1000 - w.submitted_unix_us));
      }
    }
    done = std::move(it->second.done);
    auto [first, last] = deadlines_.equal_range(it->second.deadline);
    for (auto d = first; d != last; ++d) {
      if (d->second == request_id) {
        deadlines_.erase(d);
        break;
      }
    }
    waiting_.erase(it);
  }
  outcome.request_id = request_id;
  done(std::move(outcome));
}

void KafkaCommandBus::expire_overdue(Clock::time_point now) {
  std::vector<uint64_t> overdue;
  {
    std::lock_guard lock(mu_);
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) {
      overdue.push_back(it->second);
    }
  }
  for (uint64_t id : overdue) resolve(id, undecided(CommandOutcome::Status::kPending));
}

void KafkaCommandBus::listen() {
  while (!stop_.load(std::memory_order_relaxed)) {
    kafka::MessagePtr m = listener_->poll(std::chrono::milliseconds(5));
    if (m && m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      auto batch =
          std::make_shared<const std::string>(static_cast<const char*>(m->payload), m->len);
      auto decisions = decode_decision_batch(*batch);
      if (decisions) {
        rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        const int64_t created_ms = rd_kafka_message_timestamp(m.get(), &type);
        answer(batch, *decisions, type == RD_KAFKA_TIMESTAMP_CREATE_TIME ? created_ms : 0);
      }
    }
    expire_overdue(Clock::now());
  }
}

// A batch holds the decisions of consecutive commands, each command's together and told apart
// by request id (booking/core/WIRE.md); the requests of other instances are not ours to answer.
void KafkaCommandBus::answer(const std::shared_ptr<const std::string>& batch,
                             std::span<const Decision> decisions, int64_t decided_unix_ms) {
  const auto mine = uint64_t{config_.instance};
  for (size_t begin = 0, end = 0; begin < decisions.size(); begin = end) {
    const uint64_t id = decisions[begin].request_id;
    end = begin + 1;
    while (end < decisions.size() && decisions[end].request_id == id) ++end;
    if ((id >> kInstanceShift) != mine) continue;
    CommandOutcome o = undecided(CommandOutcome::Status::kDecided);
    o.batch = batch;
    o.decisions.assign(decisions.begin() + static_cast<std::ptrdiff_t>(begin),
                       decisions.begin() + static_cast<std::ptrdiff_t>(end));
    resolve(id, std::move(o), decided_unix_ms);
  }
}

}  // namespace boxoffice::booking
