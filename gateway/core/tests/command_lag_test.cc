#include "gateway/core/command_lag.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "gateway/core/room_config.h"
#include "shared/redis/lag_report.h"

namespace boxoffice::gateway {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::optional<uint64_t> lag_of(const std::vector<std::string_view>& flat) {
  return command_lag(flat, kNow);
}

TEST(CommandLagTest, NoReportIsUnknown) { EXPECT_EQ(lag_of({}), std::nullopt); }

TEST(CommandLagTest, SumsTheFreshReports) {
  EXPECT_EQ(lag_of({"0", "50 1700000000000"}), 50U);
  EXPECT_EQ(lag_of({"0", "50 1699999999000", "1", "7 1700000000000", "2", "0 1700000000500"}), 57U);
  EXPECT_EQ(lag_of({"0", "0 1700000000000"}), 0U);  // known, and nothing waits
}

TEST(CommandLagTest, StaleReportsAreLeftOut) {
  // Exactly five seconds old still counts; older does not.
  EXPECT_EQ(lag_of({"0", "50 1699999995000"}), 50U);
  EXPECT_EQ(lag_of({"0", "50 1699999994999"}), std::nullopt);
  EXPECT_EQ(lag_of({"0", "50 1699999990000", "1", "7 1700000000000"}), 7U);
  // A clock far ahead is not trusted either.
  EXPECT_EQ(lag_of({"0", "50 1700000005000"}), 50U);
  EXPECT_EQ(lag_of({"0", "50 1700000005001"}), std::nullopt);
}

TEST(CommandLagTest, MalformedReportsAreIgnored) {
  for (const std::string_view value :
       {"", "50", "50 ", " 50 1700000000000", "50  1700000000000", "-5 1700000000000",
        "+5 1700000000000", "50 -1700000000000", "5x 1700000000000", "50 1700000000000 1",
        "99999999999999999999 1700000000000"}) {
    EXPECT_EQ(lag_of({"0", value, "1", "7 1700000000000"}), 7U) << "value '" << value << "'";
  }
  for (const std::string_view field : {"", "p0", "-1", "1.5"}) {
    EXPECT_EQ(lag_of({field, "50 1700000000000"}), std::nullopt) << "field '" << field << "'";
  }
  // An odd element count: the last field has no value.
  EXPECT_EQ(lag_of({"0", "50 1700000000000", "1"}), 50U);
}

TEST(CommandLagTest, ReadsWhatTheWorkersWrite) {
  const std::string field = redis::lag_report_field(3);
  const std::string value = redis::lag_report_value(42, kNow);
  EXPECT_EQ(value, "42 1700000000000");
  const auto report = redis::parse_lag_report(field, value);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->partition, 3U);
  EXPECT_EQ(report->lag, 42U);
  EXPECT_EQ(report->at_ms, kNow);
  EXPECT_EQ(lag_of({field, value}), 42U);
}

TEST(CommandLagTest, TheSumStopsAtWhatTickTakes) {
  EXPECT_EQ(lag_of({"0", "999999999999999 1700000000000", "1", "999999999999999 1700000000000"}),
            static_cast<uint64_t>(kMaxConfigNumber));
  EXPECT_EQ(lag_of({"0", "18446744073709551615 1700000000000", "1", "1 1700000000000"}),
            static_cast<uint64_t>(kMaxConfigNumber));
}

}  // namespace
}  // namespace boxoffice::gateway
