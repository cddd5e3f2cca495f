#include "booking/payments/signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace boxoffice::payments {
namespace {

constexpr int64_t kT = 1'700'000'000;
constexpr std::string_view kBody = R"({"id":"evt_1"})";
// openssl dgst -sha256 -hmac whsec_test <<< '1700000000.{"id":"evt_1"}' (without newline)
constexpr std::string_view kKnownV1 =
    "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925";

WebhookSigner signer(std::vector<std::string> secrets) {
  auto s = WebhookSigner::create(secrets);
  EXPECT_TRUE(s.has_value());
  return std::move(s).value();
}

WebhookVerifier verifier(std::vector<std::string> secrets,
                         int64_t tolerance_s = kDefaultToleranceS) {
  auto v = WebhookVerifier::create(secrets, tolerance_s);
  EXPECT_TRUE(v.has_value());
  return std::move(v).value();
}

SignatureErrc error_of(const WebhookVerifier& v, std::string_view header,
                       std::string_view body = kBody, int64_t now = kT) {
  auto r = v.verify(header, body, now);
  EXPECT_FALSE(r.has_value()) << header;
  return r.has_value() ? SignatureErrc::kMissingHeader : r.error();
}

TEST(SignatureTest, KnownVector) {
  EXPECT_EQ(signer({"whsec_test"}).header(kBody, kT), "t=1700000000,v1=" + std::string(kKnownV1));
  const std::string header = "t=1700000000,v1=" + std::string(kKnownV1);
  auto ok = verifier({"whsec_test"}).verify(header, kBody, kT);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, kT);
}

TEST(SignatureTest, ToleranceIsInclusiveOnBothSides) {
  const WebhookVerifier v = verifier({"whsec_test"});
  const std::string header = signer({"whsec_test"}).header(kBody, kT);
  EXPECT_TRUE(v.verify(header, kBody, kT + 300).has_value());
  EXPECT_TRUE(v.verify(header, kBody, kT - 300).has_value());
  EXPECT_EQ(error_of(v, header, kBody, kT + 301), SignatureErrc::kOutsideTolerance);
  EXPECT_EQ(error_of(v, header, kBody, kT - 301), SignatureErrc::kOutsideTolerance);
  // A custom tolerance, and none at all for replays of recorded requests.
  EXPECT_EQ(error_of(verifier({"whsec_test"}, 10), header, kBody, kT + 11),
            SignatureErrc::kOutsideTolerance);
  EXPECT_TRUE(verifier({"whsec_test"}, -1).verify(header, kBody, kT + 1'000'000).has_value());
  // Extreme clocks do not overflow.
  EXPECT_EQ(error_of(v, header, kBody, INT64_MIN), SignatureErrc::kOutsideTolerance);
  EXPECT_EQ(error_of(v, header, kBody, INT64_MAX), SignatureErrc::kOutsideTolerance);
}

TEST(SignatureTest, TamperingIsDetected) {
  const WebhookVerifier v = verifier({"whsec_test"});
  const std::string header = signer({"whsec_test"}).header(kBody, kT);
  EXPECT_EQ(error_of(v, header, R"({"id":"evt_2"})"), SignatureErrc::kBadSignature);
  EXPECT_EQ(error_of(v, header, std::string(kBody) + " "), SignatureErrc::kBadSignature);
  // Another timestamp (still within tolerance) with the old MAC.
  std::string moved = header;
  moved.replace(moved.find("1700000000"), 10, "1700000001");
  EXPECT_EQ(error_of(v, moved), SignatureErrc::kBadSignature);
  // One flipped hex digit.
  std::string flipped = header;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_EQ(error_of(v, flipped), SignatureErrc::kBadSignature);
  // The right body under another secret.
  EXPECT_EQ(error_of(v, signer({"whsec_other"}).header(kBody, kT)), SignatureErrc::kBadSignature);
}

TEST(SignatureTest, RotationSignsWithEverySecretAndAcceptsAnyMatch) {
  const std::string header = signer({"whsec_new", "whsec_old"}).header(kBody, kT);
  EXPECT_EQ(std::count(header.begin(), header.end(), ','), 2) << header;
  // A receiver that knows only one of the two accepts it.
  EXPECT_TRUE(verifier({"whsec_new"}).verify(header, kBody, kT).has_value());
  EXPECT_TRUE(verifier({"whsec_old"}).verify(header, kBody, kT).has_value());
  // A receiver that is rotating accepts a sender that still uses the old secret only.
  const std::string old_only = signer({"whsec_old"}).header(kBody, kT);
  EXPECT_TRUE(verifier({"whsec_new", "whsec_old"}).verify(old_only, kBody, kT).has_value());
  EXPECT_EQ(error_of(verifier({"whsec_third"}), header), SignatureErrc::kBadSignature);
}

TEST(SignatureTest, HeaderFormErrors) {
  const WebhookVerifier v = verifier({"whsec_test"});
  const std::string v1 = "v1=" + std::string(kKnownV1);
  EXPECT_EQ(error_of(v, ""), SignatureErrc::kMissingHeader);
  EXPECT_EQ(error_of(v, "   "), SignatureErrc::kMissingHeader);
  const std::vector<std::string> bad_headers = {
      "garbage",
      "t=1700000000",                            // well formed, but no v1
      "t=," + v1,                                // empty t
      "t=-1," + v1,                              // signed t
      "t=17e8," + v1,                            // not digits
      "t=99999999999999999999," + v1,            // overflows
      "t=1700000000,t=1700000000," + v1,         // repeated t
      v1,                                        // no t
      "t=1700000000,v1=abc",                     // short v1
      "t=1700000000," + v1 + "zz",               // long v1
      "t=1700000000,," + v1,                     // empty item
      "t=1700000000,=x," + v1,                   // empty key
      "t=1700000000," + std::string(3000, 'x'),  // oversized
  };
  for (const std::string& bad : bad_headers) {
    const SignatureErrc e = error_of(v, bad);
    if (bad == "t=1700000000") {
      EXPECT_EQ(e, SignatureErrc::kNoV1);
    } else {
      EXPECT_EQ(e, SignatureErrc::kMalformedHeader) << bad;
    }
  }
  EXPECT_EQ(error_of(v, "t=1700000000,v0=" + std::string(kKnownV1)), SignatureErrc::kNoV1);
  // Spaces around items and unknown schemes next to v1 are fine.
  EXPECT_TRUE(v.verify(" t=1700000000 , v0=zz, " + v1 + " ", kBody, kT).has_value());
  // Too many v1 entries: bounded work per request.
  std::string many = "t=1700000000";
  for (size_t i = 0; i <= kMaxV1Signatures; ++i) many += "," + v1;
  EXPECT_EQ(error_of(v, many), SignatureErrc::kMalformedHeader);
}

TEST(SignatureTest, ErrorNamesAreStable) {
  EXPECT_EQ(to_string(SignatureErrc::kMissingHeader), "missing_signature_header");
  EXPECT_EQ(to_string(SignatureErrc::kMalformedHeader), "malformed_signature_header");
  EXPECT_EQ(to_string(SignatureErrc::kNoV1), "no_v1_signature");
  EXPECT_EQ(to_string(SignatureErrc::kBadSignature), "bad_signature");
  EXPECT_EQ(to_string(SignatureErrc::kOutsideTolerance), "timestamp_outside_tolerance");
  EXPECT_FALSE(describe(SignatureErrc::kBadSignature).empty());
}

TEST(SignatureTest, SecretsAreRequired) {
  EXPECT_FALSE(WebhookSigner::create(std::vector<std::string>{}).has_value());
  EXPECT_FALSE(WebhookSigner::create("").has_value());
  EXPECT_FALSE(WebhookVerifier::create(std::vector<std::string>{"ok", ""}).has_value());
}

}  // namespace
}  // namespace boxoffice::payments
