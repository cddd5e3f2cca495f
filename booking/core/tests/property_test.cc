// Property test: random command sequences against the booking core and the reference model
// (reference_model.h). After every command the decisions must agree (reservation ids through the
// serial <-> id mapping), and the read API must show the same state: seats, holders, waitlists,
// ticket counts. Each sequence also cuts a snapshot at a random point and replays the rest on the
// restored copy, and ends by expiring every hold far in the future.
//
// Environment: BOXOFFICE_PROPERTY_SEED (base seed; sequence i uses base + i),
// BOXOFFICE_PROPERTY_SEQUENCES (default 100000), BOXOFFICE_PROPERTY_THREADS (default: the
// cores), BOXOFFICE_PROPERTY_STATS (print how often each decision came up). Reproduce one
// sequence with the seed printed on failure:
//   BOXOFFICE_PROPERTY_SEED=<seed> BOXOFFICE_PROPERTY_SEQUENCES=1
//   build/debug/booking/booking_core_tests --gtest_filter='Property*'
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/command.h"
#include "booking/core/decision.h"
#include "booking/core/errc.h"
#include "booking/core/partition.h"
#include "booking/core/tests/reference_model.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace boxoffice::booking {
namespace {

constexpr uint64_t kDefaultSeed = 20260501;
constexpr uint64_t kDefaultSequences = 100'000;
constexpr int kMinCommands = 20;
constexpr int kMaxCommands = 80;
// Every this many sequences, also feed restore() truncated and garbage snapshots.
constexpr uint64_t kBadSnapshotEvery = 1000;
// Sequences run on up to this many threads (BOXOFFICE_PROPERTY_THREADS, default: the cores).
constexpr uint64_t kMaxThreads = 16;
// Every this many commands, the read API is checked for every seat, not just the named ones.
constexpr uint64_t kFullCheckEvery = 8;

// Small on purpose: with 6 users, limits of 4 and 2 and waitlists of 3 and 2, contention,
// limits, waitlists and offers happen all the time. The theatre has three waves
// (presale, general, late) and a row with a gap in its seat numbers.
constexpr std::string_view kCatalogJson = R"json({
  "version": 1,
  "venues": [
    {"id": "v_theatre", "name": "Little Theatre", "city": "Leeds",
     "sections": [
       {"id": "STALLS", "name": "Stalls",
        "rows": [{"id": "A", "seats": "1-4"}, {"id": "B", "seats": "1-4"}]},
       {"id": "CIRCLE", "name": "Circle",
        "rows": [{"id": "C", "seats": "1-4"}, {"id": "D", "seats": "1-2,4-5"}]},
       {"id": "GALLERY", "name": "Gallery",
        "rows": [{"id": "E", "seats": "1-4"}, {"id": "F", "seats": "1-4"}]}]},
    {"id": "v_club", "name": "Cellar Club", "city": "Leeds",
     "sections": [
       {"id": "FLOOR", "name": "Floor",
        "rows": [{"id": "1", "seats": "1-3"}, {"id": "2", "seats": "1-3"}]}]}
  ],
  "events": [
    {"id": "evt_play", "title": "The Play", "artist": "Rep Company", "venue": "v_theatre",
     "starts_at": "2026-06-01T19:30:00Z", "on_sale_at": "2026-05-01T10:00:00Z",
     "currency": "GBP", "per_user_limit": 4,
     "hold_s": 120, "offer_s": 60, "payment_hold_s": 300, "waitlist_cap": 3,
     "section_prices_cents": {"STALLS": 5000, "CIRCLE": 3500, "GALLERY": 2000},
     "seat_prices_cents": {"STALLS-A-2": 7500, "STALLS-A-3": 7500, "CIRCLE-D-5": 2500},
     "waves": [
       {"id": "presale", "opens_at": "2026-05-01T09:55:00Z", "sections": ["STALLS"],
        "seats": ["CIRCLE-C-1"]},
       {"id": "late", "opens_at": "2026-05-01T10:10:00Z", "sections": ["GALLERY"],
        "seats": []}]},
    {"id": "evt_gig", "title": "The Gig", "artist": "Cellar Band", "venue": "v_club",
     "starts_at": "2026-05-20T21:00:00Z", "on_sale_at": "2026-05-01T09:58:00Z",
     "currency": "GBP", "per_user_limit": 2,
     "hold_s": 60, "offer_s": 30, "payment_hold_s": 90, "waitlist_cap": 2,
     "section_prices_cents": {"FLOOR": 3000},
     "seat_prices_cents": {"FLOOR-1-2": 4000}}
  ]
})json";

// Same event ids, different seat count: a snapshot of kCatalogJson must not restore against it.
constexpr std::string_view kOtherCatalogJson = R"json({
  "version": 1,
  "venues": [
    {"id": "v_theatre", "name": "Little Theatre", "city": "Leeds",
     "sections": [{"id": "STALLS", "name": "Stalls", "rows": [{"id": "A", "seats": "1-5"}]}]},
    {"id": "v_club", "name": "Cellar Club", "city": "Leeds",
     "sections": [{"id": "FLOOR", "name": "Floor", "rows": [{"id": "1", "seats": "1-3"}]}]}
  ],
  "events": [
    {"id": "evt_play", "title": "The Play", "artist": "Rep Company", "venue": "v_theatre",
     "starts_at": "2026-06-01T19:30:00Z", "on_sale_at": "2026-05-01T10:00:00Z",
     "currency": "GBP", "section_prices_cents": {"STALLS": 5000}},
    {"id": "evt_gig", "title": "The Gig", "artist": "Cellar Band", "venue": "v_club",
     "starts_at": "2026-05-20T21:00:00Z", "on_sale_at": "2026-05-01T09:58:00Z",
     "currency": "GBP", "section_prices_cents": {"FLOOR": 3000}}
  ]
})json";

constexpr std::string_view kUnknownEvent = "evt_nope";
const std::vector<std::string> kUsers = {"u1", "u2", "u3", "u4", "u5", "u6"};
// Seats most commands aim at, so that they collide.
const std::vector<std::string> kHotPlaySeats = {"STALLS-A-2", "STALLS-A-3", "STALLS-A-4",
                                                "STALLS-B-1", "CIRCLE-C-1", "CIRCLE-D-2",
                                                "CIRCLE-D-4", "GALLERY-E-1"};
const std::vector<std::string> kHotGigSeats = {"FLOOR-1-1", "FLOOR-1-2", "FLOOR-2-3"};

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): before any thread
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

// The generator's randomness: splitmix64, so a seed means the same thing on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  int64_t between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool percent(uint64_t p) { return below(100) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }

 private:
  uint64_t state_;
};

// A generated command, which owns its strings.
using Step = OwnedCommand;

// --- readable dumps -----------------------------------------------------------------------

int64_t g_time_origin_ms = 0;  // times print relative to evt_play's on-sale time

std::string time_name(int64_t ms) {
  const int64_t rel = ms - g_time_origin_ms;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.3fs", static_cast<double>(rel) / 1000.0);
  return buf;
}

std::string id_name(ReservationId id) {
  return std::to_string(id >> 32) + ":" + std::to_string(id & 0xFFFFFFFFULL);
}

std::string seat_name(const Event* ev, SeatIndex s) {
  if (ev != nullptr && s < ev->seats.size()) return ev->seat_label(s);
  return "#" + std::to_string(s);
}

template <class Seats>
std::string seats_name(const Event* ev, const Seats& seats) {
  std::string out = "[";
  for (SeatIndex s : seats) {
    if (out.size() > 1) out += ",";
    out += seat_name(ev, s);
  }
  return out + "]";
}

std::string describe(const Catalog& catalog, const Step& st) {
  const Event* ev = catalog.find_event(st.event_id);
  std::ostringstream o;
  o << "t=" << time_name(st.at_ms) << " " << to_string(st.type) << " " << st.event_id;
  if (!st.user_id.empty()) o << " user=" << st.user_id;
  switch (st.type) {
    case CommandType::kReserve:
      o << " seats=" << seats_name(ev, st.seats.span());
      break;
    case CommandType::kReserveBest:
      o << " count=" << st.count << " section="
        << (st.section == kAnySection ? std::string("any") : std::to_string(st.section))
        << " price=[" << st.min_price_cents << "," << st.max_price_cents << "]";
      break;
    case CommandType::kPaymentStarted:
    case CommandType::kCancel:
    case CommandType::kExpire:
      o << " res=" << id_name(st.reservation_id);
      break;
    case CommandType::kConfirm:
      o << " res=" << id_name(st.reservation_id) << " pay=" << st.payment_id << "/" << st.provider
        << " amount=" << st.amount_cents;
      break;
    case CommandType::kJoinWaitlist:
    case CommandType::kLeaveWaitlist:
      o << " seat=" << seats_name(ev, st.seats.span());
      break;
  }
  return o.str();
}

std::string describe(const Event* ev, const Decision& d) {
  std::ostringstream o;
  o << "seq=" << d.seq << " " << to_string(d.type) << " " << to_string(d.code);
  if (!d.user_id.empty()) o << " user=" << d.user_id;
  if (d.reservation_id != 0) o << " res=" << id_name(d.reservation_id);
  if (d.seats.count != 0) o << " seats=" << seats_name(ev, d.seats.span());
  if (d.expires_at_ms != 0) o << " expires=" << time_name(d.expires_at_ms);
  if (d.amount_cents != 0) o << " amount=" << d.amount_cents;
  if (d.position != 0) o << " position=" << d.position;
  if (!d.payment_id.empty() || !d.provider.empty()) {
    o << " pay=" << d.payment_id << "/" << d.provider;
  }
  return o.str();
}

std::string describe(const Event* ev, const ExpectedDecision& d) {
  std::ostringstream o;
  o << to_string(d.type) << " " << to_string(d.code);
  if (!d.user.empty()) o << " user=" << d.user;
  if (d.serial != 0) o << " res=serial " << d.serial;
  if (d.serial == 0 && d.raw_id != 0) o << " res=" << id_name(d.raw_id);
  if (!d.seats.empty()) o << " seats=" << seats_name(ev, d.seats);
  if (d.expires_at_ms != 0) o << " expires=" << time_name(d.expires_at_ms);
  if (d.amount_cents != 0) o << " amount=" << d.amount_cents;
  if (d.position != 0) o << " position=" << d.position;
  if (!d.payment_id.empty() || !d.provider.empty()) {
    o << " pay=" << d.payment_id << "/" << d.provider;
  }
  return o.str();
}

// Which fields a decision type carries (decision.h); the others are not compared.
struct Fields {
  bool user = false, reservation = false, seats = false, expires = false, amount = false,
       position = false, payment = false;
};

Fields fields_of(DecisionType t) {
  switch (t) {
    case DecisionType::kHeld:
    case DecisionType::kOffered:
      return {true, true, true, true, true, false, false};
    case DecisionType::kRejected:
      return {true, false, true, false, false, false, false};
    case DecisionType::kPaymentPending:
      return {true, true, false, true, false, false, false};
    case DecisionType::kBooked:
      return {true, true, true, false, true, false, true};
    case DecisionType::kCancelled:
    case DecisionType::kExpired:
      return {true, true, true, false, false, false, false};
    case DecisionType::kReleased:
      return {false, false, true, false, false, false, false};
    case DecisionType::kWaitlisted:
      return {true, false, true, false, false, true, false};
    case DecisionType::kWaitlistLeft:
      return {true, false, true, false, false, false, false};
    case DecisionType::kWaitlistCleared:
      return {false, false, true, false, false, true, false};
    case DecisionType::kRefundRequired:
      return {true, true, false, false, true, false, true};
  }
  return {};
}

// How often each decision type/code came up, to see that the generator reaches everything
// (printed when BOXOFFICE_PROPERTY_STATS is set).
bool stats_enabled() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the environment is never written
  static const bool enabled = std::getenv("BOXOFFICE_PROPERTY_STATS") != nullptr;
  return enabled;
}

std::mutex g_stats_mu;  // sequences run on several threads

std::map<std::string, uint64_t>& decision_stats() {
  static std::map<std::string, uint64_t> stats;
  return stats;
}

// What a crash (sanitizer report) should say about where it happened.
struct Current {
  uint64_t seed = 0;
  size_t command = 0;
};
thread_local Current g_current;  // the death callback runs on the thread that died

#if defined(__SANITIZE_ADDRESS__)
void on_sanitizer_death() {
  std::fprintf(stderr,
               "\nproperty test died in sequence seed=%llu at command #%zu; reproduce with "
               "BOXOFFICE_PROPERTY_SEED=%llu BOXOFFICE_PROPERTY_SEQUENCES=1\n",
               static_cast<unsigned long long>(g_current.seed), g_current.command,
               static_cast<unsigned long long>(g_current.seed));
}
#endif

// --- the runner: implementation, restored copy and model side by side ---------------------

class Runner {
 public:
  explicit Runner(const Catalog& catalog)
      : catalog_(catalog), impl_(catalog), spare_(catalog), model_(catalog) {}

  const Partition& impl() const { return impl_; }
  const std::vector<Decision>& decisions() const { return actual_; }
  const std::string& failure() const { return failure_; }
  const std::vector<Step>& drain_steps() const { return drain_steps_; }

  // Applies one command to the implementation (and the restored copy) and the model, then
  // compares. False on the first disagreement; failure() says what.
  bool apply(const Step& step) {
    const Command cmd = step.view();
    const uint64_t seq_before = impl_.last_seq();
    actual_.clear();
    impl_.apply(cmd, actual_);
    const auto expected = model_.apply(cmd);
    const auto ev_it = catalog_.event_by_id.find(step.event_id);
    const std::optional<uint32_t> e =
        ev_it == catalog_.event_by_id.end() ? std::nullopt : std::optional(ev_it->second);
    const Event* ev = e ? &catalog_.events[*e] : nullptr;

    if (stats_enabled()) count_decisions(step);
    if (actual_.empty()) return fail("no decision for the command");
    for (size_t i = 0; i < actual_.size(); ++i) {
      if (actual_[i].seq != seq_before + 1 + i) {
        return fail("decision " + std::to_string(i) + " has seq " + std::to_string(actual_[i].seq) +
                    ", expected " + std::to_string(seq_before + 1 + i));
      }
    }
    if (impl_.last_seq() != actual_.back().seq) return fail("last_seq() is not the last seq");
    if (!compare(step, e, ev, expected)) return false;
    if (step.type == CommandType::kConfirm) {
      int endings = 0;
      for (const Decision& d : actual_) {
        if (d.type == DecisionType::kBooked || d.type == DecisionType::kRefundRequired) ++endings;
      }
      if (endings != 1) return fail("a Confirm must end in exactly one booked/refund_required");
    }
    if (restored_) {
      restored_actual_.clear();
      restored_->apply(cmd, restored_actual_);
      if (restored_actual_ != actual_) {
        std::string msg = "the restored partition decided differently\n  original:\n";
        for (const Decision& d : actual_) msg += "    " + describe(ev, d) + "\n";
        msg += "  restored:\n";
        for (const Decision& d : restored_actual_) msg += "    " + describe(ev, d) + "\n";
        return fail(msg);
      }
    }
    if (e && step.reservation_id != 0) {
      // Ended holds are forgotten; ids that were never issued find nothing.
      const auto serial = model_.serial_of(*e, step.reservation_id);
      const bool live = serial && model_.live(*e).count(*serial) != 0;
      if (impl_.reservation(ev->id, step.reservation_id).has_value() != live) {
        return fail("reservation(" + id_name(step.reservation_id) + ") should " +
                    (live ? "find" : "not find") + " a reservation");
      }
    }
    if (e) {
      // Every seat every few commands; otherwise the seats the command and its decisions name
      // (the read API per seat is the expensive part of a step).
      std::vector<SeatIndex> seats(step.seats.span().begin(), step.seats.span().end());
      for (const Decision& d : actual_) {
        seats.insert(seats.end(), d.seats.span().begin(), d.seats.span().end());
      }
      const bool all = ++steps_ % kFullCheckEvery == 0;
      if (!check_event(*e, step.at_ms, all ? nullptr : &seats)) return false;
    }
    return true;
  }

  // Snapshot now, restore into a second partition that gets every later command too.
  bool cut() {
    const std::string bytes = impl_.snapshot();
    auto restored = Partition::restore(catalog_, bytes);
    if (!restored) return fail("restore(snapshot()) failed: " + restored.error());
    if (restored->last_seq() != impl_.last_seq()) return fail("restore lost the sequence number");
    if (restored->snapshot() != bytes) return fail("snapshot of the restored copy differs");
    // The worker snapshots a clone on another thread: it must be the same state.
    if (impl_.clone().snapshot() != bytes) return fail("snapshot of a clone differs");
    impl_.copy_to(spare_);  // into the copy of the previous cut, as the worker does
    if (spare_.snapshot() != bytes) return fail("snapshot of a copy into an earlier copy differs");
    restored_.emplace(std::move(restored).value());
    return true;
  }

  // Expires every hold far in the future, round after round (offers made in one round are
  // expired by the next), and checks the end state: nothing held, nobody waiting, and the
  // restored copy took the same snapshot bytes.
  bool drain(int64_t last_at_ms, uint64_t next_request_id) {
    int64_t at_ms = last_at_ms;
    for (int round = 0; round < 16; ++round) {
      at_ms += 30LL * 24 * 3600 * 1000;
      std::vector<Step> steps;
      for (const Event& ev : catalog_.events) {
        for (const ReservationView& v : impl_.reservations(ev.id)) {
          if (v.status != ReservationStatus::kHeld) continue;
          Step st;
          st.type = CommandType::kExpire;
          st.request_id = next_request_id++;
          st.at_ms = at_ms;
          st.event_id = ev.id;
          st.reservation_id = v.id;
          steps.push_back(st);
        }
      }
      if (steps.empty()) break;
      for (const Step& st : steps) {
        drain_steps_.push_back(st);
        if (!apply(drain_steps_.back())) return false;
        bool expired = false;
        for (const Decision& d : actual_) {
          expired = expired ||
                    (d.type == DecisionType::kExpired && d.reservation_id == st.reservation_id);
        }
        if (!expired) return fail("Expire far past the deadline did not end the hold");
      }
    }
    for (uint32_t e = 0; e < catalog_.events.size(); ++e) {
      const Event& ev = catalog_.events[e];
      for (const ReservationView& v : impl_.reservations(ev.id)) {
        if (v.status == ReservationStatus::kHeld) return fail("a hold survived the drain");
      }
      for (SeatIndex s = 0; s < ev.seats.size(); ++s) {
        if (!impl_.waitlist(ev.id, s).empty()) {
          return fail("waitlist of " + ev.seat_label(s) + " not empty after the drain");
        }
      }
      if (!check_event(e, at_ms, nullptr)) return false;
    }
    if (restored_ && restored_->snapshot() != impl_.snapshot()) {
      return fail("final snapshot of the restored copy differs from the original's");
    }
    return true;
  }

 private:
  bool fail(std::string msg) {
    failure_ = std::move(msg);
    return false;
  }

  void count_decisions(const Step& step) const {
    for (const Decision& d : actual_) {
      std::string key = std::string(to_string(d.type)) + "/" + std::string(to_string(d.code));
      if (d.code == Errc::kLimitExceeded && step.type != CommandType::kReserve &&
          step.type != CommandType::kReserveBest) {
        key += " (waitlist offer)";
      }
      const std::lock_guard lock(g_stats_mu);
      ++decision_stats()[key];
    }
  }

  bool compare(const Step& step, std::optional<uint32_t> e, const Event* ev,
               const std::vector<ExpectedDecision>& expected) {
    std::string why;
    const size_t n = std::min(expected.size(), actual_.size());
    for (size_t i = 0; i < n && why.empty(); ++i) {
      const ExpectedDecision& x = expected[i];
      const Decision& a = actual_[i];
      const std::string at = "decision " + std::to_string(i) + ": ";
      if (a.type != x.type) {
        why = at + "type";
      } else if (a.code != x.code) {
        why = at + "code";
      } else if (a.request_id != step.request_id || a.at_ms != step.at_ms ||
                 a.event_id != step.event_id) {
        why = at + "request_id/at_ms/event_id do not echo the command";
      } else {
        const Fields f = fields_of(x.type);
        const std::vector<SeatIndex> seats(a.seats.span().begin(), a.seats.span().end());
        if (f.user && a.user_id != x.user) why = at + "user";
        if (f.seats && seats != x.seats) why = at + "seats";
        if (f.expires && a.expires_at_ms != x.expires_at_ms) why = at + "expires_at_ms";
        if (f.amount && a.amount_cents != x.amount_cents) why = at + "amount_cents";
        if (f.position && a.position != x.position) why = at + "position";
        if (f.payment && (a.payment_id != x.payment_id || a.provider != x.provider)) {
          why = at + "payment_id/provider";
        }
        if (why.empty() && f.reservation) why = compare_id(e, x, a.reservation_id, at);
      }
    }
    if (why.empty() && expected.size() != actual_.size()) why = "number of decisions";
    if (why.empty()) return true;
    std::string msg = "decisions differ (" + why + ") for: " + describe(catalog_, step) +
                      "\n  expected (model):\n";
    for (const ExpectedDecision& d : expected) msg += "    " + describe(ev, d) + "\n";
    msg += "  actual (implementation):\n";
    for (const Decision& d : actual_) msg += "    " + describe(ev, d) + "\n";
    return fail(msg);
  }

  // Reservation ids match through the model's serial: the serial is the id's upper half, and
  // once the implementation has named a serial, it keeps that name.
  std::string compare_id(std::optional<uint32_t> e, const ExpectedDecision& x, ReservationId id,
                         const std::string& at) {
    if (x.serial == 0) return id == x.raw_id ? "" : at + "reservation_id (echo)";
    if (!e) return at + "reservation of an unknown event";
    if (const auto known = model_.known_id(*e, x.serial)) {
      return id == *known ? "" : at + "reservation_id (mapping)";
    }
    if ((id >> 32) != x.serial) return at + "reservation_id serial";
    model_.learn_id(*e, x.serial, id);
    return "";
  }

  // The read API against the model, and the invariants that hold whatever the rules say.
  bool check_event(uint32_t e, int64_t at_ms, const std::vector<SeatIndex>* only_seats) {
    const Event& ev = catalog_.events[e];
    const auto views = impl_.reservations(ev.id);
    const auto& live = model_.live(e);
    if (views.size() != live.size()) {
      return fail("implementation has " + std::to_string(views.size()) +
                  " live reservations, the model " + std::to_string(live.size()));
    }
    std::vector<int> owner(ev.seats.size(), -1);
    std::map<std::string, uint32_t, std::less<>> tickets;
    for (size_t i = 0; i < views.size(); ++i) {
      const ReservationView& v = views[i];
      const auto serial = model_.serial_of(e, v.id);
      if (!serial || !live.count(*serial)) {
        return fail("implementation has reservation " + id_name(v.id) + " the model has not");
      }
      const ModelReservation& m = live.at(*serial);
      const std::vector<SeatIndex> seats(v.seats.span().begin(), v.seats.span().end());
      const bool held = v.status == ReservationStatus::kHeld;
      if (held == m.booked || (v.kind == HoldKind::kOffer) != m.offer ||
          v.payment_started != m.payment_started || v.user_id != m.user || seats != m.seats ||
          v.amount_cents != m.amount_cents || (held && v.expires_at_ms != m.expires_at_ms)) {
        return fail("reservation " + id_name(v.id) + " differs from the model's serial " +
                    std::to_string(*serial));
      }
      for (SeatIndex s : seats) {
        if (s >= ev.seats.size()) return fail("reservation holds an unknown seat");
        if (owner[s] != -1) return fail("seat " + ev.seat_label(s) + " in two reservations");
        owner[s] = static_cast<int>(i);
      }
      tickets[std::string(v.user_id)] += v.seats.count;
      const auto again = impl_.reservation(ev.id, v.id);
      if (!again || again->id != v.id || again->status != v.status || !(again->seats == v.seats) ||
          again->user_id != v.user_id || again->expires_at_ms != v.expires_at_ms) {
        return fail("reservation(" + id_name(v.id) + ") disagrees with reservations()");
      }
    }
    const std::vector<uint32_t> holders = model_.holders(e);
    std::vector<SeatIndex> all_seats;
    if (only_seats == nullptr) {
      for (SeatIndex s = 0; s < ev.seats.size(); ++s) all_seats.push_back(s);
    }
    for (SeatIndex s : only_seats != nullptr ? *only_seats : all_seats) {
      if (s >= ev.seats.size()) continue;
      const std::optional<uint32_t> h =
          holders[s] == 0 ? std::nullopt : std::optional<uint32_t>(holders[s]);
      const SeatStatus want = !h                   ? SeatStatus::kAvailable
                              : live.at(*h).booked ? SeatStatus::kBooked
                                                   : SeatStatus::kHeld;
      if (impl_.seat_status(ev.id, s) != want) {
        return fail("seat_status(" + ev.seat_label(s) + ") is " +
                    std::string(to_string(impl_.seat_status(ev.id, s))) + ", expected " +
                    std::string(to_string(want)));
      }
      const auto ih = impl_.seat_holder(ev.id, s);
      if (h.has_value() != ih.has_value() ||
          (h && (ih->id != views[owner[s]].id ||
                 std::find(ih->seats.span().begin(), ih->seats.span().end(), s) ==
                     ih->seats.span().end()))) {
        return fail("seat_holder(" + ev.seat_label(s) + ") disagrees");
      }
      const auto list = impl_.waitlist(ev.id, s);
      const auto& want_list = model_.waitlist(e, s);
      if (!std::equal(list.begin(), list.end(), want_list.begin(), want_list.end())) {
        std::string msg = "waitlist(" + ev.seat_label(s) + ") is [";
        for (auto u : list) msg += std::string(u) + " ";
        msg += "], expected [";
        for (const auto& u : want_list) msg += u + " ";
        return fail(msg + "]");
      }
    }
    for (const std::string& u : kUsers) {
      const uint32_t t = impl_.tickets_of(ev.id, u);
      const auto it = tickets.find(u);
      const uint32_t counted = it == tickets.end() ? 0 : it->second;
      if (t != model_.tickets_of(e, u) || t != counted || t > ev.per_user_limit) {
        return fail("tickets_of(" + u + ") is " + std::to_string(t) + "; model " +
                    std::to_string(model_.tickets_of(e, u)) + ", reservations " +
                    std::to_string(counted) + ", limit " + std::to_string(ev.per_user_limit));
      }
    }
    // What the command looked at cannot still be held past its deadline (lazy expiry).
    for (uint32_t serial : model_.looked_at()) {
      const auto id = model_.known_id(e, serial);
      if (!id) continue;
      const auto v = impl_.reservation(ev.id, *id);
      if (v && v->status == ReservationStatus::kHeld && v->expires_at_ms <= at_ms) {
        return fail("hold " + id_name(*id) + " was looked at but outlived its deadline");
      }
    }
    return true;
  }

  const Catalog& catalog_;
  Partition impl_;
  Partition spare_;  // copied into at every cut
  std::optional<Partition> restored_;
  ReferenceModel model_;
  std::vector<Decision> actual_;
  std::vector<Decision> restored_actual_;
  std::vector<Step> drain_steps_;
  std::string failure_;
  uint64_t steps_ = 0;
};

// --- the generator ------------------------------------------------------------------------

class Generator {
 public:
  Generator(const Catalog& catalog, uint64_t seed) : rng_(seed) {
    play_ = &catalog.events[catalog.event_by_id.at("evt_play")];
    gig_ = &catalog.events[catalog.event_by_id.at("evt_gig")];
    for (const auto& l : kHotPlaySeats) hot_play_.push_back(*play_->find_seat(l));
    for (const auto& l : kHotGigSeats) hot_gig_.push_back(*gig_->find_seat(l));
    // Start anywhere from before the presale to after the general sale opened.
    // Some sequences run slowly, so holds live for many commands and waitlists fill up.
    tempo_ = rng_.percent(45) ? 6 : 1;
    // Start anywhere from before the presale to after the general sale opened (slow sequences
    // start later, or they would spend their time before the sale).
    now_ms_ = play_->on_sale_at_ms +
              (tempo_ == 1 ? rng_.between(-420'000, 300'000) : rng_.between(-100'000, 650'000));
  }

  int64_t now_ms() const { return now_ms_; }

  Step next(const Partition& impl) {
    advance_time(impl);
    Step st;
    st.request_id = ++request_id_;
    st.at_ms = now_ms_;
    const uint64_t r = rng_.below(100);
    const Event* ev = r < 65 ? play_ : r < 97 ? gig_ : nullptr;
    st.event_id = ev != nullptr ? ev->id : std::string(kUnknownEvent);
    const Event& e = ev != nullptr ? *ev : *play_;  // seats for an unknown event: any will do
    st.user_id = rng_.pick(kUsers);

    if (due_expire_ && ev != nullptr && due_expire_->first == ev->id && rng_.percent(60)) {
      st.type = CommandType::kExpire;
      st.user_id.clear();
      st.reservation_id = due_expire_->second;
      due_expire_.reset();
      return st;
    }
    due_expire_.reset();
    // A crowd: people join the same waitlist one after another.
    if (crowd_ && ev != nullptr && crowd_->first == ev->id && rng_.percent(45)) {
      st.type = CommandType::kJoinWaitlist;
      st.seats.push(crowd_->second);
      return st;
    }
    crowd_.reset();

    const uint64_t t = rng_.below(100);
    if (t < 24) {
      st.type = CommandType::kReserve;
      make_reserve(e, st);
    } else if (t < 34) {
      st.type = CommandType::kReserveBest;
      make_reserve_best(e, st);
    } else if (t < 44) {
      st.type = CommandType::kPaymentStarted;
      pick_reservation(impl, e, st);
    } else if (t < 59) {
      st.type = CommandType::kConfirm;
      const Seen* seen = pick_reservation(impl, e, st);
      make_payment(seen, st);
    } else if (t < 66) {
      st.type = CommandType::kCancel;
      pick_reservation(impl, e, st);
    } else if (t < 75) {
      st.type = CommandType::kExpire;
      pick_reservation(impl, e, st);
      if (rng_.percent(90)) st.user_id.clear();  // the delay topic names no user
    } else if (t < 93) {
      st.type = CommandType::kJoinWaitlist;
      st.seats.push(pick_taken_seat(impl, e));
      if (ev != nullptr) crowd_.emplace(ev->id, st.seats.items[0]);
    } else {
      st.type = CommandType::kLeaveWaitlist;
      make_leave(impl, e, st);
    }
    if ((st.type == CommandType::kJoinWaitlist || st.type == CommandType::kLeaveWaitlist) &&
        rng_.below(300) == 0) {
      st.seats = {};  // malformed: no seat
    }
    return st;
  }

  // Learns ids, holders, amounts and payments from what the implementation decided.
  void observe(const Step& st, const std::vector<Decision>& decisions) {
    for (const Decision& d : decisions) {
      switch (d.type) {
        case DecisionType::kHeld:
        case DecisionType::kOffered:
          seen_.push_back({st.event_id,
                           d.reservation_id,
                           std::string(d.user_id),
                           d.amount_cents,
                           d.expires_at_ms,
                           {}});
          break;
        case DecisionType::kPaymentPending:
          if (Seen* s = find_seen(st.event_id, d.reservation_id))
            s->expires_at_ms = d.expires_at_ms;
          break;
        case DecisionType::kBooked:
          if (Seen* s = find_seen(st.event_id, d.reservation_id)) {
            s->payments.emplace_back(d.payment_id);
          }
          break;
        default:
          break;
      }
    }
  }

 private:
  struct Seen {
    std::string event_id;
    ReservationId id = 0;
    std::string user;
    int64_t amount_cents = 0;
    int64_t expires_at_ms = 0;
    std::vector<std::string> payments;
  };

  Seen* find_seen(std::string_view event_id, ReservationId id) {
    for (Seen& s : seen_) {
      if (s.event_id == event_id && s.id == id) return &s;
    }
    return nullptr;
  }

  void advance_time(const Partition& impl) {
    const uint64_t r = rng_.below(100);
    if (r < 6) return;  // same millisecond
    if (r < 14) {
      // Land exactly on (or just before) a live hold's deadline, and often send its Expire then.
      std::vector<std::pair<std::string, ReservationView>> holds;
      for (const Event* ev : {play_, gig_}) {
        for (const ReservationView& v : impl.reservations(ev->id)) {
          if (v.status == ReservationStatus::kHeld && v.expires_at_ms >= now_ms_ &&
              v.expires_at_ms <= now_ms_ + 400'000 / tempo_) {
            holds.emplace_back(ev->id, v);
          }
        }
      }
      if (!holds.empty()) {
        const auto& [event_id, v] = rng_.pick(holds);
        now_ms_ = std::max(now_ms_, v.expires_at_ms - (rng_.percent(25) ? 1 : 0));
        due_expire_.emplace(event_id, v.id);
        return;
      }
    }
    if (r < 40) {
      now_ms_ += rng_.between(1, 3'000);
    } else if (r < 75) {
      now_ms_ += rng_.between(3'000, 25'000) / tempo_;
    } else if (r < 93) {
      now_ms_ += rng_.between(25'000, 80'000) / tempo_;
    } else {
      now_ms_ += rng_.between(80'000, 240'000) / tempo_;
    }
  }

  SeatIndex pick_seat(const Event& e) {
    const uint64_t r = rng_.below(100);
    if (r < 2) {
      // Out of range, just past the end or far beyond it.
      return rng_.percent(50) ? static_cast<SeatIndex>(e.seats.size() + rng_.below(3))
                              : 0xFFFFFFF0U + static_cast<SeatIndex>(rng_.below(16));
    }
    const auto& hot = &e == play_ ? hot_play_ : hot_gig_;
    if (r < 75) return rng_.pick(hot);
    return static_cast<SeatIndex>(rng_.below(e.seats.size()));
  }

  // Mostly a seat somebody holds, so that waitlists fill up.
  SeatIndex pick_taken_seat(const Partition& impl, const Event& e) {
    if (rng_.percent(60)) {
      std::vector<SeatIndex> waited;
      for (SeatIndex s = 0; s < e.seats.size(); ++s) {
        if (!impl.waitlist(e.id, s).empty()) waited.push_back(s);
      }
      if (!waited.empty()) return rng_.pick(waited);
    }
    if (rng_.percent(70)) {
      std::vector<SeatIndex> taken;
      for (const ReservationView& v : impl.reservations(e.id)) {
        for (SeatIndex s : v.seats.span()) taken.push_back(s);
      }
      if (!taken.empty()) return rng_.pick(taken);
    }
    return pick_seat(e);
  }

  void make_reserve(const Event& e, Step& st) {
    if (rng_.below(200) == 0) return;  // no seats at all
    const uint64_t r = rng_.below(100);
    const size_t n = r < 40 ? 1 : r < 70 ? 2 : r < 85 ? 3 : r < 93 ? 4 : rng_.between(5, 6);
    for (size_t i = 0; i < n; ++i) {
      SeatIndex s = pick_seat(e);
      // Mostly distinct seats; a repeated one now and then.
      for (int tries = 0;
           tries < 4 && !rng_.percent(4) && std::ranges::count(st.seats.span(), s) != 0; ++tries) {
        s = pick_seat(e);
      }
      st.seats.push(s);
    }
  }

  void make_reserve_best(const Event& e, Step& st) {
    const uint64_t r = rng_.below(100);
    st.count = static_cast<uint16_t>(r < 40 ? 1 : r < 75 ? 2 : r < 88 ? 3 : r < 95 ? 4 : 5);
    if (rng_.below(200) == 0) st.count = rng_.percent(50) ? 0 : 17;
    st.section =
        rng_.percent(50) ? kAnySection : static_cast<uint16_t>(rng_.below(e.sections.size()));
    if (rng_.below(100) == 0) st.section = static_cast<uint16_t>(e.sections.size());
    if (rng_.percent(35)) {
      static const std::vector<int64_t> kMins = {0, 2000, 2500, 3500, 5000};
      static const std::vector<int64_t> kMaxes = {0, 2500, 3500, 5000, 7500};
      st.min_price_cents = rng_.pick(kMins);
      st.max_price_cents = rng_.pick(kMaxes);
    }
  }

  // Picks a reservation id: mostly a live one, sometimes one seen earlier (likely ended),
  // sometimes garbage. Mostly with its holder as the user.
  const Seen* pick_reservation(const Partition& impl, const Event& e, Step& st) {
    const uint64_t r = rng_.below(100);
    const Seen* seen = nullptr;
    if (r < 72) {
      const auto views = impl.reservations(e.id);
      if (!views.empty()) {
        const ReservationView& v = rng_.pick(views);
        st.reservation_id = v.id;
        seen = find_seen(e.id, v.id);
      }
    }
    if (st.reservation_id == 0 && r < 92) {
      std::vector<const Seen*> of_event;
      for (const Seen& s : seen_) {
        if (s.event_id == e.id) of_event.push_back(&s);
      }
      if (!of_event.empty()) {
        seen = rng_.pick(of_event);
        st.reservation_id = seen->id;
      }
    }
    if (st.reservation_id == 0) {
      uint64_t issued = 0;
      for (const Seen& s : seen_) {
        if (s.event_id == e.id) issued = std::max<uint64_t>(issued, s.id >> 32);
      }
      const uint64_t g = rng_.below(100);
      if (g < 50) {
        st.reservation_id = ((issued + 1 + rng_.below(3)) << 32) | rng_.below(4);
      } else if (g < 65) {
        st.reservation_id = rng_.below(4);  // serial 0: never a real id
      } else if (g < 80) {
        st.reservation_id = rng_.next() | (1ULL << 63);
      } else if (issued > 0) {
        // A serial that was issued, in a slot it never had.
        st.reservation_id =
            (rng_.between(1, static_cast<int64_t>(issued)) << 32) | (1000 + rng_.below(1000));
      } else {
        st.reservation_id = 1ULL << 40;
      }
    }
    if (seen != nullptr && rng_.percent(78)) st.user_id = seen->user;
    return seen;
  }

  void make_payment(const Seen* seen, Step& st) {
    st.provider = rng_.percent(90) ? "stripe" : "adyen";
    st.amount_cents = seen != nullptr ? seen->amount_cents : 5000;
    if (rng_.percent(18)) {
      static const std::vector<int64_t> kOff = {-2500, -1, 1, 100, 5000};
      st.amount_cents = rng_.percent(15) ? 0 : st.amount_cents + rng_.pick(kOff);
    }
    if (seen != nullptr && !seen->payments.empty() && rng_.percent(60)) {
      st.payment_id = seen->payments.back();  // a retry of the same payment
      if (rng_.percent(80)) st.provider = "stripe";
      return;
    }
    if (!payments_.empty() && rng_.percent(8)) {
      st.payment_id = rng_.pick(payments_);  // another reservation's payment
      return;
    }
    st.payment_id = "pay_" + std::to_string(payments_.size() + 1);
    payments_.push_back(st.payment_id);
  }

  void make_leave(const Partition& impl, const Event& e, Step& st) {
    if (rng_.percent(60)) {
      std::vector<std::pair<SeatIndex, std::string>> waiting;
      for (SeatIndex s = 0; s < e.seats.size(); ++s) {
        for (std::string_view u : impl.waitlist(e.id, s)) waiting.emplace_back(s, u);
      }
      if (!waiting.empty()) {
        const auto& [s, u] = rng_.pick(waiting);
        st.seats.push(s);
        st.user_id = u;
        return;
      }
    }
    st.seats.push(pick_seat(e));
  }

  Rng rng_;
  const Event* play_ = nullptr;
  const Event* gig_ = nullptr;
  std::vector<SeatIndex> hot_play_;
  std::vector<SeatIndex> hot_gig_;
  int64_t now_ms_ = 0;
  int64_t tempo_ = 1;
  uint64_t request_id_ = 0;
  std::vector<Seen> seen_;
  std::vector<std::string> payments_;
  std::optional<std::pair<std::string, ReservationId>> due_expire_;
  std::optional<std::pair<std::string, SeatIndex>> crowd_;
};

// --- sequences ----------------------------------------------------------------------------

struct Outcome {
  bool ok = true;
  size_t failed_at = 0;  // index of the failing command; == steps.size() in the drain
  std::string message;
};

// Replays fixed commands (for shrinking): the same checks as the generated run.
Outcome replay(const Catalog& catalog, const std::vector<Step>& steps, std::optional<size_t> cut) {
  Runner runner(catalog);
  for (size_t i = 0; i < steps.size(); ++i) {
    if (cut == i && !runner.cut()) return {false, i, runner.failure()};
    if (!runner.apply(steps[i])) return {false, i, runner.failure()};
  }
  if (cut == steps.size() && !runner.cut()) return {false, steps.size(), runner.failure()};
  const int64_t last = steps.empty() ? 0 : steps.back().at_ms;
  if (!runner.drain(last, steps.size() + 1)) return {false, steps.size(), runner.failure()};
  return {};
}

// Greedy shrinking: drop chunks, then single commands, while the sequence still fails.
std::vector<Step> shrink(const Catalog& catalog, std::vector<Step> steps,
                         std::optional<size_t>& cut) {
  int budget = 3000;
  const auto still_fails = [&](const std::vector<Step>& s, std::optional<size_t> c) {
    --budget;
    return !replay(catalog, s, c).ok;
  };
  if (cut && still_fails(steps, std::nullopt)) cut.reset();
  for (size_t chunk = std::max<size_t>(steps.size() / 2, 1); chunk >= 1 && budget > 0; chunk /= 2) {
    bool progress = true;
    while (progress && budget > 0) {
      progress = false;
      for (size_t start = 0; start + chunk <= steps.size() && budget > 0;) {
        std::vector<Step> candidate = steps;
        candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(start),
                        candidate.begin() + static_cast<std::ptrdiff_t>(start + chunk));
        std::optional<size_t> c = cut;
        if (c && *c > start) *c = *c >= start + chunk ? *c - chunk : start;
        if (still_fails(candidate, c)) {
          steps = std::move(candidate);
          cut = c;
          progress = true;
        } else {
          start += chunk;
        }
      }
    }
    if (chunk == 1) break;
  }
  return steps;
}

std::string dump(const Catalog& catalog, const std::vector<Step>& steps, std::optional<size_t> cut,
                 size_t failed_at, const std::vector<Step>& drain) {
  std::string out;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (cut == i) out += "    -- snapshot + restore here --\n";
    out += (i == failed_at ? "  > #" : "    #") + std::to_string(i) + " " +
           describe(catalog, steps[i]) + "\n";
  }
  if (cut == steps.size()) out += "    -- snapshot + restore here --\n";
  for (const Step& st : drain) out += "    drain: " + describe(catalog, st) + "\n";
  return out;
}

// Restore must refuse what is not a snapshot of this catalog, without crashing.
void check_bad_snapshots(const Catalog& catalog, const Catalog& other, const std::string& bytes,
                         Rng& rng, uint64_t seed) {
  const auto refuses = [&](std::string_view b, const std::string& what) {
    if (Partition::restore(catalog, b)) {
      ADD_FAILURE() << "restore accepted " << what << " (seed " << seed << ", snapshot of "
                    << bytes.size() << " bytes)";
      return false;
    }
    return true;
  };
  for (size_t n = 0; n < bytes.size(); ++n) {
    if (!refuses(std::string_view(bytes).substr(0, n),
                 "a snapshot truncated to " + std::to_string(n) + " bytes")) {
      break;
    }
  }
  refuses(bytes + '\0', "a snapshot with a trailing byte");
  std::string flipped = bytes;
  flipped[0] = static_cast<char>(flipped[0] ^ 0x5A);
  refuses(flipped, "a snapshot with its first byte changed");
  for (int i = 0; i < 8; ++i) {
    std::string garbage(rng.below(64) + 1, '\0');
    for (char& ch : garbage) ch = static_cast<char>(rng.next());
    refuses(garbage, "random bytes");
  }
  if (Partition::restore(other, bytes)) {
    ADD_FAILURE() << "restore accepted a snapshot taken against another catalog (seed " << seed
                  << ")";
  }
}

class PropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = parse_catalog(kCatalogJson);
    ASSERT_TRUE(parsed) << parsed.error();
    catalog_ = std::move(parsed).value();
    auto other = parse_catalog(kOtherCatalogJson);
    ASSERT_TRUE(other) << other.error();
    other_ = std::move(other).value();
    g_time_origin_ms = catalog_.find_event("evt_play")->on_sale_at_ms;
  }

  Catalog catalog_;
  Catalog other_;
};

// The model reads prices, waves and layout from the parsed catalog: make sure it says what the
// test means it to say.
TEST_F(PropertyTest, CatalogIsWhatTheTestExpects) {
  const Event& play = *catalog_.find_event("evt_play");
  const Event& gig = *catalog_.find_event("evt_gig");
  ASSERT_EQ(play.seats.size(), 24u);
  ASSERT_EQ(play.sections.size(), 3u);
  ASSERT_EQ(gig.seats.size(), 6u);
  EXPECT_EQ(play.per_user_limit, 4u);
  EXPECT_EQ(play.waitlist_cap, 3u);
  EXPECT_EQ(play.hold_ms, 120'000);
  EXPECT_EQ(play.offer_ms, 60'000);
  EXPECT_EQ(play.payment_hold_ms, 300'000);
  EXPECT_EQ(gig.per_user_limit, 2u);
  const auto seat = [](const Event& ev, const char* label) { return *ev.find_seat(label); };
  const int64_t on_sale = play.on_sale_at_ms;
  EXPECT_EQ(play.seat_opens_at_ms(seat(play, "STALLS-B-4")), on_sale - 300'000);
  EXPECT_EQ(play.seat_opens_at_ms(seat(play, "CIRCLE-C-1")), on_sale - 300'000);
  EXPECT_EQ(play.seat_opens_at_ms(seat(play, "CIRCLE-C-2")), on_sale);
  EXPECT_EQ(play.seat_opens_at_ms(seat(play, "GALLERY-F-4")), on_sale + 600'000);
  EXPECT_EQ(play.price_cents(seat(play, "STALLS-A-2")), 7500);
  EXPECT_EQ(play.price_cents(seat(play, "CIRCLE-D-5")), 2500);
  EXPECT_EQ(play.price_cents(seat(play, "CIRCLE-D-4")), 3500);
  EXPECT_EQ(play.seats[seat(play, "CIRCLE-D-4")].number, 4u);
  EXPECT_EQ(seat(play, "CIRCLE-D-4"), seat(play, "CIRCLE-D-2") + 1);  // the gap is in numbers
  EXPECT_EQ(gig.seat_opens_at_ms(seat(gig, "FLOOR-2-3")), on_sale - 120'000);
  for (const auto& l : kHotPlaySeats) EXPECT_TRUE(play.find_seat(l)) << l;
  for (const auto& l : kHotGigSeats) EXPECT_TRUE(gig.find_seat(l)) << l;
}

// The model on its own, on a few README rules: when the property test disagrees with the
// implementation, these say what the model's reading is.
class PropertyModelTest : public PropertyTest {
 protected:
  void SetUp() override {
    PropertyTest::SetUp();
    model_.emplace(catalog_);
  }

  // Applies a command; the model's reservations get the id serial:serial.
  std::vector<ExpectedDecision> run(Step st) {
    st.request_id = ++request_id_;
    if (st.event_id.empty()) st.event_id = "evt_gig";
    const uint32_t e = catalog_.event_by_id.at(st.event_id);
    auto out = model_->apply(st.view());
    for (const ExpectedDecision& d : out) {
      if (d.serial != 0 && !model_->known_id(e, d.serial)) {
        model_->learn_id(e, d.serial, id_of(d.serial));
      }
    }
    return out;
  }
  static ReservationId id_of(uint32_t serial) {
    return (static_cast<ReservationId>(serial) << 32) | serial;
  }
  int64_t at(int64_t seconds) const { return g_time_origin_ms + seconds * 1000; }
  SeatIndex gig_seat(const char* label) const {
    return *catalog_.find_event("evt_gig")->find_seat(label);
  }
  Step reserve(int64_t s, const char* user, const std::vector<SeatIndex>& seats) const {
    Step st;
    st.type = CommandType::kReserve;
    st.at_ms = at(s);
    st.user_id = user;
    for (const SeatIndex seat : seats) st.seats.push(seat);
    return st;
  }
  Step on(CommandType type, int64_t s, const char* user, uint32_t serial) const {
    Step st;
    st.type = type;
    st.at_ms = at(s);
    st.user_id = user;
    st.reservation_id = id_of(serial);
    return st;
  }
  Step waitlist(int64_t s, const char* user, SeatIndex seat) const {
    Step st;
    st.type = CommandType::kJoinWaitlist;
    st.at_ms = at(s);
    st.user_id = user;
    st.seats.push(seat);
    return st;
  }

  std::optional<ReferenceModel> model_;
  uint64_t request_id_ = 0;
};

// "type/code" of each decision, readable in a failure message.
std::vector<std::string> kinds(const std::vector<ExpectedDecision>& ds) {
  std::vector<std::string> out;
  out.reserve(ds.size());
  for (const auto& d : ds) {
    out.push_back(std::string(to_string(d.type)) + "/" + std::string(to_string(d.code)));
  }
  return out;
}

using Kinds = std::vector<std::string>;

TEST_F(PropertyModelTest, EndedHoldGoesToTheWaitlistHeadWithinTheirLimit) {
  const SeatIndex a = gig_seat("FLOOR-1-1"), b = gig_seat("FLOOR-1-2"), c = gig_seat("FLOOR-2-3");
  run(reserve(10, "u1", {a}));     // serial 1
  run(reserve(10, "u2", {b, c}));  // serial 2: u2 at the limit (2)
  EXPECT_EQ(run(waitlist(11, "u2", a))[0].position, 1u);
  EXPECT_EQ(run(waitlist(12, "u3", a))[0].position, 2u);
  EXPECT_EQ(run(waitlist(13, "u3", a))[0].position, 2u);               // joining again: same place
  EXPECT_EQ(run(waitlist(14, "u4", a))[0].code, Errc::kWaitlistFull);  // cap 2
  const auto out = run(on(CommandType::kCancel, 20, "u1", 1));
  EXPECT_EQ(kinds(out), (Kinds{"cancelled/ok",
                               "rejected/limit_exceeded",  // u2 skipped
                               "offered/ok"}));
  EXPECT_EQ(out[1].user, "u2");
  EXPECT_EQ(out[2].user, "u3");
  EXPECT_EQ(out[2].serial, 3u);
  EXPECT_EQ(out[2].expires_at_ms, at(20) + 30'000);  // offer_s of evt_gig
  // The offer lapses unnoticed; the next command on the seat ends it first (lazy expiry).
  const auto late = run(reserve(51, "u5", {a}));
  EXPECT_EQ(kinds(late), (Kinds{"expired/ok", "released/ok", "held/ok"}));
}

TEST_F(PropertyModelTest, PaymentStartedFreezesTheDeadlineOnce) {
  run(reserve(10, "u1", {gig_seat("FLOOR-1-1")}));
  const auto first = run(on(CommandType::kPaymentStarted, 20, "u1", 1));
  EXPECT_EQ(first[0].expires_at_ms, at(20) + 90'000);
  const auto again = run(on(CommandType::kPaymentStarted, 60, "u1", 1));
  EXPECT_EQ(again[0].expires_at_ms, at(20) + 90'000);
  EXPECT_EQ(run(on(CommandType::kExpire, 70, "", 1))[0].code, Errc::kNotDue);
  EXPECT_EQ(kinds(run(on(CommandType::kExpire, 110, "", 1))), (Kinds{"expired/ok", "released/ok"}));
  EXPECT_EQ(run(on(CommandType::kExpire, 111, "", 1))[0].code, Errc::kHoldExpired);
  EXPECT_EQ(run(on(CommandType::kExpire, 111, "", 9))[0].code, Errc::kUnknownReservation);
}

TEST_F(PropertyModelTest, EveryConfirmEndsInBookedOrRefund) {
  const SeatIndex a = gig_seat("FLOOR-1-2");  // 4000
  run(reserve(10, "u1", {a}));
  run(waitlist(11, "u2", a));
  Step pay = on(CommandType::kConfirm, 20, "u1", 1);
  pay.payment_id = "p1";
  pay.provider = "stripe";
  pay.amount_cents = 3999;
  EXPECT_EQ(kinds(run(pay)), (Kinds{"rejected/wrong_amount", "refund_required/wrong_amount"}));
  pay.payment_id = "p2";
  pay.amount_cents = 4000;
  const auto booked = run(pay);
  EXPECT_EQ(kinds(booked), (Kinds{"booked/ok", "waitlist_cleared/ok"}));
  EXPECT_EQ(booked[1].position, 1u);
  EXPECT_EQ(kinds(run(pay)), (Kinds{"booked/ok"}));  // a retry
  pay.payment_id = "p3";
  EXPECT_EQ(kinds(run(pay)), (Kinds{"rejected/already_booked", "refund_required/already_booked"}));
  pay.event_id = "evt_nope";
  EXPECT_EQ(kinds(model_->apply(pay.view())),
            (Kinds{"rejected/unknown_event", "refund_required/unknown_event"}));
}

TEST_F(PropertyModelTest, ReserveBestTakesAdjacentSeatsFirst) {
  const Event& play = *catalog_.find_event("evt_play");
  const auto seat = [&](const char* l) { return *play.find_seat(l); };
  Step best;
  best.type = CommandType::kReserveBest;
  best.event_id = "evt_play";
  best.at_ms = at(60);
  best.user_id = "u1";
  best.count = 2;
  best.section = 1;  // CIRCLE: C-1..4, D-1,2,4,5
  Step block = reserve(60, "u2", {seat("CIRCLE-C-2"), seat("CIRCLE-D-1")});
  block.event_id = "evt_play";
  run(block);
  // C-3,C-4 is the first adjacent pair (C-1 alone, C-2 taken).
  EXPECT_EQ(run(best)[0].seats, (std::vector<SeatIndex>{seat("CIRCLE-C-3"), seat("CIRCLE-C-4")}));
  best.user_id = "u3";
  // Left: C-1, D-2, D-4, D-5: D-4,D-5 are adjacent, D-2,D-4 are not.
  EXPECT_EQ(run(best)[0].seats, (std::vector<SeatIndex>{seat("CIRCLE-D-4"), seat("CIRCLE-D-5")}));
  best.user_id = "u4";
  // C-1 and D-2 are not adjacent: the first two candidates anywhere.
  EXPECT_EQ(run(best)[0].seats, (std::vector<SeatIndex>{seat("CIRCLE-C-1"), seat("CIRCLE-D-2")}));
  best.user_id = "u5";
  EXPECT_EQ(run(best)[0].code, Errc::kNoSeatsAvailable);
}

// One generated sequence that failed, with what is needed to print it.
struct Failure {
  uint64_t index = 0;
  uint64_t seed = 0;
  std::vector<Step> steps;
  size_t cut = 0;
  Outcome outcome;
  std::vector<Step> drain;
};

// Generates and checks sequence `index`; counts its commands into `commands`.
std::optional<Failure> run_sequence(const Catalog& catalog, const Catalog& other,
                                    uint64_t base_seed, uint64_t index, uint64_t& commands) {
  const uint64_t seed = base_seed + index;
  g_current = {seed, 0};
  Rng rng(seed ^ 0xB0C5'0FF1'CE00'0000ULL);
  Generator gen(catalog, rng.next());
  Runner runner(catalog);
  const auto n = static_cast<size_t>(rng.between(kMinCommands, kMaxCommands));
  const auto cut = static_cast<size_t>(rng.below(n + 1));
  std::vector<Step> steps;
  Outcome outcome;
  for (size_t k = 0; k <= n && outcome.ok; ++k) {
    g_current.command = k;
    if (k == cut) {
      if (index % kBadSnapshotEvery == 0) {
        check_bad_snapshots(catalog, other, runner.impl().snapshot(), rng, seed);
      }
      if (!runner.cut()) outcome = {false, k, runner.failure()};
    }
    if (k == n || !outcome.ok) break;
    Step st = gen.next(runner.impl());
    if (!runner.apply(st)) {
      outcome = {false, k, runner.failure()};
    } else {
      gen.observe(st, runner.decisions());
    }
    steps.push_back(std::move(st));
  }
  if (outcome.ok && !runner.drain(gen.now_ms(), steps.size() + 1)) {
    outcome = {false, steps.size(), runner.failure()};
  }
  commands += steps.size() + runner.drain_steps().size();
  if (outcome.ok) return std::nullopt;
  return Failure{index, seed, std::move(steps), cut, std::move(outcome), runner.drain_steps()};
}

std::string explain(const Catalog& catalog, uint64_t base_seed, const Failure& f) {
  std::ostringstream msg;
  msg << "sequence seed=" << f.seed << " (sequence " << f.index << " of base seed " << base_seed
      << ") failed at command #" << f.outcome.failed_at << ":\n"
      << f.outcome.message << "\nreproduce: BOXOFFICE_PROPERTY_SEED=" << f.seed
      << " BOXOFFICE_PROPERTY_SEQUENCES=1 build/debug/booking/booking_core_tests"
      << " --gtest_filter='Property*'\n\nsequence (" << f.steps.size() << " commands):\n"
      << dump(catalog, f.steps, f.cut, f.outcome.failed_at, f.drain);
  std::optional<size_t> cut = f.cut;
  if (replay(catalog, f.steps, cut).ok) {
    msg << "\n(replaying the same commands did not fail again: not shrunk)\n";
    return msg.str();
  }
  const std::vector<Step> small = shrink(catalog, f.steps, cut);
  const Outcome last = replay(catalog, small, cut);
  msg << "\nshrunk to " << small.size() << " commands, failing at #" << last.failed_at << ":\n"
      << last.message << "\n"
      << dump(catalog, small, cut, last.failed_at, {});
  return msg.str();
}

TEST_F(PropertyTest, ImplementationMatchesReferenceModel) {
  const uint64_t base_seed = env_u64("BOXOFFICE_PROPERTY_SEED", kDefaultSeed);
  const uint64_t sequences = env_u64("BOXOFFICE_PROPERTY_SEQUENCES", kDefaultSequences);
  // Sequences are independent (a partition, a model and a generator each), so they spread over
  // a few threads; the catalog is only read. The failure reported is always the one of the
  // lowest sequence index, whatever the thread count.
  const uint64_t threads = std::clamp<uint64_t>(
      env_u64("BOXOFFICE_PROPERTY_THREADS", std::thread::hardware_concurrency()), 1, kMaxThreads);
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_set_death_callback(on_sanitizer_death);
#endif
  decision_stats().clear();
  const auto started = std::chrono::steady_clock::now();
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> first_failure{UINT64_MAX};
  std::mutex mu;
  std::optional<Failure> failure;
  const auto work = [&](uint64_t first) {
    uint64_t counted = 0;
    for (uint64_t i = first; i < sequences && i < first_failure.load(); i += threads) {
      auto f = run_sequence(catalog_, other_, base_seed, i, counted);
      if (!f) continue;
      const std::lock_guard lock(mu);
      if (!failure || f->index < failure->index) {
        first_failure = f->index;
        failure = std::move(f);
      }
      break;
    }
    commands += counted;
  };
  std::vector<std::thread> workers;
  for (uint64_t t = 1; t < threads; ++t) workers.emplace_back(work, t);
  work(0);
  for (std::thread& w : workers) w.join();
  if (failure) FAIL() << explain(catalog_, base_seed, *failure);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "property test: %llu sequences, %llu commands in %.1f s on %llu threads (base seed "
      "%llu)\n",
      static_cast<unsigned long long>(sequences), static_cast<unsigned long long>(commands.load()),
      seconds, static_cast<unsigned long long>(threads),
      static_cast<unsigned long long>(base_seed));
  if (stats_enabled()) {
    for (const auto& [name, count] : decision_stats()) {
      std::printf("  %-40s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
    }
  }
}

}  // namespace
}  // namespace boxoffice::booking
