// A deliberately simple model of the booking rules in booking/core/README.md, written from the
// README alone, for the property test. Plain maps, vectors and strings; linear scans everywhere.
//
// The model cannot know the implementation's slot allocation, so it names reservations by their
// serial (1, 2, ... per event, one per hold including offers). The test tells it which
// implementation id each serial got (learn_id) when it compares the `held`/`offered` decision,
// and the model resolves the ids inside later commands through that mapping.
//
// Where the README is silent, the model reads it so (the implementation agrees on all of these):
// - Lazy expiry happens where a command looks at a hold: the reservation its id names
//   (PaymentStarted, Confirm, Cancel, Expire); a seat's holder (Reserve: seat by seat, stopping
//   at the first taken one; JoinWaitlist: its seat). ReserveBest looks at no hold: a seat whose
//   hold is past its deadline is still held for it. Ticket counts (limit checks, offers) still
//   include holds past their deadline that no command has looked at.
// - Reserve checks each seat for unknown_seat and duplicate_seat in one pass; no seats, or a
//   ReserveBest count of 0 or above 16, is bad_command; a section that does not exist is
//   unknown_seat.
// - A booked reservation answers already_booked (or, for a retried payment, the same booked)
//   before the user is checked against its holder.
// - An id whose serial was never issued (0, or above the last) is unknown_reservation; any other
//   id that names no live reservation is hold_expired.
// - rejected carries the command's user (none for Expire, which has no user) and the offending
//   seat: the unknown, repeated, unopened or taken one, the seat of a waitlist command, the
//   offered seat of a waitlist limit_exceeded; none otherwise.
// - waitlist_cleared only for seats somebody waited for; joining again answers the position even
//   when the list is full; LeaveWaitlist looks at no hold.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/command.h"
#include "booking/core/decision.h"
#include "booking/core/errc.h"

namespace boxoffice::booking {

struct ModelReservation {
  uint32_t serial = 0;
  std::string user;
  std::vector<SeatIndex> seats;  // in the order the hold took them
  bool booked = false;
  bool offer = false;  // came from a waitlist
  bool payment_started = false;
  int64_t expires_at_ms = 0;  // holds only
  int64_t amount_cents = 0;
  std::string payment_id;  // booked only
  std::string provider;
};

// One decision as the model expects it. request_id, at_ms and event_id always echo the command,
// so the test checks them against the command directly.
struct ExpectedDecision {
  DecisionType type = DecisionType::kRejected;
  Errc code = Errc::kOk;
  std::string user;
  uint32_t serial = 0;       // the reservation the decision is about; 0 = use raw_id
  ReservationId raw_id = 0;  // echoed from the command (refund_required)
  std::vector<SeatIndex> seats;
  int64_t expires_at_ms = 0;
  int64_t amount_cents = 0;
  uint32_t position = 0;
  std::string payment_id;
  std::string provider;
};

class ReferenceModel {
 public:
  // The catalog must outlive the model.
  explicit ReferenceModel(const Catalog& catalog);

  std::vector<ExpectedDecision> apply(const Command& cmd);

  // The implementation gave reservation `serial` of event `event` the id `id`.
  void learn_id(uint32_t event, uint32_t serial, ReservationId id);
  std::optional<ReservationId> known_id(uint32_t event, uint32_t serial) const;
  std::optional<uint32_t> serial_of(uint32_t event, ReservationId id) const;

  // Read access for the invariant checks. Live = held (even if past its deadline but not yet
  // looked at) or booked.
  const std::map<uint32_t, ModelReservation>& live(uint32_t event) const;
  // The holder's serial of every seat, 0 for none (one pass instead of one per seat).
  std::vector<uint32_t> holders(uint32_t event) const;
  const std::vector<std::string>& waitlist(uint32_t event, SeatIndex seat) const;
  uint32_t tickets_of(uint32_t event, const std::string& user) const;
  // Serials the last command looked at (and so expired if they were due).
  const std::vector<uint32_t>& looked_at() const { return looked_at_; }

 private:
  struct EventModel {
    std::map<uint32_t, ModelReservation> live;  // by serial
    std::map<SeatIndex, std::vector<std::string>> waitlists;
    uint32_t issued = 0;  // serials handed out so far
    std::map<ReservationId, uint32_t> serial_by_id;
    std::map<uint32_t, ReservationId> id_by_serial;
  };

  // What one command is working on.
  struct Ctx {
    const Command& cmd;
    const Event& ev;
    EventModel& em;
    std::vector<ExpectedDecision>& out;
  };

  // What an id in a command refers to.
  enum class Found { kLive, kEnded, kNeverIssued };
  Found find(const Ctx& c, ReservationId id, uint32_t& serial) const;
  // find(), then lazy expiry of what it found.
  Found resolve(Ctx& c, ReservationId id, uint32_t& serial);

  void reserve(Ctx& c);
  void reserve_best(Ctx& c);
  void payment_started(Ctx& c);
  void confirm(Ctx& c);
  void cancel(Ctx& c);
  void expire(Ctx& c);
  void join_waitlist(Ctx& c);
  void leave_waitlist(Ctx& c);

  // Lazy expiry: ends the hold if its deadline has passed. True if it ended.
  bool look_at(Ctx& c, uint32_t serial);
  // A hold ends unpaid: `type` (expired/cancelled), then each seat goes to its waitlist.
  void end_hold(Ctx& c, uint32_t serial, DecisionType type);
  void hand_over(Ctx& c, SeatIndex seat);
  uint32_t new_hold(Ctx& c, const std::string& user, const std::vector<SeatIndex>& seats,
                    bool offer, int64_t expires_at_ms);
  std::optional<uint32_t> holder_in(const EventModel& em, SeatIndex seat) const;
  uint32_t tickets_in(const EventModel& em, const std::string& user) const;
  void reject(Ctx& c, Errc code, std::vector<SeatIndex> seats = {});
  void emit(Ctx& c, ExpectedDecision d);

  const Catalog* catalog_;
  std::vector<EventModel> events_;  // by catalog index
  std::vector<uint32_t> looked_at_;
};

}  // namespace boxoffice::booking
