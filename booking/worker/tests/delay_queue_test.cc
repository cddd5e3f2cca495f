#include <gtest/gtest.h>

#include "booking/worker/relay.h"

namespace boxoffice::booking {
namespace {

DelayQueue::Item item(int64_t due, int32_t partition, int64_t offset) {
  return {due, partition, offset, "evt", "cmd" + std::to_string(offset)};
}

TEST(DelayQueueTest, ReleasesItemsInDueOrderOnlyWhenDue) {
  DelayQueue q;
  q.add(item(300, 0, 0));
  q.add(item(100, 0, 1));
  q.add(item(200, 1, 0));
  EXPECT_TRUE(q.take_due(99).empty());
  auto due = q.take_due(200);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].due_ms, 100);
  EXPECT_EQ(due[1].due_ms, 200);
  EXPECT_EQ(q.size(), 1u);
}

TEST(DelayQueueTest, CommitsNeverPassTheOldestUnforwardedMessage) {
  DelayQueue q;
  EXPECT_FALSE(q.commit_offset(0).has_value());
  q.add(item(300, 0, 5));  // due last, but oldest in the log
  q.add(item(100, 0, 6));
  q.add(item(100, 0, 7));
  EXPECT_EQ(q.commit_offset(0), 5);
  for (const auto& i : q.take_due(100)) q.mark_forwarded(i.partition, i.offset);
  EXPECT_EQ(q.commit_offset(0), 5);  // offset 5 still waits
  for (const auto& i : q.take_due(300)) q.mark_forwarded(i.partition, i.offset);
  EXPECT_EQ(q.commit_offset(0), 8);  // all forwarded: one past the newest
}

TEST(DelayQueueTest, DroppingAPartitionForgetsItsItems) {
  DelayQueue q;
  q.add(item(100, 0, 0));
  q.add(item(100, 1, 0));
  q.drop_partition(0);
  EXPECT_FALSE(q.commit_offset(0).has_value());
  auto due = q.take_due(100);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].partition, 1);
}

}  // namespace
}  // namespace boxoffice::booking
