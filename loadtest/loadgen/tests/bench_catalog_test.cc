// loadtest/catalog/bench.json is what `loadtest/bench booking` reserves from: 8 events on an
// 80,000-seat stadium, all on sale, holds that outlast a run.
#include <gtest/gtest.h>

#include "booking/core/catalog.h"
#include "loadtest/loadgen/workload.h"

namespace boxoffice::loadgen {
namespace {

TEST(BenchCatalog, EightStadiumEventsOnSale) {
  auto catalog = booking::load_catalog_file(BOXOFFICE_BENCH_CATALOG);
  ASSERT_TRUE(catalog) << catalog.error();
  ASSERT_EQ(catalog->events.size(), 8U);
  const int64_t on_sale = booking::parse_utc_time_ms("2026-01-01T00:00:00Z").value();
  for (const booking::Event& e : catalog->events) {
    EXPECT_EQ(e.seats.size(), 80'000U) << e.id;
    EXPECT_EQ(e.per_user_limit, 8U) << e.id;
    EXPECT_EQ(e.hold_ms, 600'000) << e.id;
    EXPECT_LE(e.all_on_sale_at_ms, on_sale) << e.id;
  }
  EXPECT_EQ(SeatOrder(*catalog, 1).size(), 640'000U);
}

}  // namespace
}  // namespace boxoffice::loadgen
