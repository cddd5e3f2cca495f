#include "booking/service/ids.h"

#include <gtest/gtest.h>

namespace boxoffice::booking {
namespace {

TEST(IdsTest, ReservationKeysRoundTrip) {
  const std::string key = reservation_key("evt_hamlet", 0x50000000a);
  EXPECT_EQ(key, "evt_hamlet.50000000a");
  auto ref = parse_reservation_key(key);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->event_id, "evt_hamlet");
  EXPECT_EQ(ref->id, 0x50000000au);
  // Event ids may contain dots: the id is after the last one.
  const std::string dotted_key = reservation_key("a.b", 7);
  auto dotted = parse_reservation_key(dotted_key);
  ASSERT_TRUE(dotted.has_value());
  EXPECT_EQ(dotted->event_id, "a.b");
}

TEST(IdsTest, MalformedReservationKeysAreRejected) {
  for (const char* bad :
       {"", "evt", ".5", "evt.", "evt.0a", "evt.5G", "evt.-5", "evt.A", "evt.12345678901234567"}) {
    EXPECT_FALSE(parse_reservation_key(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_reservation_key("evt.0").has_value());
}

TEST(IdsTest, RequestKeysAreSixteenHexDigits) {
  EXPECT_EQ(request_key(0x12), "0000000000000012");
  EXPECT_EQ(parse_request_key("0000000000000012"), 0x12u);
  EXPECT_FALSE(parse_request_key("12").has_value());
  EXPECT_FALSE(parse_request_key("000000000000001G").has_value());
}

}  // namespace
}  // namespace boxoffice::booking
