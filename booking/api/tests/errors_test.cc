#include "booking/api/errors.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace boxoffice::booking::api {
namespace {

TEST(ErrorsTest, EveryCoreCodeHasAnErrorStatusAndKeepsItsName) {
  for (int i = 1; i < kErrcCount; ++i) {
    const auto e = static_cast<Errc>(i);
    const int status = http_status(e);
    EXPECT_GE(status, 400) << to_string(e);
    EXPECT_LT(status, 600) << to_string(e);
    EXPECT_EQ(core_error(e, "m").code, to_string(e));
  }
}

TEST(ErrorsTest, CoreStatusesByKind) {
  EXPECT_EQ(http_status(Errc::kSeatTaken), 409);
  EXPECT_EQ(http_status(Errc::kLimitExceeded), 409);
  EXPECT_EQ(http_status(Errc::kHoldExpired), 409);
  EXPECT_EQ(http_status(Errc::kUnknownEvent), 404);
  EXPECT_EQ(http_status(Errc::kUnknownSeat), 404);
  EXPECT_EQ(http_status(Errc::kUnknownReservation), 404);
  EXPECT_EQ(http_status(Errc::kNotWaitlisted), 404);
  EXPECT_EQ(http_status(Errc::kDuplicateSeat), 422);
  EXPECT_EQ(http_status(Errc::kWrongAmount), 422);
  EXPECT_EQ(http_status(Errc::kNotHolder), 403);
  EXPECT_EQ(http_status(Errc::kCapacityExceeded), 503);
}

TEST(ErrorsTest, ApiCodesAreUniqueAndDistinctFromCoreCodes) {
  std::set<std::string_view> seen;
  for (int i = 0; i < kErrcCount; ++i) seen.insert(to_string(static_cast<Errc>(i)));
  for (int i = 0; i < kApiErrcCount; ++i) {
    const auto e = static_cast<ApiErrc>(i);
    EXPECT_TRUE(seen.insert(to_string(e)).second) << to_string(e);
    EXPECT_GE(http_status(e), 400);
  }
  EXPECT_EQ(to_string(ApiErrc::kBadJson), "bad_json");
  EXPECT_EQ(http_status(ApiErrc::kIdentityRequired), 401);
  EXPECT_EQ(http_status(ApiErrc::kMethodNotAllowed), 405);
  EXPECT_EQ(http_status(ApiErrc::kBodyTooLarge), 413);
}

TEST(ErrorsTest, ErrorBodyIsTheStableShape) {
  HttpError e = core_error(Errc::kSeatTaken, "seat \"A-1-1\" is taken");
  e.extra_members = R"("seat_id":"A-1-1")";
  const Response r = error_response(e);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, "application/json");
  const auto j = nlohmann::json::parse(*r.body);
  EXPECT_EQ(j["error"]["code"], "seat_taken");
  EXPECT_EQ(j["error"]["message"], "seat \"A-1-1\" is taken");
  EXPECT_EQ(j["error"]["seat_id"], "A-1-1");
}

}  // namespace
}  // namespace boxoffice::booking::api
