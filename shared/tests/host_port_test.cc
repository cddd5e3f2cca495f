#include "shared/host_port.h"

#include <gtest/gtest.h>

namespace boxoffice {
namespace {

TEST(ParseHostPort, NamesAndAddressesWithAPort) {
  const auto redis = parse_host_port("127.0.0.1:6379");
  ASSERT_TRUE(redis);
  EXPECT_EQ(redis->host, "127.0.0.1");
  EXPECT_EQ(redis->port, 6379);
  const auto named = parse_host_port("booking-api.internal:8080");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->host, "booking-api.internal");
  EXPECT_EQ(named->port, 8080);
  const auto v6 = parse_host_port("[::1]:65535");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
  const auto any = parse_host_port("localhost:0");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->port, 0);
}

TEST(ParseHostPort, RefusesEverythingElse) {
  for (const char* bad :
       {"", "localhost", "localhost:", ":6379", "[]:6379", "::1:6379", "[::1:6379", "::1]:6379",
        "a]:1", "localhost:6379x", "localhost:63x9", "localhost:-1", "localhost:+80",
        "localhost: 80", "localhost:65536", "localhost:99999999999"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

}  // namespace
}  // namespace boxoffice
