// Snapshot format (version 1), integers as LEB128 varints unless noted:
//   "BXSNAP" u8 version, fixed64 catalog fingerprint, seq, event count,
//   per event: catalog index (increasing), then EventState:
//     next_serial, free_slot + 1, slot count, per slot: u8 status, then
//       free: next free slot + 1 | in use: serial, user handle, packed word,
//       held: zigzag expires_at_ms | booked: fixed64 payment hash,
//       scattered: its seats (the packed word then holds 0 where the list's place goes);
//     per catalog seat: holder, its waitlist's tail node + 1;
//     the user table (user_table.cc);
//     wait node count, per node: user handle, next + 1; free wait node + 1.
// Derived state (free counters, ticket and waitlist counts, hash indexes) is rebuilt, never
// stored, so equal states give equal bytes.
#include <algorithm>

#include "booking/core/bytes.h"
#include "booking/core/event_state.h"
#include "booking/core/partition.h"

namespace boxoffice::booking {
namespace {

constexpr std::string_view kMagic = "BXSNAP";
constexpr uint8_t kSnapshotVersion = 1;

}  // namespace

void EventState::serialize(ByteWriter& w) const {
  const auto plus_one = [](uint32_t v) { return v == kNone ? 0 : v + 1ULL; };
  w.varint(next_serial_);
  w.varint(plus_one(free_slot_));
  w.varint(slots_.size());
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    const Reservation& r = slots_[slot];
    w.u8(static_cast<uint8_t>(r.status()));
    if (r.status() == SlotStatus::kFree) {
      w.varint(plus_one(r.user));
      continue;
    }
    w.varint(r.serial);
    w.varint(r.user);
    // Where a scattered seat list sits is not state: store 0 for it.
    const uint32_t seat_mask = (1u << Reservation::kSeatBits) - 1;
    w.varint(r.has(Reservation::kScattered) ? r.packed & ~seat_mask : r.packed);
    if (r.status() == SlotStatus::kHeld) {
      w.svarint(r.expires_at_ms());
    } else {
      w.fixed64(r.value());
    }
    if (r.has(Reservation::kScattered)) {
      const SeatList seats = seats_of(slot);
      for (SeatIndex s : seats.span()) w.varint(s);
    }
  }
  for (SeatIndex s = 0; s < seats_.size(); ++s) {
    w.varint(seats_[s].holder & ~SeatState::kSold);  // derived from the reservation
    w.varint(plus_one(waitlist_tail(s)));
  }
  users_.serialize(w);
  w.varint(wait_nodes_.size());
  for (const WaitNode& n : wait_nodes_) {
    w.varint(n.user);
    w.varint(plus_one(n.next));
  }
  w.varint(plus_one(free_wait_node_));
}

Result<std::unique_ptr<EventState>, std::string> EventState::deserialize(const Event& event,
                                                                         ByteReader& r) {
  auto state = std::make_unique<EventState>(event);
  EventState& st = *state;
  const auto fail = [](const std::string& what) { return unexpected("snapshot: " + what); };
  // Reads an index below limit; with plus_one, 0 stands for kNone.
  const auto index = [&r](uint32_t& out, uint64_t limit, bool plus_one) {
    uint64_t v = 0;
    if (!r.varint(v)) return false;
    if (plus_one) {
      if (v == 0) return out = kNone, true;
      --v;
    }
    if (v >= limit) return false;
    out = static_cast<uint32_t>(v);
    return true;
  };
  const uint64_t seat_count = event.seats.size();

  uint64_t next_serial = 0;
  uint32_t free_slot = kNone;
  uint64_t slot_count = 0;
  if (!r.varint(next_serial) || next_serial == 0 || next_serial > 0xFFFFFFFFULL) {
    return fail("bad serial counter");
  }
  st.next_serial_ = static_cast<uint32_t>(next_serial);
  // Each entry takes at least two bytes: counts beyond that are lies, not allocations to make.
  if (!index(free_slot, 0xFFFFFFFF, true) || !r.varint(slot_count) ||
      slot_count > r.remaining() / 2 || (free_slot != kNone && free_slot >= slot_count)) {
    return fail("bad slot table header");
  }
  st.free_slot_ = free_slot;
  st.slots_.resize(slot_count);
  for (uint32_t slot = 0; slot < slot_count; ++slot) {
    Reservation& res = st.slots_[slot];
    uint8_t status = 0;
    if (!r.u8(status) || status > 2) return fail("bad slot status");
    if (status == 0) {
      if (!index(res.user, slot_count, true)) return fail("bad free slot link");
      continue;
    }
    uint64_t serial = 0;
    uint64_t packed = 0;
    if (!r.varint(serial) || serial == 0 || serial >= next_serial ||
        !index(res.user, UserTable::kNone, false) || !r.varint(packed) || packed > 0xFFFFFFFFULL) {
      return fail("bad reservation");
    }
    res.serial = static_cast<uint32_t>(serial);
    res.packed = static_cast<uint32_t>(packed);
    if (static_cast<uint8_t>(res.status()) != status) return fail("bad reservation status");
    if (status == 1) {
      int64_t expires = 0;
      if (!r.svarint(expires)) return fail("bad deadline");
      res.set_value(static_cast<uint64_t>(expires));
    } else {
      uint64_t hash = 0;
      if (!r.fixed64(hash)) return fail("bad payment hash");
      res.set_value(hash);
    }
    if (res.has(Reservation::kScattered)) {
      if (res.first_seat() != 0) return fail("bad scattered seats");
      SeatList list;
      for (uint32_t i = 0; i < res.seat_count(); ++i) {
        uint32_t seat = 0;
        if (!index(seat, seat_count, false)) return fail("bad scattered seat");
        list.push(seat);
      }
      res.packed |= st.store_seat_list(list.span());
    } else if (res.first_seat() + uint64_t{res.seat_count()} > seat_count) {
      return fail("reservation seats out of range");
    }
  }
  const uint64_t node_limit = r.remaining();  // every node takes at least two bytes
  std::vector<uint32_t> tails(seat_count);
  for (SeatIndex s = 0; s < seat_count; ++s) {
    if (!index(st.seats_[s].holder, slot_count + 1, false) || !index(tails[s], node_limit, true)) {
      return fail("bad seat");
    }
  }
  std::string error;
  if (!st.users_.deserialize(r, error)) return fail(error);
  uint64_t node_count = 0;
  if (!r.varint(node_count) || node_count > r.remaining() / 2) return fail("bad wait node count");
  st.wait_nodes_.resize(node_count);
  for (WaitNode& n : st.wait_nodes_) {
    if (!index(n.user, UserTable::kNone, false) || !index(n.next, node_count, true)) {
      return fail("bad wait node");
    }
  }
  if (!index(st.free_wait_node_, node_count, true)) return fail("bad free wait node");

  // Cross-checks: every structure links up exactly once, so later commands stay in bounds.
  std::vector<uint8_t> slot_seen(slot_count, 0);
  for (uint32_t s = st.free_slot_; s != kNone; s = st.slots_[s].user) {
    if (st.slots_[s].status() != SlotStatus::kFree || slot_seen[s]++ != 0)
      return fail("bad free list");
  }
  uint64_t held_seats = 0;
  for (uint32_t slot = 0; slot < slot_count; ++slot) {
    const Reservation& res = st.slots_[slot];
    if (res.status() == SlotStatus::kFree) {
      if (slot_seen[slot] == 0) return fail("free slot off the free list");
      continue;
    }
    if (!st.users_.is_live(res.user)) return fail("reservation of an unknown user");
    const SeatList seats = st.seats_of(slot);
    for (SeatIndex s : seats.span()) {
      if (st.seats_[s].holder != slot + 1) return fail("seat and reservation disagree");
    }
    held_seats += seats.count;
    if (st.users_.tickets(res.user) + seats.count > event.per_user_limit) {
      return fail("user over the ticket limit");
    }
    st.users_.add_tickets(res.user, seats.count);
  }
  uint64_t holders = 0;
  for (SeatIndex s = 0; s < seat_count; ++s) {
    const SeatState& seat = st.seats_[s];
    if (tails[s] != kNone && tails[s] >= node_count) return fail("bad waitlist tail");
    if (seat.holder == 0) {
      if (tails[s] != kNone) return fail("waitlist on a free seat");
      continue;
    }
    const SlotStatus status = st.slots_[seat.holder - 1].status();
    if (status == SlotStatus::kFree) return fail("seat held by a free slot");
    if (status == SlotStatus::kBooked && tails[s] != kNone) return fail("waitlist on a sold seat");
    if (status == SlotStatus::kBooked) st.seats_[s].holder |= SeatState::kSold;
    ++holders;
    st.mark_free(s, false);
  }
  if (holders != held_seats) return fail("seat holders and reservations disagree");
  std::vector<uint8_t> node_seen(node_count, 0);
  for (uint32_t n = st.free_wait_node_; n != kNone; n = st.wait_nodes_[n].next) {
    if (node_seen[n]++ != 0) return fail("bad free wait node list");
  }
  for (SeatIndex s = 0; s < seat_count; ++s) {
    const uint32_t tail = tails[s];
    if (tail == kNone) continue;
    WaitList& list = st.waitlists_.insert(s);
    list.tail = tail;
    uint32_t n = tail;
    do {
      ++list.length;
      if (n == kNone || node_seen[n]++ != 0) return fail("broken waitlist");
      const User user = st.wait_nodes_[n].user;
      if (!st.users_.is_live(user) || st.users_.waits(user) >= UserTable::kMaxWaits) {
        return fail("bad waitlist user");
      }
      st.users_.add_waits(user, 1);
      n = st.wait_nodes_[n].next;
    } while (n != tail);
  }
  if (std::count(node_seen.begin(), node_seen.end(), 0) != 0) return fail("orphan wait node");
  st.users_.queue_unreferenced();
  return state;
}

std::string Partition::snapshot() const {
  std::string out;
  ByteWriter w(out);
  w.raw(kMagic);
  w.u8(kSnapshotVersion);
  w.fixed64(catalog_->fingerprint());
  w.varint(seq_);
  w.varint(static_cast<uint64_t>(
      std::count_if(events_.begin(), events_.end(), [](const auto& e) { return e != nullptr; })));
  for (size_t i = 0; i < events_.size(); ++i) {
    if (!events_[i]) continue;
    w.varint(i);
    events_[i]->serialize(w);
  }
  return out;
}

Result<Partition, std::string> Partition::restore(const Catalog& catalog, std::string_view bytes) {
  ByteReader r(bytes);
  std::string_view magic;
  uint8_t version = 0;
  uint64_t fingerprint = 0;
  uint64_t seq = 0;
  uint64_t count = 0;
  if (!r.raw(magic, kMagic.size()) || magic != kMagic)
    return unexpected(std::string("snapshot: not a snapshot"));
  if (!r.u8(version) || version != kSnapshotVersion)
    return unexpected(std::string("snapshot: unsupported version"));
  if (!r.fixed64(fingerprint) || fingerprint != catalog.fingerprint()) {
    return unexpected(std::string("snapshot: taken against a different catalog"));
  }
  if (!r.varint(seq) || !r.varint(count) || count > catalog.events.size()) {
    return unexpected(std::string("snapshot: bad header"));
  }
  Partition p(catalog);
  p.seq_ = seq;
  uint64_t previous = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t index = 0;
    if (!r.varint(index) || index >= catalog.events.size() || (i > 0 && index <= previous)) {
      return unexpected(std::string("snapshot: bad event index"));
    }
    previous = index;
    auto state = EventState::deserialize(catalog.events[index], r);
    if (!state) return unexpected(state.error());
    p.events_[index] = std::move(*state);
  }
  if (!r.at_end()) return unexpected(std::string("snapshot: trailing bytes"));
  return p;
}

}  // namespace boxoffice::booking
