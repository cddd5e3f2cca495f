// The snapshot writer against a real redis-server: it stores the snapshot of the partition copy
// it was handed, only once Kafka has acknowledged the decisions it covers; a superseded one is
// reported as such, decisions never acknowledged become an error, and a writer that stops
// abandons what it still waits for.
#include "booking/worker/snapshot_writer.h"

#include <gtest/gtest.h>

#include <array>
#include <future>
#include <thread>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/worker/tests/test_catalog.h"
#include "shared/redis/redis_process.h"
#include "shared/redis/sync_client.h"

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

  // A partition in which `holds` fans each hold one seat.
  Partition partition(int holds) const {
    Partition p(catalog_);
    std::vector<Decision> out;
    const std::array<std::string_view, 4> fans = {"f0", "f1", "f2", "f3"};
    for (int i = 0; i < holds; ++i) {
      Command c;
      c.request_id = static_cast<uint64_t>(i) + 1;
      c.at_ms = 1'900'000'000'000;
      c.event_id = "evt_w";
      c.user_id = fans.at(static_cast<size_t>(i));
      c.seats.items[0] = static_cast<SeatIndex>(i);
      c.seats.count = 1;
      p.apply(c, out);
    }
    return p;
  }

  Catalog catalog_ = parse_catalog(testing::kWorkerCatalog).value();
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
  Partition state = partition(3);
  const std::string expected = state.snapshot();
  w->submit({2, 41, std::move(state), &counts, counts.produced});
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
  EXPECT_EQ(s->seq, 3u);
  EXPECT_EQ(s->bytes, expected);
  auto restored = Partition::restore(catalog_, s->bytes);
  ASSERT_TRUE(restored) << restored.error();
  EXPECT_EQ(restored->seat_status("evt_w", 2), SeatStatus::kHeld);
  EXPECT_EQ(restored->seat_status("evt_w", 3), SeatStatus::kAvailable);
}

// copy() hands out the previous job's copy again, overwritten with the new state.
TEST_F(SnapshotWriterTest, CopiesAreTheStateGivenWhetherFreshOrReused) {
  DecisionCounts counts;
  auto w = writer();
  std::future<StoredCall> call = calls_.get_future();
  const Partition bigger = partition(4);
  w->submit({0, 10, w->copy(bigger), &counts, 0});
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  w->wait_idle();
  EXPECT_EQ(stored(0)->bytes, bigger.snapshot());

  const Partition smaller = partition(1);
  EXPECT_EQ(w->copy(smaller).snapshot(), smaller.snapshot());
  EXPECT_EQ(w->copy(bigger).snapshot(), bigger.snapshot()) << "the spare was handed out once";
}

TEST_F(SnapshotWriterTest, ASnapshotOlderThanTheStoredOneIsReportedNotWritten) {
  ASSERT_TRUE(reader_->save(0, {100, 99, "newer"}));
  DecisionCounts counts;
  auto w = writer();
  std::future<StoredCall> call = calls_.get_future();
  w->submit({0, 50, partition(1), &counts, 0});
  ASSERT_EQ(call.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(call.get().written);
  EXPECT_EQ(stored(0)->bytes, "newer");
}

TEST_F(SnapshotWriterTest, AnOffsetWithoutItsBytesIsAnIncompleteSnapshot) {
  ASSERT_TRUE(reader_->save(3, {100, 99, "bytes"}));
  auto redis = redis::SyncClient::connect("127.0.0.1", redis_->port());
  ASSERT_TRUE(redis) << redis.error();
  ASSERT_TRUE(redis->command({"DEL", "bx:snap:3:bytes"}));
  auto s = reader_->load(3);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(),
            "bx:snap:3: incomplete snapshot (offset, seq, and the bytes in "
            "bx:snap:3:bytes)");
}

TEST_F(SnapshotWriterTest, DecisionsNeverAcknowledgedAreAnErrorAndNothingIsStored) {
  DecisionCounts counts;
  counts.produced = 1;
  auto w = writer(100ms);
  w->submit({1, 10, partition(1), &counts, 1});
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
    w->submit({3, 10, partition(1), &counts, 1});
    std::this_thread::sleep_for(50ms);
  }
  late_ack.join();
  EXPECT_FALSE(stored(3).has_value());
}

}  // namespace
}  // namespace boxoffice::booking
