// The waiting room end to end against a real redis-server: 10,000 identities join the
// pre-queue from several clients, many of them from several "tabs"; a few hundred join after
// the on-sale; ticks admit everyone. The pre-queue is admitted in exactly the order the
// independent verify tool computes from the revealed seed, later arrivals in join order, every
// identity holds one place, and no tick breaks its batch or the cap.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/core/lottery.h"
#include "gateway/core/room_keys.h"
#include "lua-rules/lua_rules.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

namespace boxoffice::gateway {
namespace {

namespace fs = std::filesystem;

constexpr int kPreQueue = 10'000;
constexpr int kLate = 300;
constexpr int kClients = 4;
constexpr int64_t kOnSaleMs = 10'000;
constexpr int64_t kBatch = 500;
constexpr int64_t kCap = 2'000;
constexpr int64_t kSessionMs = 3'000;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
};

// Runs the command through the shell, capturing stdout.
ProcessRun run_process(const std::string& command) {
  ProcessRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class GateFairnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis::RedisProcess::Options options;
    options.append_only = false;
    auto started = redis::RedisProcess::start(options);
    ASSERT_TRUE(started) << started.error();
    server_ = std::make_unique<redis::RedisProcess>(std::move(started).value());
    client_ = connect();
    ASSERT_NE(client_, nullptr);
    runner_ = std::make_unique<lua::ScriptRunner>(*client_);
    keys_ = room_redis_keys("fairness");
    dir_ = fs::temp_directory_path() / ("gate_fairness_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<redis::SyncClient> connect() const {
    auto c = redis::SyncClient::connect(server_->host(), server_->port());
    EXPECT_TRUE(c) << c.error();
    return c ? std::make_unique<redis::SyncClient>(std::move(c).value()) : nullptr;
  }
  redis::Reply call(lua::ScriptRunner& runner, std::string_view script,
                    const std::vector<std::string>& args) const {
    const std::vector<std::string_view> k(keys_.begin(), keys_.end());
    const std::vector<std::string_view> a(args.begin(), args.end());
    auto reply = runner.call("gate/" + std::string(script) + ".lua", k, a);
    EXPECT_TRUE(reply) << reply.error();
    return reply ? std::move(reply).value() : redis::Reply();
  }

  std::unique_ptr<redis::RedisProcess> server_;
  std::unique_ptr<redis::SyncClient> client_;
  std::unique_ptr<lua::ScriptRunner> runner_;
  std::vector<std::string> keys_;
  fs::path dir_;
};

TEST_F(GateFairnessTest, AdmissionOrderIsTheVerifiableDrawThenFifo) {
  ASSERT_TRUE(call(*runner_, "configure",
                   {"queue_opens_at_ms", "1000", "on_sale_at_ms", std::to_string(kOnSaleMs),
                    "batch_size", std::to_string(kBatch), "batch_interval_ms", "1000", "active_cap",
                    std::to_string(kCap), "session_ms", std::to_string(kSessionMs)})
                  .is_integer());
  std::mt19937_64 rng(20'240'601);
  std::string seed(32, '\0');
  for (char& c : seed) c = static_cast<char>(rng() & 0xff);
  const std::string seed_hex = to_hex(seed);
  const std::string commitment = seed_commitment(seed);
  ASSERT_EQ(call(*runner_, "open", {seed_hex, commitment}).str(), commitment);

  // Every identity joins 1 to 3 times, the joins shuffled and dealt to the clients, so one
  // identity's tabs race each other on different connections.
  std::vector<std::string> pre_ids;
  pre_ids.reserve(kPreQueue);
  for (int i = 0; i < kPreQueue; ++i)
    pre_ids.push_back("fan-" + std::to_string(i * 7919 % 100'003));
  std::vector<std::string> joins;
  joins.reserve(size_t{kPreQueue} * 2);
  for (int i = 0; i < kPreQueue; ++i) {
    for (int t = 0; t <= i % 3; ++t) joins.push_back(pre_ids[i]);
  }
  std::shuffle(joins.begin(), joins.end(), rng);
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = connect();
      ASSERT_NE(client, nullptr);
      lua::ScriptRunner runner(*client);
      for (size_t j = c; j < joins.size(); j += kClients) {
        const std::string& id = joins[j];
        const int64_t now = 1'000 + static_cast<int64_t>(j % 8'999);
        const redis::Reply r =
            call(runner, "join", {id, std::to_string(now), std::to_string(lottery_key(seed, id))});
        ASSERT_TRUE(r.is_array() && r[0].str() == "pre_queue") << r.describe();
      }
    });
  }
  for (auto& t : clients) t.join();

  // On-sale: ticks run while the late arrivals join (in a known order), some more than once,
  // and early joiners come back with more tabs.
  std::vector<std::string> late_ids;
  late_ids.reserve(kLate);
  for (int i = 0; i < kLate; ++i) late_ids.push_back("late-" + std::to_string(kLate - i));
  int64_t now = kOnSaleMs;
  int64_t watermark = 0;
  int ticks = 0;
  std::vector<int64_t> batches;
  auto tick = [&] {
    const redis::Reply r = call(*runner_, "tick", {std::to_string(now)});
    ASSERT_TRUE(r.is_array()) << r.describe();
    const int64_t batch = r[0].integer();
    ASSERT_GE(batch, 0);
    ASSERT_LE(batch, kBatch) << "a tick admitted more than its batch";
    ASSERT_LE(r[2].integer(), kCap) << "more active admissions than the cap";
    ASSERT_EQ(r[1].integer(), watermark + batch);
    watermark = r[1].integer();
    if (batch > 0) batches.push_back(batch);
    ++ticks;
  };
  for (int i = 0; i < kLate; ++i) {
    if (i % 50 == 0) {
      tick();
      now += 250;
    }
    for (int tab = 0; tab <= i % 2; ++tab) {
      const redis::Reply r = call(*runner_, "join", {late_ids[i], std::to_string(now), "0"});
      ASSERT_EQ(r[0].str(), "queued");
      ASSERT_EQ(r[1].integer(), kPreQueue + i + 1) << late_ids[i];
    }
    const std::string& early = pre_ids[(i * 37) % kPreQueue];
    const redis::Reply again = call(*runner_, "join", {early, std::to_string(now), "0"});
    ASSERT_LE(again[1].integer(), kPreQueue) << "an early joiner keeps the drawn place";
  }
  const int64_t total = kPreQueue + kLate;
  while (watermark < total && ticks < 10'000) {
    tick();
    now += 250;
  }
  ASSERT_EQ(watermark, total);
  int64_t sum = 0;
  for (const int64_t b : batches) sum += b;
  EXPECT_EQ(sum, total);

  // Every identity has exactly one place; together the places are 1..total.
  std::map<int64_t, std::string> by_position;
  auto place = [&](const std::string& id) {
    const redis::Reply r = call(*runner_, "position", {id, std::to_string(now)});
    EXPECT_EQ(r[0].str(), "queued") << id;
    const int64_t position = r[1].integer();
    EXPECT_TRUE(by_position.emplace(position, id).second) << "position " << position << " twice";
    return position;
  };
  for (const std::string& id : pre_ids) EXPECT_LE(place(id), kPreQueue);
  for (int i = 0; i < kLate; ++i) EXPECT_EQ(place(late_ids[i]), kPreQueue + i + 1);
  ASSERT_EQ(by_position.size(), static_cast<size_t>(total));
  EXPECT_EQ(by_position.begin()->first, 1);
  EXPECT_EQ(by_position.rbegin()->first, total);

  // The revealed seed and the joins (duplicates, blank lines) recompute the pre-queue order.
  const redis::Reply room = call(*runner_, "room", {std::to_string(now)});
  std::string revealed;
  for (size_t i = 0; i + 1 < room.size(); i += 2) {
    if (room[i].str() == "seed") revealed = std::string(room[i + 1].str());
  }
  ASSERT_EQ(revealed, seed_hex);
  const fs::path list = dir_ / "identities.txt";
  {
    std::ofstream out(list, std::ios::binary);
    for (size_t j = 0; j < joins.size(); ++j) {
      out << joins[j] << (j % 1000 == 0 ? "\r\n\n" : "\n");
    }
  }
  const std::string tool = BOXOFFICE_LOTTERY_VERIFY;
  const ProcessRun verified = run_process(tool + " --seed " + revealed + " --commitment " +
                                          commitment + " --identities " + list.string());
  ASSERT_EQ(verified.exit_code, 0);
  std::string expected;
  for (int64_t p = 1; p <= kPreQueue; ++p) {
    expected += std::to_string(p) + "\t" + by_position[p] + "\n";
  }
  EXPECT_EQ(verified.out, expected) << "the admission order is not the verifiable draw";

  const ProcessRun forged =
      run_process(tool + " --seed " + revealed + " --commitment " + std::string(64, '0') +
                  " --identities " + list.string() + " 2>/dev/null");
  EXPECT_EQ(forged.exit_code, 1) << "a seed that does not match the commitment is refused";
  EXPECT_EQ(forged.out, "");
}

}  // namespace
}  // namespace boxoffice::gateway
