#include "shared/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace boxoffice {
namespace {

TEST(HexTest, RoundTripsBytesOfEitherForm) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(to_hex(std::array<uint8_t, 3>{0x00, 0xff, 0x10}), "00ff10");
  EXPECT_EQ(to_hex(std::string_view()), "");
  EXPECT_EQ(from_hex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(from_hex(""), "");
}

TEST(HexTest, RefusesOddLengthsAndNonDigits) {
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_FALSE(from_hex("0g"));
  EXPECT_EQ(hex_digit_value('f'), 15);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), -1);
}

TEST(HexTest, DecodesIntoABufferItFillsExactly) {
  std::array<uint8_t, 2> out{};
  EXPECT_TRUE(from_hex_into("0aFf", out));
  EXPECT_EQ(out, (std::array<uint8_t, 2>{0x0a, 0xff}));
  EXPECT_FALSE(from_hex_into("0aff00", out));
  EXPECT_FALSE(from_hex_into("0a", out));
  EXPECT_FALSE(from_hex_into("0axf", out));
}

}  // namespace
}  // namespace boxoffice
