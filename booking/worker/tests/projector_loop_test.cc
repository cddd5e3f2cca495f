// The projector's Kafka loop against librdkafka's mock cluster, with a fake apply function.
#include "booking/worker/projector_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace boxoffice::booking {
namespace {

using namespace std::chrono_literals;

// The mock cluster keeps 5 MB of a partition and deletes the oldest message sets beyond that,
// as a broker's retention would. A loop held up (here: its apply refused) finds its next
// offset gone; it goes on from the log's new start, and says how much it never applied.
TEST(ProjectorLoopTest, CountsTheBatchesTheLogDeletedBeforeTheyWereApplied) {
  auto cluster = kafka::MockCluster::start(1);
  ASSERT_TRUE(cluster) << cluster.error();
  const Topics topics;
  ASSERT_TRUE((*cluster)->create_topic(topics.events, 1));
  auto producer = kafka::Producer::create(kafka::producer_defaults((*cluster)->bootstrap()));
  ASSERT_TRUE(producer) << producer.error();

  std::atomic<bool> refusing{true};
  std::mutex mu;
  std::vector<std::string> applied;
  ProjectorLoopConfig config;
  config.bootstrap = (*cluster)->bootstrap();
  config.fetch_wait = kafka::kMockFetchWait;
  config.session_timeout = 4000ms;
  auto loop = ProjectorLoop::create(
      config,
      [&](int32_t /*partition*/,
          std::span<const std::string_view> batches) -> Result<size_t, std::string> {
        if (refusing) return unexpected(std::string("refused"));
        std::lock_guard lock(mu);
        for (std::string_view b : batches) applied.emplace_back(b.substr(0, b.find(':')));
        return batches.size();
      });
  ASSERT_TRUE(loop) << loop.error();
  std::atomic<bool> stop{false};
  std::thread runner([&] { EXPECT_TRUE((*loop)->run(stop)); });
  auto eventually = [](auto done) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!done() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    return done();
  };

  ASSERT_TRUE((*producer)->produce(topics.events, 0, "evt", "first:"));
  ASSERT_TRUE((*producer)->flush(10s));
  EXPECT_TRUE(eventually([&] { return (*loop)->stats().failures.load() > 0; }));  // read, refused
  const std::string filler(size_t{100} * 1024, 'x');
  for (int i = 0; i < 80; ++i) {  // 8 MB: the oldest sets, "first" among them, go
    ASSERT_TRUE(
        (*producer)->produce(topics.events, 0, "evt", "big" + std::to_string(i) + ":" + filler));
  }
  ASSERT_TRUE((*producer)->flush(10s));
  EXPECT_TRUE(eventually([&] { return (*loop)->stats().lost.load() > 0; }));

  refusing = false;
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return !applied.empty() && applied.back() == "big79";
  }));
  stop = true;
  runner.join();
  std::lock_guard lock(mu);
  ASSERT_FALSE(applied.empty());
  EXPECT_EQ(applied.back(), "big79");
  // Each batch applied at most once, in log order, and none both applied and counted lost.
  // (Which batches were read before the deletion, and so applied or uncounted, depends on
  // what the loop had fetched by then.)
  auto offset_of = [](const std::string& name) {
    return name == "first" ? 0 : std::stoi(name.substr(3)) + 1;
  };
  for (size_t i = 1; i < applied.size(); ++i) {
    EXPECT_GT(offset_of(applied[i]), offset_of(applied[i - 1])) << i;
  }
  EXPECT_LE(applied.size() + (*loop)->stats().lost.load(), 81u);
}

}  // namespace
}  // namespace boxoffice::booking
