#include "booking/service/decision_json.h"

#include <gtest/gtest.h>

namespace boxoffice::booking {
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

Decision seat_taken() {
  Decision d;
  d.seq = 8;
  d.type = DecisionType::kRejected;
  d.code = Errc::kSeatTaken;
  d.event_id = "evt_small";
  d.user_id = "u2";
  d.seats.push(3);
  return d;
}

TEST(DecisionJsonTest, RoundTripsEveryFieldATypeUses) {
  std::vector<Decision> samples;
  samples.push_back(held());
  samples.push_back(seat_taken());
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

// The read model's form (lua-rules/booking/README.md): fixed field order, only the fields the
// type carries, empty strings and seat lists left out.
TEST(DecisionJsonTest, WritesEachTypesFieldsInTheContractsOrder) {
  EXPECT_EQ(decision_json(held()),
            R"({"seq":7,"type":"held","at":1000,"event":"evt_small","user":"u1",)"
            R"("rid":"evt_small.10000000a","seats":[3,4],"expires_at":61000,"amount":2000})");

  Decision rejected = seat_taken();
  rejected.expires_at_ms = 5;  // not a field of a rejection
  EXPECT_EQ(decision_json(rejected),
            R"({"seq":8,"type":"rejected","at":0,"event":"evt_small","user":"u2","seats":[3],)"
            R"("code":"seat_taken"})");

  Decision pending = held();
  pending.type = DecisionType::kPaymentPending;
  EXPECT_EQ(decision_json(pending),
            R"({"seq":7,"type":"payment_pending","at":1000,"event":"evt_small","user":"u1",)"
            R"("rid":"evt_small.10000000a","expires_at":61000})");

  Decision booked = held();
  booked.type = DecisionType::kBooked;
  booked.payment_id = "pay_1";
  booked.provider = "paysim";
  EXPECT_EQ(decision_json(booked),
            R"({"seq":7,"type":"booked","at":1000,"event":"evt_small","user":"u1",)"
            R"("rid":"evt_small.10000000a","seats":[3,4],"amount":2000,"payment_id":"pay_1",)"
            R"("provider":"paysim"})");

  Decision released = held();
  released.type = DecisionType::kReleased;
  EXPECT_EQ(decision_json(released),
            R"({"seq":7,"type":"released","at":1000,"event":"evt_small","seats":[3,4]})");

  Decision cleared = released;
  cleared.type = DecisionType::kWaitlistCleared;
  cleared.position = 3;
  EXPECT_EQ(decision_json(cleared), R"({"seq":7,"type":"waitlist_cleared","at":1000,)"
                                    R"("event":"evt_small","seats":[3,4],"position":3})");

  Decision refund = booked;
  refund.type = DecisionType::kRefundRequired;
  refund.code = Errc::kHoldExpired;
  refund.payment_id = "";
  EXPECT_EQ(decision_json(refund),
            R"({"seq":7,"type":"refund_required","at":1000,"event":"evt_small","user":"u1",)"
            R"("rid":"evt_small.10000000a","amount":2000,"provider":"paysim",)"
            R"("code":"hold_expired"})");
}

TEST(DecisionJsonTest, EscapesStringsAndKeepsLargeNumbersExact) {
  Decision d = held();
  d.seq = 9007199254740993ULL;  // past 2^53: exact as written, not as a double would hold it
  d.at_ms = -1;
  d.amount_cents = 16000000000;
  d.user_id = "u\"1\\\n\x01/";
  EXPECT_EQ(decision_json(d),
            R"({"seq":9007199254740993,"type":"held","at":-1,"event":"evt_small",)"
            R"("user":"u\"1\\\n\u0001/","rid":"evt_small.10000000a","seats":[3,4],)"
            R"("expires_at":61000,"amount":16000000000})");
  DecisionLog log;
  ASSERT_TRUE(parse_decision_json(decision_json(d), log));
  EXPECT_EQ(log.decisions.at(0), d);
}

// Before the projector built the JSON, apply.lua wrote "code" ahead of "user"; read models kept
// in a data directory still hold such documents.
TEST(DecisionJsonTest, ReadsTheOlderScriptWrittenOrder) {
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

TEST(DecisionJsonTest, LinesAreOneDecisionEach) {
  Decision escaped = seat_taken();
  escaped.user_id = "u\n2";  // a line break inside a string is escaped: still one line
  const std::string lines = decision_json(held()) + "\n" + decision_json(escaped);
  auto log = parse_decision_lines(lines);
  ASSERT_TRUE(log) << log.error();
  ASSERT_EQ(log->decisions.size(), 2u);
  EXPECT_EQ(log->decisions[0], held());
  EXPECT_EQ(log->decisions[1], escaped);
  auto one = parse_decision_lines(decision_json(held()));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->decisions.size(), 1u);
  for (const std::string& bad : {std::string(), lines + "\n", "\n" + lines,
                                 decision_json(held()) + "\n\n" + decision_json(held())}) {
    EXPECT_FALSE(parse_decision_lines(bad)) << bad;
  }
}

}  // namespace
}  // namespace boxoffice::booking
