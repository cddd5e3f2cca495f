#include "loadtest/loadgen/workload.h"

#include <gtest/gtest.h>

#include <set>

#include "loadtest/loadgen/tests/test_catalog.h"

namespace boxoffice::loadgen {
namespace {

using std::chrono::nanoseconds;

TEST(SeatOrder, VisitsEverySeatOfEveryEventOnce) {
  const booking::Catalog catalog = small_catalog();
  const SeatOrder order(catalog, 1);
  ASSERT_EQ(order.size(), 108U);
  std::set<std::pair<uint32_t, booking::SeatIndex>> seen;
  for (uint64_t p = 0; p < order.size(); ++p) {
    const auto t = order.at(p);
    ASSERT_LT(t.event, 2U);
    ASSERT_LT(t.seat, 54U);
    EXPECT_TRUE(seen.emplace(t.event, t.seat).second) << "position " << p;
  }
}

TEST(SeatOrder, SameSeedSameOrderOtherSeedAnother) {
  const booking::Catalog catalog = small_catalog();
  const SeatOrder a(catalog, 42);
  const SeatOrder b(catalog, 42);
  const SeatOrder c(catalog, 43);
  bool differs = false;
  bool interleaves_events = false;
  for (uint64_t p = 0; p < a.size(); ++p) {
    EXPECT_EQ(a.at(p).event, b.at(p).event);
    EXPECT_EQ(a.at(p).seat, b.at(p).seat);
    differs |= a.at(p).seat != c.at(p).seat || a.at(p).event != c.at(p).event;
    if (p > 0) interleaves_events |= a.at(p).event != a.at(p - 1).event;
  }
  EXPECT_TRUE(differs);
  EXPECT_TRUE(interleaves_events);  // shuffled across events, not event after event
}

TEST(ReserveRequests, WritesAKeepAliveJsonPost) {
  const booking::Catalog catalog = small_catalog();
  const SeatOrder order(catalog, 9);
  const ReserveRequests requests(catalog, order, "127.0.0.1:8080", "/api", 9);
  std::string out;
  for (uint64_t p = 0; p < order.size(); ++p) {
    requests.write(p, out);
    const auto t = order.at(p);
    const std::string body = R"({"user_id":"lg9u)" + std::to_string(p) + R"("})";
    const std::string expected = "POST /api/events/" + catalog.events[t.event].id + "/seats/" +
                                 catalog.events[t.event].seat_label(t.seat) +
                                 "/reserve HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                                 "Content-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body;
    ASSERT_EQ(out, expected);
  }
}

TEST(OpenLoopSchedule, DueAtFixedIntervalsWhateverHappens) {
  const Clock::time_point start{std::chrono::seconds(100)};
  const OpenLoopSchedule schedule(start, 1e9 / 3.0);  // 3 per second
  EXPECT_EQ(schedule.due_at(0), start);
  EXPECT_EQ(schedule.due_at(3), start + std::chrono::seconds(1));
  EXPECT_EQ(schedule.due_at(1), start + nanoseconds(333'333'333));
  EXPECT_EQ(schedule.due_by(start - nanoseconds(1)), 0U);
  EXPECT_EQ(schedule.due_by(start), 1U);
  EXPECT_EQ(schedule.due_by(start + nanoseconds(333'333'332)), 1U);
  EXPECT_EQ(schedule.due_by(start + nanoseconds(333'333'333)), 2U);
  EXPECT_EQ(schedule.due_by(start + std::chrono::seconds(10)), 31U);
  for (uint64_t k = 0; k < 1000; ++k) {
    ASSERT_EQ(schedule.due_by(schedule.due_at(k)), k + 1);
    ASSERT_EQ(schedule.due_by(schedule.due_at(k) - nanoseconds(1)), k);
  }
}

}  // namespace
}  // namespace boxoffice::loadgen
