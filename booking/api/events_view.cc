#include "booking/api/events_view.h"

#include <algorithm>
#include <cctype>

#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

constexpr int64_t kDayMs = 86'400'000;

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

struct PriceRange {
  int64_t min = 0;
  int64_t max = 0;
};

PriceRange price_range(const Event& e) {
  PriceRange r;
  bool first = true;
  for (const Section& s : e.sections) {
    if (first || s.min_price_cents < r.min) r.min = s.min_price_cents;
    if (first || s.max_price_cents > r.max) r.max = s.max_price_cents;
    first = false;
  }
  return r;
}

void write_price_range(JsonWriter& w, int64_t min, int64_t max, std::string_view currency) {
  w.key("price_range").begin_object();
  w.money("min", min).money("max", max).field("currency", currency);
  w.end_object();
}

void write_summary_fields(JsonWriter& w, const Event& e) {
  w.field("event_id", e.id).field("title", e.title).field("artist", e.artist);
  w.field("venue", e.venue).field("city", e.city);
  w.field("date", format_utc_time_ms(e.starts_at_ms));
  w.field("on_sale_at", format_utc_time_ms(e.on_sale_at_ms));
  const PriceRange r = price_range(e);
  write_price_range(w, r.min, r.max, e.currency);
}

}  // namespace

SearchResult search_events(const Catalog& catalog, const SearchQuery& q) {
  std::vector<const Event*> matches;
  for (const Event& e : catalog.events) {
    if (!q.text.empty() && !contains_ci(e.title, q.text) && !contains_ci(e.artist, q.text) &&
        !contains_ci(e.venue, q.text)) {
      continue;
    }
    if (!q.location.empty() && !contains_ci(e.city, q.location)) continue;
    if (q.day_start_ms &&
        (e.starts_at_ms < *q.day_start_ms || e.starts_at_ms >= *q.day_start_ms + kDayMs)) {
      continue;
    }
    matches.push_back(&e);
  }
  std::sort(matches.begin(), matches.end(), [](const Event* a, const Event* b) {
    return a->starts_at_ms != b->starts_at_ms ? a->starts_at_ms < b->starts_at_ms : a->id < b->id;
  });
  SearchResult result;
  result.total = matches.size();
  const uint64_t first = static_cast<uint64_t>(q.page - 1) * q.per_page;
  for (uint64_t i = first; i < matches.size() && i < first + q.per_page; ++i) {
    result.events.push_back(matches[i]);
  }
  return result;
}

std::string render_event_list(const SearchResult& result, const SearchQuery& q) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("events").begin_array();
  for (const Event* e : result.events) {
    w.begin_object();
    write_summary_fields(w, *e);
    w.end_object();
  }
  w.end_array();
  w.field("total", static_cast<uint64_t>(result.total)).field("page", q.page);
  w.field("per_page", q.per_page);
  w.end_object();
  return out;
}

std::string render_event(const Event& e) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_summary_fields(w, e);
  w.field("currency", e.currency);
  w.field("seats", static_cast<uint64_t>(e.seats.size()));
  w.field("per_user_limit", e.per_user_limit);
  w.field("hold_s", e.hold_ms / 1000).field("offer_s", e.offer_ms / 1000);
  w.field("payment_hold_s", e.payment_hold_ms / 1000).field("waitlist_cap", e.waitlist_cap);
  w.key("sections").begin_array();
  for (const Section& s : e.sections) {
    w.begin_object().field("section", s.id).field("name", s.name);
    w.field("seats", s.seat_count).field("opens_at", format_utc_time_ms(s.opens_at_ms));
    write_price_range(w, s.min_price_cents, s.max_price_cents, e.currency);
    w.end_object();
  }
  w.end_array();
  w.key("waves").begin_array();
  for (const Wave& wave : e.waves) {
    w.begin_object().field("id", wave.id).field("opens_at", format_utc_time_ms(wave.opens_at_ms));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

SeatMapStatus seat_map_status(std::string_view seat_bytes, SeatIndex seat) {
  if (seat >= seat_bytes.size() || seat_bytes[seat] == '\0') return SeatMapStatus::kAvailable;
  return seat_bytes[seat] == 'b' ? SeatMapStatus::kBooked : SeatMapStatus::kReserved;
}

std::string_view to_string(SeatMapStatus s) {
  switch (s) {
    case SeatMapStatus::kAvailable:
      return "available";
    case SeatMapStatus::kReserved:
      return "reserved";
    case SeatMapStatus::kBooked:
      return "booked";
  }
  return "available";
}

std::optional<uint16_t> find_section(const Event& event, std::string_view section_id) {
  for (size_t i = 0; i < event.sections.size(); ++i) {
    if (event.sections[i].id == section_id) return static_cast<uint16_t>(i);
  }
  return std::nullopt;
}

std::string render_seat_map(const Event& e, std::optional<uint16_t> section,
                            std::string_view seat_bytes) {
  std::string out;
  out.reserve(64 + (section ? e.sections[*section].seat_count : e.seats.size()) * 64);
  JsonWriter w(out);
  w.begin_object().field("event_id", e.id).key("sections").begin_array();
  const size_t first = section ? *section : 0;
  const size_t last = section ? *section + 1 : e.sections.size();
  for (size_t si = first; si < last; ++si) {
    const Section& s = e.sections[si];
    // seat_bytes covers the whole event, or only this section when one was asked for.
    const SeatIndex offset = section ? s.first_seat : 0;
    w.begin_object().field("section", s.id).field("name", s.name).key("seats").begin_array();
    for (SeatIndex seat = s.first_seat; seat < s.first_seat + s.seat_count; ++seat) {
      w.begin_object().field("seat_id", e.seat_label(seat));
      w.field("status", to_string(seat_map_status(seat_bytes, seat - offset)));
      w.money("price", e.price_cents(seat));
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return out;
}

std::string render_seat_snapshot(const Event& e, std::string_view seat_bytes, uint64_t seq) {
  std::string statuses(e.seats.size(), 'a');
  for (SeatIndex s = 0; s < e.seats.size(); ++s) {
    const SeatMapStatus st = seat_map_status(seat_bytes, s);
    statuses[s] = st == SeatMapStatus::kAvailable ? 'a' : st == SeatMapStatus::kBooked ? 'b' : 'r';
  }
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("event_id", e.id).field("seq", seq);
  w.key("sections").begin_array();
  for (const Section& s : e.sections) {
    w.begin_object().field("section", s.id).field("first", s.first_seat);
    w.field("count", s.seat_count).end_object();
  }
  w.end_array().field("seats", statuses).end_object();
  return out;
}

}  // namespace boxoffice::booking::api
