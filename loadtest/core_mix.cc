#include "loadtest/core_mix.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <random>
#include <unordered_map>

#include "booking/core/partition.h"

namespace boxoffice::loadtest {
namespace {

using booking::Command;
using booking::CommandType;
using booking::Decision;
using booking::DecisionType;
using booking::ReservationId;

constexpr uint32_t kFans = 120'000;
constexpr int64_t kTickMs = 1;  // simulated time per command: 1M commands ~ 17 minutes

// A fan and a seat they want: refused it just now, or waiting for it.
struct Wish {
  std::string_view user;
  booking::SeatIndex seat;
};
constexpr size_t kRefusedKept = 64;  // only fresh refusals turn into waitlist joins

struct Hold {
  ReservationId id;
  std::string_view user;
  int64_t amount_cents;
  bool paying;
};

class Recorder {
 public:
  Recorder(const booking::Catalog& catalog, const booking::Event& event, uint64_t seed)
      : event_(event), partition_(catalog), rng_(seed), now_ms_(event.on_sale_at_ms) {
    users_.reserve(kFans);
    for (uint32_t i = 0; i < kFans; ++i) {
      users_.push_back(keep("fan_" + std::to_string(i)));
      fan_by_name_.emplace(users_.back(), users_.back());
    }
    // Popularity: the first sections (floor, lower level) draw most of the demand.
    std::vector<double> weights;
    for (size_t s = 0; s < event.sections.size(); ++s)
      weights.push_back(1.0 / (1.0 + 0.15 * static_cast<double>(s)));
    section_pick_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
    wave_seats_.resize(event.waves.size());
    for (const uint8_t wave : event.seat_waves) ++wave_seats_[wave];
  }

  CoreMix take(size_t max_count) {
    while (mix_.commands.size() < max_count && seats_booked_ < seats_on_sale()) step();
    if (mix_.commands.size() > max_count) mix_.commands.resize(max_count);
    return std::move(mix_);
  }

 private:
  // Seats whose wave has opened by now (a late wave opens months after the first).
  size_t seats_on_sale() const {
    size_t n = 0;
    for (size_t w = 0; w < wave_seats_.size(); ++w) {
      if (event_.waves[w].opens_at_ms <= now_ms_) n += wave_seats_[w];
    }
    return n;
  }

  std::string_view keep(std::string s) { return mix_.strings.emplace_back(std::move(s)); }
  uint32_t roll(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }

  Command base(CommandType type, std::string_view user) {
    Command c;
    c.type = type;
    c.request_id = mix_.commands.size() + 1;
    c.at_ms = now_ms_;
    c.event_id = event_.id;
    c.user_id = user;
    return c;
  }

  void issue(const Command& c) {
    mix_.commands.push_back(c);
    decisions_.clear();
    partition_.apply(c, decisions_);
    for (const Decision& d : decisions_) learn(d);
  }

  void learn(const Decision& d) {
    switch (d.type) {
      case DecisionType::kHeld:
      case DecisionType::kOffered:
        // A decision's user id points into the partition, which reuses the memory of users
        // it no longer needs; later commands must name the fan with a string of their own.
        holds_[d.reservation_id] =
            Hold{d.reservation_id, fan_by_name_.at(d.user_id), d.amount_cents, false};
        live_.push_back(d.reservation_id);
        timers_.emplace(d.expires_at_ms, d.reservation_id);
        break;
      case DecisionType::kPaymentPending:
        timers_.emplace(d.expires_at_ms, d.reservation_id);
        break;
      case DecisionType::kBooked:
        if (holds_.erase(d.reservation_id) != 0) seats_booked_ += d.seats.count;
        break;
      case DecisionType::kExpired:
      case DecisionType::kCancelled:
        holds_.erase(d.reservation_id);
        break;
      case DecisionType::kRejected:
        if (d.code == booking::Errc::kSeatTaken) {
          if (refused_.size() == kRefusedKept) refused_.erase(refused_.begin());
          refused_.push_back(Wish{fan_by_name_.at(d.user_id), d.seats.items[0]});
        }
        break;
      case DecisionType::kWaitlisted:
        waiting_.push_back(Wish{fan_by_name_.at(d.user_id), d.seats.items[0]});
        break;
      default:
        break;
    }
  }

  // A live hold picked at random (stale entries are dropped on the way).
  const Hold* random_hold() {
    while (!live_.empty()) {
      const size_t i = roll(static_cast<uint32_t>(live_.size()));
      auto it = holds_.find(live_[i]);
      if (it != holds_.end()) return &it->second;
      live_[i] = live_.back();
      live_.pop_back();
    }
    return nullptr;
  }

  booking::SeatIndex popular_seat() {
    const booking::Section& s = event_.sections[section_pick_(rng_)];
    return s.first_seat + roll(s.seat_count);
  }

  void step() {
    now_ms_ += kTickMs;
    // The delay topic delivers every timer that is due.
    while (!timers_.empty() && timers_.top().first <= now_ms_) {
      Command c = base(CommandType::kExpire, {});
      c.reservation_id = timers_.top().second;
      timers_.pop();
      issue(c);
    }
    const uint32_t dice = roll(100);
    std::string_view fan = users_[roll(kFans)];
    if (dice < 50) {  // reserve 1-4 adjacent seats in a popular section
      Command c = base(CommandType::kReserve, fan);
      const booking::SeatIndex first = popular_seat();
      const booking::Row& row = event_.rows[event_.seats[first].row];
      const uint32_t n = 1 + roll(4);
      for (uint32_t k = 0; k < n && first + k < row.first_seat + row.seat_count; ++k) {
        c.seats.push(first + k);
      }
      issue(c);
    } else if (dice < 60) {  // best available
      Command c = base(CommandType::kReserveBest, fan);
      c.count = static_cast<uint16_t>(1 + roll(4));
      c.section = roll(3) == 0 ? booking::kAnySection : static_cast<uint16_t>(section_pick_(rng_));
      c.max_price_cents = roll(2) == 0 ? 0 : 30'000;
      issue(c);
    } else if (dice < 78) {  // pay: mostly start a checkout, then confirm
      const Hold* h = random_hold();
      if (h == nullptr) return;
      if (!h->paying && roll(3) == 0) {
        Command c = base(CommandType::kPaymentStarted, h->user);
        c.reservation_id = h->id;
        holds_[h->id].paying = true;
        return issue(c);
      }
      Command c = base(CommandType::kConfirm, h->user);
      c.reservation_id = h->id;
      c.payment_id = keep("pay_" + std::to_string(mix_.commands.size()));
      c.provider = "stripe";
      c.amount_cents = h->amount_cents;
      issue(c);
      if (roll(20) == 0) issue(c);  // a duplicated webhook
    } else if (dice < 83) {         // change of mind
      const Hold* h = random_hold();
      if (h == nullptr) return;
      Command c = base(CommandType::kCancel, h->user);
      c.reservation_id = h->id;
      issue(c);
    } else if (dice < 96) {  // a fan just refused a seat queues for it
      if (refused_.empty()) return;
      const Wish w = refused_.back();
      refused_.pop_back();
      Command c = base(CommandType::kJoinWaitlist, w.user);
      c.seats.push(w.seat);
      issue(c);
    } else {  // someone waiting gives up
      if (waiting_.empty()) return;
      const size_t i = roll(static_cast<uint32_t>(waiting_.size()));
      const Wish w = waiting_[i];
      waiting_[i] = waiting_.back();
      waiting_.pop_back();
      Command c = base(CommandType::kLeaveWaitlist, w.user);
      c.seats.push(w.seat);
      issue(c);
    }
  }

  const booking::Event& event_;
  booking::Partition partition_;
  std::mt19937_64 rng_;
  int64_t now_ms_;
  CoreMix mix_;
  std::vector<std::string_view> users_;
  std::unordered_map<std::string_view, std::string_view> fan_by_name_;  // to the kept string
  std::discrete_distribution<size_t> section_pick_;
  std::vector<Decision> decisions_;
  std::unordered_map<ReservationId, Hold> holds_;
  std::vector<ReservationId> live_;
  std::vector<Wish> refused_;       // the latest seat_taken answers, newest last
  std::vector<Wish> waiting_;       // waitlist joins (some since offered a hold or cleared)
  std::vector<size_t> wave_seats_;  // seats per wave
  size_t seats_booked_ = 0;         // the on-sale ends when every seat on sale is sold
  std::priority_queue<std::pair<int64_t, ReservationId>,
                      std::vector<std::pair<int64_t, ReservationId>>, std::greater<>>
      timers_;
};

}  // namespace

CoreMix record_core_mix(const booking::Catalog& catalog, const booking::Event& event,
                        size_t max_count, uint64_t seed) {
  return Recorder(catalog, event, seed).take(max_count);
}

const booking::Catalog& sample_catalog() {
  static const booking::Catalog c = [] {
    auto loaded = booking::load_catalog_file(BOXOFFICE_SAMPLE_CATALOG);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().c_str());
      std::exit(1);  // NOLINT(concurrency-mt-unsafe): single-threaded start-up
    }
    return std::move(loaded).value();
  }();
  return c;
}

const booking::Event& sample_stadium() { return *sample_catalog().find_event("evt_eras_la_1"); }

}  // namespace boxoffice::loadtest
