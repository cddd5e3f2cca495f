// A small catalog for unit tests: tight enough that contention, limits, waves and waitlists
// happen with a handful of commands.
#pragma once

#include <string>
#include <string_view>

#include "booking/core/catalog.h"

namespace boxoffice::booking::testing {

// evt_small: section A rows 1-2 with seats 1-4 (1000 cents), section B row 1 with seats 1-2 and
// 5-8 (500 cents, opens one hour after on-sale). Limit 4, hold 60 s, offer 120 s, payment hold
// 300 s, waitlist cap 2. evt_other: one row of 3 seats, the defaults.
inline constexpr int64_t kOnSaleMs = 1'800'000'000'000;  // 2027-01-15T08:00:00Z
inline constexpr int64_t kHourMs = 3'600'000;
const Catalog& test_catalog();
const Event& small_event();  // evt_small of test_catalog()
std::string test_catalog_json();

}  // namespace boxoffice::booking::testing
