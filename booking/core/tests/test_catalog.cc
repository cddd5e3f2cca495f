#include "booking/core/tests/test_catalog.h"

#include <cstdlib>
#include <iostream>

namespace boxoffice::booking::testing {

std::string test_catalog_json() {
  return R"({
  "version": 1,
  "venues": [
    {"id": "v_small", "name": "Small Hall", "city": "Bristol", "sections": [
      {"id": "A", "name": "Front", "rows": [{"id": "1", "seats": "1-4"}, {"id": "2", "seats": "1-4"}]},
      {"id": "B", "name": "Back", "rows": [{"id": "1", "seats": "1-2,5-8"}]}
    ]},
    {"id": "v_tiny", "name": "Tiny Room", "city": "Leeds", "sections": [
      {"id": "M", "name": "Main", "rows": [{"id": "1", "seats": "1-3"}]}
    ]}
  ],
  "events": [
    {"id": "evt_small", "title": "Small Show", "artist": "The Testers", "venue": "v_small",
     "starts_at": "2027-02-01T20:00:00Z", "on_sale_at": "2027-01-15T08:00:00Z", "currency": "EUR",
     "per_user_limit": 4, "hold_s": 60, "offer_s": 120, "payment_hold_s": 300, "waitlist_cap": 2,
     "section_prices_cents": {"A": 1000, "B": 500},
     "waves": [{"id": "late", "opens_at": "2027-01-15T09:00:00Z", "sections": ["B"]}]},
    {"id": "evt_other", "title": "Other Show", "artist": "Someone", "venue": "v_tiny",
     "starts_at": "2027-03-01T20:00:00Z", "on_sale_at": "2027-01-15T08:00:00Z", "currency": "EUR",
     "section_prices_cents": {"M": 700}}
  ]
})";
}

const Catalog& test_catalog() {
  static const Catalog catalog = [] {
    auto parsed = parse_catalog(test_catalog_json());
    if (!parsed) {
      std::cerr << "test catalog: " << parsed.error() << "\n";
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return catalog;
}

const Event& small_event() { return *test_catalog().find_event("evt_small"); }

}  // namespace boxoffice::booking::testing
