// classify_api_request: which booking route a fan's /api/... request names and what it needs.
#include "gateway/io/api_route.h"

#include <gtest/gtest.h>

#include <string>

namespace boxoffice::gateway {
namespace {

Result<ApiRoute, std::string_view> classify(std::string_view method, std::string_view path) {
  auto target = http::parse_request_target(path);
  EXPECT_TRUE(target) << path;
  if (!target) return unexpected(std::string_view("unparsable"));
  return classify_api_request(method, *target, path);
}

TEST(ApiRoute, EventSearchIsPublic) {
  auto r = classify("GET", "/api/events?q=rock&city=Oslo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access, ApiRoute::Access::kPublic);
  EXPECT_EQ(r->event, "");
  EXPECT_EQ(r->upstream_target, "/events?q=rock&city=Oslo");
  EXPECT_FALSE(r->seat_map);
  // Only reading it is public.
  auto post = classify("POST", "/api/events");
  ASSERT_FALSE(post);
  EXPECT_EQ(post.error(), "not_found");
}

TEST(ApiRoute, EventRoutesNeedThatEventsToken) {
  auto reserve = classify("POST", "/api/events/e1/seats/A-1/reserve");
  ASSERT_TRUE(reserve);
  EXPECT_EQ(reserve->access, ApiRoute::Access::kEventToken);
  EXPECT_EQ(reserve->event, "e1");
  EXPECT_EQ(reserve->user, "");
  EXPECT_EQ(reserve->upstream_target, "/events/e1/seats/A-1/reserve");
  EXPECT_FALSE(reserve->seat_map);

  auto detail = classify("GET", "/api/events/e1");
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->access, ApiRoute::Access::kEventToken);
  EXPECT_EQ(detail->event, "e1");
  EXPECT_FALSE(detail->seat_map);

  auto waitlist = classify("DELETE", "/api/events/e1/seats/A-1/waitlist");
  ASSERT_TRUE(waitlist);
  EXPECT_EQ(waitlist->event, "e1");
}

TEST(ApiRoute, SeatMapReadsAreCached) {
  auto r = classify("GET", "/api/events/e1/seats?section=B");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access, ApiRoute::Access::kEventToken);
  EXPECT_EQ(r->event, "e1");
  EXPECT_TRUE(r->seat_map);
  EXPECT_EQ(r->upstream_target, "/events/e1/seats?section=B");
  // Not a write, nor a single seat.
  EXPECT_FALSE(classify("POST", "/api/events/e1/seats")->seat_map);
  EXPECT_FALSE(classify("GET", "/api/events/e1/seats/A-1")->seat_map);
}

TEST(ApiRoute, EventNamesDecodedButForwardedRaw) {
  // The token check uses the decoded event; booking gets the bytes the fan sent and decodes them
  // the same way.
  auto r = classify("GET", "/api/events/e%31/seats");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->event, "e1");
  EXPECT_EQ(r->upstream_target, "/events/e%31/seats");
}

TEST(ApiRoute, ReservationsNameTheirEvent) {
  auto r = classify("POST", "/api/reservations/e1.00ff12/confirm");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access, ApiRoute::Access::kEventToken);
  EXPECT_EQ(r->event, "e1");
  EXPECT_EQ(r->upstream_target, "/reservations/e1.00ff12/confirm");

  auto dotted = classify("GET", "/api/reservations/e.x.abc");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->event, "e.x");  // the part before the last dot

  auto booking = classify("GET", "/api/bookings/e2.abc");
  ASSERT_TRUE(booking);
  EXPECT_EQ(booking->event, "e2");

  for (const char* bad : {"/api/reservations/nodot", "/api/reservations/.abc"}) {
    auto r2 = classify("GET", bad);
    ASSERT_FALSE(r2) << bad;
    EXPECT_EQ(r2.error(), "bad_reservation_id") << bad;
  }
  auto bare = classify("GET", "/api/reservations");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error(), "not_found");
}

TEST(ApiRoute, UserBookingsAndRequestStatusTakeAnyEventsToken) {
  auto mine = classify("GET", "/api/users/alice/bookings");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->access, ApiRoute::Access::kAnyToken);
  EXPECT_EQ(mine->user, "alice");
  EXPECT_EQ(mine->event, "");
  EXPECT_EQ(mine->upstream_target, "/users/alice/bookings");

  auto request = classify("GET", "/api/requests/r-123");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->access, ApiRoute::Access::kAnyToken);
  EXPECT_EQ(request->user, "");

  EXPECT_FALSE(classify("POST", "/api/users/alice/bookings"));
  EXPECT_FALSE(classify("POST", "/api/requests/r-123"));
  EXPECT_FALSE(classify("GET", "/api/users/alice"));
}

TEST(ApiRoute, NotForFans) {
  for (const char* path : {"/api", "/api/webhooks/payments", "/api/admin/events", "/apix/events",
                           "/queue/e1/status", "/api/unknown/thing"}) {
    auto r = classify("POST", path);
    ASSERT_FALSE(r) << path;
    EXPECT_EQ(r.error(), "not_found") << path;
  }
  auto get = classify("GET", "/api/webhooks/payments");
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error(), "not_found");
}

}  // namespace
}  // namespace boxoffice::gateway
