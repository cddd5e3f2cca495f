#include "booking/api/audit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::api {
namespace {

using booking::testing::small_event;
using booking::testing::test_catalog;

constexpr SeatIndex kSeat = 3;

Decision make(DecisionType type, int64_t at, ReservationId rid, std::string_view user,
              int64_t expires = 0) {
  Decision d;
  d.type = type;
  d.at_ms = at;
  d.seq = static_cast<uint64_t>(at);
  d.event_id = "evt_small";
  d.reservation_id = rid;
  d.user_id = user;
  d.expires_at_ms = expires;
  if (type != DecisionType::kPaymentPending) d.seats.push(kSeat);
  return d;
}

TEST(AuditTest, StatusFollowsHoldsBookingsAndEnds) {
  const std::vector<Decision> h = {
      make(DecisionType::kHeld, 100, 1, "u1", 160),
      make(DecisionType::kCancelled, 120, 1, "u1"),
      make(DecisionType::kReleased, 120, 0, ""),
      make(DecisionType::kHeld, 130, 2, "u2", 190),
      make(DecisionType::kPaymentPending, 150, 2, "u2", 400),
      make(DecisionType::kBooked, 200, 2, "u2"),
  };
  EXPECT_EQ(seat_state_at(h, kSeat, 99).state, SeatState::kAvailable);
  const SeatStateAt held = seat_state_at(h, kSeat, 100);
  EXPECT_EQ(held.state, SeatState::kReserved);
  EXPECT_EQ(held.reservation_id, 1U);
  EXPECT_EQ(held.user_id, "u1");
  EXPECT_EQ(seat_state_at(h, kSeat, 119).state, SeatState::kReserved);
  EXPECT_EQ(seat_state_at(h, kSeat, 120).state, SeatState::kAvailable);
  EXPECT_EQ(seat_state_at(h, kSeat, 140).user_id, "u2");
  // The payment froze the hold past its first deadline (190).
  EXPECT_EQ(seat_state_at(h, kSeat, 195).state, SeatState::kReserved);
  EXPECT_EQ(seat_state_at(h, kSeat, 195).expires_at_ms, 400);
  EXPECT_EQ(seat_state_at(h, kSeat, 200).state, SeatState::kBooked);
  EXPECT_EQ(seat_state_at(h, kSeat, 1'000'000).state, SeatState::kBooked);
}

TEST(AuditTest, AHoldEndsAtItsDeadlineEvenBeforeItsExpiryIsRecorded) {
  const std::vector<Decision> h = {
      make(DecisionType::kHeld, 100, 1, "u1", 160),
      make(DecisionType::kExpired, 500, 1, "u1"),  // the timer was late
      make(DecisionType::kOffered, 500, 2, "u2", 800),
  };
  EXPECT_EQ(seat_state_at(h, kSeat, 159).state, SeatState::kReserved);
  EXPECT_EQ(seat_state_at(h, kSeat, 160).state, SeatState::kAvailable);
  EXPECT_EQ(seat_state_at(h, kSeat, 499).state, SeatState::kAvailable);
  EXPECT_EQ(seat_state_at(h, kSeat, 500).user_id, "u2");
}

TEST(AuditTest, OtherDecisionsLeaveTheSeatAlone) {
  Decision rejected = make(DecisionType::kRejected, 110, 0, "u9");
  rejected.code = Errc::kSeatTaken;
  const std::vector<Decision> h = {
      make(DecisionType::kHeld, 100, 1, "u1", 160), rejected,
      make(DecisionType::kWaitlisted, 111, 0, "u9"),
      make(DecisionType::kCancelled, 112, 7, "u7"),  // another reservation's end
  };
  EXPECT_EQ(seat_state_at(h, kSeat, 150).reservation_id, 1U);
  EXPECT_EQ(seat_state_at(h, 4, 150).state, SeatState::kAvailable);  // another seat
}

TEST(AuditTest, RendersHistoryAndStatusAt) {
  const Event& e = small_event();
  const std::vector<Decision> h = {make(DecisionType::kHeld, 100, 0x1a, "u1", 160)};
  auto j = nlohmann::json::parse(render_history(e, kSeat, h, 120));
  EXPECT_EQ(j["seat_id"], "A-1-4");
  ASSERT_EQ(j["history"].size(), 1U);
  EXPECT_EQ(j["history"][0]["type"], "held");
  EXPECT_EQ(j["history"][0]["reservation_id"], "evt_small.1a");
  EXPECT_EQ(j["status_at"]["status"], "reserved");
  EXPECT_EQ(j["status_at"]["user_id"], "u1");
  j = nlohmann::json::parse(render_history(e, kSeat, h, std::nullopt));
  EXPECT_FALSE(j.contains("status_at"));
}

}  // namespace
}  // namespace boxoffice::booking::api
