#include "booking/api/events_view.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::api {
namespace {

using booking::testing::small_event;
using booking::testing::test_catalog;

std::vector<std::string> ids(const SearchResult& r) {
  std::vector<std::string> out;
  for (const Event* e : r.events) out.push_back(e->id);
  return out;
}

SearchQuery query(const std::string& text) { return *parse_search_query(*parse_query(text)); }

TEST(EventsViewTest, SearchMatchesTextCityAndDay) {
  const Catalog& c = test_catalog();
  EXPECT_EQ(ids(search_events(c, query(""))), (std::vector<std::string>{"evt_small", "evt_other"}));
  EXPECT_EQ(ids(search_events(c, query("query=SMALL"))), std::vector<std::string>{"evt_small"});
  EXPECT_EQ(ids(search_events(c, query("query=testers"))), std::vector<std::string>{"evt_small"});
  EXPECT_EQ(ids(search_events(c, query("query=tiny+room"))), std::vector<std::string>{"evt_other"});
  EXPECT_EQ(ids(search_events(c, query("location=leeds"))), std::vector<std::string>{"evt_other"});
  EXPECT_EQ(ids(search_events(c, query("date=2027-02-01"))), std::vector<std::string>{"evt_small"});
  EXPECT_TRUE(search_events(c, query("date=2027-02-02")).events.empty());
  EXPECT_TRUE(search_events(c, query("query=small&location=leeds")).events.empty());
}

TEST(EventsViewTest, Pages) {
  const SearchResult r = search_events(test_catalog(), query("per_page=1&page=2"));
  EXPECT_EQ(ids(r), std::vector<std::string>{"evt_other"});
  EXPECT_EQ(r.total, 2U);
  const auto j = nlohmann::json::parse(render_event_list(r, query("per_page=1&page=2")));
  EXPECT_EQ(j["total"], 2);
  EXPECT_EQ(j["page"], 2);
  EXPECT_EQ(j["events"][0]["event_id"], "evt_other");
  EXPECT_TRUE(search_events(test_catalog(), query("page=9")).events.empty());
}

TEST(EventsViewTest, EventSummaryInTheSeedsShape) {
  const auto j = nlohmann::json::parse(
      render_event_list(search_events(test_catalog(), query("query=small")), query("")));
  const auto& e = j["events"][0];
  EXPECT_EQ(e["title"], "Small Show");
  EXPECT_EQ(e["venue"], "Small Hall");
  EXPECT_EQ(e["city"], "Bristol");
  EXPECT_EQ(e["date"], "2027-02-01T20:00:00.000Z");
  EXPECT_EQ(e["price_range"]["min"], 5);
  EXPECT_EQ(e["price_range"]["max"], 10);
  EXPECT_EQ(e["price_range"]["min_cents"], 500);
  EXPECT_EQ(e["price_range"]["currency"], "EUR");
}

TEST(EventsViewTest, EventDetailHasSectionsPricesAndWaves) {
  const Event& e = small_event();
  const auto j = nlohmann::json::parse(render_event(e));
  EXPECT_EQ(j["per_user_limit"], 4);
  EXPECT_EQ(j["hold_s"], 60);
  ASSERT_EQ(j["sections"].size(), 2U);
  EXPECT_EQ(j["sections"][1]["section"], "B");
  EXPECT_EQ(j["sections"][1]["seats"], 6);
  EXPECT_EQ(j["sections"][1]["price_range"]["min_cents"], 500);
  EXPECT_EQ(j["sections"][1]["opens_at"], "2027-01-15T09:00:00.000Z");
  EXPECT_EQ(j["waves"].size(), 2U);
}

TEST(EventsViewTest, SeatMapStatusesFromTheReadModelBytes) {
  const Event& e = small_event();
  std::string bytes(3, '\0');
  bytes[1] = 'h';
  bytes[2] = 'b';  // seats past the end are available
  const auto j = nlohmann::json::parse(render_seat_map(e, std::nullopt, bytes));
  EXPECT_EQ(j["event_id"], "evt_small");
  ASSERT_EQ(j["sections"].size(), 2U);
  const auto& a = j["sections"][0]["seats"];
  ASSERT_EQ(a.size(), 8U);
  EXPECT_EQ(a[0]["seat_id"], "A-1-1");
  EXPECT_EQ(a[0]["status"], "available");
  EXPECT_EQ(a[1]["status"], "reserved");
  EXPECT_EQ(a[2]["status"], "booked");
  EXPECT_EQ(a[3]["status"], "available");
  EXPECT_EQ(a[0]["price"], 10);
  EXPECT_EQ(a[0]["price_cents"], 1000);
}

TEST(EventsViewTest, SectionSeatMapReadsItsOwnRange) {
  const Event& e = small_event();
  const auto b = find_section(e, "B");
  ASSERT_TRUE(b);
  EXPECT_FALSE(find_section(e, "Z"));
  const std::string range = "b";  // GETRANGE of section B: its first seat is booked
  const auto j = nlohmann::json::parse(render_seat_map(e, b, range));
  ASSERT_EQ(j["sections"].size(), 1U);
  EXPECT_EQ(j["sections"][0]["seats"][0]["seat_id"], "B-1-1");
  EXPECT_EQ(j["sections"][0]["seats"][0]["status"], "booked");
  EXPECT_EQ(j["sections"][0]["seats"][1]["status"], "available");
}

TEST(EventsViewTest, CompactSnapshot) {
  const Event& e = small_event();
  const auto j = nlohmann::json::parse(render_seat_snapshot(e, std::string("\0hbx", 4), 42));
  EXPECT_EQ(j["seq"], 42);
  EXPECT_EQ(j["seats"], "arbraaaaaaaaaa");
  EXPECT_EQ(j["sections"][1]["first"], 8);
  EXPECT_EQ(j["sections"][1]["count"], 6);
}

}  // namespace
}  // namespace boxoffice::booking::api
