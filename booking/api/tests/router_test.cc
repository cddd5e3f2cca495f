#include "booking/api/router.h"

#include <gtest/gtest.h>

#include <set>

namespace boxoffice::booking::api {
namespace {

TEST(RouterTest, MatchesTemplatesAndDecodesParameters) {
  const RouteMatch m = match_route("POST", "/events/evt%5F1/seats/A-1-%31/reserve");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.id, RouteId::kReserveSeat);
  EXPECT_EQ(m.param("event_id"), "evt_1");
  EXPECT_EQ(m.param("seat_id"), "A-1-1");
  EXPECT_EQ(m.param("nope"), "");
}

TEST(RouterTest, EveryRouteMatchesItsOwnTemplate) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const RouteSpec& spec : route_table()) {
    EXPECT_TRUE(seen.insert({spec.method, spec.path}).second) << spec.path;
    std::string path(spec.path);
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}') - open + 1, "x");
    }
    const RouteMatch m = match_route(spec.method, path);
    EXPECT_EQ(m.kind, RouteMatch::Kind::kFound) << path;
    EXPECT_EQ(m.id, spec.id) << path;
    EXPECT_EQ(route_spec(spec.id).path, spec.path);
  }
}

TEST(RouterTest, WrongMethodListsTheAllowedOnes) {
  const RouteMatch m = match_route("PUT", "/events/e/seats/s/waitlist");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST, GET, DELETE");
  EXPECT_EQ(match_route("GET", "/events/e/reserve").allow, "POST");
}

TEST(RouterTest, UnknownPathsAndBadEscapes) {
  EXPECT_EQ(match_route("GET", "/nope").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "/events/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "/events/e/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "events").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "/events/e/seats/s/history/a/b/c").kind,
            RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "/events/e/seats/s/history/a/b/c/d/e/f").kind,
            RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match_route("GET", "/events/%zz").kind, RouteMatch::Kind::kBadPath);
  EXPECT_EQ(match_route("GET", "/events/%4").kind, RouteMatch::Kind::kBadPath);
}

}  // namespace
}  // namespace boxoffice::booking::api
