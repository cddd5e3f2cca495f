#include "shared/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace boxoffice {
namespace {

TEST(ParseDecimal, DigitsThatFit) {
  EXPECT_EQ(parse_decimal<uint64_t>("0"), 0U);
  EXPECT_EQ(parse_decimal<uint64_t>("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_decimal<int64_t>("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_decimal<uint32_t>("007"), 7U);
}

TEST(ParseDecimal, RefusesAnythingElse) {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "12a", "٣"}) {
    EXPECT_FALSE(parse_decimal<int64_t>(bad)) << bad;
    EXPECT_FALSE(parse_decimal<uint64_t>(bad)) << bad;
  }
  EXPECT_FALSE(parse_decimal<uint64_t>("18446744073709551616"));  // one past the largest
  EXPECT_FALSE(parse_decimal<int64_t>("9223372036854775808"));
  EXPECT_FALSE(parse_decimal<uint32_t>("4294967296"));
}

}  // namespace
}  // namespace boxoffice
