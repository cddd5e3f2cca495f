// The snapshot writer against a real redis-server: a snapshot is stored only once Kafka has
// acknowledged the decisions it covers, a superseded one is reported as such, decisions never
// acknowledged become an error, and a writer that stops abandons what it still waits for.
#include "booking/worker/snapshot_writer.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "shared/redis/redis_process.h"

namespace boxoffice::booking {
namespace {

using namespace std::chrono_literals;

struct StoredCall {
  int32_t partition = -1;
  int64_t next_offset = -1;
  bool written = false;
};

class SnapshotWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = redis::RedisProcess::start(redis::RedisProcess::Options());
    ASSERT_TRUE(redis) << redis.error();
    redis_.emplace(std::move(*redis));
    auto reader = SnapshotStore::connect("127.0.0.1", redis_->port());
    ASSERT_TRUE(reader) << reader.error();
    reader_ = std::move(*reader);
  }

  std::unique_ptr<SnapshotWriter> writer(std::chrono::milliseconds ack_timeout = 10s) {
    auto store = SnapshotStore::connect("127.0.0.1", redis_->port());
    EXPECT_TRUE(store) << store.error();
    return std::make_unique<SnapshotWriter>(
        std::move(*store),
        [this](int32_t partition, int64_t next_offset, bool written) {
          calls_.set_value({partition, next_offset, written});
        },
        ack_timeout);
  }

  std::optional<StoredSnapshot> stored(int32_t partition) {
    auto s = reader_->load(partition);
    EXPECT_TRUE(s) << s.error();
    return s ? *s : std::nullopt;
  }

  std::optional<redis::RedisProcess> redis_;
  std::unique_ptr<SnapshotStore> reader_;
  std::promise<StoredCall> calls_;
};

TEST_F(SnapshotWriterTest, StoresOnlyAfterEveryDecisionItCoversIsAcknowledged) {
  DecisionCounts counts;
  counts.produced = 3;
  counts.acknowledged = 1;
  auto w = writer();
  std::future<StoredCall> call = calls_.get_future();
  w->submit({2, {41, 40, "state"}, &counts, counts.produced});
  EXPECT_TRUE(w->busy());
  EXPECT_EQ(call.wait_for(200ms), std::future_status::timeout);
  EXPECT_FALSE(stored(2).has_value());

  counts.acknowledged = 3;
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  const StoredCall c = call.get();
  EXPECT_EQ(c.partition, 2);
  EXPECT_EQ(c.next_offset, 41);
  EXPECT_TRUE(c.written);
  w->wait_idle();
  EXPECT_FALSE(w->busy());
  EXPECT_FALSE(w->error().has_value());
  const auto s = stored(2);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->next_offset, 41);
  EXPECT_EQ(s->seq, 40u);
  EXPECT_EQ(s->bytes, "state");
}

TEST_F(SnapshotWriterTest, ASnapshotOlderThanTheStoredOneIsReportedNotWritten) {
  ASSERT_TRUE(reader_->save(0, {100, 99, "newer"}));
  DecisionCounts counts;
  auto w = writer();
  std::future<StoredCall> call = calls_.get_future();
  w->submit({0, {50, 49, "older"}, &counts, 0});
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(call.get().written);
  EXPECT_EQ(stored(0)->bytes, "newer");
}

TEST_F(SnapshotWriterTest, DecisionsNeverAcknowledgedAreAnErrorAndNothingIsStored) {
  DecisionCounts counts;
  counts.produced = 1;
  auto w = writer(100ms);
  w->submit({1, {10, 9, "state"}, &counts, 1});
  w->wait_idle();
  ASSERT_TRUE(w->error().has_value());
  EXPECT_EQ(*w->error(), "decisions could not be stored in Kafka");
  EXPECT_FALSE(stored(1).has_value());
}

TEST_F(SnapshotWriterTest, StoppingAbandonsASnapshotStillWaiting) {
  DecisionCounts counts;
  counts.produced = 1;
  // The acknowledgement comes while the writer is being destroyed: a writer that finished the
  // job in hand before stopping would now store it.
  std::thread late_ack([&counts] {
    std::this_thread::sleep_for(300ms);
    counts.acknowledged = 1;
  });
  {
    auto w = writer();
    w->submit({3, {10, 9, "state"}, &counts, 1});
    std::this_thread::sleep_for(50ms);
  }
  late_ack.join();
  EXPECT_FALSE(stored(3).has_value());
}

}  // namespace
}  // namespace boxoffice::booking
