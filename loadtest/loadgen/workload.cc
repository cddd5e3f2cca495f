#include "loadtest/loadgen/workload.h"

#include <charconv>
#include <cmath>
#include <iterator>

namespace boxoffice::loadgen {
namespace {

// splitmix64: small, fast and the same on every platform (std distributions are not).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound): drops the few draws that would favour small values.
  uint64_t below(uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (true) {
      const uint64_t r = next();
      if (r >= threshold) return r % bound;
    }
  }

 private:
  uint64_t state_;
};

}  // namespace

SeatOrder::SeatOrder(const booking::Catalog& catalog, uint64_t seed) {
  for (uint32_t e = 0; e < catalog.events.size(); ++e) {
    const auto seats = static_cast<booking::SeatIndex>(catalog.events[e].seats.size());
    for (booking::SeatIndex s = 0; s < seats; ++s) order_.push_back((uint64_t{e} << 32) | s);
  }
  Random random(seed);
  for (uint64_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[random.below(i)]);
}

ReserveRequests::ReserveRequests(const booking::Catalog& catalog, const SeatOrder& order,
                                 std::string_view host, std::string_view base_path, uint64_t seed)
    : catalog_(catalog),
      order_(order),
      host_line_(" HTTP/1.1\r\nHost: " + std::string(host) +
                 "\r\nContent-Type: application/json\r\nContent-Length: "),
      user_prefix_("lg" + std::to_string(seed) + "u") {
  for (const booking::Event& event : catalog.events) {
    event_paths_.push_back(std::string(base_path) + "/events/" + event.id + "/seats/");
  }
}

void ReserveRequests::write(uint64_t position, std::string& out) const {
  const SeatOrder::Target target = order_.at(position);
  const booking::Event& event = catalog_.events[target.event];
  const booking::Seat& seat = event.seats[target.seat];
  // The label as Event::seat_label spells it (a test holds them equal), written in place: this
  // runs for every request, and catalog ids need no escaping (A-Z a-z 0-9 _ . only).
  char number[16];
  char user[24];
  char* number_end = std::to_chars(std::begin(number), std::end(number), seat.number).ptr;
  char* user_end = std::to_chars(std::begin(user), std::end(user), position).ptr;
  out.assign("POST ");
  out += event_paths_[target.event];
  out += event.sections[seat.section].id;
  out += '-';
  out += event.rows[seat.row].id;
  out += '-';
  out.append(number, number_end);
  out += "/reserve";
  if (admission_keys_ != nullptr) {
    tokens::Claims claims;
    claims.sub = user_prefix_;
    claims.sub.append(user, user_end);
    claims.event = event.id;
    claims.kind = tokens::kKindAdmission;
    claims.iat = issued_at_s_;
    claims.nbf = issued_at_s_;
    claims.exp = issued_at_s_ + 3600;
    out += " HTTP/1.1\r\nAuthorization: Bearer ";
    out += admission_keys_->sign(claims);
    out += std::string_view(host_line_).substr(std::string_view(" HTTP/1.1").size());
  } else {
    out += host_line_;
  }
  const std::string_view body_start = R"({"user_id":")";
  const std::string_view body_end = R"("})";
  const size_t body_size = body_start.size() + user_prefix_.size() +
                           static_cast<size_t>(user_end - user) + body_end.size();
  out += std::to_string(body_size);
  out += "\r\n\r\n";
  out += body_start;
  out += user_prefix_;
  out.append(user, user_end);
  out += body_end;
}

Clock::time_point OpenLoopSchedule::due_at(uint64_t k) const {
  return start_ + std::chrono::nanoseconds(std::llround(static_cast<double>(k) * interval_ns_));
}

uint64_t OpenLoopSchedule::due_by(Clock::time_point now) const {
  if (now < start_) return 0;
  const auto elapsed_ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - start_).count());
  auto k = static_cast<uint64_t>(elapsed_ns / interval_ns_) + 1;
  // Rounding in due_at may move a boundary by a nanosecond: settle on due_at's answer.
  while (k > 0 && due_at(k - 1) > now) --k;
  while (due_at(k) <= now) ++k;
  return k;
}

}  // namespace boxoffice::loadgen
