// An independent checker of the decision log: reads boxoffice.events as the outside world sees
// it (duplicates from replays included) and checks the invariants of DESIGN.md that the log
// alone can show. Pure: it is fed decisions, it keeps its own model of every seat.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "booking/core/decision.h"

namespace boxoffice::booking::checker {

struct Hold {
  std::string user;
  std::vector<SeatIndex> seats;
  int64_t expires_at_ms = 0;
  bool booked = false;
};

class LogChecker {
 public:
  // Feed every decision of one partition in log order, duplicates and all.
  void add(int32_t partition, const Decision& d);

  // Violations found so far, each a readable sentence.
  const std::vector<std::string>& violations() const { return violations_; }
  // Holds still open at the end (neither booked nor ended).
  std::vector<std::pair<std::string, Hold>> open_holds() const;
  // Reservation keys (event.rid) that ended booked, with their payment ids.
  const std::map<std::string, std::string>& bookings() const { return bookings_; }
  // Payments the log turned into refunds: "provider:payment_id".
  const std::set<std::string>& refunds() const { return refunds_; }
  uint64_t applied() const { return applied_; }
  uint64_t duplicates() const { return duplicates_; }

 private:
  void apply(const Decision& d);
  void fail(const Decision& d, const std::string& what);

  std::map<int32_t, uint64_t> last_seq_;
  std::map<std::pair<int32_t, uint64_t>, std::string> seen_;  // (partition, seq) -> encoding
  // (event, seat) -> the reservation holding or owning it
  std::map<std::pair<std::string, SeatIndex>, std::string> seat_owner_;
  std::map<std::string, Hold> holds_;  // reservation key -> live or booked hold
  std::map<std::string, std::string> bookings_;
  std::set<std::string> refunds_;
  std::vector<std::string> violations_;
  uint64_t applied_ = 0, duplicates_ = 0;
};

}  // namespace boxoffice::booking::checker
