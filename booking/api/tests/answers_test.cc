#include "booking/api/answers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "booking/core/partition.h"
#include "booking/core/tests/test_catalog.h"
#include "booking/service/ids.h"

namespace boxoffice::booking::api {
namespace {

using booking::testing::kHourMs;
using booking::testing::kOnSaleMs;
using booking::testing::test_catalog;

// Drives the real core and answers from its decisions.
class AnswersTest : public ::testing::Test {
 protected:
  const Catalog& catalog_ = test_catalog();
  const Event& event_ = *catalog_.find_event("evt_small");
  Partition partition_{catalog_};
  int64_t now_ = kOnSaleMs + 2 * kHourMs;
  PaymentUrlFn payment_url_ = [](std::string_view rid, std::string_view user, int64_t cents,
                                 std::string_view currency) {
    return "https://pay.test/" + std::string(rid) + "?u=" + std::string(user) +
           "&a=" + std::to_string(cents) + std::string(currency);
  };

  std::vector<Decision> run(CommandType type, std::string_view user,
                            std::initializer_list<std::string_view> seats = {},
                            ReservationId rid = 0) {
    Command c;
    c.type = type;
    c.at_ms = now_;
    c.event_id = "evt_small";
    c.user_id = user;
    c.reservation_id = rid;
    for (auto s : seats) c.seats.push(*event_.find_seat(s));
    std::vector<Decision> out;
    partition_.apply(c, out);
    return out;
  }
  Response answer(const std::vector<Decision>& d, std::string_view user) {
    return decided_response(AnswerContext{catalog_, payment_url_}, d, user);
  }
};

TEST_F(AnswersTest, HeldIsA201Reservation) {
  const auto d = run(CommandType::kReserve, "u1", {"A-1-1", "A-1-2"});
  const Response r = answer(d, "u1");
  EXPECT_EQ(r.status, 201);
  const auto j = nlohmann::json::parse(*r.body);
  const std::string rid = reservation_key("evt_small", d[0].reservation_id);
  EXPECT_EQ(j["reservation_id"], rid);
  EXPECT_EQ(j["seat_id"], "A-1-1");
  EXPECT_EQ(j["seats"], nlohmann::json::array({"A-1-1", "A-1-2"}));
  EXPECT_EQ(j["status"], "reserved");
  EXPECT_EQ(j["expires_at"], format_utc_time_ms(now_ + 60'000));
  EXPECT_EQ(j["amount"], 20);
  EXPECT_EQ(j["amount_cents"], 2000);
  EXPECT_EQ(j["currency"], "EUR");
  EXPECT_EQ(j["payment_url"], "https://pay.test/" + rid + "?u=u1&a=2000EUR");
}

TEST_F(AnswersTest, NoPaymentUrlWithoutAFunction) {
  const auto d = run(CommandType::kReserve, "u1", {"A-1-1"});
  const PaymentUrlFn none;
  const auto j = nlohmann::json::parse(*decided_response({catalog_, none}, d, "u1").body);
  EXPECT_FALSE(j.contains("payment_url"));
}

TEST_F(AnswersTest, RejectionIsAnErrorWithTheCoresCode) {
  run(CommandType::kReserve, "u1", {"A-1-1"});
  const Response r = answer(run(CommandType::kReserve, "u2", {"A-1-1"}), "u2");
  EXPECT_EQ(r.status, 409);
  const auto j = nlohmann::json::parse(*r.body);
  EXPECT_EQ(j["error"]["code"], "seat_taken");
  EXPECT_EQ(j["error"]["seat_id"], "A-1-1");
}

TEST_F(AnswersTest, PicksTheRequestersDecisionAmongOthers) {
  // u1's hold lapses; u2 waits for the seat; u3's reserve of it triggers the lazy expiry:
  // expired (u1), offered (u2), then u3's rejection.
  const auto held = run(CommandType::kReserve, "u1", {"A-1-1"});
  run(CommandType::kJoinWaitlist, "u2", {"A-1-1"});
  now_ += 61'000;
  const auto d = run(CommandType::kReserve, "u3", {"A-1-1"});
  ASSERT_GE(d.size(), 3U);
  EXPECT_EQ(d[0].type, DecisionType::kExpired);
  const Decision* mine = answer_for(d, "u3");
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->type, DecisionType::kRejected);
  EXPECT_EQ(answer(d, "u3").status, 409);
  const Decision* offered_to_u2 = answer_for(d, "u2");
  EXPECT_EQ(offered_to_u2, nullptr);  // an offer is not an answer to anyone's request
  EXPECT_EQ(answer_for(d, "")->type, DecisionType::kRejected);
  EXPECT_EQ(answer(d, "nobody").status, 500);
}

TEST_F(AnswersTest, CancelSaysWhereTheSeatWent) {
  const auto held = run(CommandType::kReserve, "u1", {"A-1-1", "A-1-2"});
  run(CommandType::kJoinWaitlist, "u2", {"A-1-2"});
  const auto d = run(CommandType::kCancel, "u1", {}, held[0].reservation_id);
  const Response r = answer(d, "u1");
  EXPECT_EQ(r.status, 200);
  const auto j = nlohmann::json::parse(*r.body);
  EXPECT_EQ(j["status"], "cancelled");
  EXPECT_EQ(j["seat_status"], "available");
  EXPECT_EQ(j["seats"][0]["seat_status"], "available");
  EXPECT_EQ(j["seats"][1]["seat_status"], "reserved");  // offered to u2
}

TEST_F(AnswersTest, ConfirmedAndRefunded) {
  const auto held = run(CommandType::kReserve, "u1", {"A-1-1"});
  Command c;
  c.type = CommandType::kConfirm;
  c.at_ms = now_;
  c.event_id = "evt_small";
  c.user_id = "u1";
  c.reservation_id = held[0].reservation_id;
  c.payment_id = "pay_1";
  c.provider = "paysim";
  c.amount_cents = 999;  // wrong amount: refunded
  std::vector<Decision> refused;
  partition_.apply(c, refused);
  const Response wrong = answer(refused, "u1");
  EXPECT_EQ(wrong.status, 422);
  auto j = nlohmann::json::parse(*wrong.body);
  EXPECT_EQ(j["error"]["code"], "wrong_amount");
  EXPECT_EQ(j["error"]["refund_required"], true);
  EXPECT_EQ(j["error"]["refund"]["amount_cents"], 999);

  c.amount_cents = 1000;
  c.payment_id = "pay_2";
  std::vector<Decision> booked;
  partition_.apply(c, booked);
  const Response ok = answer(booked, "u1");
  EXPECT_EQ(ok.status, 200);
  j = nlohmann::json::parse(*ok.body);
  EXPECT_EQ(j["status"], "confirmed");
  EXPECT_EQ(j["booking_id"], reservation_key("evt_small", held[0].reservation_id));
  EXPECT_EQ(j["event"], "Small Show");
  EXPECT_EQ(j["seat_id"], "A-1-1");
}

TEST_F(AnswersTest, WaitlistAnswers) {
  run(CommandType::kReserve, "u1", {"A-1-1"});
  const Response joined = answer(run(CommandType::kJoinWaitlist, "u2", {"A-1-1"}), "u2");
  EXPECT_EQ(joined.status, 201);
  const auto j = nlohmann::json::parse(*joined.body);
  EXPECT_EQ(j["position"], 1);
  EXPECT_EQ(j["estimated_wait"], "likely");
  EXPECT_EQ(answer(run(CommandType::kLeaveWaitlist, "u2", {"A-1-1"}), "u2").status, 200);
  EXPECT_EQ(answer(run(CommandType::kLeaveWaitlist, "u2", {"A-1-1"}), "u2").status, 404);
  EXPECT_EQ(estimated_wait(3), "possible");
  EXPECT_EQ(estimated_wait(10), "unlikely");
}

TEST(PendingTest, PointsAtTheStatusUrl) {
  const Response r = pending_response(0x1000000000002aULL);
  EXPECT_EQ(r.status, 202);
  const auto j = nlohmann::json::parse(*r.body);
  EXPECT_EQ(j["status_url"], "/requests/001000000000002a");
  ASSERT_EQ(r.headers.size(), 1U);
  EXPECT_EQ(r.headers[0].second, "/requests/001000000000002a");
}

}  // namespace
}  // namespace boxoffice::booking::api
