// Recovery: two worker processes share the partitions; one is killed with SIGKILL in the middle
// of a load. Afterwards an independent checker reads the whole decision log and finds no seat
// with two holders, every payment ended as a booking or a refund, and every hold ended or
// still within its time.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "booking/core/wire.h"
#include "booking/service/kafka_command_bus.h"
#include "booking/worker/relay.h"
#include "shared/redis/redis_process.h"
#include "tests/log_checker.h"

namespace boxoffice::booking {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kPartitions = 4;
constexpr int kEvents = 8;
constexpr int kSeatsPerEvent = 40;
constexpr int64_t kHoldMs = 3'000;

std::string catalog_json() {
  std::ostringstream out;
  out << R"({"version": 1, "venues": [{"id": "v", "name": "Hall", "city": "Oslo", "sections": [
    {"id": "A", "name": "A", "rows": [{"id": "1", "seats": "1-40"}]}]}], "events": [)";
  for (int e = 0; e < kEvents; ++e) {
    out << (e ? "," : "") << R"({"id": "evt_)" << e
        << R"(", "title": "T", "artist": "A", "venue": "v", "starts_at": "2030-01-01T20:00:00Z",
        "on_sale_at": "2020-01-01T00:00:00Z", "currency": "EUR", "per_user_limit": 16,
        "hold_s": 3, "section_prices_cents": {"A": 1000}})";
  }
  out << "]}";
  return out.str();
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("boxoffice-recovery-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "catalog.json") << catalog_json();
    // Short group timeouts so the survivor takes over within seconds (librdkafka's mock
    // cluster needs at least 3 s); frequent snapshots so the kill lands between two of them;
    // the mock's short fetch wait (it answers a fetch only when the wait is over).
    std::ofstream(dir_ / "worker.toml") << "[worker]\nsession_timeout_ms = 4000\n"
                                           "snapshot_every_commands = 50\n"
                                           "snapshot_every_ms = 500\n"
                                           "[kafka]\nfetch_wait_ms = 5\n";
    auto redis = redis::RedisProcess::start(redis::RedisProcess::Options());
    ASSERT_TRUE(redis) << redis.error();
    redis_.emplace(std::move(*redis));
    auto cluster = kafka::MockCluster::start(1);
    ASSERT_TRUE(cluster) << cluster.error();
    cluster_ = std::move(*cluster);
    for (const std::string& t : {topics_.commands, topics_.events, topics_.delay}) {
      ASSERT_TRUE(cluster_->create_topic(t, kPartitions));
    }
    RelayConfig relay;
    relay.bootstrap = cluster_->bootstrap();
    relay.fetch_wait = kafka::kMockFetchWait;
    relay.session_timeout = 4000ms;
    auto r = Relay::create(relay);
    ASSERT_TRUE(r) << r.error();
    relay_ = std::move(*r);
    relay_thread_ = std::thread([this] { EXPECT_TRUE(relay_->run(stop_)); });
    CommandBusConfig bus;
    bus.bootstrap = cluster_->bootstrap();
    bus.fetch_wait = kafka::kMockAnswerFetchWait;
    auto b = KafkaCommandBus::create(bus);
    ASSERT_TRUE(b) << b.error();
    bus_ = std::move(*b);
  }
  void TearDown() override {
    for (pid_t pid : workers_) {
      if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    stop_ = true;
    if (relay_thread_.joinable()) relay_thread_.join();
    bus_.reset();
    relay_.reset();
    fs::remove_all(dir_);
  }

  pid_t spawn_worker(int n) {
    const std::string log = (dir_ / ("worker" + std::to_string(n) + ".log")).string();
    const std::string redis = "127.0.0.1:" + std::to_string(redis_->port());
    const std::string catalog = (dir_ / "catalog.json").string();
    const std::string config = (dir_ / "worker.toml").string();
    const pid_t pid = fork();
    if (pid == 0) {
      freopen(log.c_str(), "w", stderr);
      freopen("/dev/null", "w", stdout);
      execl(BOXOFFICE_BINARY, "boxoffice", "worker", "--kafka", cluster_->bootstrap().c_str(),
            "--redis", redis.c_str(), "--catalog", catalog.c_str(), "--config", config.c_str(),
            nullptr);
      _exit(127);
    }
    workers_.push_back(pid);
    return pid;
  }
  bool owns_partitions(int n) {
    return slurp(dir_ / ("worker" + std::to_string(n) + ".log")).find("took partition") !=
           std::string::npos;
  }

  CommandOutcome send(Command cmd) {
    std::promise<CommandOutcome> done;
    auto answer = done.get_future();
    bus_->submit(cmd, 40s, [&](CommandOutcome o) { done.set_value(std::move(o)); });
    return answer.get();
  }

  fs::path dir_;
  Topics topics_;
  std::optional<redis::RedisProcess> redis_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<KafkaCommandBus> bus_;
  std::atomic<bool> stop_{false};
  std::thread relay_thread_;
  std::vector<pid_t> workers_;
};

TEST_F(RecoveryTest, KillingAWorkerMidLoadLosesAndDoublesNothing) {
  spawn_worker(0);
  spawn_worker(1);
  for (int i = 0; i < 300 && !(owns_partitions(0) && owns_partitions(1)); ++i) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(owns_partitions(0) && owns_partitions(1)) << "the workers never shared the group:\n"
                                                        << slurp(dir_ / "worker0.log") << "\n"
                                                        << slurp(dir_ / "worker1.log");

  // Clients: reserve a random seat; pay for half of the holds, cancel some, let the rest expire.
  std::mutex mu;
  std::set<std::string> payments;  // every payment a client made: provider:payment_id
  std::atomic<int> held{0}, booked{0};
  std::atomic<bool> stop_load{false};
  auto client = [&](int id) {
    std::mt19937 rng(id);
    for (int n = 0; !stop_load; ++n) {
      const std::string event = "evt_" + std::to_string(rng() % kEvents);
      const std::string user = "u" + std::to_string(id) + "_" + std::to_string(n);
      Command reserve;
      reserve.type = CommandType::kReserve;
      reserve.at_ms = wall_ms();
      reserve.event_id = event;
      reserve.user_id = user;
      reserve.seats.push(rng() % kSeatsPerEvent);
      CommandOutcome o = send(reserve);
      if (o.status != CommandOutcome::Status::kDecided) continue;
      const Decision* hold = nullptr;
      for (const Decision& d : o.decisions) {
        if (d.type == DecisionType::kHeld && d.user_id == user) hold = &d;
      }
      if (hold == nullptr) continue;
      ++held;
      Command next;
      next.at_ms = wall_ms();
      next.event_id = event;
      next.user_id = user;
      next.reservation_id = hold->reservation_id;
      const unsigned roll = rng() % 10;
      const std::string payment = "pay_" + user;
      if (roll < 5) {
        next.type = CommandType::kConfirm;
        next.payment_id = payment;
        next.provider = "paysim";
        next.amount_cents = hold->amount_cents;
        {
          std::lock_guard lock(mu);
          payments.insert("paysim:" + payment);
        }
        CommandOutcome c = send(next);
        if (c.status == CommandOutcome::Status::kDecided &&
            c.decisions[0].type == DecisionType::kBooked) {
          ++booked;
        }
      } else if (roll < 7) {
        next.type = CommandType::kCancel;
        send(next);
      }
    }
  };
  std::vector<std::thread> clients;
  clients.reserve(8);
  for (int i = 0; i < 8; ++i) clients.emplace_back(client, i);
  std::this_thread::sleep_for(4s);
  const int held_before_kill = held;
  ASSERT_EQ(kill(workers_[0], SIGKILL), 0);
  waitpid(workers_[0], nullptr, 0);
  workers_[0] = -1;
  std::this_thread::sleep_for(14s);  // the survivor takes over after ~2 session timeouts
  const int held_after_takeover = held;
  std::this_thread::sleep_for(3s);
  stop_load = true;
  for (std::thread& t : clients) t.join();
  EXPECT_GT(held_before_kill, 0);
  EXPECT_GT(held.load(), held_after_takeover) << "no progress after the takeover";
  EXPECT_GT(booked.load(), 0);

  // Let every open hold reach its deadline and the relay expire it.
  std::this_thread::sleep_for(std::chrono::milliseconds(kHoldMs) + 4s);

  checker::LogChecker check;
  std::vector<kafka::TopicPartition> from;
  from.reserve(kPartitions);
  for (int32_t p = 0; p < kPartitions; ++p) {
    from.push_back({topics_.events, p, RD_KAFKA_OFFSET_BEGINNING});
  }
  auto reader = kafka::Consumer::assign(
      kafka::consumer_defaults(cluster_->bootstrap(), kafka::kMockFetchWait), from);
  ASSERT_TRUE(reader) << reader.error();
  for (int idle = 0; idle < 30;) {
    kafka::MessagePtr m = (*reader)->poll(100ms);
    if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++idle;
      continue;
    }
    idle = 0;
    auto batch = decode_decision_batch({static_cast<const char*>(m->payload), m->len});
    ASSERT_TRUE(batch) << batch.error().what;
    for (const Decision& d : *batch) check.add(m->partition, d);
  }

  for (const std::string& v : check.violations()) ADD_FAILURE() << v;
  std::set<std::string> settled;
  for (const auto& [rid, payment] : check.bookings()) settled.insert(payment);
  settled.insert(check.refunds().begin(), check.refunds().end());
  for (const std::string& p : payments) {
    EXPECT_TRUE(settled.count(p)) << p << " was paid but ended as neither booking nor refund";
  }
  const int64_t now = wall_ms();
  for (const auto& [rid, hold] : check.open_holds()) {
    EXPECT_GT(hold.expires_at_ms, now - 2'000) << rid << " outlived its timer";
  }
  RecordProperty("decisions", static_cast<int>(check.applied()));
  RecordProperty("replayed_duplicates", static_cast<int>(check.duplicates()));
  std::printf("recovery: %d holds, %d booked, %zu payments, %llu decisions, %llu replayed\n",
              held.load(), booked.load(), payments.size(),
              static_cast<unsigned long long>(check.applied()),
              static_cast<unsigned long long>(check.duplicates()));
}

}  // namespace
}  // namespace boxoffice::booking
