// The catalog side of the read path: event search and the JSON of events and seat maps. Pure:
// seat statuses come in as the bytes of bx:seats:{event} (lua-rules/booking/README.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "booking/api/query.h"
#include "booking/core/catalog.h"

namespace boxoffice::booking::api {

struct SearchResult {
  std::vector<const Event*> events;  // the requested page, by start time then id
  size_t total = 0;                  // matches over all pages
};
SearchResult search_events(const Catalog& catalog, const SearchQuery& query);
std::string render_event_list(const SearchResult& result, const SearchQuery& query);
std::string render_event(const Event& event);

// What one byte of the seat map means to fans: \0 or past the end available, 'b' booked,
// anything else reserved (a hold or a waitlist offer).
enum class SeatMapStatus : uint8_t { kAvailable, kReserved, kBooked };
SeatMapStatus seat_map_status(std::string_view seat_bytes, SeatIndex seat);
std::string_view to_string(SeatMapStatus s);

// {event_id, sections: [{section, name, seats: [{seat_id, status, price, price_cents}]}]}.
// With section set, only that section, and seat_bytes covers only its seats (GETRANGE).
std::string render_seat_map(const Event& event, std::optional<uint16_t> section,
                            std::string_view seat_bytes);
std::optional<uint16_t> find_section(const Event& event, std::string_view section_id);

// The SSE snapshot: one character per seat index (a available, r reserved, b booked) and where
// each section's seats start, so a client maps indices to the labels of the seat map.
std::string render_seat_snapshot(const Event& event, std::string_view seat_bytes, uint64_t seq);

}  // namespace boxoffice::booking::api
