#include "loadtest/loadgen/tests/test_catalog.h"

#include <cstdlib>
#include <iostream>

namespace boxoffice::loadgen {

booking::Catalog small_catalog() {
  auto parsed = booking::parse_catalog(R"({
    "version": 1,
    "venues": [{"id": "v_small", "name": "Small Hall", "city": "Testville", "sections": [
      {"id": "A", "name": "A", "rows": [{"id": "1", "seats": "1-10"}, {"id": "2", "seats": "1-10"}]},
      {"id": "B.2", "name": "B", "rows": [{"id": "1", "seats": "1-10"}, {"id": "2", "seats": "1-10"},
                                          {"id": "3", "seats": "1-10"}]},
      {"id": "C", "name": "C", "rows": [{"id": "Z", "seats": "1-4"}]}]}],
    "events": [
      {"id": "evt_one", "title": "One", "artist": "x", "venue": "v_small",
       "starts_at": "2030-01-01T20:00:00Z", "on_sale_at": "2026-01-01T00:00:00Z",
       "currency": "USD", "section_prices_cents": {"A": 100, "B.2": 50, "C": 10}},
      {"id": "evt_two", "title": "Two", "artist": "x", "venue": "v_small",
       "starts_at": "2030-01-02T20:00:00Z", "on_sale_at": "2026-01-01T00:00:00Z",
       "currency": "USD", "section_prices_cents": {"A": 100, "B.2": 50, "C": 10}}]
  })");
  if (!parsed) {
    std::cerr << parsed.error() << "\n";
    std::abort();
  }
  return std::move(parsed).value();
}

}  // namespace boxoffice::loadgen
