// The status answer's exact JSON: every member, in order, with escaping and extreme numbers.
#include "gateway/io/status_page.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace boxoffice::gateway {
namespace {

TEST(StatusJson, WaitingFanWithoutTokens) {
  StatusView v;
  v.event = "evt-1";
  v.status.phase = Phase::kWaiting;
  v.status.position = 42;
  v.status.people_ahead = 41;
  v.status.wait_low_s = 60;
  v.status.wait_high_s = 120;
  v.status.wave = 1;
  EXPECT_EQ(status_json(v), R"({"event":"evt-1","phase":"waiting","position":42,"people_ahead":41,)"
                            R"("estimated_wait_s":{"low":60,"high":120},"wave":1})");
}

TEST(StatusJson, EveryOptionalMemberEscapedAndExtremeNumbers) {
  StatusView v;
  v.event = "a\"b\\c\n";
  v.status.phase = Phase::kAdmitted;
  v.status.position = std::numeric_limits<int64_t>::max();
  v.status.people_ahead = 0;
  v.status.wait_low_s = -1;
  v.status.wait_high_s = std::numeric_limits<int64_t>::min();
  v.status.wave = 0;
  v.commitment = "00ff";
  const std::string controls(3, '\x01');
  v.waiting_token = controls;
  v.admission_token = "t.u.v";
  EXPECT_EQ(status_json(v),
            R"({"event":"a\"b\\c\n","phase":"admitted","position":9223372036854775807,)"
            R"("people_ahead":0,"estimated_wait_s":{"low":-1,"high":-9223372036854775808},)"
            R"("wave":0,"lottery_commitment":"00ff","token":"\u0001\u0001\u0001",)"
            R"("admission_token":"t.u.v"})");
}

}  // namespace
}  // namespace boxoffice::gateway
