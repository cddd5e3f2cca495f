#include "booking/core/wire.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

#include "booking/core/bytes.h"

namespace boxoffice::booking {
namespace {

constexpr uint8_t kCommandKind = 'C';
constexpr uint8_t kDecisionKind = 'D';
constexpr uint8_t kBatchKind = 'B';
constexpr size_t kMaxVarintBytes = 10;

size_t varint_size(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// The layout of each message is written once, as a template walked by both Writer and Reader
// (message_body below), so encoder and decoder cannot disagree. The limit arguments only
// matter when reading.
class Writer {
 public:
  explicit Writer(std::string& out) : w_(out) {}

  void header(uint8_t kind, uint8_t type) {
    w_.u8(kWireVersion);
    w_.u8(kind);
    w_.u8(type);
  }
  void varint(uint64_t v) { w_.varint(v); }
  void svarint(int64_t v) { w_.svarint(v); }
  void str(std::string_view s) { w_.str(s); }
  void bounded(uint64_t v, uint64_t /*max*/) { w_.varint(v); }
  void count(uint64_t n, uint32_t /*min*/, uint32_t /*max*/) { w_.varint(n); }
  void code(Errc e) { w_.varint(static_cast<uint8_t>(e)); }
  void seats(const SeatList& s, uint32_t /*min*/, uint32_t /*max*/) {
    // min() guards against a hand-built SeatList whose count overruns its array.
    const uint8_t n = std::min<uint8_t>(s.count, kMaxSeatsPerHold);
    w_.varint(n);
    for (uint8_t i = 0; i < n; ++i) w_.varint(s.items[i]);
  }

 private:
  ByteWriter w_;
};

// Reads with a sticky error: after the first failure every read is a no-op, so the layout code
// needs no checks and the first error (with its offset) is the one reported.
class Reader {
 public:
  explicit Reader(std::string_view in) : base_(in.data()), r_(in) {}

  const std::optional<WireError>& error() const { return error_; }
  bool ok() const { return !error_; }

  // Returns the type byte, or 0 on error.
  uint8_t header(uint8_t kind, uint8_t type_max, std::string_view unknown_type) {
    uint8_t version = 0, got_kind = 0, type = 0;
    byte(version);
    if (ok() && version != kWireVersion) fail("bad version", 0);
    byte(got_kind);
    if (ok() && got_kind != kind) fail("wrong kind", 1);
    byte(type);
    if (ok() && (type == 0 || type > type_max)) fail(unknown_type, 2);
    return ok() ? type : 0;
  }

  void varint(uint64_t& v) {
    if (!ok()) return;
    const size_t at = offset();
    if (!r_.varint(v)) {
      return fail(offset() - at >= kMaxVarintBytes ? "varint too long" : "truncated varint", at);
    }
    // Only the shortest form is accepted, so that re-encoding reproduces the input.
    if (offset() - at != varint_size(v)) fail("non-canonical varint", at);
  }
  void svarint(int64_t& v) {
    uint64_t u = 0;
    varint(u);
    if (ok()) v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  void str(std::string_view& s) {
    const size_t at = offset();
    uint64_t n = 0;
    varint(n);
    if (!ok()) return;
    if (n > kMaxWireIdBytes) return fail("string too long", at);
    if (!r_.raw(s, n)) fail("truncated string", at);
  }
  template <class T>
  void bounded(T& v, uint64_t max) {
    const size_t at = offset();
    uint64_t u = 0;
    varint(u);
    if (!ok()) return;
    if (u > max) return fail("field out of range", at);
    v = static_cast<T>(u);
  }
  template <class T>
  void count(T& n, uint32_t min, uint32_t max) {
    const size_t at = offset();
    uint64_t u = 0;
    varint(u);
    if (!ok()) return;
    if (u > max) return fail("too many seats", at);
    if (u < min) return fail("field out of range", at);
    n = static_cast<T>(u);
  }
  void code(Errc& e) {
    const size_t at = offset();
    uint64_t u = 0;
    varint(u);
    if (!ok()) return;
    const std::optional<Errc> c = errc_from_int(u);
    if (!c) return fail("unknown error code", at);
    e = *c;
  }
  void seats(SeatList& s, uint32_t min, uint32_t max) {
    uint8_t n = 0;
    count(n, min, max);
    for (uint8_t i = 0; i < n && ok(); ++i) {
      SeatIndex seat = 0;
      bounded(seat, std::numeric_limits<SeatIndex>::max());
      s.push(seat);
    }
  }

  void finish() {
    if (ok() && !r_.at_end()) fail("trailing bytes", offset());
  }

 private:
  size_t offset() const { return r_.offset_from(base_); }
  void byte(uint8_t& v) {
    if (ok() && !r_.u8(v)) fail("truncated header", offset());
  }
  void fail(std::string_view what, size_t at) {
    if (ok()) error_ = WireError{what, at};
  }

  const char* base_;
  ByteReader r_;
  std::optional<WireError> error_;
};

// C is Command (reading) or const Command (writing).
template <class Io, class C>
requires std::is_same_v<std::remove_const_t<C>, Command>
void message_body(Io& io, C& c) {
  io.varint(c.request_id);
  io.svarint(c.at_ms);
  io.str(c.event_id);
  switch (c.type) {
    case CommandType::kReserve:
      io.str(c.user_id);
      io.seats(c.seats, 1, kMaxSeatsPerHold);
      break;
    case CommandType::kReserveBest:
      io.str(c.user_id);
      io.count(c.count, 1, kMaxSeatsPerHold);
      io.bounded(c.section, std::numeric_limits<uint16_t>::max());
      io.svarint(c.min_price_cents);
      io.svarint(c.max_price_cents);
      break;
    case CommandType::kPaymentStarted:
    case CommandType::kCancel:
      io.str(c.user_id);
      io.varint(c.reservation_id);
      break;
    case CommandType::kConfirm:
      io.str(c.user_id);
      io.varint(c.reservation_id);
      io.str(c.payment_id);
      io.str(c.provider);
      io.svarint(c.amount_cents);
      break;
    case CommandType::kExpire:
      io.varint(c.reservation_id);
      break;
    case CommandType::kJoinWaitlist:
    case CommandType::kLeaveWaitlist:
      io.str(c.user_id);
      io.seats(c.seats, 1, 1);
      break;
  }
}

// The reservation, its holder and its seats: shared by most decisions.
template <class Io, class D>
void hold_fields(Io& io, D& d) {
  io.varint(d.reservation_id);
  io.str(d.user_id);
  io.seats(d.seats, 0, kMaxSeatsPerHold);
}

template <class Io, class D>
void payment_fields(Io& io, D& d) {
  io.svarint(d.amount_cents);
  io.str(d.payment_id);
  io.str(d.provider);
}

// D is Decision (reading) or const Decision (writing).
template <class Io, class D>
requires std::is_same_v<std::remove_const_t<D>, Decision>
void message_body(Io& io, D& d) {
  io.varint(d.seq);
  io.varint(d.request_id);
  io.svarint(d.at_ms);
  io.str(d.event_id);
  switch (d.type) {
    case DecisionType::kHeld:
    case DecisionType::kOffered:
      hold_fields(io, d);
      io.svarint(d.expires_at_ms);
      io.svarint(d.amount_cents);
      break;
    case DecisionType::kRejected:
      io.code(d.code);
      hold_fields(io, d);  // reservation_id: the one the rejected command named, if any
      break;
    case DecisionType::kPaymentPending:
      io.varint(d.reservation_id);
      io.str(d.user_id);
      io.svarint(d.expires_at_ms);
      break;
    case DecisionType::kBooked:
      hold_fields(io, d);
      payment_fields(io, d);
      break;
    case DecisionType::kCancelled:
    case DecisionType::kExpired:
      hold_fields(io, d);
      break;
    case DecisionType::kReleased:
      io.seats(d.seats, 0, kMaxSeatsPerHold);
      break;
    case DecisionType::kWaitlisted:
      io.str(d.user_id);
      io.seats(d.seats, 0, kMaxSeatsPerHold);
      io.bounded(d.position, std::numeric_limits<uint32_t>::max());
      break;
    case DecisionType::kWaitlistLeft:
      io.str(d.user_id);
      io.seats(d.seats, 0, kMaxSeatsPerHold);
      break;
    case DecisionType::kWaitlistCleared:
      io.seats(d.seats, 0, kMaxSeatsPerHold);
      io.bounded(d.position, std::numeric_limits<uint32_t>::max());
      break;
    case DecisionType::kRefundRequired:
      io.code(d.code);
      io.varint(d.reservation_id);
      io.str(d.user_id);
      payment_fields(io, d);
      break;
  }
}

template <class Msg>
void encode(const Msg& m, uint8_t kind, std::string& out) {
  Writer w(out);
  w.header(kind, static_cast<uint8_t>(m.type));
  message_body(w, m);
}

template <class Msg>
Result<Msg, WireError> decode(std::string_view bytes, uint8_t kind, uint8_t type_max,
                              std::string_view unknown_type) {
  Reader r(bytes);
  Msg m;
  const uint8_t type = r.header(kind, type_max, unknown_type);
  if (r.ok()) {
    m.type = static_cast<decltype(m.type)>(type);
    message_body(r, m);
  }
  r.finish();
  if (!r.ok()) return unexpected(*r.error());
  return m;
}

}  // namespace

void encode_command(const Command& c, std::string& out) { encode(c, kCommandKind, out); }

void encode_decision(const Decision& d, std::string& out) { encode(d, kDecisionKind, out); }

Result<Command, WireError> decode_command(std::string_view bytes) {
  return decode<Command>(bytes, kCommandKind, kCommandTypeMax, "unknown command type");
}

Result<Decision, WireError> decode_decision(std::string_view bytes) {
  return decode<Decision>(bytes, kDecisionKind, kDecisionTypeMax, "unknown decision type");
}

void DecisionBatchBuilder::add(const Decision& d) {
  one_.clear();
  encode_decision(d, one_);
  ByteWriter w(body_);
  w.varint(one_.size());
  w.raw(one_);
  ++count_;
}

void DecisionBatchBuilder::finish(std::string& out) {
  ByteWriter w(out);
  w.u8(kWireVersion);
  w.u8(kBatchKind);
  w.varint(count_);
  w.raw(body_);
  body_.clear();
  count_ = 0;
}

void encode_decision_batch(std::span<const Decision> decisions, std::string& out) {
  DecisionBatchBuilder batch;
  for (const Decision& d : decisions) batch.add(d);
  batch.finish(out);
}

Result<std::vector<Decision>, WireError> decode_decision_batch(std::string_view bytes) {
  ByteReader r(bytes);
  const auto at = [&] { return r.offset_from(bytes.data()); };
  uint8_t version = 0, kind = 0;
  if (!r.u8(version) || !r.u8(kind)) return unexpected(WireError{"truncated header", at()});
  if (version != kWireVersion) return unexpected(WireError{"bad version", 0});
  if (kind != kBatchKind) return unexpected(WireError{"wrong kind", 1});
  uint64_t count = 0;
  if (!r.varint(count)) return unexpected(WireError{"truncated varint", 2});
  if (at() - 2 != varint_size(count)) return unexpected(WireError{"non-canonical varint", 2});
  if (count == 0 || count > kMaxBatchDecisions) {
    return unexpected(WireError{"batch size out of range", 2});
  }
  std::vector<Decision> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const size_t start = at();
    uint64_t n = 0;
    std::string_view one;
    if (!r.varint(n) || varint_size(n) != at() - start || !r.raw(one, n)) {
      return unexpected(WireError{"truncated decision", start});
    }
    auto d = decode_decision(one);
    if (!d) return unexpected(WireError{d.error().what, at() - n + d.error().offset});
    out.push_back(*d);
  }
  if (!r.at_end()) return unexpected(WireError{"trailing bytes", at()});
  return out;
}

}  // namespace boxoffice::booking
