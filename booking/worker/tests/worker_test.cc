// The worker, the relay and the Kafka command bus together, against librdkafka's mock cluster
// and a real redis-server (for snapshots and the command-lag reports).
#include "booking/worker/worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "booking/core/wire.h"
#include "booking/service/kafka_command_bus.h"
#include "booking/worker/relay.h"
#include "booking/worker/snapshot_store.h"
#include "booking/worker/tests/test_catalog.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::booking {
namespace {

using namespace std::chrono_literals;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = parse_catalog(testing::kWorkerCatalog);
    ASSERT_TRUE(catalog) << catalog.error();
    catalog_ = std::move(*catalog);
    auto redis = redis::RedisProcess::start(redis::RedisProcess::Options());
    ASSERT_TRUE(redis) << redis.error();
    redis_.emplace(std::move(*redis));
    auto cluster = kafka::MockCluster::start(1);
    ASSERT_TRUE(cluster) << cluster.error();
    cluster_ = std::move(*cluster);
    for (const std::string& t : {topics_.commands, topics_.events, topics_.delay}) {
      ASSERT_TRUE(cluster_->create_topic(t, 2));
    }
  }
  void TearDown() override {
    stop_workers();
    bus_.reset();
  }

  WorkerConfig worker_config() const {
    WorkerConfig c;
    c.bootstrap = cluster_->bootstrap();
    c.fetch_wait = kafka::kMockFetchWait;
    c.redis_port = redis_->port();
    c.snapshot_every_commands = 2;
    c.session_timeout = 4000ms;
    c.lag_report_every = 100ms;
    return c;
  }
  void start_worker() {
    auto w = Worker::create(catalog_, worker_config());
    ASSERT_TRUE(w) << w.error();
    RelayConfig relay;
    relay.bootstrap = cluster_->bootstrap();
    relay.fetch_wait = kafka::kMockFetchWait;
    relay.session_timeout = 4000ms;
    auto r = Relay::create(relay);
    ASSERT_TRUE(r) << r.error();
    worker_ = std::move(*w);
    relay_ = std::move(*r);
    stop_ = false;
    threads_.emplace_back([this] { EXPECT_TRUE(worker_->run(stop_)); });
    threads_.emplace_back([this] { EXPECT_TRUE(relay_->run(stop_)); });
  }
  void stop_workers() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    worker_.reset();
    relay_.reset();
  }
  void start_bus() {
    CommandBusConfig config;
    config.bootstrap = cluster_->bootstrap();
    config.fetch_wait = kafka::kMockAnswerFetchWait;
    auto bus = KafkaCommandBus::create(config);
    ASSERT_TRUE(bus) << bus.error();
    bus_ = std::move(*bus);
  }
  // Waits until a worker answers (the group takes a few seconds to form), so that the holds
  // of the test start when they are sent.
  void await_worker() {
    Command probe;
    probe.type = CommandType::kExpire;
    probe.at_ms = wall_ms();
    probe.event_id = "evt_w";
    probe.reservation_id = 12345;
    ASSERT_EQ(send(probe).status, CommandOutcome::Status::kDecided);
  }

  CommandOutcome send(Command cmd, std::chrono::milliseconds deadline = 20s) {
    std::promise<CommandOutcome> done;
    auto answer = done.get_future();
    bus_->submit(cmd, deadline, [&](CommandOutcome o) { done.set_value(std::move(o)); });
    return answer.get();
  }
  Command reserve(std::string_view user, SeatIndex seat) {
    Command c;
    c.type = CommandType::kReserve;
    c.at_ms = wall_ms();
    c.event_id = "evt_w";
    c.user_id = user;
    c.seats.push(seat);
    return c;
  }

  struct Logged {
    DecisionType type;
    uint64_t request_id;
  };
  // Every message on the events topic so far, its decisions in order, in partition order.
  std::vector<std::vector<Logged>> event_messages() {
    std::vector<kafka::TopicPartition> from;
    from.reserve(2);
    for (int32_t p = 0; p < 2; ++p) from.push_back({topics_.events, p, RD_KAFKA_OFFSET_BEGINNING});
    auto reader = kafka::Consumer::assign(
        kafka::consumer_defaults(cluster_->bootstrap(), kafka::kMockFetchWait), from);
    EXPECT_TRUE(reader);
    std::vector<std::vector<Logged>> out;
    for (int idle = 0; idle < 20;) {
      kafka::MessagePtr m = (*reader)->poll(100ms);
      if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++idle;
        continue;
      }
      auto batch = decode_decision_batch({static_cast<const char*>(m->payload), m->len});
      EXPECT_TRUE(batch);
      if (!batch) continue;
      std::vector<Logged>& message = out.emplace_back();
      for (const Decision& d : *batch) message.push_back({d.type, d.request_id});
    }
    return out;
  }
  std::vector<DecisionType> all_decisions() {
    std::vector<DecisionType> out;
    for (const std::vector<Logged>& message : event_messages()) {
      for (const Logged& d : message) out.push_back(d.type);
    }
    return out;
  }

  Catalog catalog_;
  Topics topics_;
  std::optional<redis::RedisProcess> redis_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<Worker> worker_;
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<KafkaCommandBus> bus_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

TEST_F(WorkerTest, CommandsAreDecidedAndHoldsExpireThroughTheRelay) {
  start_worker();
  start_bus();
  await_worker();
  CommandOutcome held = send(reserve("alice", 0));
  ASSERT_EQ(held.status, CommandOutcome::Status::kDecided);
  ASSERT_EQ(held.decisions.size(), 1u);
  EXPECT_EQ(held.decisions[0].type, DecisionType::kHeld);
  EXPECT_EQ(held.decisions[0].user_id, "alice");

  CommandOutcome taken = send(reserve("bob", 0));
  ASSERT_EQ(taken.status, CommandOutcome::Status::kDecided);
  EXPECT_EQ(taken.decisions[0].type, DecisionType::kRejected);
  EXPECT_EQ(taken.decisions[0].code, Errc::kSeatTaken);

  // The relay forwards alice's Expire two seconds after her hold; then bob gets the seat.
  CommandOutcome later;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(100ms);
    later = send(reserve("bob", 0));
    if (later.decisions[0].type == DecisionType::kHeld) break;
  }
  EXPECT_EQ(later.decisions[0].type, DecisionType::kHeld);
  const std::vector<DecisionType> log = all_decisions();
  EXPECT_NE(std::find(log.begin(), log.end(), DecisionType::kExpired), log.end());
  EXPECT_GT(relay_->stats().forwarded.load(), 0u);
}

// Commands waiting when the worker reads are decided together and their decisions go out in
// fewer messages than commands; the bus still answers each request with its own decisions.
TEST_F(WorkerTest, CommandsReadTogetherShareMessagesAndEachRequestGetsItsOwnDecisions) {
  start_bus();
  constexpr size_t kCommands = 40;
  std::vector<std::string> fans;
  for (size_t i = 0; i < kCommands; ++i) fans.push_back("fan" + std::to_string(i));
  std::vector<std::promise<CommandOutcome>> answers(kCommands);
  // Sent before any worker runs, so the first one finds them all in the log. Ten fans ask for
  // each of the four seats: the first four get them, the others are refused.
  for (size_t i = 0; i < kCommands; ++i) {
    bus_->submit(reserve(fans[i], static_cast<SeatIndex>(i % 4)), 30s,
                 [&answers, i](CommandOutcome o) { answers[i].set_value(std::move(o)); });
  }
  start_worker();
  for (size_t i = 0; i < kCommands; ++i) {
    const CommandOutcome o = answers[i].get_future().get();
    ASSERT_EQ(o.status, CommandOutcome::Status::kDecided) << i;
    ASSERT_EQ(o.decisions.size(), 1u) << i;
    EXPECT_EQ(o.decisions[0].request_id, o.request_id) << i;
    EXPECT_EQ(o.decisions[0].user_id, fans[i]) << i;
    EXPECT_EQ(o.decisions[0].type, i < 4 ? DecisionType::kHeld : DecisionType::kRejected) << i;
  }
  // The relay's expiries come later, without a request.
  size_t answered = 0, messages = 0;
  for (const std::vector<Logged>& message : event_messages()) {
    const auto requested = static_cast<size_t>(std::count_if(
        message.begin(), message.end(), [](const Logged& d) { return d.request_id != 0; }));
    answered += requested;
    if (requested > 0) ++messages;
  }
  EXPECT_EQ(answered, kCommands);
  EXPECT_LT(messages, kCommands);
}

TEST_F(WorkerTest, ANewOwnerContinuesFromTheSnapshot) {
  start_worker();
  start_bus();
  await_worker();
  ASSERT_EQ(send(reserve("alice", 1)).decisions[0].type, DecisionType::kHeld);
  ASSERT_EQ(send(reserve("alice", 2)).decisions[0].type, DecisionType::kHeld);
  ASSERT_EQ(send(reserve("alice", 3)).decisions[0].type, DecisionType::kHeld);
  stop_workers();  // stores a snapshot of what changed

  start_worker();
  CommandOutcome again = send(reserve("bob", 3));
  ASSERT_EQ(again.status, CommandOutcome::Status::kDecided);
  // Within alice's two seconds the seat is still hers; after them the relay (which re-armed
  // or still holds her Expire) releases it. Either way bob never shares it with her.
  if (again.decisions[0].type == DecisionType::kRejected) {
    EXPECT_EQ(again.decisions[0].code, Errc::kSeatTaken);
  }
  EXPECT_GT(worker_->stats().rearmed.load() + worker_->stats().commands.load(), 0u);
}

TEST_F(WorkerTest, MalformedCommandsAreSkipped) {
  start_worker();
  start_bus();
  auto producer = kafka::Producer::create(kafka::producer_defaults(cluster_->bootstrap()));
  ASSERT_TRUE(producer);
  ASSERT_TRUE((*producer)->produce(topics_.commands, RD_KAFKA_PARTITION_UA, "evt_w", "garbage"));
  ASSERT_TRUE((*producer)->flush(10s));
  EXPECT_EQ(send(reserve("carol", 0)).decisions[0].type, DecisionType::kHeld);
  EXPECT_EQ(worker_->stats().malformed.load(), 1u);
}

struct LagReport {
  int64_t lag = -1;
  int64_t at_ms = 0;
};

// bx:lag by partition; a malformed value is a test failure.
std::map<int32_t, LagReport> lag_reports(redis::SyncClient& client) {
  std::map<int32_t, LagReport> out;
  auto r = client.command({"HGETALL", "bx:lag"});
  if (!r || !r->is_array()) {
    ADD_FAILURE() << "HGETALL bx:lag";
    return out;
  }
  for (size_t i = 0; i + 1 < r->size(); i += 2) {
    const std::string field((*r)[i].str());
    const std::string value((*r)[i + 1].str());
    LagReport report;
    if (std::sscanf(value.c_str(), "%ld %ld", &report.lag, &report.at_ms) != 2) {
      ADD_FAILURE() << "bx:lag " << field << " = " << value;
      continue;
    }
    out[std::stoi(field)] = report;
  }
  return out;
}

TEST_F(WorkerTest, ReportsTheCommandLagOfEachOwnedPartition) {
  start_worker();
  start_bus();
  await_worker();
  ASSERT_EQ(send(reserve("erin", 0)).decisions[0].type, DecisionType::kHeld);
  ASSERT_EQ(worker_->stats().partitions.load(), 2u);  // the only worker owns both
  // Every command so far is decided: reports from now on say nothing is left to apply.
  const int64_t since = wall_ms();

  auto client = redis::SyncClient::connect(redis_->host(), redis_->port());
  ASSERT_TRUE(client) << client.error();
  std::map<int32_t, LagReport> reports;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto caught_up = [&] {
    reports = lag_reports(*client);
    return reports.size() == 2 && std::ranges::all_of(reports, [&](const auto& entry) {
             return entry.second.lag == 0 && entry.second.at_ms >= since;
           });
  };
  while (!caught_up() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);  // the polling interval, not a wait for the outcome
  }
  ASSERT_EQ(reports.size(), 2u);
  for (const auto& [partition, report] : reports) {
    EXPECT_EQ(report.lag, 0) << "partition " << partition;
    EXPECT_GE(report.at_ms, since) << "partition " << partition;
    EXPECT_LE(report.at_ms, wall_ms()) << "partition " << partition;
  }
  EXPECT_TRUE(reports.contains(0) && reports.contains(1));
  EXPECT_EQ(worker_->stats().lag_report_errors.load(), 0u);
}

// A snapshot taken from another log (one that had reached offset 1000; this cluster's log is
// empty) stops the worker: going on would take every new command below 1000 for a replay.
TEST_F(WorkerTest, ASnapshotBeyondTheEndOfTheCommandLogStopsTheWorker) {
  auto store = SnapshotStore::connect(redis_->host(), redis_->port());
  ASSERT_TRUE(store) << store.error();
  ASSERT_TRUE((*store)->save(0, {1000, 0, Partition(catalog_).snapshot()}));
  auto worker = Worker::create(catalog_, worker_config());
  ASSERT_TRUE(worker) << worker.error();
  std::atomic<bool> stop{false};
  auto ran = std::async(std::launch::async, [&] { return (*worker)->run(stop); });
  if (ran.wait_for(60s) != std::future_status::ready) stop = true;  // and fail below
  const Result<bool, std::string> ended = ran.get();
  ASSERT_FALSE(ended) << "the worker went on";
  EXPECT_NE(ended.error().find("partition 0 of boxoffice.commands does not hold offset 1000"),
            std::string::npos)
      << ended.error();
  auto kept = (*store)->load(0);
  ASSERT_TRUE(kept && *kept) << "the snapshot is gone";
  EXPECT_EQ((*kept)->next_offset, 1000);
  EXPECT_EQ((*worker)->stats().commands.load(), 0u);
}

TEST_F(WorkerTest, DecidedCommandsSayWhereTheirTimeWent) {
  start_worker();
  start_bus();
  await_worker();
  int stored = 0;
  for (SeatIndex seat = 1; seat <= 5; ++seat) {
    const CommandOutcome o = send(reserve("erin", seat));
    ASSERT_EQ(o.status, CommandOutcome::Status::kDecided);
    const CommandOutcome::Timing& t = o.timing;
    ASSERT_TRUE(t.decided && t.received);
    EXPECT_GT(t.received->count(), 0);
    // The decision's timestamp has whole milliseconds: it may read up to 1 ms late.
    EXPECT_LE(*t.decided, *t.received + 1ms);
    // The delivery report and the decisions come on different threads: usually in that order.
    if (t.stored) {
      EXPECT_LE(*t.stored, *t.received);
      ++stored;
    }
  }
  EXPECT_GT(stored, 0);
}

TEST_F(WorkerTest, UndecidedCommandsReportPendingAtTheDeadline) {
  start_bus();  // no worker: nothing answers
  CommandOutcome o = send(reserve("dave", 0), 300ms);
  EXPECT_EQ(o.status, CommandOutcome::Status::kPending);
  EXPECT_NE(o.request_id, 0u);
  EXPECT_FALSE(o.timing.received);
}

}  // namespace
}  // namespace boxoffice::booking
