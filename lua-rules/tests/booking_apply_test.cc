// lua-rules/booking/apply.lua against a real redis-server: every decision type, idempotence,
// the seat map bytes, waitlist positions, request and audit lists, stream ids, pub/sub, and
// bad input that changes nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lua-rules/tests/apply_fixture.h"

namespace boxoffice::lua::testing {
namespace {

using namespace std::string_literals;

TEST_F(ApplyTest, HeldMarksSeatsAndCreatesTheReservation) {
  D held = hold(1, "held", "u1", "evt.100000000", "2,5");
  held.request = "00010000000000aa";
  EXPECT_EQ(apply({held}, "3"), "(integer) 1");

  EXPECT_EQ(get({"GET", "bx:seats:evt"}), "\0\0h\0\0h"s);
  EXPECT_EQ(run({"HGETALL", "bx:res:evt.100000000"}),
            R"(["event", "evt", "user", "u1", "seats", "2,5", "kind", "reserve", "status", )"
            R"("held", "expires_at", "61000", "amount", "2500", "created_at", "1000", )"
            R"("updated_at", "1000"])");
  EXPECT_EQ(run({"SMEMBERS", "bx:user:u1:reservations"}), R"(["evt.100000000"])");
  EXPECT_EQ(get({"GET", "bx:applied:3"}), "1");

  const std::string json = json_of(held);
  EXPECT_EQ(get({"HGET", "bx:reqs:00010000000000", "aa"}), json);
  EXPECT_GT(integer({"TTL", "bx:reqs:00010000000000"}), 3500);
  EXPECT_EQ(get({"LINDEX", "bx:audit:evt:2", "0"}), json);
  EXPECT_EQ(get({"LINDEX", "bx:audit:evt:5", "0"}), json);
  EXPECT_EQ(integer({"EXISTS", "bx:audit:evt:3"}), 0);
  EXPECT_EQ(run({"XRANGE", "bx:stream:evt", "-", "+"}), R"([["1-1", ["d", ")" + json + "\"]]]");
}

TEST_F(ApplyTest, AnUnknownRequestLeavesNoRequestList) {
  EXPECT_EQ(apply({hold(1, "held", "u1", "evt.1", "0")}), "(integer) 1");
  EXPECT_EQ(sorted_keys("bx:req*"), "");
}

TEST_F(ApplyTest, PaymentThenBookingSellsTheSeats) {
  D pending = decision(2, "payment_pending");
  pending.user = "u1";
  pending.rid = "evt.100000000";
  pending.expires_at = "301000";
  pending.at = "2000";
  D booked = hold(3, "booked", "u1", "evt.100000000", "2,5");
  booked.payment_id = "pi_1";
  booked.provider = "stripe";
  booked.at = "3000";
  EXPECT_EQ(apply({hold(1, "held", "u1", "evt.100000000", "2,5"), pending}), "(integer) 2");
  EXPECT_EQ(get({"HGET", "bx:res:evt.100000000", "status"}), "payment_pending");
  EXPECT_EQ(get({"HGET", "bx:res:evt.100000000", "expires_at"}), "301000");
  EXPECT_EQ(apply({booked}), "(integer) 1");

  EXPECT_EQ(get({"GET", "bx:seats:evt"}), "\0\0b\0\0b"s);
  EXPECT_EQ(run({"HMGET", "bx:res:evt.100000000", "status", "payment_id", "provider", "booked_at",
                 "amount", "kind"}),
            R"(["booked", "pi_1", "stripe", "3000", "2500", "reserve"])");
  EXPECT_EQ(run({"ZRANGE", "bx:user:u1:bookings", "0", "-1", "WITHSCORES"}),
            R"(["evt.100000000", "3000"])");
  EXPECT_EQ(get({"LINDEX", "bx:audit:evt:5", "-1"}), json_of(booked));

  // The same payment confirmed again: the same booking, booked_at unchanged.
  booked.seq = "4";
  booked.at = "9000";
  EXPECT_EQ(apply({booked}), "(integer) 1");
  EXPECT_EQ(get({"HGET", "bx:res:evt.100000000", "booked_at"}), "3000");
  EXPECT_EQ(run({"ZSCORE", "bx:user:u1:bookings", "evt.100000000"}), "\"3000\"");
}

TEST_F(ApplyTest, EndedHoldsChangeStatusAndReleasedFreesTheSeats) {
  EXPECT_EQ(apply({hold(1, "held", "u1", "evt.100000000", "1"),
                   hold(2, "held", "u2", "evt.200000001", "4")}),
            "(integer) 2");
  D cancelled = on_seats(3, "cancelled", "u1", "1");
  cancelled.rid = "evt.100000000";
  cancelled.at = "5000";
  D expired = on_seats(5, "expired", "u2", "4");
  expired.rid = "evt.200000001";
  EXPECT_EQ(apply({cancelled}), "(integer) 1");
  EXPECT_EQ(get({"GET", "bx:seats:evt"}), "\0h\0\0h"s) << "seats change with released only";
  EXPECT_EQ(apply({on_seats(4, "released", "", "1"), expired, on_seats(6, "released", "", "4")}),
            "(integer) 3");
  EXPECT_EQ(get({"GET", "bx:seats:evt"}), "\0\0\0\0\0"s);
  EXPECT_EQ(run({"HMGET", "bx:res:evt.100000000", "status", "updated_at"}),
            R"(["cancelled", "5000"])");
  EXPECT_EQ(get({"HGET", "bx:res:evt.200000001", "status"}), "expired");
  EXPECT_GT(integer({"TTL", "bx:res:evt.200000001"}), 0) << "ended holds expire";
  EXPECT_EQ(run({"SMEMBERS", "bx:user:u1:reservations"}), R"(["evt.100000000"])");
  EXPECT_EQ(integer({"LLEN", "bx:audit:evt:1"}), 3) << "held, cancelled, released";
  EXPECT_EQ(get({"LINDEX", "bx:audit:evt:1", "2"}), json_of(on_seats(4, "released", "", "1")));
}

TEST_F(ApplyTest, WaitlistPositionsFollowTheListAndOffersTakeTheHead) {
  D first = on_seats(2, "waitlisted", "u2", "7");
  first.position = "1";
  D second = on_seats(3, "waitlisted", "u3", "7");
  second.position = "2";
  D third = on_seats(4, "waitlisted", "u4", "7");
  third.position = "3";
  D again = second;  // joining again answers the same position
  again.seq = "5";
  EXPECT_EQ(apply({hold(1, "held", "u1", "evt.100000000", "7"), first, second, third, again}),
            "(integer) 5");
  EXPECT_EQ(run({"LRANGE", "bx:wl:evt:7", "0", "-1"}), R"(["u2", "u3", "u4"])");
  EXPECT_EQ(run({"LPOS", "bx:wl:evt:7", "u3"}), "(integer) 1") << "position 2";

  EXPECT_EQ(apply({on_seats(6, "waitlist_left", "u3", "7")}), "(integer) 1");
  EXPECT_EQ(run({"LRANGE", "bx:wl:evt:7", "0", "-1"}), R"(["u2", "u4"])");

  // u1's hold expires: the seat goes to u2 as an offer.
  D expired = on_seats(7, "expired", "u1", "7");
  expired.rid = "evt.100000000";
  D offered = hold(8, "offered", "u2", "evt.200000000", "7");
  EXPECT_EQ(apply({expired, offered}), "(integer) 2");
  EXPECT_EQ(run({"LRANGE", "bx:wl:evt:7", "0", "-1"}), R"(["u4"])");
  EXPECT_EQ(get({"GET", "bx:seats:evt"}), "\0\0\0\0\0\0\0h"s);
  EXPECT_EQ(run({"HMGET", "bx:res:evt.200000000", "kind", "status", "user"}),
            R"(["offer", "held", "u2"])");
  EXPECT_EQ(run({"SMEMBERS", "bx:user:u2:reservations"}), R"(["evt.200000000"])");
  EXPECT_EQ(get({"LINDEX", "bx:audit:evt:7", "2"}), json_of(second));

  // Sold: the waitlist ends.
  D cleared = on_seats(9, "waitlist_cleared", "", "7");
  cleared.position = "1";
  EXPECT_EQ(apply({cleared}), "(integer) 1");
  EXPECT_EQ(integer({"EXISTS", "bx:wl:evt:7"}), 0);
  EXPECT_EQ(get({"LINDEX", "bx:audit:evt:7", "-1"}), json_of(cleared));
}

TEST_F(ApplyTest, RejectionsOnlyAnswerTheRequest) {
  D rejected = on_seats(1, "rejected", "u1", "3");
  rejected.code = "seat_taken";
  rejected.request = "0001000000000001";
  D no_seat = decision(2, "rejected");
  no_seat.code = "unknown_reservation";
  no_seat.user = "u1";
  no_seat.rid = "evt.7";
  no_seat.request = "0001000000000001";
  EXPECT_EQ(apply({rejected, no_seat}), "(integer) 2");
  EXPECT_EQ(get({"HGET", "bx:reqs:00010000000000", "01"}),
            json_of(rejected) + "\n" + json_of(no_seat));
  EXPECT_EQ(sorted_keys(), "bx:applied:0 bx:reqs:00010000000000")
      << "no seat map, audit, stream or waitlist";
}

TEST_F(ApplyTest, ARequestsLaterDecisionsAreAppendedToItsAnswer) {
  D first = on_seats(1, "rejected", "u1", "3");
  first.code = "seat_taken";
  first.request = "0001000000000002";
  EXPECT_EQ(apply({first}), "(integer) 1");
  ASSERT_EQ(integer({"EXPIRE", "bx:reqs:00010000000000", "10"}), 1);
  D second = on_seats(2, "rejected", "u1", "4");
  second.code = "seat_taken";
  second.request = "0001000000000002";
  EXPECT_EQ(apply({second}), "(integer) 1");
  EXPECT_EQ(get({"HGET", "bx:reqs:00010000000000", "02"}), json_of(first) + "\n" + json_of(second));
  EXPECT_GT(integer({"TTL", "bx:reqs:00010000000000"}), 3500) << "an hour after the last";
}

TEST_F(ApplyTest, RequestsShareAnAnswerHashPer256Keys) {
  D a = on_seats(1, "rejected", "u1", "3");
  a.code = "seat_taken";
  a.request = "00010000000001ff";
  D b = on_seats(2, "rejected", "u2", "3");
  b.code = "seat_taken";
  b.request = "0001000000000200";
  D c = on_seats(3, "rejected", "u3", "3");
  c.code = "seat_taken";
  c.request = "00020000000001fe";  // another API instance
  EXPECT_EQ(apply({a, b, c}), "(integer) 3");
  EXPECT_EQ(sorted_keys("bx:req*"),
            "bx:reqs:00010000000001 bx:reqs:00010000000002 bx:reqs:00020000000001");
  EXPECT_EQ(get({"HGET", "bx:reqs:00010000000001", "ff"}), json_of(a));
  EXPECT_EQ(get({"HGET", "bx:reqs:00010000000002", "00"}), json_of(b));
  EXPECT_EQ(get({"HGET", "bx:reqs:00020000000001", "fe"}), json_of(c));
  EXPECT_GT(integer({"TTL", "bx:reqs:00010000000002"}), 3500);

  D d = on_seats(4, "rejected", "u4", "3");
  d.code = "seat_taken";
  d.request = "00010000000001fe";
  ASSERT_EQ(integer({"EXPIRE", "bx:reqs:00010000000001", "10"}), 1);
  EXPECT_EQ(apply({d}), "(integer) 1");
  EXPECT_EQ(integer({"HLEN", "bx:reqs:00010000000001"}), 2);
  EXPECT_GT(integer({"TTL", "bx:reqs:00010000000001"}), 3500) << "an hour after its last write";
}

TEST_F(ApplyTest, AWaitingUserSkippedForTheirLimitLeavesTheList) {
  D w1 = on_seats(1, "waitlisted", "u2", "4");
  D w2 = on_seats(2, "waitlisted", "u3", "4");
  D skipped = on_seats(3, "rejected", "u2", "4");
  skipped.code = "limit_exceeded";
  D offered = hold(4, "offered", "u3", "evt.300000000", "4");
  EXPECT_EQ(apply({w1, w2, skipped, offered}), "(integer) 4");
  EXPECT_EQ(integer({"EXISTS", "bx:wl:evt:4"}), 0);
  EXPECT_EQ(get({"HGET", "bx:res:evt.300000000", "user"}), "u3");

  // A reserve over the limit names no seat and touches no waitlist.
  D w3 = on_seats(5, "waitlisted", "u2", "4");
  D reserve_rejected = decision(6, "rejected");
  reserve_rejected.code = "limit_exceeded";
  reserve_rejected.user = "u2";
  EXPECT_EQ(apply({w3, reserve_rejected}), "(integer) 2");
  EXPECT_EQ(run({"LRANGE", "bx:wl:evt:4", "0", "-1"}), R"(["u2"])");
}

TEST_F(ApplyTest, RefundsAreOwedByPayment) {
  D refund = decision(1, "refund_required");
  refund.code = "hold_expired";
  refund.rid = "evt.100000000";
  refund.user = "u1";
  refund.amount = "2500";
  refund.payment_id = "pi_\"9";
  refund.provider = "stripe";
  EXPECT_EQ(apply({refund}), "(integer) 1");
  EXPECT_EQ(get({"HGET", "bx:refunds", "stripe:pi_\"9"}),
            R"({"payment_id":"pi_\"9","provider":"stripe","amount":2500,)"
            R"("reservation_id":"evt.100000000","user":"u1","reason":"hold_expired","seq":1})");
  EXPECT_EQ(integer({"EXISTS", "bx:stream:evt"}), 0) << "refunds are not fan deltas";
}

TEST_F(ApplyTest, TheSameBatchTwiceChangesNothing) {
  D pending = decision(4, "payment_pending");
  pending.user = "u1";
  pending.rid = "evt.100000000";
  pending.request = "00000000000000ff";
  D left = on_seats(5, "waitlist_left", "u2", "3");
  const std::vector<D> batch = {hold(1, "held", "u1", "evt.100000000", "3"),
                                on_seats(2, "waitlisted", "u2", "3"),
                                on_seats(3, "waitlisted", "u3", "3"), pending, left};
  EXPECT_EQ(apply(batch, "1"), "(integer) 5");
  const std::string before = dump_all();
  EXPECT_EQ(apply(batch, "1"), "(integer) 0");
  EXPECT_EQ(dump_all(), before);

  // An older decision arriving late is skipped; the newer ones around it apply.
  D late = on_seats(2, "waitlist_left", "u3", "3");
  const std::string json_count = run({"LLEN", "bx:audit:evt:3"});
  EXPECT_EQ(apply({late}, "1"), "(integer) 0");
  EXPECT_EQ(run({"LRANGE", "bx:wl:evt:3", "0", "-1"}), R"(["u3"])");
  EXPECT_EQ(run({"LLEN", "bx:audit:evt:3"}), json_count);
  EXPECT_EQ(
      apply({on_seats(5, "waitlisted", "u9", "3"), on_seats(6, "waitlisted", "u4", "3")}, "1"),
      "(integer) 1");
  EXPECT_EQ(run({"LRANGE", "bx:wl:evt:3", "0", "-1"}), R"(["u3", "u4"])");
  EXPECT_EQ(get({"GET", "bx:applied:1"}), "6");
  EXPECT_EQ(integer({"EXISTS", "bx:applied:0"}), 0) << "partitions count separately";
}

TEST_F(ApplyTest, StreamEntriesAreNamedBySeq) {
  EXPECT_EQ(apply({hold(7, "held", "u1", "evt.1", "1"), on_seats(9, "released", "", "1"),
                   on_seats(12, "waitlisted", "u2", "2")}),
            "(integer) 3");
  auto range = client_->command({"XRANGE", "bx:stream:evt", "-", "+"});
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 3u);
  EXPECT_EQ((*range)[0][0].str(), "7-1");
  EXPECT_EQ((*range)[1][0].str(), "9-1");
  EXPECT_EQ((*range)[2][0].str(), "12-1");
  // Resuming after Last-Event-ID 9-1.
  EXPECT_EQ(integer({"XLEN", "bx:stream:evt"}), 3);
  auto after = client_->command({"XRANGE", "bx:stream:evt", "(9-1", "+"});
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0][0].str(), "12-1");

  // A stream that outlived bx:applied (say, after a reset of that key) keeps its entries.
  ASSERT_EQ(run({"DEL", "bx:applied:0"}), "(integer) 1");
  EXPECT_EQ(apply({on_seats(9, "released", "", "1"), on_seats(13, "released", "", "2")}),
            "(integer) 2");
  EXPECT_EQ(integer({"XLEN", "bx:stream:evt"}), 4);
}

TEST_F(ApplyTest, DeltasArePublishedOncePerEventAndCall) {
  auto subscriber = connect();
  ASSERT_NE(subscriber, nullptr);
  auto subscribed = subscriber->command({"PSUBSCRIBE", "bx:deltas:*"});
  ASSERT_TRUE(subscribed) << subscribed.error();
  D rejected = on_seats(2, "rejected", "u2", "1");
  rejected.code = "seat_taken";
  D other = on_seats(4, "released", "", "1");
  other.event = "evt2";
  EXPECT_EQ(apply({hold(1, "held", "u1", "evt.1", "1"), rejected, on_seats(3, "released", "", "1"),
                   other}),
            "(integer) 4");

  auto next_message = [&]() -> std::pair<std::string, std::string> {
    auto message = subscriber->get_reply();
    if (!message) return {"", message.error()};
    if (message->size() != 4) return {"", message->describe()};
    EXPECT_EQ((*message)[0].str(), "pmessage");
    return {std::string((*message)[2].str()), std::string((*message)[3].str())};
  };
  auto stream = client_->command({"XRANGE", "bx:stream:evt", "-", "+"});
  ASSERT_TRUE(stream);
  ASSERT_EQ(stream->size(), 2u) << "the rejection is no delta";
  const std::string deltas =
      std::string((*stream)[0][1][1].str()) + "\n" + std::string((*stream)[1][1][1].str());
  EXPECT_EQ(next_message(), std::make_pair(std::string("bx:deltas:evt"), deltas));
  EXPECT_EQ(next_message(), std::make_pair(std::string("bx:deltas:evt2"), json_of(other)));

  // Applying the same decisions again publishes nothing: the next message is a later one.
  EXPECT_EQ(apply({on_seats(3, "released", "", "1"), on_seats(5, "released", "", "2")}),
            "(integer) 1");
  EXPECT_EQ(next_message(), std::make_pair(std::string("bx:deltas:evt"),
                                           json_of(on_seats(5, "released", "", "2"))));
}

TEST_F(ApplyTest, TheJsonIsStoredAsGiven) {
  D held = hold(1, "held", "u\"1\\\n\x01", "evt.1", "1");
  held.event = "e/1";
  held.request = "0000000000000001";
  held.json = R"({"seq":1,"type":"held","at":1000,"event":"e/1","user":"u\"1\\\n\u0001",)"
              R"("rid":"evt.1","seats":[1],"expires_at":61000,"amount":2500})";
  EXPECT_EQ(apply({held}), "(integer) 1");
  EXPECT_EQ(get({"LINDEX", "bx:audit:e/1:1", "0"}), held.json);
  EXPECT_EQ(get({"HGET", "bx:reqs:00000000000000", "01"}), held.json);
  EXPECT_EQ(get({"HGET", "bx:res:evt.1", "user"}), "u\"1\\\n\x01");
}

TEST_F(ApplyTest, LargeNumbersStayExact) {
  D held = hold(1, "held", "u1", "evt.1", "16777215");
  held.seq = "9007199254740991";  // 2^53 - 1: the largest seq a Lua number holds exactly
  held.at = "-1";
  held.expires_at = "1800000000000123";
  held.amount = "16000000000";
  EXPECT_EQ(apply({held}), "(integer) 1");
  EXPECT_EQ(integer({"STRLEN", "bx:seats:evt"}), 16777216);
  EXPECT_EQ(run({"HMGET", "bx:res:evt.1", "created_at", "expires_at", "amount"}),
            R"(["-1", "1800000000000123", "16000000000"])");
  EXPECT_EQ(run({"XRANGE", "bx:stream:evt", "-", "+"}),
            R"([["9007199254740991-1", ["d", ")" + json_of(held) + "\"]]]");
  EXPECT_EQ(get({"GET", "bx:applied:0"}), "9007199254740991");
}

TEST_F(ApplyTest, BadInputIsAnErrorAndChangesNothing) {
  const D good = hold(1, "held", "u1", "evt.1", "1");
  auto expect_error = [&](const std::vector<std::string>& args, std::string_view what) {
    const redis::Reply reply = call("booking/apply.lua", {}, args);
    EXPECT_TRUE(reply.is_error()) << what << ": " << reply.describe();
    EXPECT_NE(reply.str().find(what), std::string_view::npos) << reply.describe();
    EXPECT_EQ(run({"DBSIZE"}), "(integer) 0") << what;
  };
  auto with = [&](auto change) {
    D second = hold(2, "held", "u2", "evt.2", "2");
    change(second);
    return fields({good, second}, "0", "0");
  };
  expect_error({}, "ARGV[1]");
  expect_error({"p", "0"}, "ARGV[1]");
  expect_error({"0", "-1"}, "ARGV[1]");
  std::vector<std::string> short_by_one = fields({good}, "0", "0");
  short_by_one.pop_back();
  expect_error(short_by_one, "not a multiple of 15");
  expect_error(with([](D& d) { d.seq = "0"; }), "seq must be");
  expect_error(with([](D& d) { d.seq = "1"; }), "increase");
  expect_error(with([](D& d) { d.seq = "x"; }), "seq must be");
  // The reply says which decision of the call is wrong, and why.
  expect_error(with([](D& d) { d.type = "sold"; }),
               "apply.lua: decision 2 (seq 2): unknown type \"sold\"");
  expect_error(with([](D& d) { d.at = "1.5"; }), "decimal integers");
  expect_error(with([](D& d) { d.amount = "007"; }), "decimal integers");
  expect_error(with([](D& d) { d.position = "-1"; }), "position");
  expect_error(with([](D& d) { d.seats = "1,,2"; }), "seats");
  expect_error(with([](D& d) { d.seats = "1,-2"; }), "seats");
  expect_error(with([](D& d) { d.seats = "1,"; }), "seats");
  expect_error(with([](D& d) { d.seats = ",1"; }), "seats");
  expect_error(with([](D& d) { d.seats = "1,02"; }), "seats");
  expect_error(with([](D& d) { d.seats = "16777216"; }), "at most 16777215");
  expect_error(with([](D& d) { d.seats = ""; }), "held needs seats");
  expect_error(with([](D& d) { d.rid = ""; }), "held needs rid");
  expect_error(with([](D& d) { d.event = ""; }), "held needs event");
  expect_error(with([](D& d) { d.request = "123"; }), "16 hex digits");
  expect_error(with([](D& d) { d.request = "000000000000000g"; }), "16 hex digits");
  // A JSON out of step with its fields: another decision's, or cut short.
  expect_error(with([](D& d) { d.json = R"({"seq":1,"type":"held","at":1000,"event":"evt"})"; }),
               R"(json must be this decision's JSON, starting with {"seq":2,"type":"held")");
  expect_error(with([](D& d) { d.json = R"({"seq":2,"type":"booked","at":1000})"; }),
               "json must be");
  expect_error(with([](D& d) { d.json = R"({"seq":2,"type":"held","at":1000,)"; }), "json must be");
  expect_error(with([](D& d) { d.json = R"({"seq":20,"type":"held"})"; }), "json must be");
  expect_error(with([](D& d) { d.json = R"( {"seq":2,"type":"held"})"; }), "json must be");
  expect_error(with([](D& d) { d.json = R"({"seq":2,"type":"held"} )"; }), "json must be");
  // A line break would split the decision in its request's answer and in the deltas.
  expect_error(with([](D& d) { d.json = "{\"seq\":2,\"type\":\"held\",\n\"at\":1000}"; }),
               "json must be one line");
}

TEST_F(ApplyTest, ACallWhoseRequiredSeqIsNotAppliedChangesNothing) {
  EXPECT_EQ(apply({hold(3, "held", "u1", "evt.1", "1")}, "0", "2"),
            "(error) BXORDER apply.lua: partition 0 has applied seq 0, this call needs 2 first");
  EXPECT_EQ(run({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(apply({hold(1, "held", "u1", "evt.1", "1"), hold(2, "held", "u2", "evt.2", "2")}),
            "(integer) 2");
  EXPECT_EQ(apply({hold(3, "held", "u3", "evt.3", "3")}, "0", "2"), "(integer) 1");
}

TEST_F(ApplyTest, AFailureHalfWayKeepsWhatCompletedAndARetryContinues) {
  // A key of the wrong type makes the second decision's SADD fail after its first writes.
  ASSERT_EQ(run({"SET", "bx:user:u2:reservations", "not a set"}), "OK");
  D first = hold(1, "held", "u1", "evt.1", "1");
  first.request = "0000000000000001";
  const std::vector<D> batch = {first, hold(2, "held", "u2", "evt.2", "2"),
                                hold(3, "held", "u3", "evt.3", "3")};
  EXPECT_EQ(apply(batch).rfind("(error) WRONGTYPE Operation against a key", 0), 0u);
  EXPECT_EQ(get({"GET", "bx:applied:0"}), "1");
  EXPECT_GT(integer({"TTL", "bx:reqs:00000000000000"}), 3500) << "written before the failure";
  EXPECT_EQ(integer({"EXISTS", "bx:res:evt.3"}), 0);

  ASSERT_EQ(run({"DEL", "bx:user:u2:reservations"}), "(integer) 1");
  EXPECT_EQ(apply(batch), "(integer) 2");
  EXPECT_EQ(get({"GET", "bx:applied:0"}), "3");
  EXPECT_EQ(get({"HGET", "bx:reqs:00000000000000", "01"}), json_of(first))
      << "the first is not applied twice";
  EXPECT_EQ(integer({"XLEN", "bx:stream:evt"}), 3);
  EXPECT_EQ(get({"GET", "bx:seats:evt"}), "\0hhh"s);
}

}  // namespace
}  // namespace boxoffice::lua::testing
