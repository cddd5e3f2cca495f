// What the load generator asks for: every seat of every event in a catalog exactly once, in an
// order shuffled by a seed, each reserved by a user id of its own, so that a run's answers are
// holds rather than seat_taken. A run uses a slice of positions in that order; two runs with the
// same seed and disjoint slices never ask for the same seat. Pure: no I/O, no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/catalog.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::loadgen {

class SeatOrder {
 public:
  SeatOrder(const booking::Catalog& catalog, uint64_t seed);

  struct Target {
    uint32_t event = 0;  // index into catalog.events
    booking::SeatIndex seat = 0;
  };
  uint64_t size() const { return order_.size(); }
  Target at(uint64_t position) const {
    const uint64_t packed = order_[position];
    return {static_cast<uint32_t>(packed >> 32), static_cast<booking::SeatIndex>(packed)};
  }

 private:
  std::vector<uint64_t> order_;  // event << 32 | seat
};

// Writes the HTTP/1.1 keep-alive request that reserves the seat at a position:
//   POST {base}/events/{event}/seats/{label}/reserve  {"user_id":"lg{seed}u{position}"}
class ReserveRequests {
 public:
  ReserveRequests(const booking::Catalog& catalog, const SeatOrder& order, std::string_view host,
                  std::string_view base_path, uint64_t seed);

  // Replaces out's content; keeps its capacity, so a connection's buffer stops allocating.
  void write(uint64_t position, std::string& out) const;

  // From now on each request carries an admission token for its user and event, signed with
  // the keys' active key and valid for an hour from issued_at_s. keys must outlive this.
  void admit_with(const tokens::KeySet* keys, int64_t issued_at_s) {
    admission_keys_ = keys;
    issued_at_s_ = issued_at_s;
  }

 private:
  const booking::Catalog& catalog_;
  const SeatOrder& order_;
  std::vector<std::string> event_paths_;  // "{base}/events/{event}/seats/"
  std::string host_line_;
  std::string user_prefix_;
  const tokens::KeySet* admission_keys_ = nullptr;
  int64_t issued_at_s_ = 0;
};

using Clock = std::chrono::steady_clock;

// Open loop: request k of a stream is due at start + k * interval, whatever the answers do, so
// a slow answer delays no later request's clock (no coordinated omission): latency counts from
// the due time, and queueing at the client is part of it.
class OpenLoopSchedule {
 public:
  OpenLoopSchedule(Clock::time_point start, double interval_ns)
      : start_(start), interval_ns_(interval_ns) {}
  Clock::time_point due_at(uint64_t k) const;
  // How many requests are due at or before now (k < due_by(now) exactly when due_at(k) <= now).
  uint64_t due_by(Clock::time_point now) const;

 private:
  Clock::time_point start_;
  double interval_ns_;
};

}  // namespace boxoffice::loadgen
