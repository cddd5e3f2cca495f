#include "booking/api/sse.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::api {
namespace {

using booking::testing::small_event;
using booking::testing::test_catalog;

Decision decision(DecisionType type, std::initializer_list<SeatIndex> seats) {
  Decision d;
  d.seq = 9;
  d.type = type;
  d.event_id = "evt_small";
  d.user_id = "u2";
  d.reservation_id = 0x2a;
  d.expires_at_ms = 1'800'000'120'000;
  for (SeatIndex s : seats) d.seats.push(s);
  return d;
}

TEST(SseTest, Framing) {
  EXPECT_EQ(sse_event("snapshot", "{}", 7), "event: snapshot\nid: 7\ndata: {}\n\n");
  EXPECT_EQ(sse_event("x", "a\nb", std::nullopt), "event: x\ndata: a\ndata: b\n\n");
  EXPECT_EQ(sse_comment("heartbeat"), ": heartbeat\n\n");
}

TEST(SseTest, HeldChangesSeatsForEveryone) {
  const DeltaFrames f = delta_frames(small_event(), decision(DecisionType::kHeld, {0, 9}));
  EXPECT_EQ(f.seq, 9U);
  EXPECT_EQ(f.public_frames,
            "event: seat_status_changed\nid: 9\ndata: "
            R"({"seat_id":"A-1-1","new_status":"reserved","section":"A"})"
            "\n\n"
            "event: seat_status_changed\nid: 9\ndata: "
            R"({"seat_id":"B-1-2","new_status":"reserved","section":"B"})"
            "\n\n");
  EXPECT_TRUE(f.personal_frames.empty());
  ASSERT_TRUE(f.hold);
  EXPECT_EQ(f.hold->reservation_id, "evt_small.2a");
  EXPECT_EQ(f.hold->expires_at_ms, 1'800'000'120'000);
}

TEST(SseTest, OfferIsPersonal) {
  const DeltaFrames f = delta_frames(small_event(), decision(DecisionType::kOffered, {0}));
  EXPECT_NE(f.public_frames.find("\"new_status\":\"reserved\""), std::string::npos);
  EXPECT_EQ(f.user, "u2");
  const std::string prefix = "event: waitlist_offer\nid: 9\ndata: ";
  ASSERT_TRUE(f.personal_frames.starts_with(prefix));
  const auto j = nlohmann::json::parse(
      f.personal_frames.substr(prefix.size(), f.personal_frames.size() - prefix.size() - 2));
  EXPECT_EQ(j["seat_id"], "A-1-1");
  EXPECT_EQ(j["user_id"], "u2");
  EXPECT_EQ(j["expires_at"], "2027-01-15T08:02:00.000Z");
}

TEST(SseTest, BookedReleasedAndEnds) {
  const DeltaFrames booked = delta_frames(small_event(), decision(DecisionType::kBooked, {0}));
  EXPECT_NE(booked.public_frames.find("\"new_status\":\"booked\""), std::string::npos);
  EXPECT_NE(booked.public_frames.find(R"(event: booking_confirmed)"
                                      "\nid: 9\ndata: "
                                      R"({"booking_id":"evt_small.2a","seat_id":"A-1-1"})"),
            std::string::npos);
  EXPECT_EQ(booked.hold->expires_at_ms, 0);
  const DeltaFrames released = delta_frames(small_event(), decision(DecisionType::kReleased, {0}));
  EXPECT_NE(released.public_frames.find("\"new_status\":\"available\""), std::string::npos);
  EXPECT_FALSE(released.hold);
  EXPECT_EQ(
      delta_frames(small_event(), decision(DecisionType::kCancelled, {0})).hold->expires_at_ms, 0);
  const DeltaFrames waitlisted =
      delta_frames(small_event(), decision(DecisionType::kWaitlisted, {0}));
  EXPECT_TRUE(waitlisted.public_frames.empty());
  EXPECT_TRUE(
      delta_frames(small_event(), decision(DecisionType::kHeld, {999})).public_frames.empty());
}

TEST(SseTest, ExpiringWarning) {
  EXPECT_EQ(expiring_frame("evt_small.2a", 30),
            "event: reservation_expiring\ndata: "
            R"({"reservation_id":"evt_small.2a","seconds_left":30})"
            "\n\n");
}

}  // namespace
}  // namespace boxoffice::booking::api
