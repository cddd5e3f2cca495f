#include "booking/payments/url.h"

#include <gtest/gtest.h>

namespace boxoffice::payments {
namespace {

TEST(UrlTest, PercentEncodingRoundTrips) {
  const std::string all = [] {
    std::string s;
    for (int c = 1; c < 256; ++c) s += static_cast<char>(c);  // a NUL is refused when decoded
    return s;
  }();
  EXPECT_EQ(percent_decode(percent_encode(all), false), all);
  EXPECT_EQ(percent_encode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
}

TEST(UrlTest, RepeatedNames) {
  EXPECT_TRUE(unique_names(*parse_query("user=fan+1&amount=9000&&flag")));
  EXPECT_FALSE(unique_names({{"a", "1"}, {"b", "2"}, {"a", "3"}}));
}

TEST(UrlTest, HttpUrls) {
  auto u = parse_http_url("http://127.0.0.1:8080/hooks/payments?x=1");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/hooks/payments?x=1");
  u = parse_http_url("http://localhost");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "");
  u = parse_http_url("http://[::1]:9/x");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9);
  for (const std::string_view bad :
       {"https://x", "x:80", "http://", "http://:80", "http://h:", "http://h:0", "http://h:65536",
        "http://h:8o", "http://h/#f", "http://u@h", "http://h/a b", "http://[::1",
        "http://[::1]x"}) {
    EXPECT_FALSE(parse_http_url(bad).has_value()) << bad;
  }
}

TEST(UrlTest, JoinPath) {
  EXPECT_EQ(join_path("", "/v1/x"), "/v1/x");
  EXPECT_EQ(join_path("/api/", "/v1/x"), "/api/v1/x");
  EXPECT_EQ(join_path("/api", "v1"), "/api/v1");
}

}  // namespace
}  // namespace boxoffice::payments
