// The state of one event's inventory: seats, holds, bookings, waitlists and per-user ticket
// counts. Compact by design, since an on-sale keeps whole stadiums in memory: a seat is 4 bytes,
// a reservation 20, a waitlist entry 8 (plus 12 per seat someone waits for), and a user id is kept
// only while its user holds, owns or waits for something.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/command.h"
#include "booking/core/decision.h"
#include "booking/core/partition.h"
#include "booking/core/user_table.h"

namespace boxoffice::booking {

class ByteReader;
class ByteWriter;

// Where decisions go: stamps each with the partition's next sequence number and the fields of
// the command that caused it.
class DecisionSink {
 public:
  DecisionSink(const Command& cmd, std::string_view event_id, uint64_t& seq,
               std::vector<Decision>& out)
      : cmd_(cmd), event_id_(event_id), seq_(seq), out_(out) {}

  Decision& emit(DecisionType type, Errc code = Errc::kOk) {
    Decision& d = out_.emplace_back();
    d.seq = ++seq_;
    d.type = type;
    d.code = code;
    d.request_id = cmd_.request_id;
    d.at_ms = cmd_.at_ms;
    d.event_id = event_id_;
    return d;
  }
  // A Confirm that cannot book: the payment happened, so it must be given back.
  void refund(Errc why) {
    Decision& d = emit(DecisionType::kRefundRequired, why);
    d.user_id = cmd_.user_id;
    d.reservation_id = cmd_.reservation_id;
    d.payment_id = cmd_.payment_id;
    d.provider = cmd_.provider;
    d.amount_cents = cmd_.amount_cents;
  }
  const Command& command() const { return cmd_; }

 private:
  const Command& cmd_;
  std::string_view event_id_;
  uint64_t& seq_;
  std::vector<Decision>& out_;
};

class EventState {
 public:
  explicit EventState(const Event& event);

  void apply(const Command& cmd, DecisionSink& sink);

  SeatStatus seat_status(SeatIndex seat) const;
  std::optional<ReservationView> seat_holder(SeatIndex seat) const;
  std::optional<ReservationView> reservation(ReservationId id) const;
  std::vector<ReservationView> reservations() const;
  std::vector<std::string_view> waitlist(SeatIndex seat) const;
  uint32_t tickets_of(std::string_view user_id) const;
  Partition::Memory memory() const;
  Partition::Population population() const;

  void serialize(ByteWriter& w) const;
  // Reads what serialize() wrote and checks it is consistent; an error names what is wrong.
  static Result<std::unique_ptr<EventState>, std::string> deserialize(const Event& event,
                                                                      ByteReader& r);

 private:
  static constexpr uint32_t kNone = 0xFFFFFFFF;
  using User = UserTable::Handle;

  // 4 bytes, so that a stadium's seats (the first thing every command reads) stay in cache.
  struct SeatState {
    static constexpr uint32_t kSold = 1u << 31;  // set once booked: sold seats answer at once
    uint32_t holder = 0;                         // reservation slot + 1, | kSold; 0 = nobody

    uint32_t slot() const { return (holder & ~kSold) - 1; }
    bool sold() const { return (holder & kSold) != 0; }
  };

  enum class SlotStatus : uint8_t { kFree = 0, kHeld = 1, kBooked = 2 };
  // 20 bytes. Seats are first_seat .. first_seat + count - 1, or, for a scattered hold (rare:
  // fans mostly pick neighbouring seats), the count seats at seat_lists_[first_seat].
  struct Reservation {
    static constexpr uint32_t kSeatBits = 23;           // the catalog caps an event at 8M seats
    static constexpr uint32_t kCountShift = kSeatBits;  // 4 bits: count - 1
    static constexpr uint32_t kStatusShift = kSeatBits + 4;  // 2 bits
    static constexpr uint32_t kScattered = 1u << (kSeatBits + 6);
    static constexpr uint32_t kOffer = 1u << (kSeatBits + 7);
    static constexpr uint32_t kPaymentStarted = 1u << (kSeatBits + 8);

    uint32_t user = kNone;  // a free slot keeps the next free slot here
    uint32_t serial = 0;
    uint32_t packed = 0;  // first_seat | count - 1 | status | scattered | offer | paying
    uint32_t low = 0;     // held: expires_at_ms; booked: 64-bit hash of the payment id
    uint32_t high = 0;

    SlotStatus status() const { return static_cast<SlotStatus>((packed >> kStatusShift) & 3); }
    void set_status(SlotStatus s) {
      packed = (packed & ~(3u << kStatusShift)) | (static_cast<uint32_t>(s) << kStatusShift);
    }
    SeatIndex first_seat() const { return packed & ((1u << kSeatBits) - 1); }
    uint32_t seat_count() const { return ((packed >> kCountShift) & 0xF) + 1; }
    bool has(uint32_t flag) const { return (packed & flag) != 0; }
    uint64_t value() const { return (static_cast<uint64_t>(high) << 32) | low; }
    void set_value(uint64_t v) {
      low = static_cast<uint32_t>(v);
      high = static_cast<uint32_t>(v >> 32);
    }
    int64_t expires_at_ms() const { return static_cast<int64_t>(value()); }
  };
  struct WaitNode {
    User user = 0;
    uint32_t next = kNone;  // circular: the tail's next is the head
  };
  struct WaitList {
    uint32_t tail = kNone;
    uint32_t length = 0;
  };
  // seat -> its waitlist, only for the seats someone waits for. Linear probing with
  // backward-shift deletion.
  class WaitlistIndex {
   public:
    WaitList* find(SeatIndex seat);
    const WaitList* find(SeatIndex seat) const;
    WaitList& insert(SeatIndex seat);  // an empty list if the seat had none
    void erase(SeatIndex seat);
    size_t bytes() const { return slots_.capacity() * sizeof(Slot); }
    template <class F>
    void for_each(F&& f) const {
      for (const Slot& s : slots_) {
        if (s.key != 0) f(s.key - 1, s.list);
      }
    }

   private:
    struct Slot {
      uint32_t key = 0;  // seat + 1; 0 = empty
      WaitList list;
    };
    size_t home(SeatIndex seat) const {
      return (uint64_t{seat + 1} * 0x9E3779B97F4A7C15ULL >> 32) & (slots_.size() - 1);
    }
    void grow();
    std::vector<Slot> slots_;
    size_t size_ = 0;
  };
  // Commands.
  void reserve(const Command& c, DecisionSink& sink);
  void reserve_best(const Command& c, DecisionSink& sink);
  void payment_started(const Command& c, DecisionSink& sink);
  void confirm(const Command& c, DecisionSink& sink);
  void cancel(const Command& c, DecisionSink& sink);
  void expire(const Command& c, DecisionSink& sink);
  void join_waitlist(const Command& c, DecisionSink& sink);
  void leave_waitlist(const Command& c, DecisionSink& sink);

  // Holds.
  struct Found {
    Errc error = Errc::kOk;
    uint32_t slot = 0;
  };
  Found find_reservation(ReservationId id) const;
  // Ends a held reservation whose deadline has passed; true if it did.
  bool expire_if_due(uint32_t slot, DecisionSink& sink);
  void end_hold(uint32_t slot, DecisionType why, DecisionSink& sink);
  uint32_t create_hold(User user, std::span<const SeatIndex> seats, HoldKind kind,
                       int64_t expires_at_ms);
  void hand_over(SeatIndex seat, DecisionSink& sink);
  void mark_free(SeatIndex seat, bool free);
  bool is_candidate(SeatIndex seat, const Command& c) const;
  static bool may_match(const Section& section, const Command& c);
  // At least the longest run of adjacent seats nobody holds in a row; exact when recomputed.
  uint32_t longest_free_run(uint32_t row);
  ReservationId id_of(uint32_t slot) const {
    return (static_cast<uint64_t>(slots_[slot].serial) << 32) | slot;
  }
  SeatList seats_of(uint32_t slot) const;
  int64_t amount_of(const SeatList& seats) const;
  ReservationView view_of(uint32_t slot) const;
  void fill_hold(Decision& d, uint32_t slot) const;
  uint32_t store_seat_list(std::span<const SeatIndex> seats);
  bool holds(uint32_t slot, std::string_view user_id) const {
    return users_.find(user_id) == slots_[slot].user;
  }

  // Waitlists: a circular singly linked list per seat, whose WaitList keeps the tail (the
  // tail's next is the head) and the length, so append, pop and the length are O(1).
  uint32_t waitlist_tail(SeatIndex seat) const {
    const WaitList* list = waitlists_.find(seat);
    return list == nullptr ? kNone : list->tail;
  }
  uint32_t waitlist_length(SeatIndex seat) const {
    const WaitList* list = waitlists_.find(seat);
    return list == nullptr ? 0 : list->length;
  }
  uint32_t waitlist_position(SeatIndex seat, User user) const;  // 1-based; 0 = absent
  void append_to_waitlist(SeatIndex seat, User user);
  // Unlinks node (whose predecessor is prev) from the seat's list.
  void unlink_from_waitlist(SeatIndex seat, WaitList& list, uint32_t prev, uint32_t node);
  User pop_waitlist_head(SeatIndex seat);  // kNone if empty
  void clear_waitlist(SeatIndex seat, DecisionSink& sink);

  // Grows a pool by a quarter rather than doubling: these pools are most of the live state.
  template <class T>
  static void grow_gently(std::vector<T>& v) {
    if (v.size() == v.capacity()) v.reserve(v.capacity() + v.capacity() / 4 + 64);
  }

  const Event* event_;
  std::vector<SeatState> seats_;
  static constexpr uint16_t kRunUnknown = 0xFFFF;
  std::vector<uint16_t> row_free_;      // derived: seats nobody holds, per row
  std::vector<uint16_t> row_run_;       // derived: bound on the longest free run per row
  std::vector<uint32_t> section_free_;  // derived: seats nobody holds, per section
  std::vector<uint16_t> section_run_;   // derived: bound on the longest free run per section
  std::vector<Reservation> slots_;
  // Seat lists of scattered holds; freed lists are reused by holds of the same size. Where a
  // list sits is never observable (snapshots store lists inline), so restore may repack.
  std::vector<SeatIndex> seat_lists_;
  std::array<std::vector<uint32_t>, kMaxSeatsPerHold + 1> free_seat_lists_;
  uint32_t free_slot_ = kNone;
  uint32_t next_serial_ = 1;
  UserTable users_;
  std::vector<WaitNode> wait_nodes_;
  uint32_t free_wait_node_ = kNone;
  WaitlistIndex waitlists_;
};

}  // namespace boxoffice::booking
