#include "booking/core/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "booking/core/tests/test_catalog.h"

namespace boxoffice::booking::testing {
namespace {

using ::testing::HasSubstr;

TEST(Catalog, SampleCatalogHasATheatreAndAnEightyThousandSeatStadium) {
  auto catalog = load_catalog_file(BOXOFFICE_SAMPLE_CATALOG);
  ASSERT_TRUE(catalog) << catalog.error();
  const Event* theatre = catalog->find_event("evt_hamlet");
  const Event* stadium = catalog->find_event("evt_eras_la_1");
  ASSERT_NE(theatre, nullptr);
  ASSERT_NE(stadium, nullptr);
  EXPECT_LT(theatre->seats.size(), 1000u);
  EXPECT_EQ(stadium->seats.size(), 80'000u);
  EXPECT_EQ(stadium->city, "Los Angeles");
  EXPECT_EQ(stadium->seat_label(0), "FLOORA-1-1");
  EXPECT_EQ(*stadium->find_seat("FLOORA-1-1"), 0u);
  EXPECT_EQ(theatre->price_cents(*theatre->find_seat("STALLS-A-8")), 8500);
  EXPECT_GT(stadium->waves.size(), 1u);
}

TEST(Catalog, LayoutIsSectionsThenRowsThenSeatNumbers) {
  const Event& e = small_event();
  ASSERT_EQ(e.seats.size(), 14u);
  EXPECT_EQ(e.seat_label(4), "A-2-1");
  EXPECT_EQ(e.seat_label(10), "B-1-5");
  EXPECT_EQ(e.sections[1].first_seat, 8u);
  EXPECT_EQ(e.rows[2].seat_count, 6u);
  EXPECT_EQ(e.price_cents(8), 500);
  EXPECT_EQ(e.seat_opens_at_ms(8), kOnSaleMs + kHourMs);
  EXPECT_EQ(e.seat_opens_at_ms(0), kOnSaleMs);
  EXPECT_EQ(e.hold_ms, 60'000);
  EXPECT_EQ(e.per_user_limit, 4u);
}

TEST(Catalog, EverySeatIsFoundByItsLabel) {
  auto catalog = load_catalog_file(BOXOFFICE_SAMPLE_CATALOG);
  ASSERT_TRUE(catalog) << catalog.error();
  for (const Event& e : catalog->events) {
    for (SeatIndex s = 0; s < e.seats.size(); ++s) {
      const auto found = e.find_seat(e.seat_label(s));
      ASSERT_TRUE(found) << e.id << " " << e.seat_label(s);
      ASSERT_EQ(*found, s) << e.id << " " << e.seat_label(s);
    }
  }
}

TEST(Catalog, LabelsThatNameNoSeatAreNotFound) {
  const Event& e = small_event();  // row B-1 holds seats 1-2 and 5-8
  EXPECT_EQ(e.find_seat("B-1-5"), 10u);
  const char* const no_seat[] = {
      "B-1-3",           // a gap in the row's numbers
      "B-1-9",           // past the row's last seat
      "B-1-0",           // numbers start at 1
      "B-1-05",          // not as seat_label writes it
      "B-1-+5",          // a sign
      "B-1- 5",          // a space
      "B-1-5 ",          // a trailing space
      "B-1-",            // no number
      "B-1",             // a row without a seat number
      "B",               // no dashes
      "",                // nothing
      "-",               // nothing between the dashes
      "B--5",            // an empty row
      "-1-5",            // an empty section
      "C-1-5",           // no such section
      "B-2-5",           // no such row in the section
      "B-1-5-5",         // one part too many
      "B-1-4294967301",  // past uint32_t, 5 modulo 2^32
      "b-1-5",           // ids are case-sensitive
      "A-1-1,A-1-2",     // a list
  };
  for (const char* label : no_seat) {
    EXPECT_FALSE(e.find_seat(label)) << '"' << label << '"';
  }
}

struct BadCase {
  const char* what;
  const char* from;
  const char* to;
  const char* error;
};

class BadCatalog : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadCatalog, IsRejectedWithAClearError) {
  const BadCase& c = GetParam();
  std::string json = test_catalog_json();
  const auto at = json.find(c.from);
  ASSERT_NE(at, std::string::npos) << c.from;
  json.replace(at, std::string(c.from).size(), c.to);
  auto catalog = parse_catalog(json);
  ASSERT_FALSE(catalog) << c.what;
  EXPECT_THAT(catalog.error(), HasSubstr(c.error)) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadCatalog,
    ::testing::Values(
        BadCase{"not json", R"("version": 1,)", R"("version": 1,,)", "not valid JSON"},
        BadCase{"version", R"("version": 1)", R"("version": 2)", "unsupported version"},
        BadCase{"missing title", R"("title": "Small Show",)", "",
                "events[0]: missing field \"title\""},
        BadCase{"unknown venue", R"("venue": "v_small")", R"("venue": "v_big")",
                "unknown venue \"v_big\""},
        BadCase{"negative price", R"("A": 1000)", R"("A": -5)", "negative price -5"},
        BadCase{"section without price", R"("A": 1000, )", "", "no price for section \"A\""},
        BadCase{"price for unknown section", R"("B": 500})", R"("B": 500, "Q": 1})",
                "unknown section \"Q\""},
        BadCase{"duplicate row", R"({"id": "2", "seats": "1-4"})", R"({"id": "1", "seats": "1-4"})",
                "duplicate row \"1\""},
        BadCase{"duplicate seat numbers", R"("1-2,5-8")", R"("1-5,5-8")",
                "duplicate or unordered seat number 5"},
        BadCase{"bad seat range", R"("1-2,5-8")", R"("1-x")", "bad seat number"},
        BadCase{"backwards range", R"("1-2,5-8")", R"("8-5")", "runs backwards"},
        BadCase{"duplicate section", R"({"id": "B", "name": "Back")",
                R"({"id": "A", "name": "Back")", "duplicate section \"A\""},
        BadCase{"duplicate event", R"("id": "evt_other")", R"("id": "evt_small")",
                "duplicate event \"evt_small\""},
        BadCase{"bad time", R"("2027-01-15T08:00:00Z", "currency")",
                R"("2027-13-15T08:00:00Z", "currency")", "bad time"},
        BadCase{"limit out of range", R"("per_user_limit": 4)", R"("per_user_limit": 17)",
                "outside [1, 16]"},
        BadCase{"limit wrong type", R"("per_user_limit": 4)", R"("per_user_limit": "4")",
                "expected an integer"},
        BadCase{"unknown seat in wave", R"("sections": ["B"])", R"("seats": ["B-1-3"])",
                "unknown seat \"B-1-3\""},
        BadCase{"seat in two waves", R"("sections": ["B"])",
                R"("sections": ["B"], "seats": ["B-1-1"])", "is in two waves"},
        BadCase{"unknown seat price override", R"("waves")",
                R"("seat_prices_cents": {"Z-9-9": 1}, "waves")", "unknown seat \"Z-9-9\""},
        BadCase{"bad id characters", R"("id": "evt_other")", R"("id": "evt other")",
                "may use only"},
        BadCase{"no events", R"("events": [)", R"("events": [], "x": [)",
                "events: must not be empty"}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      std::string name = param.param.what;  // readable test names, e.g. "negative_price"
      std::replace(name.begin(), name.end(), ' ', '_');
      return name;
    });

TEST(Catalog, MissingFileIsAClearError) {
  auto catalog = load_catalog_file("/nonexistent/catalog.json");
  ASSERT_FALSE(catalog);
  EXPECT_THAT(catalog.error(), HasSubstr("cannot open catalog file"));
}

TEST(UtcTime, ParsesAndFormats) {
  EXPECT_EQ(*parse_utc_time_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_utc_time_ms("2027-01-15T08:00:00Z"), kOnSaleMs);
  EXPECT_EQ(*parse_utc_time_ms("2024-02-29T12:00:00.25Z"), 1709208000250);
  EXPECT_EQ(format_utc_time_ms(1709208000250), "2024-02-29T12:00:00.250Z");
  EXPECT_EQ(format_utc_time_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_time_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_time_ms(kOnSaleMs + 7), "2027-01-15T08:00:00.007Z");
  EXPECT_EQ(format_utc_time_ms(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_time_ms(253402300800000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_time_ms(-62135596800001), "0000-12-31T23:59:59.999Z");
  for (const char* bad :
       {"2023-02-29T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
        "2024-01-01T24:00:00Z", "2024-01-01T00:00:00+01:00", "", "2024-01-01T00:00:00.Z"}) {
    EXPECT_FALSE(parse_utc_time_ms(bad)) << bad;
  }
}

}  // namespace
}  // namespace boxoffice::booking::testing
