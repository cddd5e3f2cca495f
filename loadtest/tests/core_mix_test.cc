// The core benchmark's mix is only worth its figures if it is the on-sale it claims to be:
// these tests replay it on a fresh partition, after the recorder is gone, as the benchmark does.
#include "loadtest/core_mix.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "booking/core/partition.h"
#include "booking/core/wire.h"

namespace boxoffice::loadtest {
namespace {

using booking::DecisionType;

TEST(CoreMixTest, PlaysTheStadiumsOnSaleUntilEverySeatOnSaleIsBooked) {
  const CoreMix mix = record_core_mix(sample_catalog(), sample_stadium(), 1'000'000, 2027);
  ASSERT_LT(mix.commands.size(), 1'000'000U) << "the on-sale did not sell out";

  booking::Partition partition(sample_catalog());
  std::array<size_t, booking::kDecisionTypeMax + 1> decisions{};
  std::vector<booking::Decision> out;
  for (const booking::Command& c : mix.commands) {
    out.clear();
    partition.apply(c, out);
    for (const booking::Decision& d : out) ++decisions[static_cast<size_t>(d.type)];
  }
  const int64_t end_ms = mix.commands.back().at_ms;
  for (booking::SeatIndex s = 0; s < sample_stadium().seats.size(); ++s) {
    const bool on_sale = sample_stadium().on_sale(s, end_ms);
    ASSERT_EQ(partition.seat_status(sample_stadium().id, s) == booking::SeatStatus::kBooked,
              on_sale)
        << sample_stadium().seat_label(s);
  }
  // Every part of an on-sale happens, in earnest: fans book what they hold, change their minds,
  // let holds lapse, queue for taken seats and get offers.
  for (const DecisionType t :
       {DecisionType::kHeld, DecisionType::kPaymentPending, DecisionType::kBooked,
        DecisionType::kCancelled, DecisionType::kExpired, DecisionType::kReleased,
        DecisionType::kOffered, DecisionType::kWaitlisted, DecisionType::kWaitlistLeft,
        DecisionType::kWaitlistCleared, DecisionType::kRejected}) {
    EXPECT_GT(decisions[static_cast<size_t>(t)], 100U) << booking::to_string(t);
  }
}

TEST(CoreMixTest, IsTheSameForTheSameSeed) {
  auto wire = [](uint64_t seed) {
    std::string bytes;
    for (const booking::Command& c :
         record_core_mix(sample_catalog(), sample_stadium(), 20'000, seed).commands) {
      booking::encode_command(c, bytes);
    }
    return bytes;
  };
  EXPECT_EQ(wire(7), wire(7));
  EXPECT_NE(wire(7), wire(8));
}

}  // namespace
}  // namespace boxoffice::loadtest
