#include "shared/crypto/hmac.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace boxoffice::crypto {
namespace {

// RFC 4231, test case 2.
constexpr std::string_view kJefeMac =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

TEST(HmacTest, Rfc4231Case2) {
  auto key = HmacSha256::create("Jefe");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(to_hex(key->mac({"what do ya want ", "for nothing?"})), kJefeMac);
  // Later MACs run on a context given back and reset to the key: the same answer, whatever
  // the MAC before it was of.
  EXPECT_EQ(to_hex(key->mac({"what do ya want for nothing?"})), kJefeMac);
  (void)key->mac({"something else entirely, and longer than one SHA-256 block of 64 bytes......"});
  EXPECT_EQ(to_hex(key->mac({"what do ya want for nothing?"})), kJefeMac);
}

TEST(HmacTest, ThreadsMacAtOnceAsOneThreadDoes) {
  const auto key = HmacSha256::create("a shared key");
  ASSERT_TRUE(key.has_value());
  const auto message = [](int thread, int i) {
    return "thread " + std::to_string(thread) + " message " + std::to_string(i) +
           std::string(static_cast<size_t>(i % 97), 'x');
  };
  constexpr int kThreads = 4;
  constexpr int kMacs = 2000;
  std::vector<std::vector<Sha256Mac>> got(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      got[t].reserve(kMacs);
      for (int i = 0; i < kMacs; ++i) got[t].push_back(key->mac({message(t, i)}));
    });
  }
  for (auto& thread : threads) thread.join();
  const HmacSha256 alone(*key);  // a pool of its own
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kMacs; ++i) {
      ASSERT_EQ(got[t][i], alone.mac({message(t, i)})) << t << " " << i;
    }
  }
}

TEST(HmacTest, CopiesMacAlikeAndOutliveTheOriginal) {
  auto key = HmacSha256::create("Jefe");
  ASSERT_TRUE(key.has_value());
  const HmacSha256 copy(*key);
  HmacSha256 assigned = *HmacSha256::create("another key");
  assigned = copy;
  key = HmacSha256::create("another key");
  EXPECT_EQ(to_hex(copy.mac({"what do ya want for nothing?"})), kJefeMac);
  EXPECT_EQ(to_hex(assigned.mac({"what do ya want for nothing?"})), kJefeMac);
  EXPECT_NE(to_hex(key->mac({"what do ya want for nothing?"})), kJefeMac);
}

TEST(HmacTest, EmptyKeyIsRefused) { EXPECT_FALSE(HmacSha256::create("").has_value()); }

TEST(HmacTest, HexRoundTripAndBadHex) {
  const auto mac = mac_from_hex(kJefeMac);
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(to_hex(*mac), kJefeMac);
  EXPECT_EQ(mac_from_hex("5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"), mac);
  EXPECT_FALSE(mac_from_hex(kJefeMac.substr(1)).has_value());
  EXPECT_FALSE(mac_from_hex(std::string(kJefeMac.substr(1)) + "g").has_value());
}

TEST(HmacTest, MacsEqualComparesEveryByte) {
  const Sha256Mac a = *mac_from_hex(kJefeMac);
  Sha256Mac b = a;
  EXPECT_TRUE(macs_equal(a, b));
  b.back() ^= 1;
  EXPECT_FALSE(macs_equal(a, b));
}

}  // namespace
}  // namespace boxoffice::crypto
