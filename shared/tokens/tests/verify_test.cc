#include "shared/tokens/verify.h"

#include <gtest/gtest.h>

#include <string>

#include "shared/tokens/base64url.h"
#include "shared/tokens/tests/test_keys.h"

namespace boxoffice::tokens {
namespace {

using testing::assemble;
using testing::header_for;
using testing::kNow;
using testing::sample_claims;
using testing::sign_raw;

class VerifyTest : public ::testing::Test {
 protected:
  KeySet keys_ = testing::ed25519_keys();
  const Key& key() const { return *keys_.find(keys_.active_kid()); }
  std::string payload() const { return claims_to_json(sample_claims()); }

  Errc error_of(std::string_view token, VerifyOptions options = {}, int64_t now_s = kNow) const {
    auto r = verify(token, keys_, now_s, options);
    EXPECT_FALSE(r.has_value()) << token;
    return r ? Errc::kVerifyBusy : r.error();  // verify() itself never answers busy
  }
};

TEST_F(VerifyTest, RoundTripEdDsa) {
  const std::string token = keys_.sign(sample_claims());
  auto header = base64url_decode(token.substr(0, token.find('.')));
  EXPECT_EQ(*header, R"({"alg":"EdDSA","kid":")" + keys_.active_kid() + R"("})");
  VerifyOptions options;
  options.expected_event = "e1";
  options.expected_kind = "admission";
  auto claims = verify(token, keys_, kNow, options);
  ASSERT_TRUE(claims.has_value()) << to_string(claims.error());
  Claims expected = sample_claims();
  expected.kid = keys_.active_kid();
  EXPECT_EQ(*claims, expected);
}

TEST_F(VerifyTest, RoundTripHs256) {
  const KeySet hs = testing::hs256_keys();
  const std::string token = hs.sign(sample_claims());
  EXPECT_EQ(*base64url_decode(token.substr(0, token.find('.'))), R"({"alg":"HS256","kid":"hs1"})");
  auto claims = verify(token, hs, kNow, {});
  ASSERT_TRUE(claims.has_value()) << to_string(claims.error());
  EXPECT_EQ(claims->sub, "u1");
  EXPECT_EQ(claims->kid, "hs1");
  EXPECT_EQ(claims->position, 42U);
  // Another secret under the same kid does not verify it.
  KeySet other;
  ASSERT_TRUE(other.add_hs256("hs1", "another secret of thirty-two bytes"));
  EXPECT_EQ(verify(token, other, kNow, {}).error(), Errc::kBadSignature);
}

TEST_F(VerifyTest, ErrorCodesAreStable) {
  EXPECT_EQ(to_string(Errc::kMalformed), "malformed");
  EXPECT_EQ(to_string(Errc::kBadHeader), "bad_header");
  EXPECT_EQ(to_string(Errc::kAlgNotAllowed), "alg_not_allowed");
  EXPECT_EQ(to_string(Errc::kUnknownKid), "unknown_kid");
  EXPECT_EQ(to_string(Errc::kBadSignature), "bad_signature");
  EXPECT_EQ(to_string(Errc::kBadClaims), "bad_claims");
  EXPECT_EQ(to_string(Errc::kExpired), "expired");
  EXPECT_EQ(to_string(Errc::kNotYetValid), "not_yet_valid");
  EXPECT_EQ(to_string(Errc::kWrongEvent), "wrong_event");
  EXPECT_EQ(to_string(Errc::kWrongKind), "wrong_kind");
  EXPECT_EQ(to_string(Errc::kVerifyBusy), "verify_busy");
}

TEST_F(VerifyTest, RejectsAlgNone) {
  EXPECT_EQ(error_of(assemble(R"({"alg":"none","typ":"JWT"})", payload(), "")),
            Errc::kAlgNotAllowed);
  EXPECT_EQ(
      error_of(assemble(R"({"alg":"none","kid":")" + keys_.active_kid() + R"("})", payload(), "")),
      Errc::kAlgNotAllowed);
  EXPECT_EQ(error_of(assemble(R"({"alg":"None","kid":"k"})", payload(), "")), Errc::kAlgNotAllowed);
  EXPECT_EQ(error_of(assemble(R"({"alg":"RS256","kid":"k"})", payload(), "sig")),
            Errc::kAlgNotAllowed);
}

TEST_F(VerifyTest, RejectsUnknownKid) {
  KeySet other = testing::ed25519_keys();
  EXPECT_EQ(error_of(other.sign(sample_claims())), Errc::kUnknownKid);
}

TEST_F(VerifyTest, RejectsWrongEventAndKind) {
  const std::string token = keys_.sign(sample_claims());
  VerifyOptions options;
  options.expected_event = "e2";
  EXPECT_EQ(error_of(token, options), Errc::kWrongEvent);
  options.expected_event = "e1";
  options.expected_kind = "waiting";
  EXPECT_EQ(error_of(token, options), Errc::kWrongKind);
}

TEST_F(VerifyTest, RejectsExpiredAndNotYetValid) {
  const std::string token = keys_.sign(sample_claims());  // valid [kNow, kNow + 600)
  EXPECT_TRUE(verify(token, keys_, kNow + 599, {}).has_value());
  EXPECT_EQ(error_of(token, {}, kNow + 600), Errc::kExpired);
  EXPECT_EQ(error_of(token, {}, kNow + 100'000), Errc::kExpired);
  EXPECT_TRUE(verify(token, keys_, kNow, {}).has_value());
  EXPECT_EQ(error_of(token, {}, kNow - 1), Errc::kNotYetValid);
}

TEST_F(VerifyTest, LeewayToleratesSkewBothWays) {
  const std::string token = keys_.sign(sample_claims());
  VerifyOptions options;
  options.leeway_s = 30;
  EXPECT_TRUE(verify(token, keys_, kNow + 629, options).has_value());
  EXPECT_EQ(error_of(token, options, kNow + 630), Errc::kExpired);
  EXPECT_TRUE(verify(token, keys_, kNow - 30, options).has_value());
  EXPECT_EQ(error_of(token, options, kNow - 31), Errc::kNotYetValid);
  options.leeway_s = -5;  // treated as none
  EXPECT_EQ(error_of(token, options, kNow + 600), Errc::kExpired);
}

TEST_F(VerifyTest, ExtremeTimesDoNotOverflow) {
  Claims c = sample_claims();
  c.iat = INT64_MIN;
  c.nbf = INT64_MIN;
  c.exp = INT64_MAX;
  VerifyOptions options;
  options.leeway_s = INT64_MAX;
  EXPECT_TRUE(verify(keys_.sign(c), keys_, INT64_MAX, options).has_value());
  c.nbf = INT64_MAX;
  EXPECT_EQ(error_of(keys_.sign(c), {}, INT64_MIN), Errc::kNotYetValid);
  c.nbf = INT64_MIN;
  c.exp = INT64_MIN;
  EXPECT_EQ(error_of(keys_.sign(c), {}, INT64_MAX), Errc::kExpired);
}

TEST_F(VerifyTest, RejectsTamperedPayload) {
  const std::string token = keys_.sign(sample_claims());
  Claims c = sample_claims();
  c.sub = "u2";
  const std::string other = keys_.sign(c);
  const size_t d1 = token.find('.');
  const size_t d2 = token.rfind('.');
  const std::string spliced =
      token.substr(0, d1) + other.substr(d1, other.rfind('.') - d1) + token.substr(d2);
  EXPECT_EQ(error_of(spliced), Errc::kBadSignature);
}

TEST_F(VerifyTest, RejectsTamperedHeader) {
  const std::string token = keys_.sign(sample_claims());
  const std::string header =
      R"({"alg":"EdDSA","typ":"JWT","kid":")" + keys_.active_kid() + R"(","x":1})";
  const std::string tampered = base64url_encode(header) + token.substr(token.find('.'));
  EXPECT_EQ(error_of(tampered), Errc::kBadSignature);
}

TEST_F(VerifyTest, RejectsTamperedSignature) {
  const std::string token = keys_.sign(sample_claims());
  const size_t d2 = token.rfind('.');
  std::string sig = *base64url_decode(token.substr(d2 + 1));
  sig[10] = static_cast<char>(sig[10] ^ 1);
  EXPECT_EQ(error_of(token.substr(0, d2 + 1) + base64url_encode(sig)), Errc::kBadSignature);
  EXPECT_EQ(error_of(token.substr(0, d2 + 1) + base64url_encode(sig.substr(1))),
            Errc::kBadSignature);                                     // short
  EXPECT_EQ(error_of(token.substr(0, d2 + 1)), Errc::kBadSignature);  // empty
}

TEST_F(VerifyTest, RejectsAlgConfusion) {
  // An HS256 token whose HMAC secret is the Ed25519 public key (all an attacker knows).
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":")" + keys_.active_kid() + R"("})";
  KeySet attacker;
  ASSERT_TRUE(attacker.add_hs256(keys_.active_kid(), key().public_key()));
  EXPECT_EQ(error_of(sign_raw(header, payload(), *attacker.find(keys_.active_kid()))),
            Errc::kAlgNotAllowed);
  // And an EdDSA header naming an HS256 kid.
  KeySet both = testing::ed25519_keys();
  ASSERT_TRUE(both.add_hs256("hs1", "0123456789abcdef0123456789abcdef"));
  const Key& ed = *both.find(both.active_kid());
  const std::string confused =
      sign_raw(R"({"alg":"EdDSA","typ":"JWT","kid":"hs1"})", payload(), ed);
  EXPECT_EQ(verify(confused, both, kNow, {}).error(), Errc::kAlgNotAllowed);
}

TEST_F(VerifyTest, RejectsBadBase64url) {
  const std::string token = keys_.sign(sample_claims());
  const size_t d1 = token.find('.');
  EXPECT_EQ(error_of(token + "="), Errc::kMalformed);            // padding
  EXPECT_EQ(error_of("+" + token.substr(1)), Errc::kMalformed);  // standard alphabet
  EXPECT_EQ(error_of(token.substr(0, d1) + ".!" + token.substr(d1 + 2)), Errc::kMalformed);
  // Non-canonical trailing bits in the signature (64 bytes: 86 characters, 4 unused bits).
  std::string twin = token;
  char& last = twin.back();
  last = last == 'A' ? 'B' : static_cast<char>(last + 1);
  EXPECT_EQ(error_of(twin), Errc::kMalformed);
  EXPECT_EQ(error_of(""), Errc::kMalformed);
}

TEST_F(VerifyTest, RejectsTwoAndFourSegments) {
  const std::string token = keys_.sign(sample_claims());
  EXPECT_EQ(error_of(token.substr(0, token.rfind('.'))), Errc::kMalformed);
  EXPECT_EQ(error_of(token + ".AAAA"), Errc::kMalformed);
  EXPECT_EQ(error_of(token + "."), Errc::kMalformed);
  EXPECT_EQ(error_of("abc"), Errc::kMalformed);
  EXPECT_EQ(error_of(".."), Errc::kMalformed);
}

TEST_F(VerifyTest, RejectsOversizeTokens) {
  Claims c = sample_claims();
  c.sub = std::string(2800, 'u');
  const std::string near = keys_.sign(c);
  ASSERT_LE(near.size(), kMaxTokenBytes);
  EXPECT_TRUE(verify(near, keys_, kNow, {}).has_value());
  c.sub = std::string(3200, 'u');
  const std::string over = keys_.sign(c);
  ASSERT_GT(over.size(), kMaxTokenBytes);
  EXPECT_EQ(error_of(over), Errc::kMalformed);
}

TEST_F(VerifyTest, RejectsNonObjectJson) {
  EXPECT_EQ(error_of(sign_raw("[1,2]", payload(), key())), Errc::kBadHeader);
  EXPECT_EQ(error_of(sign_raw("\"EdDSA\"", payload(), key())), Errc::kBadHeader);
  EXPECT_EQ(error_of(sign_raw("{not json", payload(), key())), Errc::kBadHeader);
  EXPECT_EQ(error_of(sign_raw(header_for(key()), "[1,2]", key())), Errc::kBadClaims);
  EXPECT_EQ(error_of(sign_raw(header_for(key()), "null", key())), Errc::kBadClaims);
  EXPECT_EQ(error_of(sign_raw(header_for(key()), "{\"sub\":", key())), Errc::kBadClaims);
}

TEST_F(VerifyTest, RejectsBadHeaders) {
  const std::string kid = keys_.active_kid();
  const char* bad[] = {
      R"({"typ":"JWT","kid":"KID"})",                   // no alg
      R"({"alg":1,"kid":"KID"})",                       // alg not a string
      R"({"alg":"EdDSA","typ":"JWT"})",                 // no kid
      R"({"alg":"EdDSA","kid":5})",                     // kid not a string
      R"({"alg":"EdDSA","typ":"JWE","kid":"KID"})",     // typ
      R"({"alg":"EdDSA","typ":null,"kid":"KID"})",      // typ not a string
      R"({"alg":"EdDSA","kid":"KID","crit":["exp"]})",  // a critical extension
      R"({"alg":"EdDSA","kid":"KID","kid":"other"})",   // a member twice
  };
  for (std::string header : bad) {
    if (const size_t at = header.find("KID"); at != std::string::npos) header.replace(at, 3, kid);
    EXPECT_EQ(error_of(sign_raw(header, payload(), key())), Errc::kBadHeader) << header;
  }
  // typ is optional (tokens issued before it was dropped still verify); others are ignored.
  const std::string plain = R"({"alg":"EdDSA","kid":")" + kid + R"(","cty":"x"})";
  EXPECT_TRUE(verify(sign_raw(plain, payload(), key()), keys_, kNow, {}).has_value());
  const std::string typed = R"({"alg":"EdDSA","typ":"JWT","kid":")" + kid + R"("})";
  EXPECT_TRUE(verify(sign_raw(typed, payload(), key()), keys_, kNow, {}).has_value());
}

TEST_F(VerifyTest, RejectsWrongClaimTypes) {
  const char* bad[] = {
      R"({"sub":7,"event":"e1","kind":"admission","iat":1,"nbf":1,"exp":9999999999})",
      R"({"sub":"u","event":"e1","kind":"admission","iat":1,"nbf":1,"exp":"9999999999"})",
      R"({"sub":"u","event":"e1","kind":"admission","iat":1,"nbf":1.5,"exp":9999999999})",
      R"({"sub":"u","event":"e1","kind":"ADMISSION","iat":1,"nbf":1,"exp":9999999999})",
      R"({"sub":"u","event":"e1","kind":"admission","iat":1,"nbf":1,"exp":9,"position":-3})",
  };
  for (const char* p : bad) {
    EXPECT_EQ(error_of(sign_raw(header_for(key()), p, key())), Errc::kBadClaims) << p;
  }
}

TEST_F(VerifyTest, RejectsMissingClaims) {
  for (const char* missing : {"sub", "event", "kind", "iat", "nbf", "exp"}) {
    std::string p = R"({"sub":"u","event":"e1","kind":"admission","iat":1,"nbf":1,)"
                    R"("exp":9999999999})";
    const size_t at = p.find(std::string("\"") + missing + "\"");
    const size_t end = p.find_first_of(",}", at);
    p.erase(at, end - at + (p[end] == ',' ? 1 : 0));
    if (p[p.size() - 2] == ',') p.erase(p.size() - 2, 1);
    EXPECT_EQ(error_of(sign_raw(header_for(key()), p, key())), Errc::kBadClaims) << p;
  }
}

TEST_F(VerifyTest, SignatureIsCheckedBeforeClaims) {
  // Expired claims under a bad signature: the answer is about the signature, not the claims.
  Claims c = sample_claims();
  c.exp = 1;
  const std::string token = keys_.sign(c);
  std::string forged =
      token.substr(0, token.rfind('.') + 1) + base64url_encode(std::string(64, 'x'));
  EXPECT_EQ(error_of(forged), Errc::kBadSignature);
}

}  // namespace
}  // namespace boxoffice::tokens
