#include "booking/core/event_state.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "booking/core/hash.h"

namespace boxoffice::booking {
namespace {

bool valid_user_id(std::string_view u) {
  return !u.empty() && u.size() <= UserTable::kMaxNameBytes;
}

Decision& reject(DecisionSink& sink, Errc code, std::string_view user = {},
                 std::optional<SeatIndex> seat = std::nullopt) {
  Decision& d = sink.emit(DecisionType::kRejected, code);
  d.user_id = user;
  d.reservation_id = sink.command().reservation_id;
  if (seat) d.seats.push(*seat);
  return d;
}

// A payment is known by its provider and the provider's id for it.
uint64_t payment_key(const Command& c) {
  const uint64_t provider = stable_hash(std::string_view("\0", 1), stable_hash(c.provider));
  return stable_hash(c.payment_id, provider);
}

}  // namespace

EventState::EventState(const Event& event)
    : event_(&event),
      seats_(event.seats.size()),
      row_free_(event.rows.size()),
      row_run_(event.rows.size(), kRunUnknown),
      section_free_(event.sections.size()),
      section_run_(event.sections.size(), kRunUnknown) {
  for (size_t r = 0; r < event.rows.size(); ++r) {
    row_free_[r] = static_cast<uint16_t>(event.rows[r].seat_count);
  }
  for (size_t s = 0; s < event.sections.size(); ++s)
    section_free_[s] = event.sections[s].seat_count;
}

void EventState::apply(const Command& c, DecisionSink& sink) {
  // Users left with nothing by the previous command go now: its decisions are consumed.
  users_.collect();
  switch (c.type) {
    case CommandType::kReserve:
      return reserve(c, sink);
    case CommandType::kReserveBest:
      return reserve_best(c, sink);
    case CommandType::kPaymentStarted:
      return payment_started(c, sink);
    case CommandType::kConfirm:
      return confirm(c, sink);
    case CommandType::kCancel:
      return cancel(c, sink);
    case CommandType::kExpire:
      return expire(c, sink);
    case CommandType::kJoinWaitlist:
      return join_waitlist(c, sink);
    case CommandType::kLeaveWaitlist:
      return leave_waitlist(c, sink);
  }
  reject(sink, Errc::kBadCommand, c.user_id);
}

// ---------------------------------------------------------------------------------------------
// Commands

void EventState::reserve(const Command& c, DecisionSink& sink) {
  const auto seats = c.seats.span();
  if (!valid_user_id(c.user_id) || seats.empty())
    return void(reject(sink, Errc::kBadCommand, c.user_id));
  for (size_t i = 0; i < seats.size(); ++i) {
    if (seats[i] >= seats_.size())
      return void(reject(sink, Errc::kUnknownSeat, c.user_id, seats[i]));
    for (size_t j = 0; j < i; ++j) {
      if (seats[j] == seats[i])
        return void(reject(sink, Errc::kDuplicateSeat, c.user_id, seats[i]));
    }
  }
  if (seats.size() > event_->per_user_limit)
    return void(reject(sink, Errc::kTooManySeats, c.user_id));
  for (SeatIndex s : seats) {
    if (!event_->on_sale(s, c.at_ms)) return void(reject(sink, Errc::kNotOnSale, c.user_id, s));
  }
  for (SeatIndex s : seats) {
    if (seats_[s].holder != 0 && !seats_[s].sold()) expire_if_due(seats_[s].slot(), sink);
    if (seats_[s].holder != 0) return void(reject(sink, Errc::kSeatTaken, c.user_id, s));
  }
  const User known = users_.find(c.user_id);
  const uint32_t tickets = known == kNone ? 0 : users_.tickets(known);
  if (tickets + seats.size() > event_->per_user_limit) {
    return void(reject(sink, Errc::kLimitExceeded, c.user_id));
  }
  const User user = known == kNone ? users_.intern(c.user_id) : known;
  if (user == kNone) return void(reject(sink, Errc::kCapacityExceeded, c.user_id));
  for (SeatIndex s : seats) mark_free(s, false);
  fill_hold(sink.emit(DecisionType::kHeld),
            create_hold(user, seats, HoldKind::kReserve, c.at_ms + event_->hold_ms));
}

bool EventState::is_candidate(SeatIndex s, const Command& c) const {
  const int64_t price = event_->price_cents(s);
  return seats_[s].holder == 0 && event_->on_sale(s, c.at_ms) && price >= c.min_price_cents &&
         (c.max_price_cents == 0 || price <= c.max_price_cents);
}

bool EventState::may_match(const Section& section, const Command& c) {
  return section.opens_at_ms <= c.at_ms && section.max_price_cents >= c.min_price_cents &&
         (c.max_price_cents == 0 || section.min_price_cents <= c.max_price_cents);
}

uint32_t EventState::longest_free_run(uint32_t row_index) {
  if (row_run_[row_index] != kRunUnknown) return row_run_[row_index];
  const Row& row = event_->rows[row_index];
  uint32_t longest = 0;
  uint32_t run = 0;
  for (SeatIndex s = row.first_seat; s < row.first_seat + row.seat_count; ++s) {
    run = seats_[s].holder == 0 ? (event_->next_to_previous[s] != 0 ? run + 1 : 1) : 0;
    longest = std::max(longest, run);
  }
  row_run_[row_index] = static_cast<uint16_t>(longest);
  return longest;
}

void EventState::reserve_best(const Command& c, DecisionSink& sink) {
  if (!valid_user_id(c.user_id) || c.count == 0 || c.count > kMaxSeatsPerHold) {
    return void(reject(sink, Errc::kBadCommand, c.user_id));
  }
  if (c.section != kAnySection && c.section >= event_->sections.size()) {
    return void(reject(sink, Errc::kUnknownSeat, c.user_id));
  }
  if (c.count > event_->per_user_limit) return void(reject(sink, Errc::kTooManySeats, c.user_id));
  const bool any_wave_open = std::any_of(event_->waves.begin(), event_->waves.end(),
                                         [&](const Wave& w) { return w.opens_at_ms <= c.at_ms; });
  if (!any_wave_open) return void(reject(sink, Errc::kNotOnSale, c.user_id));
  const User known = users_.find(c.user_id);
  if ((known == kNone ? 0u : users_.tickets(known)) + uint32_t{c.count} > event_->per_user_limit) {
    return void(reject(sink, Errc::kLimitExceeded, c.user_id));
  }

  const size_t first_section = c.section == kAnySection ? 0 : c.section;
  const size_t end_section = c.section == kAnySection ? event_->sections.size() : c.section + 1u;
  SeatList picked;
  // Adjacent seats in one row first. Free counters and cached free runs pass over full rows and
  // sections cheaply; sections out of the price range or not yet on sale are skipped whole.
  for (size_t sec = first_section; sec < end_section && picked.count == 0; ++sec) {
    if (section_free_[sec] < c.count || section_run_[sec] < c.count ||
        !may_match(event_->sections[sec], c)) {
      continue;
    }
    const Section& section = event_->sections[sec];
    uint32_t section_bound = 0;  // the longest free run any row may still have
    for (uint32_t r = section.first_row; r < section.first_row + section.row_count; ++r) {
      if (row_free_[r] < c.count || longest_free_run(r) < c.count) {
        section_bound = std::max<uint32_t>(section_bound, std::min(row_free_[r], row_run_[r]));
        continue;
      }
      const Row& row = event_->rows[r];
      uint32_t run = 0;       // of candidates
      uint32_t free_run = 0;  // of seats nobody holds, to tighten the row's bound on a miss
      uint32_t longest_free = 0;
      for (SeatIndex s = row.first_seat; s < row.first_seat + row.seat_count; ++s) {
        const bool next_to = event_->next_to_previous[s] != 0;
        run = is_candidate(s, c) ? (next_to ? run + 1 : 1) : 0;
        free_run = seats_[s].holder == 0 ? (next_to ? free_run + 1 : 1) : 0;
        longest_free = std::max(longest_free, free_run);
        if (run == c.count) {
          for (SeatIndex k = s + 1 - run; k <= s; ++k) picked.push(k);
          break;
        }
      }
      if (picked.count != 0) break;
      row_run_[r] = static_cast<uint16_t>(longest_free);
      section_bound = std::max(section_bound, longest_free);
    }
    if (picked.count == 0) section_run_[sec] = static_cast<uint16_t>(section_bound);
  }
  // Otherwise the first candidates in best-first order, across sections.
  for (size_t sec = first_section; sec < end_section && picked.count < c.count; ++sec) {
    if (section_free_[sec] == 0 || !may_match(event_->sections[sec], c)) continue;
    const Section& section = event_->sections[sec];
    for (uint32_t r = section.first_row; r < section.first_row + section.row_count; ++r) {
      if (row_free_[r] == 0) continue;
      const Row& row = event_->rows[r];
      for (SeatIndex s = row.first_seat; s < row.first_seat + row.seat_count; ++s) {
        if (is_candidate(s, c) && picked.push(s) && picked.count == c.count) break;
      }
      if (picked.count == c.count) break;
    }
  }
  if (picked.count < c.count) return void(reject(sink, Errc::kNoSeatsAvailable, c.user_id));
  const User user = known == kNone ? users_.intern(c.user_id) : known;
  if (user == kNone) return void(reject(sink, Errc::kCapacityExceeded, c.user_id));
  for (SeatIndex s : picked.span()) mark_free(s, false);
  fill_hold(sink.emit(DecisionType::kHeld),
            create_hold(user, picked.span(), HoldKind::kReserve, c.at_ms + event_->hold_ms));
}

void EventState::payment_started(const Command& c, DecisionSink& sink) {
  const Found f = find_reservation(c.reservation_id);
  if (f.error != Errc::kOk) return void(reject(sink, f.error, c.user_id));
  if (expire_if_due(f.slot, sink)) return void(reject(sink, Errc::kHoldExpired, c.user_id));
  Reservation& r = slots_[f.slot];
  if (r.status() == SlotStatus::kBooked) return void(reject(sink, Errc::kAlreadyBooked, c.user_id));
  if (!holds(f.slot, c.user_id)) return void(reject(sink, Errc::kNotHolder, c.user_id));
  if (!r.has(Reservation::kPaymentStarted)) {
    r.packed |= Reservation::kPaymentStarted;
    r.set_value(
        static_cast<uint64_t>(std::max(r.expires_at_ms(), c.at_ms + event_->payment_hold_ms)));
  }
  Decision& d = sink.emit(DecisionType::kPaymentPending);
  d.user_id = users_.name(r.user);
  d.reservation_id = id_of(f.slot);
  d.expires_at_ms = r.expires_at_ms();
}

void EventState::confirm(const Command& c, DecisionSink& sink) {
  // Money has moved: whatever happens, the answer is a booking or a refund.
  auto refuse = [&](Errc why) {
    reject(sink, why, c.user_id);
    sink.refund(why);
  };
  const Found f = find_reservation(c.reservation_id);
  if (f.error != Errc::kOk) return refuse(f.error);
  if (expire_if_due(f.slot, sink)) return refuse(Errc::kHoldExpired);
  Reservation& r = slots_[f.slot];
  const uint64_t paid_with = payment_key(c);
  const SeatList seats = seats_of(f.slot);
  const int64_t amount = amount_of(seats);
  if (r.status() == SlotStatus::kBooked && r.value() != paid_with) {
    return refuse(Errc::kAlreadyBooked);
  }
  if (r.status() == SlotStatus::kHeld) {
    if (!holds(f.slot, c.user_id)) return refuse(Errc::kNotHolder);
    if (c.amount_cents != amount) return refuse(Errc::kWrongAmount);
    r.set_status(SlotStatus::kBooked);
    r.set_value(paid_with);
  }
  // A first confirmation books; a duplicate of it gets the same answer and changes nothing.
  Decision& d = sink.emit(DecisionType::kBooked);
  d.user_id = users_.name(r.user);
  d.reservation_id = id_of(f.slot);
  d.seats = seats;
  d.amount_cents = amount;
  d.payment_id = c.payment_id;
  d.provider = c.provider;
  for (SeatIndex s : seats.span()) {
    seats_[s].holder |= SeatState::kSold;
    clear_waitlist(s, sink);
  }
}

void EventState::cancel(const Command& c, DecisionSink& sink) {
  const Found f = find_reservation(c.reservation_id);
  if (f.error != Errc::kOk) return void(reject(sink, f.error, c.user_id));
  if (expire_if_due(f.slot, sink)) return void(reject(sink, Errc::kHoldExpired, c.user_id));
  if (slots_[f.slot].status() == SlotStatus::kBooked) {
    return void(reject(sink, Errc::kAlreadyBooked, c.user_id));
  }
  if (!holds(f.slot, c.user_id)) return void(reject(sink, Errc::kNotHolder, c.user_id));
  end_hold(f.slot, DecisionType::kCancelled, sink);
}

void EventState::expire(const Command& c, DecisionSink& sink) {
  const Found f = find_reservation(c.reservation_id);
  if (f.error != Errc::kOk) return void(reject(sink, f.error));
  if (slots_[f.slot].status() == SlotStatus::kBooked)
    return void(reject(sink, Errc::kAlreadyBooked));
  if (!expire_if_due(f.slot, sink)) reject(sink, Errc::kNotDue);
}

void EventState::join_waitlist(const Command& c, DecisionSink& sink) {
  if (!valid_user_id(c.user_id) || c.seats.count != 1) {
    return void(reject(sink, Errc::kBadCommand, c.user_id));
  }
  const SeatIndex s = c.seats.items[0];
  if (s >= seats_.size()) return void(reject(sink, Errc::kUnknownSeat, c.user_id, s));
  if (!event_->on_sale(s, c.at_ms)) return void(reject(sink, Errc::kNotOnSale, c.user_id, s));
  if (seats_[s].sold()) return void(reject(sink, Errc::kSeatSold, c.user_id, s));
  if (seats_[s].holder != 0) expire_if_due(seats_[s].slot(), sink);
  if (seats_[s].holder == 0) return void(reject(sink, Errc::kSeatAvailable, c.user_id, s));
  const uint32_t slot = seats_[s].slot();
  const User known = users_.find(c.user_id);
  if (known != kNone && known == slots_[slot].user) {
    return void(reject(sink, Errc::kAlreadyHolder, c.user_id, s));
  }
  // Only someone already waiting somewhere can be in this list: others skip the walk.
  uint32_t position = known != kNone && users_.waits(known) > 0 ? waitlist_position(s, known) : 0;
  if (position == 0) {
    const uint32_t length = waitlist_length(s);
    if (length >= event_->waitlist_cap ||
        (known != kNone && users_.waits(known) >= UserTable::kMaxWaits)) {
      return void(reject(sink, Errc::kWaitlistFull, c.user_id, s));
    }
    const User user = known == kNone ? users_.intern(c.user_id) : known;
    if (user == kNone) return void(reject(sink, Errc::kCapacityExceeded, c.user_id, s));
    append_to_waitlist(s, user);
    position = length + 1;
  }
  Decision& d = sink.emit(DecisionType::kWaitlisted);
  d.user_id = c.user_id;
  d.seats.push(s);
  d.position = position;
}

void EventState::leave_waitlist(const Command& c, DecisionSink& sink) {
  if (!valid_user_id(c.user_id) || c.seats.count != 1) {
    return void(reject(sink, Errc::kBadCommand, c.user_id));
  }
  const SeatIndex s = c.seats.items[0];
  if (s >= seats_.size()) return void(reject(sink, Errc::kUnknownSeat, c.user_id, s));
  const User user = users_.find(c.user_id);
  WaitList* list = waitlists_.find(s);
  if (user == kNone || users_.waits(user) == 0 || list == nullptr) {
    return void(reject(sink, Errc::kNotWaitlisted, c.user_id, s));
  }
  const uint32_t tail = list->tail;
  for (uint32_t prev = tail, node = wait_nodes_[tail].next;;
       prev = node, node = wait_nodes_[node].next) {
    if (wait_nodes_[node].user == user) {
      unlink_from_waitlist(s, *list, prev, node);
      break;
    }
    if (node == tail) return void(reject(sink, Errc::kNotWaitlisted, c.user_id, s));
  }
  Decision& d = sink.emit(DecisionType::kWaitlistLeft);
  d.user_id = c.user_id;
  d.seats.push(s);
}

// ---------------------------------------------------------------------------------------------
// Holds

EventState::Found EventState::find_reservation(ReservationId id) const {
  const auto serial = static_cast<uint32_t>(id >> 32);
  const auto slot = static_cast<uint32_t>(id);
  if (serial == 0 || serial >= next_serial_) return {Errc::kUnknownReservation, 0};
  if (slot >= slots_.size() || slots_[slot].status() == SlotStatus::kFree ||
      slots_[slot].serial != serial) {
    return {Errc::kHoldExpired, 0};  // issued once, ended since
  }
  return {Errc::kOk, slot};
}

bool EventState::expire_if_due(uint32_t slot, DecisionSink& sink) {
  const Reservation& r = slots_[slot];
  if (r.status() != SlotStatus::kHeld || r.expires_at_ms() > sink.command().at_ms) return false;
  end_hold(slot, DecisionType::kExpired, sink);
  return true;
}

void EventState::end_hold(uint32_t slot, DecisionType why, DecisionSink& sink) {
  Reservation& r = slots_[slot];
  Decision& d = sink.emit(why);
  d.user_id = users_.name(r.user);
  d.reservation_id = id_of(slot);
  d.seats = seats_of(slot);
  const SeatList seats = d.seats;  // d dies with the next emit
  users_.add_tickets(r.user, -static_cast<int>(seats.count));
  for (SeatIndex s : seats.span()) seats_[s].holder = 0;
  if (r.has(Reservation::kScattered)) free_seat_lists_[seats.count].push_back(r.first_seat());
  r = Reservation{};
  r.user = free_slot_;
  free_slot_ = slot;
  for (SeatIndex s : seats.span()) hand_over(s, sink);
}

void EventState::hand_over(SeatIndex seat, DecisionSink& sink) {
  // The seat goes to the first waiting user who may still take a ticket.
  for (User user = pop_waitlist_head(seat); user != kNone; user = pop_waitlist_head(seat)) {
    if (users_.tickets(user) + 1u > event_->per_user_limit) {
      reject(sink, Errc::kLimitExceeded, users_.name(user), seat);
      continue;
    }
    const SeatIndex one[] = {seat};
    const uint32_t slot =
        create_hold(user, one, HoldKind::kOffer, sink.command().at_ms + event_->offer_ms);
    fill_hold(sink.emit(DecisionType::kOffered), slot);
    return;
  }
  mark_free(seat, true);
  sink.emit(DecisionType::kReleased).seats.push(seat);
}

uint32_t EventState::create_hold(User user, std::span<const SeatIndex> seats, HoldKind kind,
                                 int64_t expires_at_ms) {
  uint32_t slot = free_slot_;
  if (slot == kNone) {
    grow_gently(slots_);
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    free_slot_ = slots_[slot].user;
  }
  bool consecutive = true;
  for (size_t i = 1; i < seats.size(); ++i) consecutive &= seats[i] == seats[0] + i;
  Reservation& r = slots_[slot];
  r.user = user;
  r.serial = next_serial_++;
  r.packed = (consecutive ? seats[0] : store_seat_list(seats)) |
             static_cast<uint32_t>(seats.size() - 1) << Reservation::kCountShift |
             static_cast<uint32_t>(SlotStatus::kHeld) << Reservation::kStatusShift |
             (consecutive ? 0 : Reservation::kScattered) |
             (kind == HoldKind::kOffer ? Reservation::kOffer : 0);
  r.set_value(static_cast<uint64_t>(expires_at_ms));
  for (SeatIndex s : seats) seats_[s].holder = slot + 1;
  users_.add_tickets(user, static_cast<int>(seats.size()));
  return slot;
}

void EventState::mark_free(SeatIndex seat, bool free) {
  const int delta = free ? 1 : -1;
  const Seat& s = event_->seats[seat];
  row_free_[s.row] = static_cast<uint16_t>(row_free_[s.row] + delta);
  if (free) {  // taking seats only shortens runs: the bounds hold until a seat comes back
    row_run_[s.row] = kRunUnknown;
    section_run_[s.section] = kRunUnknown;
  }
  section_free_[s.section] = static_cast<uint32_t>(section_free_[s.section] + delta);
}

uint32_t EventState::store_seat_list(std::span<const SeatIndex> seats) {
  auto& reusable = free_seat_lists_[seats.size()];
  uint32_t at = 0;
  if (reusable.empty()) {
    at = static_cast<uint32_t>(seat_lists_.size());
    grow_gently(seat_lists_);
    seat_lists_.resize(seat_lists_.size() + seats.size());
  } else {
    at = reusable.back();
    reusable.pop_back();
  }
  std::copy(seats.begin(), seats.end(), seat_lists_.begin() + at);
  return at;
}

SeatList EventState::seats_of(uint32_t slot) const {
  const Reservation& r = slots_[slot];
  SeatList out;
  for (uint32_t i = 0; i < r.seat_count(); ++i) {
    out.push(r.has(Reservation::kScattered) ? seat_lists_[r.first_seat() + i] : r.first_seat() + i);
  }
  return out;
}

int64_t EventState::amount_of(const SeatList& seats) const {
  int64_t sum = 0;
  for (SeatIndex s : seats.span()) sum += event_->price_cents(s);
  return sum;
}

void EventState::fill_hold(Decision& d, uint32_t slot) const {
  const Reservation& r = slots_[slot];
  d.user_id = users_.name(r.user);
  d.reservation_id = id_of(slot);
  d.seats = seats_of(slot);
  d.expires_at_ms = r.expires_at_ms();
  d.amount_cents = amount_of(d.seats);
}

ReservationView EventState::view_of(uint32_t slot) const {
  const Reservation& r = slots_[slot];
  ReservationView v;
  v.id = id_of(slot);
  v.status =
      r.status() == SlotStatus::kBooked ? ReservationStatus::kBooked : ReservationStatus::kHeld;
  v.kind = r.has(Reservation::kOffer) ? HoldKind::kOffer : HoldKind::kReserve;
  v.payment_started = r.has(Reservation::kPaymentStarted);
  v.user_id = users_.name(r.user);
  v.seats = seats_of(slot);
  v.expires_at_ms = r.status() == SlotStatus::kHeld ? r.expires_at_ms() : 0;
  v.amount_cents = amount_of(v.seats);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Waitlists

uint32_t EventState::waitlist_position(SeatIndex seat, User user) const {
  const uint32_t tail = waitlist_tail(seat);
  if (tail == kNone) return 0;
  uint32_t position = 1;
  for (uint32_t node = wait_nodes_[tail].next;; node = wait_nodes_[node].next, ++position) {
    if (wait_nodes_[node].user == user) return position;
    if (node == tail) return 0;
  }
}

void EventState::append_to_waitlist(SeatIndex seat, User user) {
  uint32_t node = free_wait_node_;
  if (node == kNone) {
    grow_gently(wait_nodes_);
    node = static_cast<uint32_t>(wait_nodes_.size());
    wait_nodes_.emplace_back();
  } else {
    free_wait_node_ = wait_nodes_[node].next;
  }
  wait_nodes_[node].user = user;
  users_.add_waits(user, 1);
  WaitList& list = waitlists_.insert(seat);
  if (list.tail == kNone) {
    wait_nodes_[node].next = node;
  } else {
    wait_nodes_[node].next = wait_nodes_[list.tail].next;
    wait_nodes_[list.tail].next = node;
  }
  list.tail = node;
  ++list.length;
}

void EventState::unlink_from_waitlist(SeatIndex seat, WaitList& list, uint32_t prev,
                                      uint32_t node) {
  users_.add_waits(wait_nodes_[node].user, -1);
  if (--list.length == 0) {
    waitlists_.erase(seat);
  } else {
    wait_nodes_[prev].next = wait_nodes_[node].next;
    if (node == list.tail) list.tail = prev;
  }
  wait_nodes_[node] = WaitNode{0, free_wait_node_};
  free_wait_node_ = node;
}

EventState::User EventState::pop_waitlist_head(SeatIndex seat) {
  WaitList* list = waitlists_.find(seat);
  if (list == nullptr) return kNone;
  const uint32_t head = wait_nodes_[list->tail].next;
  const User user = wait_nodes_[head].user;
  unlink_from_waitlist(seat, *list, list->tail, head);
  return user;
}

void EventState::clear_waitlist(SeatIndex seat, DecisionSink& sink) {
  uint32_t cleared = 0;
  while (pop_waitlist_head(seat) != kNone) ++cleared;
  if (cleared == 0) return;
  Decision& d = sink.emit(DecisionType::kWaitlistCleared);
  d.seats.push(seat);
  d.position = cleared;
}

EventState::WaitList* EventState::WaitlistIndex::find(SeatIndex seat) {
  return const_cast<WaitList*>(std::as_const(*this).find(seat));
}

const EventState::WaitList* EventState::WaitlistIndex::find(SeatIndex seat) const {
  if (slots_.empty()) return nullptr;
  for (size_t i = home(seat);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i].key == 0) return nullptr;
    if (slots_[i].key == seat + 1) return &slots_[i].list;
  }
}

EventState::WaitList& EventState::WaitlistIndex::insert(SeatIndex seat) {
  if (WaitList* found = find(seat)) return *found;
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  size_t i = home(seat);
  while (slots_[i].key != 0) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = Slot{seat + 1, WaitList{}};
  ++size_;
  return slots_[i].list;
}

void EventState::WaitlistIndex::erase(SeatIndex seat) {
  const size_t mask = slots_.size() - 1;
  size_t i = home(seat);
  while (slots_[i].key != seat + 1) i = (i + 1) & mask;
  erase_slot(
      slots_, i, [](const Slot& s) { return s.key == 0; },
      [this](const Slot& s) { return home(s.key - 1); });
  --size_;
}

void EventState::WaitlistIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
  size_ = 0;
  for (const Slot& s : old) {
    if (s.key != 0) insert(s.key - 1) = s.list;
  }
}

// ---------------------------------------------------------------------------------------------
// Read access

SeatStatus EventState::seat_status(SeatIndex seat) const {
  if (seat >= seats_.size() || seats_[seat].holder == 0) return SeatStatus::kAvailable;
  return seats_[seat].sold() ? SeatStatus::kBooked : SeatStatus::kHeld;
}

std::optional<ReservationView> EventState::seat_holder(SeatIndex seat) const {
  if (seat >= seats_.size() || seats_[seat].holder == 0) return std::nullopt;
  return view_of(seats_[seat].slot());
}

std::optional<ReservationView> EventState::reservation(ReservationId id) const {
  const Found f = find_reservation(id);
  if (f.error != Errc::kOk) return std::nullopt;
  return view_of(f.slot);
}

std::vector<ReservationView> EventState::reservations() const {
  std::vector<ReservationView> out;
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    if (slots_[slot].status() != SlotStatus::kFree) out.push_back(view_of(slot));
  }
  return out;
}

std::vector<std::string_view> EventState::waitlist(SeatIndex seat) const {
  std::vector<std::string_view> out;
  const uint32_t tail = seat < seats_.size() ? waitlist_tail(seat) : kNone;
  if (tail == kNone) return out;
  for (uint32_t node = wait_nodes_[tail].next;; node = wait_nodes_[node].next) {
    out.push_back(users_.name(wait_nodes_[node].user));
    if (node == tail) return out;
  }
}

uint32_t EventState::tickets_of(std::string_view user_id) const {
  const User u = users_.find(user_id);
  return u == kNone ? 0 : users_.tickets(u);
}

Partition::Memory EventState::memory() const {
  Partition::Memory m;
  m.inventory =
      sizeof(*this) + seats_.capacity() * sizeof(SeatState) +
      (row_free_.capacity() + row_run_.capacity() + section_run_.capacity()) * sizeof(uint16_t) +
      section_free_.capacity() * sizeof(uint32_t) + slots_.capacity() * sizeof(Reservation) +
      seat_lists_.capacity() * sizeof(SeatIndex);
  for (const auto& f : free_seat_lists_) m.inventory += f.capacity() * sizeof(uint32_t);
  m.users = users_.bytes();
  m.waitlists = wait_nodes_.capacity() * sizeof(WaitNode) + waitlists_.bytes();
  return m;
}

Partition::Population EventState::population() const {
  Partition::Population p;
  p.reservations =
      static_cast<size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Reservation& r) {
        return r.status() != SlotStatus::kFree;
      }));
  p.users = users_.size();
  waitlists_.for_each([&p](SeatIndex, const WaitList& l) { p.waitlist_entries += l.length; });
  return p;
}

}  // namespace boxoffice::booking
