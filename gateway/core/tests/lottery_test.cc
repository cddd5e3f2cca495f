#include "gateway/core/lottery.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace boxoffice::gateway {
namespace {

TEST(LotteryTest, SeedFromHexChecksLength) {
  EXPECT_TRUE(seed_bytes_from_hex(std::string(32, 'a')));
  EXPECT_TRUE(seed_bytes_from_hex(std::string(128, '0')));
  EXPECT_FALSE(seed_bytes_from_hex(std::string(30, 'a')));
  EXPECT_FALSE(seed_bytes_from_hex(std::string(130, 'a')));
  EXPECT_FALSE(seed_bytes_from_hex(std::string(31, 'a') + "g"));
}

TEST(LotteryTest, CommitmentIsHexSha256OfTheSeedBytes) {
  EXPECT_EQ(seed_commitment("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(LotteryTest, KeyIsTheFirst52BitsOfHmacSha256) {
  // RFC 4231 test case 2: HMAC-SHA256("Jefe", ...) = 5bdcc146bf60754e...
  EXPECT_EQ(lottery_key("Jefe", "what do ya want for nothing?"), uint64_t{0x5bdcc146bf607});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LT(lottery_key("seed-bytes-123456", "user" + std::to_string(i)), uint64_t{1} << 52);
  }
}

TEST(LotteryTest, OrderIsDeduplicatedSortedByKeyAndIndependentOfInputOrder) {
  const std::string seed = "0123456789abcdef";
  std::vector<std::string> ids;
  ids.reserve(500);
  for (int i = 0; i < 500; ++i) ids.push_back("fan" + std::to_string(i % 300));
  const auto order = lottery_order(seed, ids);
  ASSERT_EQ(order.size(), 300u);
  for (size_t i = 1; i < order.size(); ++i) {
    const uint64_t a = lottery_key(seed, order[i - 1]);
    const uint64_t b = lottery_key(seed, order[i]);
    EXPECT_TRUE(a < b || (a == b && order[i - 1] < order[i]));
  }
  std::reverse(ids.begin(), ids.end());
  EXPECT_EQ(lottery_order(seed, ids), order);
  EXPECT_NE(lottery_order("another seed!!!!", ids), order) << "the seed decides the draw";
}

}  // namespace
}  // namespace boxoffice::gateway
