#include "shared/crypto/hmac.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
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
  // Each MAC starts again from the keyed states: the same answer, whatever the MAC before it.
  EXPECT_EQ(to_hex(key->mac({"what do ya want for nothing?"})), kJefeMac);
  (void)key->mac({"something else entirely, and longer than one SHA-256 block of 64 bytes......"});
  EXPECT_EQ(to_hex(key->mac({"what do ya want for nothing?"})), kJefeMac);
}

// RFC 4231, test case 6: a key longer than a block is hashed first.
TEST(HmacTest, Rfc4231Case6) {
  auto key = HmacSha256::create(std::string(131, '\xaa'));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(to_hex(key->mac({"Test Using Larger Than Block-Size Key - Hash Key First"})),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// Against OpenSSL's one-shot HMAC: keys around the 64-byte block, messages around the block and
// padding boundaries, cut into parts anywhere.
TEST(HmacTest, AgreesWithOpenSslHmac) {
  std::mt19937 random(2027);
  auto bytes = [&](size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(random() & 0xff);
    return out;
  };
  for (const size_t key_size : {1, 32, 55, 63, 64, 65, 100, 128, 200}) {
    const std::string key = bytes(key_size);
    const auto hmac = HmacSha256::create(key);
    ASSERT_TRUE(hmac.has_value());
    for (const size_t size : {0, 1, 55, 56, 63, 64, 65, 119, 120, 300}) {
      const std::string message = bytes(size);
      Sha256Mac expected{};
      unsigned length = 0;
      ASSERT_NE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     expected.data(), &length),
                nullptr);
      const size_t cut = size == 0 ? 0 : random() % size;
      const std::string_view m(message);
      EXPECT_EQ(hmac->mac({m}), expected) << key_size << " " << size;
      EXPECT_EQ(hmac->mac({m.substr(0, cut), m.substr(cut), ""}), expected)
          << key_size << " " << size << " cut at " << cut;
    }
  }
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
  const HmacSha256 alone(*key);
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
