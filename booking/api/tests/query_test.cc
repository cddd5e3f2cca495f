#include "booking/api/query.h"

#include <gtest/gtest.h>

#include "booking/core/catalog.h"

namespace boxoffice::booking::api {
namespace {

TEST(QueryTest, SearchParameters) {
  auto q = parse_search_query(*parse_query("query=x&location=y&date=2027-02-01&page=3&per_page=5"));
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q->text, "x");
  EXPECT_EQ(q->location, "y");
  EXPECT_EQ(q->day_start_ms, *parse_utc_time_ms("2027-02-01T00:00:00Z"));
  EXPECT_EQ(q->page, 3U);
  EXPECT_EQ(q->per_page, 5U);
  auto defaults = parse_search_query({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->page, 1U);
  EXPECT_EQ(defaults->per_page, 20U);
  EXPECT_FALSE(defaults->day_start_ms);
}

TEST(QueryTest, BadSearchParametersAreErrors) {
  for (const char* bad :
       {"date=2027-13-01", "date=2027-02-30", "date=27-02-01", "date=2027-02-01T", "page=0",
        "page=-1", "page=x", "page=1.5", "per_page=101", "per_page=0"}) {
    EXPECT_FALSE(parse_search_query(*parse_query(bad))) << bad;
  }
  EXPECT_TRUE(parse_search_query(*parse_query("date=2028-02-29")));
}

TEST(QueryTest, Instants) {
  EXPECT_EQ(*parse_instant("1800000000000"), 1'800'000'000'000);
  EXPECT_EQ(*parse_instant("2027-01-15T08:00:00Z"), 1'800'000'000'000);
  EXPECT_EQ(*parse_instant("2027-01-15T08:00:00.250Z"), 1'800'000'000'250);
  EXPECT_FALSE(parse_instant(""));
  EXPECT_FALSE(parse_instant("yesterday"));
  EXPECT_FALSE(parse_instant("99999999999999999999999"));
}

}  // namespace
}  // namespace boxoffice::booking::api
