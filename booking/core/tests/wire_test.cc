#include "booking/core/wire.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "booking/core/bytes.h"
#include "booking/core/partition.h"

namespace boxoffice::booking {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

SeatList seats(std::initializer_list<SeatIndex> list) {
  SeatList s;
  for (SeatIndex i : list) s.push(i);
  return s;
}

Command command(CommandType type, uint64_t request_id, int64_t at_ms) {
  Command c;
  c.type = type;
  c.request_id = request_id;
  c.at_ms = at_ms;
  c.event_id = "evt_hamlet";
  return c;
}

Decision decision(DecisionType type, uint64_t seq, std::string_view user) {
  Decision d;
  d.type = type;
  d.seq = seq;
  d.request_id = seq + 100;
  d.at_ms = 1'760'000'000'000 + static_cast<int64_t>(seq);
  d.event_id = "evt_hamlet";
  d.user_id = user;
  return d;
}

constexpr ReservationId kRid = (ReservationId{7} << 32) | 3;

std::vector<Command> sample_commands() {
  std::vector<Command> all;
  Command c = command(CommandType::kReserve, 1, 1'760'000'000'000);
  c.user_id = "u_alice";
  c.seats = seats({0, 17, 300});
  all.push_back(c);

  c = command(CommandType::kReserveBest, 2, 1'760'000'000'001);
  c.user_id = "u_bob";
  c.count = 4;
  c.section = 2;
  c.min_price_cents = 1000;
  c.max_price_cents = 9900;
  all.push_back(c);

  for (CommandType t : {CommandType::kPaymentStarted, CommandType::kCancel}) {
    c = command(t, 3, 5);
    c.user_id = "u_alice";
    c.reservation_id = kRid;
    all.push_back(c);
  }

  c = command(CommandType::kConfirm, 4, 6);
  c.user_id = "u_alice";
  c.reservation_id = kRid;
  c.payment_id = "pay_123";
  c.provider = "stripe";
  c.amount_cents = 13'500;
  all.push_back(c);

  c = command(CommandType::kExpire, 6, 8);
  c.reservation_id = kRid;
  all.push_back(c);

  for (CommandType t : {CommandType::kJoinWaitlist, CommandType::kLeaveWaitlist}) {
    c = command(t, 7, 9);
    c.user_id = "u_carol";
    c.seats = seats({42});
    all.push_back(c);
  }

  // Extremes: negative time and prices, any section, the largest ids and seat indices.
  c = command(CommandType::kReserveBest, kU64Max, kI64Min);
  c.user_id = "u";
  c.count = kMaxSeatsPerHold;
  c.section = kAnySection;
  c.min_price_cents = kI64Min;
  c.max_price_cents = kI64Max;
  all.push_back(c);

  c = command(CommandType::kReserve, 0, kI64Max);
  c.event_id = "";
  c.user_id = "u";
  c.seats = seats({0xFFFFFFFF, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
  all.push_back(c);

  c = command(CommandType::kConfirm, 9, -1);
  c.reservation_id = kU64Max;
  c.amount_cents = kI64Min;
  all.push_back(c);
  return all;
}

std::vector<Decision> sample_decisions() {
  std::vector<Decision> all;
  for (DecisionType t : {DecisionType::kHeld, DecisionType::kOffered}) {
    Decision d = decision(t, all.size() + 1, "u_alice");
    d.reservation_id = kRid;
    d.seats = seats({1, 2});
    d.expires_at_ms = 121'000;
    d.amount_cents = 9000;
    all.push_back(d);
  }

  Decision d = decision(DecisionType::kRejected, all.size() + 1, "u_bob");
  d.code = Errc::kSeatTaken;
  d.seats = seats({2});
  all.push_back(d);

  // Rejected for an Expire: no user, but the reservation it named.
  d = decision(DecisionType::kRejected, all.size() + 1, "");
  d.code = Errc::kNotDue;
  d.reservation_id = kRid;
  all.push_back(d);

  d = decision(DecisionType::kPaymentPending, all.size() + 1, "u_alice");
  d.reservation_id = kRid;
  d.expires_at_ms = 601'002;
  all.push_back(d);

  d = decision(DecisionType::kBooked, all.size() + 1, "u_alice");
  d.reservation_id = kRid;
  d.seats = seats({1, 2});
  d.amount_cents = 9000;
  d.payment_id = "pay_1";
  d.provider = "stripe";
  all.push_back(d);

  for (DecisionType t : {DecisionType::kCancelled, DecisionType::kExpired}) {
    d = decision(t, all.size() + 1, "u_alice");
    d.reservation_id = kRid;
    d.seats = seats({1});
    all.push_back(d);
  }

  d = decision(DecisionType::kReleased, all.size() + 1, "");
  d.seats = seats({1});
  all.push_back(d);

  d = decision(DecisionType::kWaitlisted, all.size() + 1, "u_dave");
  d.seats = seats({1});
  d.position = 2;
  all.push_back(d);

  d = decision(DecisionType::kWaitlistLeft, all.size() + 1, "u_dave");
  d.seats = seats({1});
  all.push_back(d);

  d = decision(DecisionType::kWaitlistCleared, all.size() + 1, "");
  d.seats = seats({1});
  d.position = 3;
  all.push_back(d);

  d = decision(DecisionType::kRefundRequired, all.size() + 1, "u_alice");
  d.code = Errc::kHoldExpired;
  d.reservation_id = kRid;
  d.amount_cents = 9000;
  d.payment_id = "pay_2";
  d.provider = "adyen";
  all.push_back(d);

  // Extremes.
  d = decision(DecisionType::kHeld, kU64Max, "u");
  d.request_id = kU64Max;
  d.at_ms = kI64Min;
  d.reservation_id = kU64Max;
  d.seats = seats({0xFFFFFFFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  d.expires_at_ms = kI64Max;
  d.amount_cents = kI64Min;
  all.push_back(d);

  d = decision(DecisionType::kWaitlistCleared, 0, "");
  d.request_id = 0;
  d.at_ms = 0;
  d.event_id = "";
  d.position = 0xFFFFFFFF;
  all.push_back(d);

  d = decision(DecisionType::kRefundRequired, 1, "");
  d.code = Errc::kNotDue;
  all.push_back(d);
  return all;
}

Command sample(CommandType t) {
  for (const Command& c : sample_commands()) {
    if (c.type == t) return c;
  }
  return {};
}

Decision sample(DecisionType t) {
  for (const Decision& d : sample_decisions()) {
    if (d.type == t) return d;
  }
  return {};
}

std::string encoded(const Command& c) {
  std::string out;
  encode_command(c, out);
  return out;
}

std::string encoded(const Decision& d) {
  std::string out;
  encode_decision(d, out);
  return out;
}

// Every valid message of the samples, commands first.
std::vector<std::string> sample_messages() {
  std::vector<std::string> all;
  for (const Command& c : sample_commands()) all.push_back(encoded(c));
  for (const Decision& d : sample_decisions()) all.push_back(encoded(d));
  return all;
}

// A command header and the common fields (request_id 1, at_ms 0, event "e"); the type's fields
// are appended by the test.
std::string command_head(uint8_t type) {
  std::string out;
  ByteWriter w(out);
  w.u8(kWireVersion);
  w.u8('C');
  w.u8(type);
  w.varint(1);
  w.svarint(0);
  w.str("e");
  return out;
}

// Decision header and common fields (seq 1, request_id 1, at_ms 0, event "e").
std::string decision_head(uint8_t type) {
  std::string out;
  ByteWriter w(out);
  w.u8(kWireVersion);
  w.u8('D');
  w.u8(type);
  w.varint(1);
  w.varint(1);
  w.svarint(0);
  w.str("e");
  return out;
}

// "01 43 ff" -> the three bytes.
std::string hex(std::string_view text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 3) {
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

uint8_t u8(CommandType t) { return static_cast<uint8_t>(t); }
uint8_t u8(DecisionType t) { return static_cast<uint8_t>(t); }

void expect_command_error(std::string_view bytes, std::string_view what, size_t offset) {
  const auto r = decode_command(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().what, what);
  EXPECT_EQ(r.error().offset, offset);
}

void expect_decision_error(std::string_view bytes, std::string_view what, size_t offset) {
  const auto r = decode_decision(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().what, what);
  EXPECT_EQ(r.error().offset, offset);
}

// A decoded message must re-encode to exactly its input and decode to the same value again.
void check_canonical(std::string_view bytes) {
  if (auto c = decode_command(bytes)) {
    const std::string again = encoded(*c);
    ASSERT_EQ(again, bytes);
    ASSERT_TRUE(decode_command(again).value() == *c);
  }
  if (auto d = decode_decision(bytes)) {
    const std::string again = encoded(*d);
    ASSERT_EQ(again, bytes);
    ASSERT_TRUE(decode_decision(again).value() == *d);
  }
}

TEST(WireTest, EveryCommandTypeRoundTrips) {
  std::set<CommandType> seen;
  for (const Command& c : sample_commands()) {
    SCOPED_TRACE(to_string(c.type));
    seen.insert(c.type);
    const std::string bytes = encoded(c);
    const auto decoded = decode_command(bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what << " at " << decoded.error().offset;
    EXPECT_TRUE(*decoded == c);
    EXPECT_EQ(encoded(*decoded), bytes);
  }
  EXPECT_EQ(seen.size(), kCommandTypeMax);
}

TEST(WireTest, EveryDecisionTypeRoundTrips) {
  std::set<DecisionType> seen;
  for (const Decision& d : sample_decisions()) {
    SCOPED_TRACE(to_string(d.type));
    seen.insert(d.type);
    const std::string bytes = encoded(d);
    const auto decoded = decode_decision(bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().what << " at " << decoded.error().offset;
    EXPECT_TRUE(*decoded == d);
    EXPECT_EQ(encoded(*decoded), bytes);
  }
  EXPECT_EQ(seen.size(), kDecisionTypeMax);
}

TEST(WireTest, DecodedStringsPointIntoTheInput) {
  const std::string bytes = encoded(sample(CommandType::kConfirm));
  const Command c = decode_command(bytes).value();
  for (std::string_view s : {c.event_id, c.user_id, c.payment_id, c.provider}) {
    EXPECT_GE(s.data(), bytes.data());
    EXPECT_LE(s.data() + s.size(), bytes.data() + bytes.size());
  }
}

TEST(WireTest, EncodeAppends) {
  std::string out = "prefix";
  encode_command(sample(CommandType::kReserve), out);
  EXPECT_EQ(out, "prefix" + encoded(sample(CommandType::kReserve)));
}

// If one of these changes, the format changed: bump kWireVersion and update WIRE.md.
TEST(WireTest, GoldenBytes) {
  Command reserve = command(CommandType::kReserve, 7, 1000);
  reserve.event_id = "evt";
  reserve.user_id = "u1";
  reserve.seats = seats({3, 200});
  // version, 'C', type | request_id, at_ms (zigzag), "evt" | "u1", 2 seats: 3, 200
  EXPECT_EQ(encoded(reserve), hex("01 43 01 07 d0 0f 03 65 76 74 02 75 31 02 03 c8 01"));

  Command expire = command(CommandType::kExpire, 1, -1);
  expire.event_id = "e";
  expire.reservation_id = (ReservationId{1} << 32) | 2;
  EXPECT_EQ(encoded(expire), hex("01 43 06 01 01 01 65 82 80 80 80 10"));

  Decision held = decision(DecisionType::kHeld, 5, "u1");
  held.request_id = 7;
  held.at_ms = 1000;
  held.event_id = "evt";
  held.reservation_id = (ReservationId{1} << 32) | 2;
  held.seats = seats({3});
  held.expires_at_ms = 121'000;
  held.amount_cents = 4500;
  // ... | seq, request_id, at_ms, "evt" | reservation_id, "u1", 1 seat: 3 | expires, amount
  EXPECT_EQ(encoded(held), hex("01 44 01 05 07 d0 0f 03 65 76 74 82 80 80 80 10 02 75 31 01 03 "
                               "d0 e2 0e a8 46"));
}

TEST(WireTest, UnusedFieldsDoNotTravel) {
  Command c = sample(CommandType::kExpire);
  const std::string plain = encoded(c);
  c.user_id = "u_alice";
  c.seats = seats({1});
  c.payment_id = "pay";
  c.count = 3;
  EXPECT_EQ(encoded(c), plain);
  EXPECT_TRUE(decode_command(plain).value() == sample(CommandType::kExpire));

  Decision d = sample(DecisionType::kReleased);
  const std::string released = encoded(d);
  d.user_id = "u";
  d.amount_cents = 5;
  EXPECT_EQ(encoded(d), released);
}

TEST(WireTest, EveryTruncationIsRejected) {
  for (const std::string& m : sample_messages()) {
    for (size_t n = 0; n < m.size(); ++n) {
      const std::string_view prefix(m.data(), n);
      EXPECT_FALSE(decode_command(prefix).has_value()) << "prefix " << n << " of " << m.size();
      EXPECT_FALSE(decode_decision(prefix).has_value()) << "prefix " << n << " of " << m.size();
    }
  }
}

TEST(WireTest, TruncationErrorsNameTheField) {
  expect_command_error("", "truncated header", 0);
  expect_command_error(hex("01 43"), "truncated header", 2);
  std::string m = command_head(u8(CommandType::kExpire));
  expect_command_error(m, "truncated varint", m.size());
  m += '\x80';
  expect_command_error(m, "truncated varint", m.size() - 1);
  std::string s = command_head(u8(CommandType::kCancel)) + hex("05 61 62");
  expect_command_error(s, "truncated string", s.size() - 3);
}

TEST(WireTest, StringLimits) {
  const std::string ok(kMaxWireIdBytes, 'x');
  const std::string long_id(kMaxWireIdBytes + 1, 'x');
  Command c = sample(CommandType::kConfirm);  // has every string field
  for (std::string_view Command::*field :
       {&Command::event_id, &Command::user_id, &Command::payment_id, &Command::provider}) {
    Command at_limit = c;
    at_limit.*field = ok;
    const std::string fits = encoded(at_limit);
    EXPECT_TRUE(decode_command(fits).value() == at_limit);

    Command over = c;
    over.*field = long_id;
    const auto r = decode_command(encoded(over));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().what, "string too long");
  }
  Decision d = sample(DecisionType::kBooked);
  d.provider = long_id;
  expect_decision_error(encoded(d), "string too long", encoded(d).size() - 2 - long_id.size());

  // The offset is where the string starts: byte 3 is request_id (1 byte), then at_ms (1 byte).
  Command e = sample(CommandType::kExpire);
  e.request_id = 1;
  e.at_ms = 0;
  e.event_id = long_id;
  expect_command_error(encoded(e), "string too long", 5);
}

TEST(WireTest, SeatCountLimits) {
  auto with_seats = [](std::string head, uint64_t n) {
    ByteWriter w(head);
    if (head[1] == 'C') w.str("u");
    if (head[1] == 'D') w.varint(0);  // Cancelled: reservation_id, then user
    if (head[1] == 'D') w.str("u");
    w.varint(n);
    for (uint64_t i = 0; i < n; ++i) w.varint(i);
    return head;
  };
  const size_t count_at = command_head(0).size() + 2;  // after user "u"
  const uint8_t reserve = u8(CommandType::kReserve);
  EXPECT_TRUE(decode_command(with_seats(command_head(reserve), 1)).has_value());
  EXPECT_TRUE(decode_command(with_seats(command_head(reserve), 16)).has_value());
  expect_command_error(with_seats(command_head(reserve), 0), "field out of range", count_at);
  expect_command_error(with_seats(command_head(reserve), 17), "too many seats", count_at);
  expect_command_error(with_seats(command_head(reserve), 1000), "too many seats", count_at);

  for (CommandType t : {CommandType::kJoinWaitlist, CommandType::kLeaveWaitlist}) {
    EXPECT_TRUE(decode_command(with_seats(command_head(u8(t)), 1)).has_value());
    expect_command_error(with_seats(command_head(u8(t)), 0), "field out of range", count_at);
    expect_command_error(with_seats(command_head(u8(t)), 2), "too many seats", count_at);
  }

  const uint8_t cancelled = u8(DecisionType::kCancelled);
  EXPECT_TRUE(decode_decision(with_seats(decision_head(cancelled), 0)).has_value());
  EXPECT_TRUE(decode_decision(with_seats(decision_head(cancelled), 16)).has_value());
  const size_t dcount_at = decision_head(0).size() + 3;
  expect_decision_error(with_seats(decision_head(cancelled), 17), "too many seats", dcount_at);

  // ReserveBest: seats are not sent; count is 1..16.
  Command best = sample(CommandType::kReserveBest);
  best.count = 0;
  EXPECT_EQ(decode_command(encoded(best)).error().what, "field out of range");
  best.count = kMaxSeatsPerHold + 1;
  EXPECT_EQ(decode_command(encoded(best)).error().what, "too many seats");
  best.count = kMaxSeatsPerHold;
  EXPECT_TRUE(decode_command(encoded(best)).has_value());
}

TEST(WireTest, FieldRanges) {
  // ReserveBest section above uint16.
  std::string best = command_head(u8(CommandType::kReserveBest));
  ByteWriter bw(best);
  bw.str("u");
  bw.varint(1);
  const size_t section_at = best.size();
  bw.varint(0x10000);
  bw.svarint(0);
  bw.svarint(0);
  expect_command_error(best, "field out of range", section_at);

  // A seat index above uint32.
  std::string reserve = command_head(u8(CommandType::kReserve));
  ByteWriter rw(reserve);
  rw.str("u");
  rw.varint(2);
  rw.varint(0xFFFFFFFF);
  const size_t seat_at = reserve.size();
  rw.varint(0x100000000);
  expect_command_error(reserve, "field out of range", seat_at);

  // Waitlist position above uint32.
  std::string cleared = decision_head(u8(DecisionType::kWaitlistCleared));
  ByteWriter cw(cleared);
  cw.varint(1);
  cw.varint(9);
  const size_t position_at = cleared.size();
  cw.varint(0x100000000);
  expect_decision_error(cleared, "field out of range", position_at);

  // Error codes: every Errc decodes, the next value does not.
  for (uint64_t code : {0, kErrcCount - 1, kErrcCount, 255}) {
    std::string rejected = decision_head(u8(DecisionType::kRejected));
    const size_t code_at = rejected.size();
    ByteWriter w(rejected);
    w.varint(code);
    w.varint(0);
    w.str("u");
    w.varint(0);
    const auto r = decode_decision(rejected);
    if (code < static_cast<uint64_t>(kErrcCount)) {
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(static_cast<uint64_t>(r->code), code);
    } else {
      expect_decision_error(rejected, "unknown error code", code_at);
    }
  }
}

TEST(WireTest, HeaderErrors) {
  const std::string cmd = encoded(sample(CommandType::kReserve));
  const std::string dec = encoded(sample(DecisionType::kHeld));
  for (char v : {'\x00', '\x02', '\xFF'}) {
    std::string bad = cmd;
    bad[0] = v;
    expect_command_error(bad, "bad version", 0);
  }
  expect_command_error(dec, "wrong kind", 1);
  expect_decision_error(cmd, "wrong kind", 1);
  std::string other = cmd;
  other[1] = 'c';
  expect_command_error(other, "wrong kind", 1);

  for (uint8_t t : {uint8_t{0}, uint8_t(kCommandTypeMax + 1), uint8_t{255}}) {
    std::string bad = cmd;
    bad[2] = static_cast<char>(t);
    expect_command_error(bad, "unknown command type", 2);
  }
  for (uint8_t t : {uint8_t{0}, uint8_t(kDecisionTypeMax + 1), uint8_t{255}}) {
    std::string bad = dec;
    bad[2] = static_cast<char>(t);
    expect_decision_error(bad, "unknown decision type", 2);
  }
}

TEST(WireTest, TrailingBytes) {
  for (const std::string& m : sample_messages()) {
    const std::string longer = m + '\0';
    if (m[1] == 'C') expect_command_error(longer, "trailing bytes", m.size());
    if (m[1] == 'D') expect_decision_error(longer, "trailing bytes", m.size());
  }
}

TEST(WireTest, OnlyShortestVarintsDecode) {
  // request_id 0 written in two bytes.
  const std::string two = hex("01 43 06 80 00 00 01 65 00");
  expect_command_error(two, "non-canonical varint", 3);

  // 1 in ten bytes: still non-canonical, not too long.
  std::string ten = command_head(u8(CommandType::kExpire));
  ten += "\x81" + std::string(8, '\x80') + '\0';
  expect_command_error(ten, "non-canonical varint", command_head(0).size());

  // Eleven bytes, or a tenth byte carrying bits beyond 64.
  std::string eleven = command_head(u8(CommandType::kExpire)) + std::string(10, '\xFF') + '\x01';
  expect_command_error(eleven, "varint too long", command_head(0).size());
  std::string wide = command_head(u8(CommandType::kExpire)) + std::string(9, '\xFF') + '\x02';
  expect_command_error(wide, "varint too long", command_head(0).size());
  std::string max = command_head(u8(CommandType::kExpire)) + std::string(9, '\xFF') + '\x01';
  EXPECT_EQ(decode_command(max).value().reservation_id, kU64Max);
}

TEST(WireTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(20260612);
  const std::vector<std::string> valid = sample_messages();
  int decoded = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      // Pure noise behind a plausible header half of the time, so the bodies get exercised.
      const size_t n = rng() % 48;
      for (size_t k = 0; k < n; ++k) bytes.push_back(static_cast<char>(rng()));
      if (n >= 3 && rng() % 2 == 0) {
        bytes[0] = kWireVersion;
        bytes[1] = rng() % 2 ? 'C' : 'D';
        bytes[2] = static_cast<char>(1 + rng() % kDecisionTypeMax);
      }
    } else {
      // A valid message with a few bytes flipped, inserted or removed.
      bytes = valid[rng() % valid.size()];
      for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0 && !bytes.empty(); --edits) {
        const size_t at = rng() % bytes.size();
        switch (rng() % 3) {
          case 0:
            bytes[at] = static_cast<char>(rng());
            break;
          case 1:
            bytes.insert(at, 1, static_cast<char>(rng()));
            break;
          case 2:
            bytes.erase(at, 1);
            break;
        }
      }
    }
    check_canonical(bytes);
    if (HasFatalFailure()) return;
    decoded += decode_command(bytes).has_value() || decode_decision(bytes).has_value();
  }
  EXPECT_GT(decoded, 1000);  // the loop must reach past the header checks
}

TEST(WireTest, DecisionBatchesRoundTrip) {
  const std::vector<Decision> all = sample_decisions();
  std::string bytes;
  encode_decision_batch(all, bytes);
  auto back = decode_decision_batch(bytes);
  ASSERT_TRUE(back.has_value()) << back.error().what;
  EXPECT_EQ(*back, all);
}

// The worker's way: decisions added one at a time, a batch taken, the next one started.
TEST(WireTest, BatchBuilderGathersDecisionsAndStartsOverAfterEachBatch) {
  const std::vector<Decision> all = sample_decisions();
  ASSERT_GE(all.size(), 3u);
  DecisionBatchBuilder builder;
  for (const Decision& d : all) builder.add(d);
  EXPECT_EQ(builder.size(), all.size());
  std::string built;
  builder.finish(built);
  std::string expected;
  encode_decision_batch(all, expected);
  EXPECT_EQ(built, expected);

  EXPECT_EQ(builder.size(), 0u);
  builder.add(all[2]);
  std::string next;
  builder.finish(next);
  auto back = decode_decision_batch(next);
  ASSERT_TRUE(back.has_value()) << back.error().what;
  EXPECT_EQ(*back, std::vector<Decision>{all[2]});
}

TEST(WireTest, DecisionBatchErrors) {
  std::string bytes;
  encode_decision_batch(std::vector<Decision>{sample(DecisionType::kHeld)}, bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_decision_batch(bytes.substr(0, n)).has_value()) << "prefix " << n;
  }
  EXPECT_EQ(decode_decision_batch(bytes + "x").error().what, "trailing bytes");
  std::string empty;
  encode_decision_batch({}, empty);
  EXPECT_EQ(decode_decision_batch(empty).error().what, "batch size out of range");
  EXPECT_EQ(decode_decision_batch(encoded(sample(DecisionType::kHeld))).error().what, "wrong kind");
  std::string bad = bytes;
  bad.back() = static_cast<char>(0xFF);  // the held decision's last byte: a broken varint
  EXPECT_FALSE(decode_decision_batch(bad).has_value());
}

TEST(NamesTest, EveryEnumHasItsName) {
  EXPECT_EQ(to_string(CommandType::kReserve), "reserve");
  EXPECT_EQ(to_string(CommandType::kReserveBest), "reserve_best");
  EXPECT_EQ(to_string(CommandType::kLeaveWaitlist), "leave_waitlist");
  EXPECT_EQ(to_string(DecisionType::kHeld), "held");
  EXPECT_EQ(to_string(DecisionType::kWaitlistCleared), "waitlist_cleared");
  EXPECT_EQ(to_string(DecisionType::kRefundRequired), "refund_required");
  EXPECT_EQ(to_string(SeatStatus::kAvailable), "available");
  EXPECT_EQ(to_string(SeatStatus::kHeld), "held");
  EXPECT_EQ(to_string(SeatStatus::kBooked), "booked");

  std::set<std::string_view> names;
  for (uint8_t t = 1; t <= kCommandTypeMax; ++t) {
    names.insert(to_string(static_cast<CommandType>(t)));
  }
  EXPECT_EQ(names.size(), kCommandTypeMax);
  EXPECT_FALSE(names.contains("unknown"));
  names.clear();
  for (uint8_t t = 1; t <= kDecisionTypeMax; ++t) {
    names.insert(to_string(static_cast<DecisionType>(t)));
  }
  EXPECT_EQ(names.size(), kDecisionTypeMax);
  EXPECT_FALSE(names.contains("unknown"));
}

}  // namespace
}  // namespace boxoffice::booking
