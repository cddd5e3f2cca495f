#include "tests/log_checker.h"

#include "booking/core/wire.h"
#include "booking/service/ids.h"

namespace boxoffice::booking::checker {

void LogChecker::fail(const Decision& d, const std::string& what) {
  violations_.push_back("seq " + std::to_string(d.seq) + " (" + std::string(to_string(d.type)) +
                        " " + reservation_key(d.event_id, d.reservation_id) + "): " + what);
}

void LogChecker::add(int32_t partition, const Decision& d) {
  std::string bytes;
  encode_decision(d, bytes);
  auto [it, fresh] = seen_.try_emplace({partition, d.seq}, bytes);
  if (!fresh) {
    // A replay must re-emit exactly what the first run said.
    ++duplicates_;
    if (it->second != bytes) fail(d, "replayed with a different content");
    return;
  }
  uint64_t& last = last_seq_[partition];
  if (d.seq != last + 1) {
    fail(d, "partition " + std::to_string(partition) + " jumps from seq " + std::to_string(last));
  }
  last = std::max(last, d.seq);
  ++applied_;
  apply(d);
}

void LogChecker::apply(const Decision& d) {
  const std::string rid = reservation_key(d.event_id, d.reservation_id);
  const std::string event(d.event_id);
  switch (d.type) {
    case DecisionType::kHeld:
    case DecisionType::kOffered: {
      Hold h{std::string(d.user_id), {}, d.expires_at_ms, false};
      for (SeatIndex s : d.seats.span()) {
        auto [owner, free] = seat_owner_.try_emplace({event, s}, rid);
        if (!free) fail(d, "seat " + std::to_string(s) + " already belongs to " + owner->second);
        h.seats.push_back(s);
      }
      holds_[rid] = std::move(h);
      break;
    }
    case DecisionType::kPaymentPending:
      if (auto it = holds_.find(rid); it != holds_.end())
        it->second.expires_at_ms = d.expires_at_ms;
      break;
    case DecisionType::kBooked: {
      auto it = holds_.find(rid);
      if (it == holds_.end() || it->second.booked) {
        fail(d, "booked without a live hold");
        break;
      }
      for (SeatIndex s : d.seats.span()) {
        auto owner = seat_owner_.find({event, s});
        if (owner == seat_owner_.end() || owner->second != rid) {
          fail(d, "booked seat " + std::to_string(s) + " it does not hold");
        }
      }
      it->second.booked = true;
      bookings_[rid] = std::string(d.provider) + ":" + std::string(d.payment_id);
      break;
    }
    case DecisionType::kCancelled:
    case DecisionType::kExpired: {
      auto it = holds_.find(rid);
      if (it == holds_.end() || it->second.booked) {
        fail(d, "ended a hold that is not live");
        break;
      }
      for (SeatIndex s : it->second.seats) seat_owner_.erase({event, s});
      holds_.erase(it);
      break;
    }
    case DecisionType::kRefundRequired:
      refunds_.insert(std::string(d.provider) + ":" + std::string(d.payment_id));
      break;
    case DecisionType::kReleased:
      for (SeatIndex s : d.seats.span()) {
        if (seat_owner_.count({event, s}) != 0) fail(d, "released a seat that is taken");
      }
      break;
    case DecisionType::kRejected:
    case DecisionType::kWaitlisted:
    case DecisionType::kWaitlistLeft:
    case DecisionType::kWaitlistCleared:
      break;
  }
}

std::vector<std::pair<std::string, Hold>> LogChecker::open_holds() const {
  std::vector<std::pair<std::string, Hold>> open;
  for (const auto& [rid, h] : holds_) {
    if (!h.booked) open.emplace_back(rid, h);
  }
  return open;
}

}  // namespace boxoffice::booking::checker
