// Unit tests of every transition and every rejection code of the booking core.
#include <gmock/gmock.h>

#include "booking/core/tests/core_fixture.h"

namespace boxoffice::booking::testing {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kHoldMs = 60'000;
constexpr int64_t kOfferMs = 120'000;
constexpr int64_t kPaymentHoldMs = 300'000;

// ---- Reserve ---------------------------------------------------------------------------------

TEST_F(CoreTest, ReserveHoldsSeatsAllOrNothing) {
  const Decision d = run_one(reserve("alice", {"A-1-1", "A-1-2"}), DecisionType::kHeld);
  EXPECT_EQ(d.user_id, "alice");
  EXPECT_EQ(d.event_id, "evt_small");
  EXPECT_EQ(d.seats.count, 2);
  EXPECT_EQ(d.expires_at_ms, now_ms_ + kHoldMs);
  EXPECT_EQ(d.amount_cents, 2000);
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-1")), SeatStatus::kHeld);
  EXPECT_EQ(partition_.tickets_of("evt_small", "alice"), 2u);

  // One taken seat fails the whole request and holds none of the others.
  EXPECT_EQ(rejection(reserve("bob", {"A-1-3", "A-1-2"})), Errc::kSeatTaken);
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-3")), SeatStatus::kAvailable);
  EXPECT_EQ(partition_.tickets_of("evt_small", "bob"), 0u);
}

TEST_F(CoreTest, SeatTakenNamesTheSeat) {
  hold("alice", {"A-1-2"});
  const auto out = run(reserve("bob", {"A-1-1", "A-1-2"}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].code, Errc::kSeatTaken);
  EXPECT_EQ(out[0].seats.span()[0], seat("A-1-2"));
}

TEST_F(CoreTest, ReserveRejections) {
  Command unknown_event = reserve("alice", {"A-1-1"});
  unknown_event.event_id = "evt_nope";
  EXPECT_EQ(rejection(unknown_event), Errc::kUnknownEvent);

  Command unknown_seat = reserve("alice", {"A-1-1"});
  unknown_seat.seats.items[0] = static_cast<SeatIndex>(event_.seats.size());
  EXPECT_EQ(rejection(unknown_seat), Errc::kUnknownSeat);

  EXPECT_EQ(rejection(reserve("alice", {"A-1-1", "A-1-1"})), Errc::kDuplicateSeat);
  EXPECT_EQ(rejection(reserve("alice", {"A-1-1", "A-1-2", "A-1-3", "A-1-4", "A-2-1"})),
            Errc::kTooManySeats);
  EXPECT_EQ(rejection(reserve("", {"A-1-1"})), Errc::kBadCommand);
  EXPECT_EQ(rejection(make(CommandType::kReserve, "alice")), Errc::kBadCommand);  // no seats

  now_ms_ = kOnSaleMs - 1;
  EXPECT_EQ(rejection(reserve("alice", {"A-1-1"})), Errc::kNotOnSale);
  // Section B is a later wave: on sale one hour after A.
  now_ms_ = kOnSaleMs;
  EXPECT_EQ(run_one(reserve("alice", {"A-1-1"}), DecisionType::kHeld).seats.count, 1);
  EXPECT_EQ(rejection(reserve("alice", {"B-1-1"})), Errc::kNotOnSale);
  now_ms_ = kOnSaleMs + kHourMs;
  hold("alice", {"B-1-1"});
  EXPECT_TRUE(std::none_of(partition_.reservations("evt_small").begin(),
                           partition_.reservations("evt_small").end(),
                           [](const ReservationView& r) { return r.user_id.empty(); }));
}

TEST_F(CoreTest, LimitCountsHoldsAndBookings) {
  const ReservationId r = hold("alice", {"A-1-1", "A-1-2"});
  run_one(confirm("alice", r, "pay_1", 2000), DecisionType::kBooked);
  hold("alice", {"A-1-3"});
  EXPECT_EQ(rejection(reserve("alice", {"A-2-1", "A-2-2"})), Errc::kLimitExceeded);
  hold("alice", {"A-2-1"});
  EXPECT_EQ(partition_.tickets_of("evt_small", "alice"), 4u);
  EXPECT_EQ(rejection(best("alice", 1)), Errc::kLimitExceeded);
}

TEST_F(CoreTest, RejectionsChangeNothingButTheSequence) {
  hold("alice", {"A-1-1"});
  const std::string before = partition_.snapshot();
  const uint64_t seq = partition_.last_seq();
  rejection(reserve("bob", {"A-1-1"}));
  rejection(reserve("bob", {"A-1-1", "A-1-1"}));
  rejection(on_reservation(CommandType::kCancel, "bob", 12345));
  EXPECT_EQ(partition_.last_seq(), seq + 3);
  Partition fresh = std::move(Partition::restore(catalog_, before).value());
  std::vector<Decision> ignored;
  // Same state: the snapshots differ only in the sequence counter.
  for (int i = 0; i < 3; ++i) {
    Command noop = make(CommandType::kReserve, "zed");
    noop.event_id = "evt_nope";
    fresh.apply(noop, ignored);
  }
  EXPECT_EQ(fresh.snapshot(), partition_.snapshot());
}

// ---- ReserveBest -----------------------------------------------------------------------------

TEST_F(CoreTest, ReserveBestPrefersAdjacentSeatsInTheBestSection) {
  hold("x", {"A-1-2"});
  // Row 1 of A has 1, 3, 4 free: no run of three; row 2 has one.
  const Decision d = run_one(best("alice", 3), DecisionType::kHeld);
  EXPECT_THAT(std::vector<SeatIndex>(d.seats.span().begin(), d.seats.span().end()),
              ElementsAre(seat("A-2-1"), seat("A-2-2"), seat("A-2-3")));
}

TEST_F(CoreTest, ReserveBestSkipsGapsInSeatNumbers) {
  // B-1 has seats 1-2 and 5-8: 2 and 5 are not adjacent.
  const Decision d = run_one(best("alice", 3, /*section=*/1), DecisionType::kHeld);
  EXPECT_THAT(std::vector<SeatIndex>(d.seats.span().begin(), d.seats.span().end()),
              ElementsAre(seat("B-1-5"), seat("B-1-6"), seat("B-1-7")));
}

TEST_F(CoreTest, ReserveBestFallsBackToScatteredSeats) {
  hold("x", {"A-1-2"});
  hold("y", {"A-2-2"});
  hold("z", {"B-1-2", "B-1-6"});
  hold("w", {"B-1-8"});
  // No three adjacent anywhere: the first three free seats, best first.
  const Decision d = run_one(best("alice", 3), DecisionType::kHeld);
  EXPECT_THAT(std::vector<SeatIndex>(d.seats.span().begin(), d.seats.span().end()),
              ElementsAre(seat("A-1-1"), seat("A-1-3"), seat("A-1-4")));
}

TEST_F(CoreTest, ReserveBestHonoursPriceRangeAndWaves) {
  const Decision cheap = run_one(best("alice", 2, kAnySection, 0, 600), DecisionType::kHeld);
  EXPECT_EQ(cheap.seats.items[0], seat("B-1-1"));
  EXPECT_EQ(cheap.amount_cents, 1000);
  now_ms_ = kOnSaleMs;  // section B not yet open
  EXPECT_EQ(rejection(best("bob", 1, kAnySection, 0, 600)), Errc::kNoSeatsAvailable);
  now_ms_ = kOnSaleMs - 1;
  EXPECT_EQ(rejection(best("bob", 1)), Errc::kNotOnSale);
}

TEST_F(CoreTest, ReserveBestRejections) {
  EXPECT_EQ(rejection(best("alice", 0)), Errc::kBadCommand);
  EXPECT_EQ(rejection(best("alice", 5)), Errc::kTooManySeats);
  EXPECT_EQ(rejection(best("alice", 1, 7)), Errc::kUnknownSeat);
  for (const char* u : {"a", "b", "c"}) run_one(best(u, 4), DecisionType::kHeld);
  run_one(best("d", 2), DecisionType::kHeld);  // all 14 seats held
  EXPECT_EQ(rejection(best("e", 1)), Errc::kNoSeatsAvailable);
}

// ---- PaymentStarted --------------------------------------------------------------------------

TEST_F(CoreTest, PaymentStartedFreezesTheHoldOnce) {
  const ReservationId r = hold("alice", {"A-1-1"});
  now_ms_ += 10'000;
  const Decision d = run_one(on_reservation(CommandType::kPaymentStarted, "alice", r),
                             DecisionType::kPaymentPending);
  EXPECT_EQ(d.expires_at_ms, now_ms_ + kPaymentHoldMs);
  now_ms_ += 10'000;
  EXPECT_EQ(run_one(on_reservation(CommandType::kPaymentStarted, "alice", r),
                    DecisionType::kPaymentPending)
                .expires_at_ms,
            d.expires_at_ms);
  // The original deadline passes; the frozen hold survives an early timer.
  now_ms_ += kHoldMs;
  EXPECT_EQ(rejection(on_reservation(CommandType::kExpire, "", r)), Errc::kNotDue);
  EXPECT_TRUE(partition_.reservation("evt_small", r)->payment_started);
}

TEST_F(CoreTest, PaymentStartedRejections) {
  const ReservationId r = hold("alice", {"A-1-1"});
  EXPECT_EQ(rejection(on_reservation(CommandType::kPaymentStarted, "bob", r)), Errc::kNotHolder);
  EXPECT_EQ(rejection(on_reservation(CommandType::kPaymentStarted, "alice", r + (1ULL << 40))),
            Errc::kUnknownReservation);
  run_one(confirm("alice", r, "pay_1", 1000), DecisionType::kBooked);
  EXPECT_EQ(rejection(on_reservation(CommandType::kPaymentStarted, "alice", r)),
            Errc::kAlreadyBooked);
  const ReservationId late = hold("bob", {"A-1-2"});
  now_ms_ += kHoldMs;
  auto out = run(on_reservation(CommandType::kPaymentStarted, "bob", late));
  EXPECT_THAT(types(out), ElementsAre("expired", "released", "rejected"));
  EXPECT_EQ(out.back().code, Errc::kHoldExpired);
}

// ---- Confirm ---------------------------------------------------------------------------------

TEST_F(CoreTest, ConfirmBooksAndADuplicateChangesNothing) {
  const ReservationId r = hold("alice", {"A-1-1", "A-1-2"});
  const Decision booked = run_one(confirm("alice", r, "pay_1", 2000), DecisionType::kBooked);
  EXPECT_EQ(booked.reservation_id, r);
  EXPECT_EQ(booked.payment_id, "pay_1");
  EXPECT_EQ(booked.provider, "stripe");
  EXPECT_EQ(booked.amount_cents, 2000);
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-2")), SeatStatus::kBooked);

  const std::string state = partition_.snapshot();
  Decision again = run_one(confirm("alice", r, "pay_1", 2000), DecisionType::kBooked);
  EXPECT_EQ(again.seq, booked.seq + 1);
  again.seq = booked.seq;
  again.at_ms = booked.at_ms;
  EXPECT_EQ(again, booked);
  EXPECT_EQ(partition_.tickets_of("evt_small", "alice"), 2u);
  // Booked seats never expire.
  now_ms_ += 10 * kHoldMs;
  EXPECT_EQ(rejection(on_reservation(CommandType::kExpire, "", r)), Errc::kAlreadyBooked);
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-1")), SeatStatus::kBooked);
}

TEST_F(CoreTest, ConfirmThatCannotBookRequiresARefund) {
  const ReservationId r = hold("alice", {"A-1-1"});
  auto refunded = [&](const Command& c, Errc why) {
    const auto out = run(c);
    ASSERT_THAT(types(out), ElementsAre("rejected", "refund_required"));
    EXPECT_EQ(out[0].code, why);
    EXPECT_EQ(out[1].code, why);
    EXPECT_EQ(out[1].payment_id, c.payment_id);
    EXPECT_EQ(out[1].amount_cents, c.amount_cents);
  };
  refunded(confirm("alice", r, "pay_wrong", 999), Errc::kWrongAmount);
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-1")), SeatStatus::kHeld);  // hold stays
  refunded(confirm("bob", r, "pay_bob", 1000), Errc::kNotHolder);
  refunded(confirm("alice", r + (5ULL << 32), "pay_x", 1000), Errc::kUnknownReservation);
  run_one(confirm("alice", r, "pay_ok", 1000), DecisionType::kBooked);
  refunded(confirm("alice", r, "pay_other", 1000), Errc::kAlreadyBooked);
}

TEST_F(CoreTest, LatePaymentForAnExpiredHoldIsRefunded) {
  const ReservationId r = hold("alice", {"A-1-1"});
  now_ms_ += kHoldMs;
  const auto out = run(confirm("alice", r, "pay_late", 1000));
  EXPECT_THAT(types(out), ElementsAre("expired", "released", "rejected", "refund_required"));
  EXPECT_EQ(out.back().code, Errc::kHoldExpired);
  // A replayed webhook for the same payment gets the same answer.
  EXPECT_THAT(types(run(confirm("alice", r, "pay_late", 1000))),
              ElementsAre("rejected", "refund_required"));
}

// ---- Cancel and Expire -----------------------------------------------------------------------

TEST_F(CoreTest, CancelReleasesTheSeats) {
  const ReservationId r = hold("alice", {"A-1-1", "A-1-2"});
  const auto out = run(on_reservation(CommandType::kCancel, "alice", r));
  EXPECT_THAT(types(out), ElementsAre("cancelled", "released", "released"));
  EXPECT_EQ(out[0].seats.count, 2);
  EXPECT_EQ(partition_.seat_status("evt_small", seat("A-1-1")), SeatStatus::kAvailable);
  EXPECT_EQ(partition_.tickets_of("evt_small", "alice"), 0u);
  EXPECT_FALSE(partition_.reservation("evt_small", r).has_value());
  EXPECT_EQ(rejection(on_reservation(CommandType::kCancel, "alice", r)), Errc::kHoldExpired);
}

TEST_F(CoreTest, CancelRejections) {
  const ReservationId r = hold("alice", {"A-1-1"});
  EXPECT_EQ(rejection(on_reservation(CommandType::kCancel, "bob", r)), Errc::kNotHolder);
  EXPECT_EQ(rejection(on_reservation(CommandType::kCancel, "alice", 0)), Errc::kUnknownReservation);
  run_one(confirm("alice", r, "pay_1", 1000), DecisionType::kBooked);
  EXPECT_EQ(rejection(on_reservation(CommandType::kCancel, "alice", r)), Errc::kAlreadyBooked);
}

TEST_F(CoreTest, ExpireEndsAHoldOnlyWhenDue) {
  const ReservationId r = hold("alice", {"A-1-1"});
  now_ms_ += kHoldMs - 1;
  EXPECT_EQ(rejection(on_reservation(CommandType::kExpire, "", r)), Errc::kNotDue);
  now_ms_ += 1;
  const auto out = run(on_reservation(CommandType::kExpire, "", r));
  EXPECT_THAT(types(out), ElementsAre("expired", "released"));
  EXPECT_EQ(out[0].user_id, "alice");
  EXPECT_EQ(rejection(on_reservation(CommandType::kExpire, "", r)), Errc::kHoldExpired);
  EXPECT_EQ(rejection(on_reservation(CommandType::kExpire, "", 99ULL << 32)),
            Errc::kUnknownReservation);
}

TEST_F(CoreTest, AHoldPastItsDeadlineEndsWhenTouched) {
  hold("alice", {"A-1-1"});
  now_ms_ += kHoldMs;
  const auto out = run(reserve("bob", {"A-1-1"}));
  EXPECT_THAT(types(out), ElementsAre("expired", "released", "held"));
  EXPECT_EQ(out[2].user_id, "bob");
  EXPECT_EQ(partition_.tickets_of("evt_small", "alice"), 0u);
}

// ---- Waitlists -------------------------------------------------------------------------------

TEST_F(CoreTest, WaitlistJoinIsIdempotentAndLeaveWorks) {
  hold("alice", {"A-1-1"});
  EXPECT_EQ(run_one(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"), DecisionType::kWaitlisted)
                .position,
            1u);
  EXPECT_EQ(
      run_one(waitlist(CommandType::kJoinWaitlist, "carol", "A-1-1"), DecisionType::kWaitlisted)
          .position,
      2u);
  EXPECT_EQ(run_one(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"), DecisionType::kWaitlisted)
                .position,
            1u);
  EXPECT_EQ(rejection(waitlist(CommandType::kJoinWaitlist, "dave", "A-1-1")), Errc::kWaitlistFull);
  run_one(waitlist(CommandType::kLeaveWaitlist, "bob", "A-1-1"), DecisionType::kWaitlistLeft);
  EXPECT_THAT(partition_.waitlist("evt_small", seat("A-1-1")), ElementsAre("carol"));
  EXPECT_EQ(rejection(waitlist(CommandType::kLeaveWaitlist, "bob", "A-1-1")), Errc::kNotWaitlisted);
  EXPECT_EQ(
      run_one(waitlist(CommandType::kJoinWaitlist, "dave", "A-1-1"), DecisionType::kWaitlisted)
          .position,
      2u);
}

TEST_F(CoreTest, WaitlistRejections) {
  EXPECT_EQ(rejection(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1")), Errc::kSeatAvailable);
  const ReservationId r = hold("alice", {"A-1-1"});
  EXPECT_EQ(rejection(waitlist(CommandType::kJoinWaitlist, "alice", "A-1-1")),
            Errc::kAlreadyHolder);
  run_one(confirm("alice", r, "pay_1", 1000), DecisionType::kBooked);
  EXPECT_EQ(rejection(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1")), Errc::kSeatSold);
  Command bad = waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1");
  bad.seats.items[0] = 1000;
  EXPECT_EQ(rejection(bad), Errc::kUnknownSeat);
  bad.seats.count = 2;
  EXPECT_EQ(rejection(bad), Errc::kBadCommand);
  now_ms_ = kOnSaleMs;
  EXPECT_EQ(rejection(waitlist(CommandType::kJoinWaitlist, "bob", "B-1-1")), Errc::kNotOnSale);
}

TEST_F(CoreTest, AnUnpaidHoldGoesToTheWaitlistHeadInOrder) {
  const ReservationId r = hold("alice", {"A-1-1", "A-1-2"});
  run(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"));
  run(waitlist(CommandType::kJoinWaitlist, "carol", "A-1-1"));
  now_ms_ += kHoldMs;
  const auto out = run(on_reservation(CommandType::kExpire, "", r));
  ASSERT_THAT(types(out), ElementsAre("expired", "offered", "released"));
  EXPECT_EQ(out[1].user_id, "bob");
  EXPECT_EQ(out[1].expires_at_ms, now_ms_ + kOfferMs);
  EXPECT_EQ(out[1].seats.items[0], seat("A-1-1"));
  EXPECT_EQ(out[2].seats.items[0], seat("A-1-2"));
  EXPECT_EQ(partition_.seat_holder("evt_small", seat("A-1-1"))->kind, HoldKind::kOffer);
  EXPECT_THAT(partition_.waitlist("evt_small", seat("A-1-1")), ElementsAre("carol"));

  // Bob lets the offer lapse: carol is next.
  now_ms_ += kOfferMs;
  const auto next = run(on_reservation(CommandType::kExpire, "", out[1].reservation_id));
  ASSERT_THAT(types(next), ElementsAre("expired", "offered"));
  EXPECT_EQ(next[1].user_id, "carol");
}

TEST_F(CoreTest, AWaitlistedUserAtTheLimitIsSkipped) {
  const ReservationId r = hold("alice", {"A-1-1"});
  run(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"));
  run(waitlist(CommandType::kJoinWaitlist, "carol", "A-1-1"));
  hold("bob", {"A-2-1", "A-2-2", "A-2-3", "A-2-4"});
  const auto out = run(on_reservation(CommandType::kCancel, "alice", r));
  ASSERT_THAT(types(out), ElementsAre("cancelled", "rejected", "offered"));
  EXPECT_EQ(out[1].code, Errc::kLimitExceeded);
  EXPECT_EQ(out[1].user_id, "bob");
  EXPECT_EQ(out[2].user_id, "carol");
}

TEST_F(CoreTest, BookingEndsTheSeatsWaitlist) {
  const ReservationId r = hold("alice", {"A-1-1"});
  run(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"));
  run(waitlist(CommandType::kJoinWaitlist, "carol", "A-1-1"));
  const auto out = run(confirm("alice", r, "pay_1", 1000));
  ASSERT_THAT(types(out), ElementsAre("booked", "waitlist_cleared"));
  EXPECT_EQ(out[1].position, 2u);
  EXPECT_TRUE(partition_.waitlist("evt_small", seat("A-1-1")).empty());
}

// ---- Sequencing and determinism --------------------------------------------------------------

TEST_F(CoreTest, SequenceNumbersCountEveryDecision) {
  uint64_t expected = 1;
  const ReservationId r = hold("alice", {"A-1-1"});
  run(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"));
  now_ms_ += kHoldMs;
  for (const Decision& d : run(on_reservation(CommandType::kExpire, "", r))) {
    EXPECT_EQ(d.seq, expected + 2);
    ++expected;
  }
  EXPECT_EQ(partition_.last_seq(), 4u);
}

TEST_F(CoreTest, ReplayGivesTheSameDecisionsAndState) {
  std::vector<Command> log;
  log.push_back(reserve("alice", {"A-1-1", "A-1-2"}));
  log.push_back(waitlist(CommandType::kJoinWaitlist, "bob", "A-1-1"));
  log.push_back(best("carol", 3));
  now_ms_ += kHoldMs;
  log.push_back(reserve("dave", {"A-1-2"}));
  Partition a(catalog_);
  Partition b(catalog_);
  std::vector<Decision> da;
  std::vector<Decision> db;
  for (const Command& c : log) a.apply(c, da);
  for (const Command& c : log) b.apply(c, db);
  EXPECT_EQ(da, db);
  EXPECT_EQ(a.snapshot(), b.snapshot());
}

TEST_F(CoreTest, EventsAreIndependent) {
  hold("alice", {"A-1-1"});
  Command other = make(CommandType::kReserve, "alice");
  other.event_id = "evt_other";
  other.seats.push(0);
  const Decision d = run_one(other, DecisionType::kHeld);
  EXPECT_EQ(d.event_id, "evt_other");
  EXPECT_EQ(d.amount_cents, 700);
  EXPECT_EQ(partition_.tickets_of("evt_other", "alice"), 1u);
}

}  // namespace
}  // namespace boxoffice::booking::testing
