#include "booking/api/read_model.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::api {
namespace {

using booking::testing::test_catalog;

const HashFields kHeld = {{"event", "evt_small"},
                          {"user", "u1"},
                          {"seats", "0,1"},
                          {"kind", "reserve"},
                          {"status", "held"},
                          {"expires_at", "1800000060000"},
                          {"amount", "2000"},
                          {"created_at", "1800000000000"},
                          {"updated_at", "1800000000000"}};

TEST(ReadModelTest, HeldReservationWithLabelsAndPaymentLink) {
  const PaymentUrlFn url = [](std::string_view rid, std::string_view, int64_t cents,
                              std::string_view) {
    return std::string(rid) + "/" + std::to_string(cents);
  };
  const auto j =
      nlohmann::json::parse(render_reservation(test_catalog(), "evt_small.1", kHeld, url));
  EXPECT_EQ(j["reservation_id"], "evt_small.1");
  EXPECT_EQ(j["status"], "reserved");
  EXPECT_EQ(j["seats"], nlohmann::json::array({"A-1-1", "A-1-2"}));
  EXPECT_EQ(j["seat_id"], "A-1-1");
  EXPECT_EQ(j["user_id"], "u1");
  EXPECT_EQ(j["amount"], 20);
  EXPECT_EQ(j["expires_at"], "2027-01-15T08:01:00.000Z");
  EXPECT_EQ(j["payment_url"], "evt_small.1/2000");
  EXPECT_EQ(j["event"], "Small Show");
}

TEST(ReadModelTest, BookedAndEndedReservations) {
  HashFields booked = kHeld;
  for (auto& [k, v] : booked) {
    if (k == "status") v = "booked";
  }
  booked.emplace_back("payment_id", "pay_1");
  booked.emplace_back("provider", "paysim");
  booked.emplace_back("booked_at", "1800000030000");
  const PaymentUrlFn url = [](auto...) { return std::string("x"); };
  auto j = nlohmann::json::parse(render_reservation(test_catalog(), "evt_small.1", booked, url));
  EXPECT_EQ(j["status"], "confirmed");
  EXPECT_EQ(j["booking_id"], "evt_small.1");
  EXPECT_EQ(j["payment_id"], "pay_1");
  EXPECT_FALSE(j.contains("payment_url"));
  EXPECT_FALSE(j.contains("expires_at"));
  EXPECT_EQ(public_status("expired"), "expired");
  EXPECT_EQ(public_status("payment_pending"), "payment_pending");
}

TEST(ReadModelTest, UnknownSeatIndicesStayVisible) {
  HashFields odd = kHeld;
  for (auto& [k, v] : odd) {
    if (k == "seats") v = "0,999";
  }
  const auto j = nlohmann::json::parse(render_reservation(test_catalog(), "r", odd, {}));
  EXPECT_EQ(j["seats"], nlohmann::json::array({"A-1-1", "#999"}));
}

TEST(ReadModelTest, BookingsList) {
  const std::vector<std::pair<std::string, HashFields>> bookings = {{"evt_small.1", kHeld},
                                                                    {"evt_small.2", {}}};
  const auto j = nlohmann::json::parse(render_bookings(test_catalog(), "u1", bookings, 2));
  EXPECT_EQ(j["user_id"], "u1");
  EXPECT_EQ(j["total"], 2);
  ASSERT_EQ(j["bookings"].size(), 1U);  // a listed booking without its hash is left out
  EXPECT_EQ(j["bookings"][0]["booking_id"], "evt_small.1");
  EXPECT_EQ(j["bookings"][0]["event"], "Small Show");
}

}  // namespace
}  // namespace boxoffice::booking::api
