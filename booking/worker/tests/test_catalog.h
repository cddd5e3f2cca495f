// The catalog the worker's tests share: one event, evt_w, four seats, on sale since 2020, with
// two-second holds, so the relay's wall clock reaches a hold's deadline within a test.
#pragma once

#include <string_view>

namespace boxoffice::booking::testing {

inline constexpr std::string_view kWorkerCatalog = R"({
  "version": 1,
  "venues": [{"id": "v", "name": "Hall", "city": "Oslo", "sections": [
    {"id": "A", "name": "A", "rows": [{"id": "1", "seats": "1-4"}]}]}],
  "events": [{"id": "evt_w", "title": "Test", "artist": "Band", "venue": "v",
    "starts_at": "2030-01-01T20:00:00Z", "on_sale_at": "2020-01-01T00:00:00Z",
    "currency": "EUR", "hold_s": 2, "section_prices_cents": {"A": 1000}}]
})";

}  // namespace boxoffice::booking::testing
