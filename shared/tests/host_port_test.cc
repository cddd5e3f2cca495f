#include "shared/host_port.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace boxoffice {
namespace {

TEST(ParseHostPort, NamesAndAddressesWithAPort) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c : {Case{"127.0.0.1:6379", "127.0.0.1", 6379},
                        Case{"booking-api.internal:8080", "booking-api.internal", 8080},
                        Case{"[::1]:65535", "::1", 65535}, Case{"localhost:0", "localhost", 0}}) {
    const auto address = parse_host_port(c.text);
    ASSERT_TRUE(address) << c.text;
    EXPECT_EQ(address->host, c.host) << c.text;
    EXPECT_EQ(address->port, c.port) << c.text;
  }
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
