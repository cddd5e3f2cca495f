#include "booking/core/tests/reference_model.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace boxoffice::booking {

namespace {

constexpr uint64_t kSerialShift = 32;

std::vector<SeatIndex> seats_of(const Command& cmd) {
  return {cmd.seats.span().begin(), cmd.seats.span().end()};
}

}  // namespace

ReferenceModel::ReferenceModel(const Catalog& catalog)
    : catalog_(&catalog), events_(catalog.events.size()) {}

std::vector<ExpectedDecision> ReferenceModel::apply(const Command& cmd) {
  std::vector<ExpectedDecision> out;
  looked_at_.clear();
  const auto it = catalog_->event_by_id.find(cmd.event_id);
  if (it == catalog_->event_by_id.end()) {
    ExpectedDecision d;
    d.code = Errc::kUnknownEvent;
    d.user = std::string(cmd.user_id);
    out.push_back(d);
    // A payment happened all the same: it must be given back.
    if (cmd.type == CommandType::kConfirm) {
      d.type = DecisionType::kRefundRequired;
      d.raw_id = cmd.reservation_id;
      d.payment_id = std::string(cmd.payment_id);
      d.provider = std::string(cmd.provider);
      d.amount_cents = cmd.amount_cents;
      out.push_back(d);
    }
    return out;
  }
  Ctx c{cmd, catalog_->events[it->second], events_[it->second], out};
  switch (cmd.type) {
    case CommandType::kReserve:
      reserve(c);
      break;
    case CommandType::kReserveBest:
      reserve_best(c);
      break;
    case CommandType::kPaymentStarted:
      payment_started(c);
      break;
    case CommandType::kConfirm:
      confirm(c);
      break;
    case CommandType::kCancel:
      cancel(c);
      break;
    case CommandType::kExpire:
      expire(c);
      break;
    case CommandType::kJoinWaitlist:
      join_waitlist(c);
      break;
    case CommandType::kLeaveWaitlist:
      leave_waitlist(c);
      break;
  }
  return out;
}

// --- commands -----------------------------------------------------------------------------

void ReferenceModel::reserve(Ctx& c) {
  const std::vector<SeatIndex> seats = seats_of(c.cmd);
  const std::string user(c.cmd.user_id);
  if (seats.empty()) return reject(c, Errc::kBadCommand);
  // One pass: each seat must be known and not repeat an earlier one. (README leaves open
  // whether all seats are checked for unknown_seat before any for duplicate_seat; the
  // implementation goes seat by seat.)
  for (size_t i = 0; i < seats.size(); ++i) {
    if (seats[i] >= c.ev.seats.size()) return reject(c, Errc::kUnknownSeat, {seats[i]});
    for (size_t j = 0; j < i; ++j) {
      if (seats[i] == seats[j]) return reject(c, Errc::kDuplicateSeat, {seats[i]});
    }
  }
  if (seats.size() > c.ev.per_user_limit) return reject(c, Errc::kTooManySeats);
  for (SeatIndex s : seats) {
    if (c.cmd.at_ms < c.ev.seat_opens_at_ms(s)) return reject(c, Errc::kNotOnSale, {s});
  }
  for (SeatIndex s : seats) {
    if (auto h = holder_in(c.em, s)) look_at(c, *h);
    if (holder_in(c.em, s)) return reject(c, Errc::kSeatTaken, {s});
  }
  if (tickets_in(c.em, user) + seats.size() > c.ev.per_user_limit) {
    return reject(c, Errc::kLimitExceeded);
  }
  new_hold(c, user, seats, /*offer=*/false, c.cmd.at_ms + c.ev.hold_ms);
}

void ReferenceModel::reserve_best(Ctx& c) {
  const std::string user(c.cmd.user_id);
  const uint32_t count = c.cmd.count;
  // Like Reserve's seat list, the count must be 1..16 (README leaves a count of 17+ open; the
  // implementation calls it malformed, as it does 0).
  if (count == 0 || count > kMaxSeatsPerHold) return reject(c, Errc::kBadCommand);
  // README does not say; the implementation calls a section that does not exist an unknown
  // seat (with no seat to name).
  if (c.cmd.section != kAnySection && c.cmd.section >= c.ev.sections.size()) {
    return reject(c, Errc::kUnknownSeat);
  }
  if (count > c.ev.per_user_limit) return reject(c, Errc::kTooManySeats);
  const bool any_wave_open = std::any_of(c.ev.waves.begin(), c.ev.waves.end(), [&](const Wave& w) {
    return w.opens_at_ms <= c.cmd.at_ms;
  });
  if (!any_wave_open) return reject(c, Errc::kNotOnSale);
  if (tickets_in(c.em, user) + count > c.ev.per_user_limit) {
    return reject(c, Errc::kLimitExceeded);
  }
  // Rows in search order (sections best first, rows front to back), each with the seats that
  // are open and priced in range. A search does not end holds: a hold past its deadline still
  // counts as held until its Expire or a command naming its seats ends it.
  std::vector<std::vector<SeatIndex>> rows;
  for (size_t sec = 0; sec < c.ev.sections.size(); ++sec) {
    if (c.cmd.section != kAnySection && c.cmd.section != sec) continue;
    const Section& section = c.ev.sections[sec];
    for (uint32_t r = section.first_row; r < section.first_row + section.row_count; ++r) {
      const Row& row = c.ev.rows[r];
      std::vector<SeatIndex> in_range;
      for (SeatIndex s = row.first_seat; s < row.first_seat + row.seat_count; ++s) {
        const int64_t price = c.ev.price_cents(s);
        if (c.cmd.at_ms < c.ev.seat_opens_at_ms(s)) continue;
        if (price < c.cmd.min_price_cents) continue;
        if (c.cmd.max_price_cents != 0 && price > c.cmd.max_price_cents) continue;
        in_range.push_back(s);
      }
      rows.push_back(in_range);
    }
  }
  // Candidates: the seats in range that nobody holds.
  std::vector<std::vector<SeatIndex>> candidates;
  for (const auto& row : rows) {
    std::vector<SeatIndex> free;
    for (SeatIndex s : row) {
      if (!holder_in(c.em, s)) free.push_back(s);
    }
    candidates.push_back(free);
  }
  for (const auto& row : candidates) {
    for (size_t start = 0; start + count <= row.size(); ++start) {
      bool adjacent = true;
      for (size_t k = start + 1; k < start + count; ++k) {
        if (c.ev.seats[row[k]].number != c.ev.seats[row[k - 1]].number + 1) adjacent = false;
      }
      if (adjacent) {
        const auto first = row.begin() + static_cast<std::ptrdiff_t>(start);
        const std::vector<SeatIndex> run(first, first + count);
        new_hold(c, user, run, /*offer=*/false, c.cmd.at_ms + c.ev.hold_ms);
        return;
      }
    }
  }
  std::vector<SeatIndex> first;
  for (const auto& row : candidates) {
    for (SeatIndex s : row) {
      if (first.size() < count) first.push_back(s);
    }
  }
  if (first.size() < count) return reject(c, Errc::kNoSeatsAvailable);
  new_hold(c, user, first, /*offer=*/false, c.cmd.at_ms + c.ev.hold_ms);
}

void ReferenceModel::payment_started(Ctx& c) {
  uint32_t serial = 0;
  switch (resolve(c, c.cmd.reservation_id, serial)) {
    case Found::kNeverIssued:
      return reject(c, Errc::kUnknownReservation);
    case Found::kEnded:
      return reject(c, Errc::kHoldExpired);
    case Found::kLive:
      break;
  }
  ModelReservation& r = c.em.live.at(serial);
  // README lists not_holder before already_booked but does not order the checks; the
  // implementation answers already_booked for anyone, which is as sensible.
  if (r.booked) return reject(c, Errc::kAlreadyBooked);
  if (r.user != c.cmd.user_id) return reject(c, Errc::kNotHolder);
  if (!r.payment_started) {
    r.payment_started = true;
    r.expires_at_ms = std::max(r.expires_at_ms, c.cmd.at_ms + c.ev.payment_hold_ms);
  }
  ExpectedDecision d;
  d.type = DecisionType::kPaymentPending;
  d.user = r.user;
  d.serial = serial;
  d.expires_at_ms = r.expires_at_ms;
  emit(c, d);
}

void ReferenceModel::confirm(Ctx& c) {
  const auto refuse = [&](Errc code) {
    reject(c, code);
    ExpectedDecision d;
    d.type = DecisionType::kRefundRequired;
    d.code = code;
    d.user = std::string(c.cmd.user_id);
    d.raw_id = c.cmd.reservation_id;
    d.payment_id = std::string(c.cmd.payment_id);
    d.provider = std::string(c.cmd.provider);
    d.amount_cents = c.cmd.amount_cents;
    emit(c, d);
  };
  uint32_t serial = 0;
  switch (resolve(c, c.cmd.reservation_id, serial)) {
    case Found::kNeverIssued:
      return refuse(Errc::kUnknownReservation);
    case Found::kEnded:
      return refuse(Errc::kHoldExpired);
    case Found::kLive:
      break;
  }
  ModelReservation& r = c.em.live.at(serial);
  // A booked reservation answers before the holder is checked (as in PaymentStarted).
  // A payment is its provider and id together.
  if (r.booked && (r.payment_id != c.cmd.payment_id || r.provider != c.cmd.provider)) {
    return refuse(Errc::kAlreadyBooked);
  }
  if (!r.booked && r.user != c.cmd.user_id) return refuse(Errc::kNotHolder);
  if (!r.booked && r.amount_cents != c.cmd.amount_cents) return refuse(Errc::kWrongAmount);
  const bool first_time = !r.booked;
  if (first_time) {
    r.booked = true;
    r.payment_id = std::string(c.cmd.payment_id);
    r.provider = std::string(c.cmd.provider);
  }
  // A retry of the same payment gets the very same answer.
  ExpectedDecision d;
  d.type = DecisionType::kBooked;
  d.user = r.user;
  d.serial = serial;
  d.seats = r.seats;
  d.payment_id = r.payment_id;
  d.provider = r.provider;
  d.amount_cents = r.amount_cents;
  emit(c, d);
  if (!first_time) return;
  for (SeatIndex s : r.seats) {
    auto it = c.em.waitlists.find(s);
    if (it == c.em.waitlists.end() || it->second.empty()) continue;
    ExpectedDecision cleared;
    cleared.type = DecisionType::kWaitlistCleared;
    cleared.seats = {s};
    cleared.position = static_cast<uint32_t>(it->second.size());
    c.em.waitlists.erase(it);
    emit(c, cleared);
  }
}

void ReferenceModel::cancel(Ctx& c) {
  uint32_t serial = 0;
  switch (resolve(c, c.cmd.reservation_id, serial)) {
    case Found::kNeverIssued:
      return reject(c, Errc::kUnknownReservation);
    case Found::kEnded:
      return reject(c, Errc::kHoldExpired);
    case Found::kLive:
      break;
  }
  const ModelReservation& r = c.em.live.at(serial);
  if (r.booked) return reject(c, Errc::kAlreadyBooked);
  if (r.user != c.cmd.user_id) return reject(c, Errc::kNotHolder);
  end_hold(c, serial, DecisionType::kCancelled);
}

void ReferenceModel::expire(Ctx& c) {
  uint32_t serial = 0;
  switch (find(c, c.cmd.reservation_id, serial)) {
    case Found::kNeverIssued:
      return reject(c, Errc::kUnknownReservation);
    case Found::kEnded:
      return reject(c, Errc::kHoldExpired);
    case Found::kLive:
      break;
  }
  if (c.em.live.at(serial).booked) return reject(c, Errc::kAlreadyBooked);
  // A due hold ends exactly as lazy expiry would end it.
  if (!look_at(c, serial)) reject(c, Errc::kNotDue);
}

void ReferenceModel::join_waitlist(Ctx& c) {
  const std::string user(c.cmd.user_id);
  if (c.cmd.seats.count == 0) return reject(c, Errc::kBadCommand);
  const SeatIndex s = c.cmd.seats.items[0];
  if (s >= c.ev.seats.size()) return reject(c, Errc::kUnknownSeat, {s});
  if (c.cmd.at_ms < c.ev.seat_opens_at_ms(s)) return reject(c, Errc::kNotOnSale, {s});
  if (auto h = holder_in(c.em, s)) look_at(c, *h);
  const auto h = holder_in(c.em, s);
  if (!h) return reject(c, Errc::kSeatAvailable, {s});
  const ModelReservation& r = c.em.live.at(*h);
  if (r.booked) return reject(c, Errc::kSeatSold, {s});
  if (r.user == user) return reject(c, Errc::kAlreadyHolder, {s});
  std::vector<std::string>& list = c.em.waitlists[s];
  auto pos = std::find(list.begin(), list.end(), user);
  if (pos == list.end()) {
    if (list.size() >= c.ev.waitlist_cap) return reject(c, Errc::kWaitlistFull, {s});
    list.push_back(user);
    pos = list.end() - 1;
  }
  ExpectedDecision d;
  d.type = DecisionType::kWaitlisted;
  d.user = user;
  d.seats = {s};
  d.position = static_cast<uint32_t>(pos - list.begin()) + 1;
  emit(c, d);
}

void ReferenceModel::leave_waitlist(Ctx& c) {
  const std::string user(c.cmd.user_id);
  if (c.cmd.seats.count == 0) return reject(c, Errc::kBadCommand);
  const SeatIndex s = c.cmd.seats.items[0];
  if (s >= c.ev.seats.size()) return reject(c, Errc::kUnknownSeat, {s});
  std::vector<std::string>& list = c.em.waitlists[s];
  const auto pos = std::find(list.begin(), list.end(), user);
  if (pos == list.end()) return reject(c, Errc::kNotWaitlisted, {s});
  list.erase(pos);
  ExpectedDecision d;
  d.type = DecisionType::kWaitlistLeft;
  d.user = user;
  d.seats = {s};
  emit(c, d);
}

// --- holds --------------------------------------------------------------------------------

ReferenceModel::Found ReferenceModel::find(const Ctx& c, ReservationId id, uint32_t& serial) const {
  const auto it = c.em.serial_by_id.find(id);
  if (it == c.em.serial_by_id.end()) {
    // Not an id the implementation handed out. Its serial part tells "never issued" apart from
    // "ended or unknown serial" (README, PaymentStarted).
    const uint64_t s = id >> kSerialShift;
    if (s == 0 || s > c.em.issued) return Found::kNeverIssued;
    return Found::kEnded;
  }
  serial = it->second;
  return c.em.live.count(serial) ? Found::kLive : Found::kEnded;
}

ReferenceModel::Found ReferenceModel::resolve(Ctx& c, ReservationId id, uint32_t& serial) {
  const Found found = find(c, id, serial);
  if (found == Found::kLive && look_at(c, serial)) return Found::kEnded;
  return found;
}

bool ReferenceModel::look_at(Ctx& c, uint32_t serial) {
  looked_at_.push_back(serial);
  const ModelReservation& r = c.em.live.at(serial);
  if (r.booked || r.expires_at_ms > c.cmd.at_ms) return false;
  end_hold(c, serial, DecisionType::kExpired);
  return true;
}

void ReferenceModel::end_hold(Ctx& c, uint32_t serial, DecisionType type) {
  const ModelReservation r = c.em.live.at(serial);
  c.em.live.erase(serial);
  ExpectedDecision d;
  d.type = type;
  d.user = r.user;
  d.serial = serial;
  d.seats = r.seats;
  emit(c, d);
  for (SeatIndex s : r.seats) hand_over(c, s);
}

void ReferenceModel::hand_over(Ctx& c, SeatIndex seat) {
  std::vector<std::string>& list = c.em.waitlists[seat];
  while (!list.empty()) {
    const std::string user = list.front();
    list.erase(list.begin());
    if (tickets_in(c.em, user) + 1 > c.ev.per_user_limit) {
      ExpectedDecision d;
      d.code = Errc::kLimitExceeded;
      d.user = user;
      d.seats = {seat};
      emit(c, d);
      continue;
    }
    new_hold(c, user, {seat}, /*offer=*/true, c.cmd.at_ms + c.ev.offer_ms);
    return;
  }
  ExpectedDecision d;
  d.type = DecisionType::kReleased;
  d.seats = {seat};
  emit(c, d);
}

uint32_t ReferenceModel::new_hold(Ctx& c, const std::string& user,
                                  const std::vector<SeatIndex>& seats, bool offer,
                                  int64_t expires_at_ms) {
  ModelReservation r;
  r.serial = ++c.em.issued;
  r.user = user;
  r.seats = seats;
  r.offer = offer;
  r.expires_at_ms = expires_at_ms;
  for (SeatIndex s : seats) r.amount_cents += c.ev.price_cents(s);
  c.em.live[r.serial] = r;
  ExpectedDecision d;
  d.type = offer ? DecisionType::kOffered : DecisionType::kHeld;
  d.user = user;
  d.serial = r.serial;
  d.seats = seats;
  d.expires_at_ms = expires_at_ms;
  d.amount_cents = r.amount_cents;
  emit(c, d);
  return r.serial;
}

std::optional<uint32_t> ReferenceModel::holder_in(const EventModel& em, SeatIndex seat) const {
  for (const auto& [serial, r] : em.live) {
    if (std::find(r.seats.begin(), r.seats.end(), seat) != r.seats.end()) return serial;
  }
  return std::nullopt;
}

uint32_t ReferenceModel::tickets_in(const EventModel& em, const std::string& user) const {
  uint32_t n = 0;
  for (const auto& [serial, r] : em.live) {
    if (r.user == user) n += static_cast<uint32_t>(r.seats.size());
  }
  return n;
}

void ReferenceModel::reject(Ctx& c, Errc code, std::vector<SeatIndex> seats) {
  ExpectedDecision d;
  d.code = code;
  // An Expire has no user (command.h); whatever the field holds is not echoed.
  if (c.cmd.type != CommandType::kExpire) d.user = std::string(c.cmd.user_id);
  d.seats = std::move(seats);
  emit(c, d);
}

void ReferenceModel::emit(Ctx& c, ExpectedDecision d) { c.out.push_back(std::move(d)); }

// --- ids and read access ------------------------------------------------------------------

void ReferenceModel::learn_id(uint32_t event, uint32_t serial, ReservationId id) {
  events_[event].serial_by_id[id] = serial;
  events_[event].id_by_serial[serial] = id;
}

std::optional<ReservationId> ReferenceModel::known_id(uint32_t event, uint32_t serial) const {
  const auto& m = events_[event].id_by_serial;
  const auto it = m.find(serial);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> ReferenceModel::serial_of(uint32_t event, ReservationId id) const {
  const auto& m = events_[event].serial_by_id;
  const auto it = m.find(id);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

const std::map<uint32_t, ModelReservation>& ReferenceModel::live(uint32_t event) const {
  return events_[event].live;
}

std::vector<uint32_t> ReferenceModel::holders(uint32_t event) const {
  std::vector<uint32_t> out(catalog_->events[event].seats.size(), 0);
  for (const auto& [serial, r] : events_[event].live) {
    for (SeatIndex s : r.seats) out[s] = serial;
  }
  return out;
}

const std::vector<std::string>& ReferenceModel::waitlist(uint32_t event, SeatIndex seat) const {
  static const std::vector<std::string> kNobody;
  const auto& m = events_[event].waitlists;
  const auto it = m.find(seat);
  return it == m.end() ? kNobody : it->second;
}

uint32_t ReferenceModel::tickets_of(uint32_t event, const std::string& user) const {
  return tickets_in(events_[event], user);
}

}  // namespace boxoffice::booking
