#include "booking/payments/checkout_url.h"

#include <gtest/gtest.h>

namespace boxoffice::payments {
namespace {

constexpr std::string_view kBase = "http://127.0.0.1:8090";
// openssl dgst -sha256 -hmac co_secret <<<
// 'reservation=evt_hamlet.50000000a&user=fan-1&amount=9000&currency=GBP' (without newline)
constexpr std::string_view kKnownSig =
    "f7cae528b7c67000ba7838eaf18cf5fd05f4626ce5aadb731e4f5b519c7a6348";

CheckoutSigner checkout_signer(std::string_view secret = "co_secret") {
  auto s = CheckoutSigner::create(secret);
  EXPECT_TRUE(s.has_value());
  return std::move(s).value();
}

// The reservation and parameters a link carries, as the provider reads them.
std::pair<std::string, QueryParams> read_link(std::string_view url) {
  const std::string_view target = url.substr(url.find("/checkout/") + 10);
  const SplitTarget split = split_target(target);
  return {*percent_decode(split.path, false), *parse_query(split.query)};
}

CheckoutLinks checkout_links(std::string_view base = kBase) {
  auto links = CheckoutLinks::create(base, "co_secret");
  EXPECT_TRUE(links.has_value());
  return std::move(links).value();
}

CheckoutErrc error_of(const CheckoutSigner& s, std::string_view reservation,
                      const QueryParams& params) {
  auto r = s.verify(reservation, params);
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? CheckoutErrc::kMissingParameter : r.error();
}

TEST(CheckoutUrlTest, KnownLink) {
  auto url = checkout_url(kBase, "co_secret", "evt_hamlet.50000000a", "fan-1", 9000, "GBP");
  ASSERT_TRUE(url.has_value()) << url.error();
  EXPECT_EQ(*url,
            "http://127.0.0.1:8090/checkout/evt_hamlet.50000000a?user=fan-1&amount=9000"
            "&currency=GBP&sig=" +
                std::string(kKnownSig));
  // A base with a path prefix and a trailing slash.
  url = checkout_url("http://pay.local/psp/", "co_secret", "evt_hamlet.50000000a", "fan-1", 9000,
                     "GBP");
  ASSERT_TRUE(url.has_value());
  EXPECT_TRUE(url->starts_with("http://pay.local/psp/checkout/evt_hamlet.50000000a?")) << *url;
}

TEST(CheckoutUrlTest, VerifiesItsOwnLinksWithAwkwardValues) {
  const CheckoutSigner s = checkout_signer();
  const CheckoutRequest request{"evt/odd id.1f", "fan 1&amount=1", 0, "EUR"};
  auto url = checkout_links().url(request.reservation, request.user, request.amount_cents,
                                  request.currency);
  ASSERT_TRUE(url.has_value());
  const auto [reservation, params] = read_link(*url);
  auto verified = s.verify(reservation, params);
  ASSERT_TRUE(verified.has_value()) << to_string(verified.error());
  EXPECT_EQ(*verified, request);
}

TEST(CheckoutUrlTest, TamperingIsDetected) {
  const CheckoutSigner s = checkout_signer();
  auto url = checkout_links().url("evt_hamlet.50000000a", "fan-1", 9000, "GBP");
  ASSERT_TRUE(url.has_value());
  const auto link = read_link(*url);
  const std::string& reservation = link.first;
  const QueryParams& params = link.second;
  ASSERT_TRUE(s.verify(reservation, params).has_value());

  auto changed = [&](std::string_view name, const std::string& value) {
    QueryParams p = params;
    for (auto& [n, v] : p) {
      if (n == name) v = value;
    }
    return p;
  };
  EXPECT_EQ(error_of(s, reservation, changed("amount", "100")), CheckoutErrc::kBadSignature);
  EXPECT_EQ(error_of(s, reservation, changed("user", "fan-2")), CheckoutErrc::kBadSignature);
  EXPECT_EQ(error_of(s, reservation, changed("currency", "USD")), CheckoutErrc::kBadSignature);
  EXPECT_EQ(error_of(s, "evt_hamlet.50000000b", params), CheckoutErrc::kBadSignature);
  EXPECT_EQ(error_of(s, reservation, changed("sig", std::string(64, '0'))),
            CheckoutErrc::kBadSignature);
  EXPECT_EQ(error_of(s, reservation, changed("sig", "short")), CheckoutErrc::kBadSignature);
  // Another secret's link.
  EXPECT_EQ(error_of(checkout_signer("other"), reservation, params), CheckoutErrc::kBadSignature);
  // A second amount appended to a genuine link.
  QueryParams appended = params;
  appended.emplace_back("amount", "1");
  EXPECT_EQ(error_of(s, reservation, appended), CheckoutErrc::kRepeatedParameter);
  // Extra parameters (the page's outcome) do not matter.
  QueryParams extra = params;
  extra.emplace_back("outcome", "decline");
  EXPECT_TRUE(s.verify(reservation, extra).has_value());
}

TEST(CheckoutUrlTest, MalformedParameters) {
  const CheckoutSigner s = checkout_signer();
  const QueryParams good = {{"user", "u"}, {"amount", "100"}, {"currency", "GBP"}, {"sig", "x"}};
  for (const std::string_view name : {"user", "amount", "currency", "sig"}) {
    QueryParams p;
    for (const auto& kv : good) {
      if (kv.first != name) p.push_back(kv);
    }
    EXPECT_EQ(error_of(s, "r.1", p), CheckoutErrc::kMissingParameter) << name;
  }
  for (const std::string_view amount :
       {"", "-1", "+1", "01", "1.5", "1e3", "99999999999999999999"}) {
    QueryParams p = good;
    p[1].second = amount;
    EXPECT_EQ(error_of(s, "r.1", p), CheckoutErrc::kBadParameter) << amount;
  }
  QueryParams p = good;
  p[2].second = "gbp";
  EXPECT_EQ(error_of(s, "r.1", p), CheckoutErrc::kBadParameter);
  p = good;
  p[0].second = "";
  EXPECT_EQ(error_of(s, "r.1", p), CheckoutErrc::kBadParameter);
  EXPECT_EQ(error_of(s, "", good), CheckoutErrc::kBadParameter);
}

TEST(CheckoutUrlTest, OneBaseManyLinks) {
  const CheckoutLinks links = checkout_links("http://pay.local/psp//");
  for (int i = 0; i < 3; ++i) {
    const std::string reservation = "evt_hamlet.5000000" + std::to_string(i);
    auto url = links.url(reservation, "fan-1", 9000 + i, "GBP");
    ASSERT_TRUE(url.has_value()) << url.error();
    EXPECT_EQ(*url, *checkout_url("http://pay.local/psp", "co_secret", reservation, "fan-1",
                                  9000 + i, "GBP"));
    EXPECT_TRUE(url->starts_with("http://pay.local/psp/checkout/" + reservation + "?user=fan-1&"))
        << *url;
  }
  EXPECT_FALSE(links.url("r.1", "", 1, "GBP").has_value());
  EXPECT_FALSE(CheckoutLinks::create("http://x/?a=1", "s").has_value());
  EXPECT_FALSE(CheckoutLinks::create("pay.local", "s").has_value());
  EXPECT_FALSE(CheckoutLinks::create(kBase, "").has_value());
}

TEST(CheckoutUrlTest, RefusesToBuildLinksThatCannotWork) {
  EXPECT_FALSE(checkout_url(kBase, "", "r.1", "u", 1, "GBP").has_value());
  EXPECT_FALSE(checkout_url("ftp://x", "s", "r.1", "u", 1, "GBP").has_value());
  EXPECT_FALSE(checkout_url("http://x/?a=1", "s", "r.1", "u", 1, "GBP").has_value());
  EXPECT_FALSE(checkout_url(kBase, "s", "", "u", 1, "GBP").has_value());
  EXPECT_FALSE(checkout_url(kBase, "s", "r.1", std::string(129, 'u'), 1, "GBP").has_value());
  EXPECT_FALSE(checkout_url(kBase, "s", "r.1", "u", -1, "GBP").has_value());
  EXPECT_FALSE(checkout_url(kBase, "s", "r.1", "u", 1, "pounds").has_value());
}

}  // namespace
}  // namespace boxoffice::payments
