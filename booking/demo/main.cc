// boxoffice_demo CATALOG [--fans N]: scripted on-sales through the booking core. A theatre told
// decision by decision, a stadium's first seconds, then N fans (default 20,000) at the stadium,
// summarised. Deterministic: the same catalog gives the same output, byte for byte.
#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/partition.h"
#include "shared/decimal.h"

namespace boxoffice::booking {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kHour = 3600 * kSecond;

std::string offset(int64_t ms) {  // "+0:02:00.300", relative to the on-sale
  const char sign = ms < 0 ? '-' : '+';
  const uint64_t a = ms < 0 ? -static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%c%" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, sign,
                a / 3'600'000, a / 60'000 % 60, a / 1000 % 60, a % 1000);
  return buf;
}

// What the script needs from the first decision that names a reservation, copied out of it.
struct Outcome {
  ReservationId id = 0;
  int64_t expires_at_ms = 0;
  int64_t amount_cents = 0;
};

// Drives one event in its own partition (one Kafka partition may own several events; here each
// has its own, so each summary has its own sequence numbers and snapshot).
class Sale {
 public:
  Sale(const Catalog& catalog, const Event& ev) : catalog_(catalog), ev_(ev), partition_(catalog) {}

  const Event& event() const { return ev_; }
  Partition& partition() { return partition_; }

  // Command builders; t_ms is the time from the on-sale.
  Command make(CommandType type, int64_t t_ms, std::string_view user) {
    Command c;
    c.type = type;
    c.request_id = ++request_id_;
    c.at_ms = ev_.on_sale_at_ms + t_ms;
    c.event_id = ev_.id;
    c.user_id = keep(std::string(user));
    return c;
  }
  Command reserve(int64_t t_ms, std::string_view user,
                  std::initializer_list<std::string_view> labels) {
    Command c = make(CommandType::kReserve, t_ms, user);
    for (auto label : labels) c.seats.push(seat(label));
    return c;
  }
  Command best(int64_t t_ms, std::string_view user, uint16_t count, std::string_view section = {},
               int64_t max_price_cents = 0) {
    Command c = make(CommandType::kReserveBest, t_ms, user);
    c.count = count;
    c.section = section.empty() ? kAnySection : section_index(section);
    c.max_price_cents = max_price_cents;
    return c;
  }
  Command on(CommandType type, int64_t t_ms, std::string_view user, ReservationId id) {
    Command c = make(type, t_ms, user);
    c.reservation_id = id;
    return c;
  }
  Command confirm(int64_t t_ms, std::string_view user, ReservationId id, std::string_view payment,
                  int64_t amount_cents) {  // a payment provider's webhook
    Command c = on(CommandType::kConfirm, t_ms, user, id);
    c.payment_id = keep(std::string(payment));
    c.provider = "stripe";
    c.amount_cents = amount_cents;
    return c;
  }
  Command waitlist(int64_t t_ms, std::string_view user, std::string_view label) {
    Command c = make(CommandType::kJoinWaitlist, t_ms, user);
    c.seats.push(seat(label));
    return c;
  }

  // Applies a command and prints its decisions right away: their views end at the next apply().
  Outcome run(const Command& c, bool print = true) {
    out_.clear();
    partition_.apply(c, out_);
    Outcome o;
    for (const Decision& d : out_) {
      if (print) print_decision(d);
      if (o.id == 0) o = {d.reservation_id, d.expires_at_ms, d.amount_cents};
    }
    return o;
  }
  const std::vector<Decision>& last_decisions() const { return out_; }

  SeatIndex seat(std::string_view label) const {
    const auto s = ev_.find_seat(label);
    if (!s) missing("seat", label);
    return *s;
  }
  uint16_t section_index(std::string_view id) const {
    for (size_t i = 0; i < ev_.sections.size(); ++i) {
      if (ev_.sections[i].id == id) return static_cast<uint16_t>(i);
    }
    missing("section", id);
  }

  [[nodiscard]] bool summary() const {
    std::array<size_t, 3> by_status{};  // available, held, booked
    for (SeatIndex s = 0; s < ev_.seats.size(); ++s) {
      ++by_status[static_cast<size_t>(partition_.seat_status(ev_.id, s))];
    }
    const std::string bytes = partition_.snapshot();
    auto restored = Partition::restore(catalog_, bytes);
    const bool round_trip = restored && restored->snapshot() == bytes;
    const std::string verdict =
        round_trip ? "yes" : "NO, " + (restored ? std::string("other bytes") : restored.error());
    std::printf("%-14s %zu seats: %zu booked, %zu held, %zu available | seq %" PRIu64
                " | snapshot %zu bytes, restore round-trips: %s\n",
                ev_.id.c_str(), ev_.seats.size(), by_status[2], by_status[1], by_status[0],
                partition_.last_seq(), bytes.size(), verdict.c_str());
    return round_trip;
  }

 private:
  std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }
  [[noreturn]] void missing(const char* what, std::string_view id) const {
    std::fprintf(stderr, "boxoffice_demo: the catalog's %s has no %s %s\n", ev_.id.c_str(), what,
                 std::string(id).c_str());
    std::exit(2);  // NOLINT(concurrency-mt-unsafe): the demo is single-threaded
  }

  void print_decision(const Decision& d) const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s  #%-3" PRIu64 " %-16s %-7s",
                  offset(d.at_ms - ev_.on_sale_at_ms).c_str(), d.seq,
                  std::string(to_string(d.type)).c_str(), std::string(d.user_id).c_str());
    std::string line = buf;
    for (SeatIndex s : d.seats.span()) line += " " + ev_.seat_label(s);
    if (d.code != Errc::kOk) line += "  " + std::string(to_string(d.code));
    std::snprintf(buf, sizeof buf, "  res %" PRIx64, d.reservation_id);
    if (d.reservation_id != 0) line += buf;
    std::snprintf(buf, sizeof buf, "  %s %" PRId64 ".%02" PRId64, ev_.currency.c_str(),
                  d.amount_cents / 100, d.amount_cents % 100);
    if (d.amount_cents != 0) line += buf;
    if (!d.payment_id.empty()) line += "  payment " + std::string(d.payment_id);
    if (d.position != 0) line += "  position " + std::to_string(d.position);
    if (d.expires_at_ms != 0) line += "  until " + offset(d.expires_at_ms - ev_.on_sale_at_ms);
    std::printf("%s\n", line.c_str());
  }

  const Catalog& catalog_;
  const Event& ev_;
  Partition partition_;
  uint64_t request_id_ = 0;
  std::deque<std::string> strings_;  // backing store for the commands' string views
  std::vector<Decision> out_;
};

void say(const char* text) { std::printf("-- %s\n", text); }

void banner(const Event& ev) {
  std::printf("== %s: %s, %s (%s), %zu seats, on sale %s, limit %u per fan, holds %" PRId64 " s\n",
              ev.id.c_str(), ev.title.c_str(), ev.venue.c_str(), ev.city.c_str(), ev.seats.size(),
              format_utc_time_ms(ev.on_sale_at_ms).c_str(), ev.per_user_limit,
              ev.hold_ms / kSecond);
}

void theatre(Sale& s) {
  const Event& ev = s.event();
  banner(ev);
  say("alice tries five seconds early");
  s.run(s.reserve(-5 * kSecond, "alice", {"STALLS-A-1", "STALLS-A-2"}));
  say("the on-sale opens: fans reserve, bob and dave collide with holds");
  const Outcome alice = s.run(s.reserve(0, "alice", {"STALLS-A-1", "STALLS-A-2"}));
  s.run(s.reserve(150, "bob", {"STALLS-A-2"}));
  s.run(s.waitlist(200, "bob", "STALLS-A-2"));
  const Outcome carol = s.run(s.reserve(300, "carol", {"CIRCLE-A-5", "CIRCLE-A-6"}));
  say("dave asks for three seats, one is taken: all or nothing");
  s.run(s.reserve(400, "dave", {"CIRCLE-A-7", "CIRCLE-A-8", "CIRCLE-A-6"}));
  const SeatStatus a7 = s.partition().seat_status(ev.id, s.seat("CIRCLE-A-7"));
  std::printf("   (CIRCLE-A-7 is still %s)\n", std::string(to_string(a7)).c_str());
  say("dave takes the best 4 adjacent seats instead; frank waits for carol's seat");
  const Outcome dave = s.run(s.best(500, "dave", 4));
  s.run(s.waitlist(700, "frank", "CIRCLE-A-5"));
  say("alice pays; the provider sends its webhook twice");
  s.run(s.on(CommandType::kPaymentStarted, 10 * kSecond, "alice", alice.id));
  s.run(s.confirm(25 * kSecond, "alice", alice.id, "pi_1001", alice.amount_cents));
  s.run(s.confirm(25 * kSecond + 500, "alice", alice.id, "pi_1001", alice.amount_cents));
  say("carol's payment has the wrong amount: her hold stays, the money goes back");
  s.run(s.confirm(40 * kSecond, "carol", carol.id, "pi_2001", carol.amount_cents / 2));
  say("dave changes his mind; erin picks 2 cheap gallery seats; gina hits the limit");
  s.run(s.on(CommandType::kCancel, 60 * kSecond, "dave", dave.id));
  s.run(s.best(65 * kSecond, "erin", 2, "GALLERY", 2500));
  s.run(s.best(70 * kSecond, "gina", 4));
  s.run(s.best(71 * kSecond, "gina", 3));
  say("carol's hold expires: frank, first on the waitlist, gets an offer");
  s.run(s.on(CommandType::kExpire, carol.expires_at_ms - ev.on_sale_at_ms, "", carol.id));
  say("carol's money arrives after her hold ended: a refund, not a lost payment");
  s.run(s.confirm(130 * kSecond, "carol", carol.id, "pi_2002", carol.amount_cents));
}

void stadium_opening(Sale& s) {
  std::printf("\n");
  banner(s.event());
  say("verified-fan presale (sections 101-106) opens a day early");
  const Outcome hana = s.run(s.best(-24 * kHour + kSecond, "hana", 2, "101"));
  s.run(s.confirm(-24 * kHour + 30 * kSecond, "hana", hana.id, "pi_3001", hana.amount_cents));
  say("the general on-sale: the first fans; the late-release sections stay closed");
  s.run(s.reserve(0, "ivan", {"FLOORA-1-1", "FLOORA-1-2"}));
  s.run(s.best(1, "jade", 4, "FLOORA"));
  s.run(s.best(2, "kai", 3, "FLOORA"));
  s.run(s.reserve(3, "lea", {"330-1-1"}));
}

void stadium_burst(Sale& s, uint32_t fans) {
  std::printf("\n== %s: %u requests from fans in quick succession (3 ms apart)\n",
              s.event().id.c_str(), fans);
  uint64_t rng = 2027;
  auto next = [&rng] {  // splitmix64: the same sequence on every platform
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  size_t held = 0, seats_held = 0;
  std::array<size_t, kErrcCount> rejected{};
  for (uint32_t i = 0; i < fans; ++i) {
    const std::string user = "fan" + std::to_string(next() % (fans * 3ULL / 4 + 1));
    const auto count = static_cast<uint16_t>(2 + next() % 3);
    const uint64_t taste = next() % 100;
    const int64_t t_ms = kSecond + 3 * int64_t{i};
    s.run(taste < 20   ? s.best(t_ms, user, count, "FLOORA")
          : taste < 35 ? s.best(t_ms, user, count, {}, 9900)  // the cheap seats
                       : s.best(t_ms, user, count),
          /*print=*/false);
    const Decision& d = s.last_decisions().back();  // held or rejected
    if (d.type == DecisionType::kHeld) {
      ++held;
      seats_held += d.seats.count;
    } else {
      ++rejected[static_cast<size_t>(d.code)];
    }
  }
  std::printf("held: %zu requests, %zu seats\n", held, seats_held);
  for (int e = 0; e < kErrcCount; ++e) {
    const std::string code(to_string(static_cast<Errc>(e)));
    if (rejected[e] != 0) std::printf("rejected %s: %zu\n", code.c_str(), rejected[e]);
  }
}

bool parse_count(std::string_view v, uint32_t& out) {
  const auto count = parse_decimal<uint32_t>(v);
  if (count) out = *count;
  return count.has_value();
}

int demo(int argc, char** argv) {
  uint32_t fans = 20'000;
  const bool fans_flag = argc == 4 && std::string_view(argv[2]) == "--fans";
  if (argc != 2 && !(fans_flag && parse_count(argv[3], fans))) {
    std::fprintf(stderr, "usage: boxoffice_demo CATALOG.json [--fans N]\n");
    return 2;
  }
  auto catalog = load_catalog_file(argv[1]);
  if (!catalog) {
    std::fprintf(stderr, "boxoffice_demo: %s\n", catalog.error().c_str());
    return 2;
  }
  const Event* hamlet = catalog->find_event("evt_hamlet");
  const Event* eras = catalog->find_event("evt_eras_la_1");
  if (hamlet == nullptr || eras == nullptr) {
    std::fprintf(stderr, "boxoffice_demo: %s: needs evt_hamlet and evt_eras_la_1\n", argv[1]);
    return 2;
  }
  Sale theatre_sale(*catalog, *hamlet), stadium_sale(*catalog, *eras);
  theatre(theatre_sale);
  stadium_opening(stadium_sale);
  stadium_burst(stadium_sale, fans);
  std::printf("\n== summary\n");
  const bool theatre_ok = theatre_sale.summary();
  return theatre_ok && stadium_sale.summary() ? 0 : 1;
}

}  // namespace
}  // namespace boxoffice::booking

int main(int argc, char** argv) { return boxoffice::booking::demo(argc, argv); }
