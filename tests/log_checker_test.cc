#include "tests/log_checker.h"

#include <gtest/gtest.h>

#include "booking/core/partition.h"
#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::checker {
namespace {

using testing::kHourMs;
using testing::kOnSaleMs;

class LogCheckerTest : public ::testing::Test {
 protected:
  std::vector<Decision> run(Command c) {
    c.event_id = "evt_small";
    c.at_ms = at_;
    std::vector<Decision> out;
    partition_.apply(c, out);
    for (const Decision& d : out) checker_.add(0, d);
    return out;
  }
  static Command command(CommandType type, std::string_view user, ReservationId id = 0) {
    Command c;
    c.type = type;
    c.user_id = user;
    c.reservation_id = id;
    return c;
  }
  static Command reserve(std::string_view user, SeatIndex seat) {
    Command c = command(CommandType::kReserve, user);
    c.seats.push(seat);
    return c;
  }

  Partition partition_{testing::test_catalog()};
  LogChecker checker_;
  int64_t at_ = kOnSaleMs + 2 * kHourMs;
};

TEST_F(LogCheckerTest, ARealLogHasNoViolations) {
  const Decision held = run(reserve("alice", 0))[0];
  run(reserve("bob", 0));  // rejected
  Command confirm = command(CommandType::kConfirm, "alice", held.reservation_id);
  confirm.payment_id = "p1";
  confirm.provider = "paysim";
  confirm.amount_cents = held.amount_cents;
  run(confirm);
  const Decision other = run(reserve("carol", 1))[0];
  at_ = other.expires_at_ms;
  run(command(CommandType::kExpire, "", other.reservation_id));
  EXPECT_TRUE(checker_.violations().empty()) << checker_.violations()[0];
  EXPECT_EQ(checker_.bookings().size(), 1u);
  EXPECT_TRUE(checker_.open_holds().empty());
}

TEST_F(LogCheckerTest, ReplayedDuplicatesAreFineWhenIdentical) {
  const std::vector<Decision> first = run(reserve("alice", 0));
  checker_.add(0, first[0]);
  EXPECT_TRUE(checker_.violations().empty());
  EXPECT_EQ(checker_.duplicates(), 1u);
  Decision changed = first[0];
  changed.user_id = "mallory";
  checker_.add(0, changed);
  ASSERT_EQ(checker_.violations().size(), 1u);
  EXPECT_NE(checker_.violations()[0].find("different content"), std::string::npos);
}

TEST_F(LogCheckerTest, CatchesADoubleHoldAndASeqGap) {
  Decision held = run(reserve("alice", 0))[0];
  Decision forged = held;
  forged.seq = held.seq + 1;
  forged.reservation_id = held.reservation_id + 1;
  forged.user_id = "bob";
  checker_.add(0, forged);
  ASSERT_EQ(checker_.violations().size(), 1u);
  EXPECT_NE(checker_.violations()[0].find("already belongs"), std::string::npos);
  forged.seq += 5;
  forged.seats = {};
  forged.type = DecisionType::kRejected;
  checker_.add(0, forged);
  EXPECT_EQ(checker_.violations().size(), 2u);
}

TEST_F(LogCheckerTest, CatchesABookingWithoutAHold) {
  Decision held = run(reserve("alice", 0))[0];
  Decision booked = held;
  booked.seq = held.seq + 1;
  booked.type = DecisionType::kBooked;
  booked.reservation_id = held.reservation_id + 7;
  checker_.add(0, booked);
  ASSERT_EQ(checker_.violations().size(), 1u);
  EXPECT_NE(checker_.violations()[0].find("without a live hold"), std::string::npos);
}

}  // namespace
}  // namespace boxoffice::booking::checker
