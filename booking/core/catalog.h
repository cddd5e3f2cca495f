// The catalog: events with their venue layout (sections, rows, seats), prices and sale waves,
// loaded from a JSON catalog file. Immutable once loaded; the state machine keeps only indices
// into it. Format: booking/core/README.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "booking/core/command.h"
#include "shared/result.h"
#include "shared/string_hash.h"

namespace boxoffice::booking {

inline constexpr int64_t kMaxPriceCents = 1'000'000'000;  // ten million in any currency

struct Wave {
  std::string id;
  int64_t opens_at_ms = 0;
};

struct Section {
  std::string id;    // "A", "101"
  std::string name;  // "Floor A"
  uint32_t first_row = 0;
  uint32_t row_count = 0;
  uint32_t first_seat = 0;  // seats of a section are contiguous, row after row
  uint32_t seat_count = 0;
  // Derived from the seats, so searches can pass over a section at a glance.
  int64_t min_price_cents = 0;
  int64_t max_price_cents = 0;
  int64_t opens_at_ms = 0;  // of its earliest wave
};

struct Row {
  std::string id;  // "1", "AA"
  uint16_t section = 0;
  uint32_t first_seat = 0;  // seats of a row are contiguous, in seat-number order
  uint32_t seat_count = 0;
};

struct Seat {
  uint32_t row = 0;
  uint32_t number = 0;
  uint16_t section = 0;
};

struct Event {
  std::string id;
  std::string title;
  std::string artist;
  std::string venue;
  std::string city;
  std::string currency;
  int64_t starts_at_ms = 0;
  int64_t on_sale_at_ms = 0;
  uint32_t per_user_limit = 8;        // tickets held plus booked, at most kMaxSeatsPerHold
  int64_t hold_ms = 120'000;          // a reservation's life
  int64_t offer_ms = 300'000;         // a waitlist offer's life
  int64_t payment_hold_ms = 600'000;  // PaymentStarted freezes a hold until at_ms + this
  uint32_t waitlist_cap = 100;        // people waiting per seat

  std::vector<Section> sections;  // best first
  std::vector<Row> rows;
  std::vector<Seat> seats;
  std::vector<Wave> waves;  // waves[0] opens at on_sale_at_ms unless the file says otherwise

  // 1 where a seat sits right next to the previous one (same row, next number): searches for
  // adjacent seats read this compact array instead of the seats themselves.
  std::vector<uint8_t> next_to_previous;
  // Per seat and compact, as every reserve and search reads them: the price (at most
  // kMaxPriceCents) and the index of the wave the seat is sold in.
  std::vector<int32_t> seat_prices;
  std::vector<uint8_t> seat_waves;
  int64_t price_cents(SeatIndex s) const { return seat_prices[s]; }
  // "A-1" (section id, '-', row id) to the row's index. Ids use no '-', so a seat label
  // ("A-1-101") splits at its last one into its row and its number: one small map per event
  // instead of one entry per seat.
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> row_by_label;

  std::string seat_label(SeatIndex s) const;
  // The seat a label names, as seat_label writes it: "A-1-07" names no seat.
  std::optional<SeatIndex> find_seat(std::string_view label) const;
  int64_t seat_opens_at_ms(SeatIndex s) const { return waves[seat_waves[s]].opens_at_ms; }
  // From this time on every seat is on sale: checks skip the per-seat wave lookup.
  int64_t all_on_sale_at_ms = 0;
  bool on_sale(SeatIndex s, int64_t at_ms) const {
    return at_ms >= all_on_sale_at_ms || at_ms >= seat_opens_at_ms(s);
  }
};

struct Catalog {
  Catalog() = default;
  Catalog(const Catalog&) = delete;  // event_by_id holds views into events
  Catalog& operator=(const Catalog&) = delete;
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;

  std::vector<Event> events;
  std::unordered_map<std::string_view, uint32_t> event_by_id;  // views into events[i].id

  const Event* find_event(std::string_view id) const;
  // Identifies the layout a snapshot was taken against: event ids and seat counts.
  uint64_t fingerprint() const;
};

// Parses a catalog document. Errors name the offending place, e.g.
// "events[1].prices: unknown section \"Z\"".
Result<Catalog, std::string> parse_catalog(std::string_view json_text);
Result<Catalog, std::string> load_catalog_file(const std::string& path);

// "2024-08-15T19:30:00Z" (UTC, optional fraction of seconds) to milliseconds since the epoch.
Result<int64_t, std::string> parse_utc_time_ms(std::string_view iso);
std::string format_utc_time_ms(int64_t ms);

}  // namespace boxoffice::booking
