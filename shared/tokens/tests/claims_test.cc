#include "shared/tokens/claims.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "shared/tokens/tests/test_keys.h"

namespace boxoffice::tokens {
namespace {

using testing::sample_claims;

TEST(Claims, SerialisesOnlyMeaningfulMembers) {
  Claims c = sample_claims();
  EXPECT_EQ(claims_to_json(c), R"({"sub":"u1","event":"e1","kind":"admission","position":42,)"
                               R"("iat":1760000000,"nbf":1760000000,"exp":1760000600})");
  c.kind = std::string(kKindWaiting);
  c.position = 0;
  c.joined_at_ms = 1'759'999'000'123;
  c.wave = 3;
  c.kid = "never-in-the-payload";
  c.iat = 0;
  c.nbf = 0;
  EXPECT_EQ(claims_to_json(c), R"({"sub":"u1","event":"e1","kind":"waiting",)"
                               R"("joined_at_ms":1759999000123,"wave":3,"exp":1760000600})");
}

TEST(Claims, RoundTrips) {
  Claims c = sample_claims();
  c.joined_at_ms = 5;
  c.wave = -2;
  c.position = UINT64_MAX;
  auto back = claims_from_json(claims_to_json(c));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, c);
}

TEST(Claims, EscapesWhatJsonMustAndReplacesInvalidUtf8) {
  Claims c = sample_claims();
  c.sub = std::string("a\"b\\c\n\x01\0", 8) + "\xc3\xa9";  // ends in a NUL, then é
  c.event = "e\xff";  // a stray byte: U+FFFD, so the payload stays valid JSON
  const std::string json = claims_to_json(c);
  EXPECT_EQ(json.substr(0, json.find(",\"kind\"")),
            "{\"sub\":\"a\\\"b\\\\c\\n\\u0001\\u0000\xc3\xa9\",\"event\":\"e\xef\xbf\xbd\"");
  auto back = claims_from_json(json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sub, c.sub);
  EXPECT_EQ(back->event, "e\xef\xbf\xbd");
}

TEST(Claims, IgnoresUnknownMembers) {
  auto c = claims_from_json(
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2,"extra":{"a":[1]}})");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->sub, "u");
  EXPECT_EQ(c->exp, 2);
  // Whatever their values, and members named like claims inside them are not claims.
  c = claims_from_json(
      R"({"big":18446744073709551615,"f":-1.5e300,"n":null,"t":true,"s":"","a":[[{}]],)"
      R"("nested":{"sub":5,"exp":"x","sub":6},"sub":"u\u00e9","event":"e","kind":"waiting",)"
      R"("exp":-3})");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->sub, "u\xc3\xa9");
  EXPECT_EQ(c->exp, -3);
  // Escaped keys are read as the keys they spell; whitespace around the document is fine.
  c = claims_from_json(
      " {\"s\\u0075b\":\"a\\\"b\",\"event\":\"e\",\"kind\":\"waiting\",\"exp\":7}\n");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->sub, "a\"b");
  EXPECT_EQ(c->exp, 7);
}

TEST(Claims, RefusesWrongTypesAndRanges) {
  const char* bad[] = {
      R"({"sub":1,"event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2})",
      R"({"sub":"","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2})",
      R"({"sub":"u","event":["e"],"kind":"waiting","iat":1,"nbf":1,"exp":2})",
      R"({"sub":"u","event":"e","kind":"other","iat":1,"nbf":1,"exp":2})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":"2"})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2.5})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":true,"exp":2})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":9223372036854775808})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2,"position":-1})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2,"position":"1"})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2,"wave":4294967296})",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2,"joined_at_ms":null})",
      R"({"sub":"u","sub":"v","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2})",
      R"([{"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2}])",
      R"("text")",
      R"({"sub":"u","event":"e","kind":"waiting","iat":1,"nbf":1,"exp":2)",
      R"({"sub":"u","event":"e","kind":"waiting","exp":{"at":2}})",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2,"wave":[1]})",
      R"({"sub":null,"event":"e","kind":"waiting","exp":2})",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2,"x":1,"x":2})",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2,"position":1.0})",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2} {})",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2,})",
      "",
      "{}",
      // A key spelled with an escape is the same key; strings must be valid UTF-8 and UTF-16.
      R"({"sub":"u","s\u0075b":"v","event":"e","kind":"waiting","exp":2})",
      "{\"sub\":\"u\xff\",\"event\":\"e\",\"kind\":\"waiting\",\"exp\":2}",
      R"({"sub":"u\ud800","event":"e","kind":"waiting","exp":2})",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2} x)",
      R"({"sub":"u","event":"e","kind":"waiting","exp":2 /* c */})",
  };
  for (const char* json : bad) EXPECT_FALSE(claims_from_json(json).has_value()) << json;
}

TEST(Claims, RequiresEveryRequiredMember) {
  for (const char* missing : {"sub", "event", "kind", "iat", "nbf", "exp"}) {
    nlohmann::json j = nlohmann::json::parse(claims_to_json(sample_claims()));
    j.erase(missing);
    EXPECT_FALSE(claims_from_json(j.dump()).has_value()) << missing;
  }
}

TEST(Claims, WaitingTokensNeedNoIssueTimes) {
  Claims c = sample_claims();
  c.kind = std::string(kKindWaiting);
  c.iat = 0;
  c.nbf = 0;
  auto back = claims_from_json(claims_to_json(c));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, c);
  // Still required for admission tokens: the same payload with that kind is refused.
  c.kind = std::string(kKindAdmission);
  EXPECT_FALSE(claims_from_json(claims_to_json(c)).has_value());
}

}  // namespace
}  // namespace boxoffice::tokens
