#include "booking/api/requests.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::api {
namespace {

using booking::testing::small_event;
using booking::testing::test_catalog;
namespace json = boost::json;

json::object body(std::string_view text) { return *parse_body(text); }

TEST(RequestsTest, BodiesMustBeJsonObjects) {
  EXPECT_TRUE(parse_body("")->empty());
  EXPECT_TRUE(parse_body("  \n")->empty());
  EXPECT_EQ(parse_body("{").error().code, "bad_json");
  EXPECT_EQ(parse_body("[1]").error().code, "bad_json");
  EXPECT_EQ(parse_body("\"x\"").error().code, "bad_json");
  EXPECT_EQ(parse_body("{} trailing").error().code, "bad_json");
}

TEST(RequestsTest, IdentityFromTheHeaderFirstThenTheBody) {
  EXPECT_EQ(*require_identity("u_header", body(R"({"user_id":"u_body"})")), "u_header");
  EXPECT_EQ(*require_identity("", body(R"({"user_id":"u_body"})")), "u_body");
  EXPECT_EQ(require_identity("", body("{}")).error().code, "identity_required");
  EXPECT_EQ(require_identity("", body("{}")).error().status, 401);
  EXPECT_EQ(require_identity("", body(R"({"user_id":5})")).error().code, "invalid_field");
  EXPECT_EQ(require_identity("", body(R"({"user_id":""})")).error().code, "invalid_field");
  EXPECT_EQ(require_identity(std::string(129, 'u'), body("{}")).error().code, "invalid_field");
  EXPECT_EQ(*require_identity("", "u_query"), "u_query");
  EXPECT_EQ(require_identity("", "").error().code, "identity_required");
}

TEST(RequestsTest, ReserveOneSeat) {
  auto c = reserve_seat_command(small_event(), "A-2-3", "u1", 77);
  ASSERT_TRUE(c);
  const Command cmd = c->view();
  EXPECT_EQ(cmd.type, CommandType::kReserve);
  EXPECT_EQ(cmd.event_id, "evt_small");
  EXPECT_EQ(cmd.user_id, "u1");
  EXPECT_EQ(cmd.at_ms, 77);
  ASSERT_EQ(cmd.seats.count, 1);
  EXPECT_EQ(cmd.seats.items[0], *small_event().find_seat("A-2-3"));
  EXPECT_EQ(reserve_seat_command(small_event(), "A-9-9", "u1", 0).error().code, "unknown_seat");
}

TEST(RequestsTest, ReserveSeveralSeats) {
  auto c = reserve_seats_command(small_event(), body(R"({"seats":["A-1-1","B-1-5"]})"), "u1", 0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->seats.count, 2);
  auto code = [](std::string_view text) {
    return reserve_seats_command(small_event(), body(text), "u1", 0).error().code;
  };
  EXPECT_EQ(code("{}"), "invalid_field");
  EXPECT_EQ(code(R"({"seats":"A-1-1"})"), "invalid_field");
  EXPECT_EQ(code(R"({"seats":[]})"), "invalid_field");
  EXPECT_EQ(code(R"({"seats":[1]})"), "invalid_field");
  EXPECT_EQ(code(R"({"seats":["A-1-1","Z-1-1"]})"), "unknown_seat");
  EXPECT_EQ(code(R"({"seats":["A-1-1","A-1-1"]})"), "duplicate_seat");
  std::string seventeen = R"({"seats":[)";
  for (int i = 0; i < 17; ++i) seventeen += std::string(i ? "," : "") + "\"A-1-1\"";
  EXPECT_EQ(code(seventeen + "]}"), "too_many_seats");
}

TEST(RequestsTest, ReserveBest) {
  auto c = reserve_best_command(
      small_event(),
      body(R"({"count":2,"section":"B","min_price_cents":100,"max_price_cents":900})"), "u1", 0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, CommandType::kReserveBest);
  EXPECT_EQ(c->count, 2);
  EXPECT_EQ(c->section, 1);
  EXPECT_EQ(c->min_price_cents, 100);
  EXPECT_EQ(c->max_price_cents, 900);
  auto any = reserve_best_command(small_event(), body(R"({"count":1})"), "u1", 0);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->section, kAnySection);
  auto code = [](std::string_view text) {
    return reserve_best_command(small_event(), body(text), "u1", 0).error().code;
  };
  EXPECT_EQ(code("{}"), "invalid_field");
  EXPECT_EQ(code(R"({"count":0})"), "invalid_field");
  EXPECT_EQ(code(R"({"count":-1})"), "invalid_field");
  EXPECT_EQ(code(R"({"count":1.5})"), "invalid_field");
  EXPECT_EQ(code(R"({"count":"2"})"), "invalid_field");
  EXPECT_EQ(code(R"({"count":17})"), "too_many_seats");
  EXPECT_EQ(code(R"({"count":1,"section":"Z"})"), "unknown_section");
  EXPECT_EQ(code(R"({"count":1,"section":3})"), "invalid_field");
  EXPECT_EQ(code(R"({"count":1,"min_price_cents":-1})"), "invalid_field");
  EXPECT_EQ(code(R"({"count":1,"min_price_cents":500,"max_price_cents":100})"), "invalid_field");
}

TEST(RequestsTest, ReservationIds) {
  auto ref = parse_reservation("evt_small.1a");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->event_id, "evt_small");
  EXPECT_EQ(ref->id, 0x1aU);
  for (const char* bad :
       {"evt_small", "evt_small.", ".1a", "evt_small.01a", "evt_small.XYZ", "evt_small.0"}) {
    EXPECT_EQ(parse_reservation(bad).error().code, "bad_reservation_id") << bad;
  }
  const OwnedCommand cancel = reservation_command(CommandType::kCancel, *ref, "u1", 5);
  EXPECT_EQ(cancel.view().reservation_id, 0x1aU);
  EXPECT_EQ(cancel.view().event_id, "evt_small");
  const OwnedCommand confirm = confirm_command(*ref, "u1", "pay_1", "paysim", 1000, 5);
  EXPECT_EQ(confirm.view().type, CommandType::kConfirm);
  EXPECT_EQ(confirm.view().payment_id, "pay_1");
  EXPECT_EQ(confirm.view().amount_cents, 1000);
}

TEST(RequestsTest, ConfirmRequest) {
  auto r = parse_confirm_request(body(R"({"payment_id":"pay_1","provider":"paysim"})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->payment_id, "pay_1");
  EXPECT_EQ(parse_confirm_request(body(R"({"payment_id":"pay_1"})")).error().code, "invalid_field");
  EXPECT_EQ(parse_confirm_request(body(R"({"payment_id":1,"provider":"p"})")).error().code,
            "invalid_field");
}

TEST(RequestsTest, OwnedCommandsSurviveMoves) {
  auto c = reserve_seat_command(small_event(), "A-1-1", std::string(100, 'u'), 0);
  ASSERT_TRUE(c);
  OwnedCommand moved = std::move(*c);
  EXPECT_EQ(moved.view().user_id, std::string(100, 'u'));
}

}  // namespace
}  // namespace boxoffice::booking::api
