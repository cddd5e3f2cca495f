// The booking core: a deterministic state machine per event, grouped by partition (one Kafka
// partition of boxoffice.commands owns a set of events). No I/O, no clock, no exceptions:
// apply() takes a decoded command and appends the resulting decisions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/command.h"
#include "booking/core/decision.h"
#include "shared/result.h"

namespace boxoffice::booking {

enum class SeatStatus : uint8_t { kAvailable, kHeld, kBooked };
enum class ReservationStatus : uint8_t { kHeld, kBooked };  // ended holds are forgotten
enum class HoldKind : uint8_t { kReserve, kOffer };         // an offer comes from a waitlist

std::string_view to_string(SeatStatus s);

struct ReservationView {
  ReservationId id = 0;
  ReservationStatus status = ReservationStatus::kHeld;
  HoldKind kind = HoldKind::kReserve;
  bool payment_started = false;
  std::string_view user_id;
  SeatList seats;
  int64_t expires_at_ms = 0;  // holds only
  int64_t amount_cents = 0;   // sum of the seat prices
};

class EventState;

class Partition {
 public:
  // The catalog must outlive the partition.
  explicit Partition(const Catalog& catalog);
  ~Partition();
  Partition(Partition&&) noexcept;
  Partition& operator=(Partition&&) noexcept;

  // A deep copy, for a snapshot taken off the worker's thread: copying costs a fraction of
  // serializing, and the copy's snapshot() gives the same bytes.
  Partition clone() const;
  // The same copy into target, reusing its memory: a fresh copy of a large partition spends
  // most of its time faulting in new pages.
  void copy_to(Partition& target) const;

  // Applies one command; appends its decisions to out (at least one per command). Their string
  // views point into the command and into the partition's user table, whose entries are
  // recycled: use (encode, publish) the decisions before the next apply().
  void apply(const Command& cmd, std::vector<Decision>& out);

  uint64_t last_seq() const { return seq_; }

  // A versioned binary snapshot of the whole partition. restore(snapshot()) followed by the rest
  // of the log gives the same state, and the same snapshot bytes, as replaying the whole log.
  std::string snapshot() const;
  static Result<Partition, std::string> restore(const Catalog& catalog, std::string_view bytes);

  // Read access, for tests, the demo and the benchmark.
  SeatStatus seat_status(std::string_view event_id, SeatIndex seat) const;
  std::optional<ReservationView> seat_holder(std::string_view event_id, SeatIndex seat) const;
  std::optional<ReservationView> reservation(std::string_view event_id, ReservationId id) const;
  std::vector<ReservationView> reservations(std::string_view event_id) const;  // by slot
  std::vector<std::string_view> waitlist(std::string_view event_id, SeatIndex seat) const;
  uint32_t tickets_of(std::string_view event_id, std::string_view user_id) const;

  // Bytes of live state (the capacity of every container), catalog excluded, by what they
  // serve: inventory grows with seats, users with active fans, waitlists with waiting fans.
  struct Memory {
    size_t inventory = 0;  // seats, reservations (holds and bookings), their seat lists
    size_t users = 0;      // interned ids with their counts, and the index
    size_t waitlists = 0;  // waitlist entries and lists
    size_t total() const { return inventory + users + waitlists; }
    Memory& operator+=(const Memory& o) {
      inventory += o.inventory;
      users += o.users;
      waitlists += o.waitlists;
      return *this;
    }
  };
  Memory memory() const;
  // Counts that go with memory(): live reservations, users and waitlist entries.
  struct Population {
    size_t reservations = 0;
    size_t users = 0;
    size_t waitlist_entries = 0;
    Population& operator+=(const Population& o) {
      reservations += o.reservations;
      users += o.users;
      waitlist_entries += o.waitlist_entries;
      return *this;
    }
  };
  Population population() const;

 private:
  EventState* state_for(uint32_t event_index);
  const EventState* find_state(std::string_view event_id) const;

  const Catalog* catalog_;
  uint32_t last_event_ = 0;                          // the event of the last command
  std::vector<std::unique_ptr<EventState>> events_;  // by catalog index, created on first use
  uint64_t seq_ = 0;
};

}  // namespace boxoffice::booking
