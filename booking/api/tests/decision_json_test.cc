#include "booking/api/decision_json.h"

#include <gtest/gtest.h>

namespace boxoffice::booking::api {
namespace {

Decision held() {
  Decision d;
  d.seq = 7;
  d.type = DecisionType::kHeld;
  d.at_ms = 1000;
  d.event_id = "evt_small";
  d.user_id = "u1";
  d.reservation_id = 0x10000000aULL;
  d.seats.push(3);
  d.seats.push(4);
  d.expires_at_ms = 61000;
  d.amount_cents = 2000;
  return d;
}

TEST(DecisionJsonTest, RoundTripsEveryFieldATypeUses) {
  std::vector<Decision> samples;
  samples.push_back(held());
  Decision rejected;
  rejected.seq = 8;
  rejected.type = DecisionType::kRejected;
  rejected.code = Errc::kSeatTaken;
  rejected.event_id = "evt_small";
  rejected.user_id = "u2";
  rejected.seats.push(3);
  samples.push_back(rejected);
  Decision booked = held();
  booked.type = DecisionType::kBooked;
  booked.expires_at_ms = 0;
  booked.payment_id = "pay_1";
  booked.provider = "paysim";
  samples.push_back(booked);
  Decision waitlisted;
  waitlisted.seq = 9;
  waitlisted.type = DecisionType::kWaitlisted;
  waitlisted.event_id = "evt_small";
  waitlisted.user_id = "u3";
  waitlisted.seats.push(3);
  waitlisted.position = 2;
  samples.push_back(waitlisted);
  for (const Decision& d : samples) {
    DecisionLog log;
    const std::string json = decision_json(d);
    ASSERT_TRUE(parse_decision_json(json, log)) << json;
    EXPECT_EQ(log.decisions.at(0), d) << json;
  }
}

TEST(DecisionJsonTest, ReadsTheProjectorsShape) {
  DecisionLog log;
  ASSERT_TRUE(parse_decision_json(
      R"({"seq":12,"type":"refund_required","at":5,"event":"evt_small","code":"hold_expired","user":"u1","rid":"evt_small.2000000001","amount":1000,"payment_id":"p","provider":"paysim"})",
      log));
  const Decision& d = log.decisions.at(0);
  EXPECT_EQ(d.type, DecisionType::kRefundRequired);
  EXPECT_EQ(d.code, Errc::kHoldExpired);
  EXPECT_EQ(d.reservation_id, 0x2000000001ULL);
  EXPECT_EQ(d.amount_cents, 1000);
  EXPECT_EQ(d.provider, "paysim");
}

TEST(DecisionJsonTest, RejectsMalformedDocuments) {
  for (const char* bad :
       {"", "[]", "{}", R"({"type":"nope"})", R"({"type":"held","seq":-1})",
        R"({"type":"held","seats":"1"})", R"({"type":"held","seats":[-1]})",
        R"({"type":"held","rid":"no-dot"})", R"({"type":"held","code":"x"})",
        R"({"type":"held","at":"1"})", R"({"type":"held","user":5})",
        R"({"type":"held","seats":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]})"}) {
    DecisionLog log;
    EXPECT_FALSE(parse_decision_json(bad, log)) << bad;
    EXPECT_TRUE(log.decisions.empty());
  }
}

TEST(DecisionJsonTest, ListsKeepTheirStringsAlive) {
  std::vector<std::string> jsons;
  for (int i = 0; i < 100; ++i) {
    Decision d = held();
    d.seq = static_cast<uint64_t>(i) + 1;
    const std::string user =
        "a-user-name-longer-than-small-string-optimisation-" + std::to_string(i);
    d.user_id = user;
    jsons.push_back(decision_json(d));
  }
  auto log = parse_decision_list(jsons);
  ASSERT_TRUE(log);
  DecisionLog moved = std::move(*log);
  EXPECT_EQ(moved.decisions[99].user_id, "a-user-name-longer-than-small-string-optimisation-99");
  EXPECT_EQ(moved.decisions[0].event_id, "evt_small");
}

}  // namespace
}  // namespace boxoffice::booking::api
