#include "shared/tokens/key_set.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "shared/tokens/base64url.h"
#include "shared/tokens/tests/test_keys.h"
#include "shared/tokens/verify.h"

namespace boxoffice::tokens {
namespace {

using testing::kNow;
using testing::sample_claims;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "tokens_" + std::to_string(::getpid()) + "_" + name;
}

TEST(KeySet, DerivesTheKidFromThePublicKey) {
  KeySet keys;
  auto kid = keys.generate_ed25519();
  ASSERT_TRUE(kid.has_value());
  EXPECT_EQ(kid->size(), 12U);  // 9 bytes of SHA-256, base64url
  EXPECT_FALSE(keys.add_ed25519_public(keys.find(*kid)->public_key()).has_value());  // same kid
  KeySet other;
  auto same = other.add_ed25519_public(keys.find(*kid)->public_key());
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(*same, *kid);
  auto named = keys.generate_ed25519("2025-10");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(*named, "2025-10");
}

TEST(KeySet, SignsOnlyWithAnActiveSigningKey) {
  KeySet keys;
  auto kid = keys.generate_ed25519();
  ASSERT_TRUE(kid.has_value());
  EXPECT_EQ(keys.sign(sample_claims()), "");  // nothing active yet
  EXPECT_FALSE(keys.set_active("nope"));
  ASSERT_TRUE(keys.set_active(*kid));
  EXPECT_NE(keys.sign(sample_claims()), "");

  KeySet verify_only;
  auto pub = verify_only.add_ed25519_public(keys.find(*kid)->public_key());
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(verify_only.set_active(*pub));
  EXPECT_FALSE(verify_only.find(*pub)->can_sign());
  EXPECT_EQ(verify_only.sign(sample_claims()), "");
}

TEST(KeySet, Hs256NeedsAKidASecretAndAFreshKid) {
  KeySet keys;
  EXPECT_FALSE(keys.add_hs256("", "secret"));
  EXPECT_FALSE(keys.add_hs256("hs1", ""));
  EXPECT_TRUE(keys.add_hs256("hs1", "secret"));
  EXPECT_FALSE(keys.add_hs256("hs1", "another"));
}

TEST(KeySet, CopiesSignAndVerifyIndependently) {
  KeySet ed = testing::ed25519_keys();
  ASSERT_TRUE(ed.add_hs256("hs1", "0123456789abcdef0123456789abcdef"));
  KeySet copy = ed;
  ASSERT_TRUE(copy.set_active("hs1"));
  const std::string hs_token = copy.sign(sample_claims());
  const std::string ed_token = ed.sign(sample_claims());
  ed = KeySet();  // the copy does not depend on the original
  EXPECT_TRUE(verify(hs_token, copy, kNow, {}).has_value());
  EXPECT_TRUE(verify(ed_token, copy, kNow, {}).has_value());
}

TEST(KeySet, DerivesHs256KeysFromTheSigningKeys) {
  const KeySet ed = testing::ed25519_keys();
  auto waiting = ed.derive_hs256("wait");
  ASSERT_TRUE(waiting.has_value()) << waiting.error();
  ASSERT_EQ(waiting->size(), 1U);
  EXPECT_EQ(waiting->active_kid(), "wait-" + ed.active_kid());
  EXPECT_EQ(waiting->find(waiting->active_kid())->type(), KeyType::kHs256);
  EXPECT_EQ(waiting->to_jwks(), R"({"keys":[]})");  // never published

  // Whoever holds the same private key derives the same secret; another purpose does not.
  KeySet same;
  auto pem = ed.ed25519_private_pem(ed.active_kid());
  ASSERT_TRUE(pem.has_value());
  ASSERT_TRUE(same.add_ed25519_pem(*pem).has_value());
  ASSERT_TRUE(same.set_active(ed.active_kid()));
  const std::string token = waiting->sign(sample_claims());
  auto again = same.derive_hs256("wait");
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(verify(token, *again, kNow, {}).has_value());
  auto other_purpose = same.derive_hs256("other");
  ASSERT_TRUE(other_purpose.has_value());
  EXPECT_EQ(other_purpose->find("other-" + ed.active_kid())->derive_secret("x").size(), 32U);
  EXPECT_NE(ed.find(ed.active_kid())->derive_secret("wait"),
            ed.find(ed.active_kid())->derive_secret("other"));

  // Derived tokens and the signing keys' tokens do not verify with each other's set.
  EXPECT_EQ(verify(token, ed, kNow, {}).error(), Errc::kUnknownKid);
  EXPECT_EQ(verify(ed.sign(sample_claims()), *waiting, kNow, {}).error(), Errc::kUnknownKid);

  // An HS256 secret derives too, to something other than itself.
  const KeySet hs = testing::hs256_keys();
  auto from_hs = hs.derive_hs256("wait");
  ASSERT_TRUE(from_hs.has_value());
  EXPECT_EQ(from_hs->active_kid(), "wait-hs1");
  EXPECT_EQ(verify(from_hs->sign(sample_claims()), hs, kNow, {}).error(), Errc::kUnknownKid);

  // Nothing to derive from: verify-only keys, an empty set, no purpose.
  KeySet verify_only;
  ASSERT_TRUE(verify_only.add_ed25519_public(ed.find(ed.active_kid())->public_key()).has_value());
  EXPECT_FALSE(verify_only.derive_hs256("wait").has_value());
  EXPECT_FALSE(KeySet().derive_hs256("wait").has_value());
  EXPECT_FALSE(ed.derive_hs256("").has_value());
}

TEST(KeySet, JwksExportImportVerify) {
  KeySet keys = testing::ed25519_keys();
  ASSERT_TRUE(keys.add_hs256("hs1", "0123456789abcdef0123456789abcdef"));
  const std::string jwks = keys.to_jwks();
  const auto doc = nlohmann::json::parse(jwks);
  ASSERT_EQ(doc["keys"].size(), 1U);  // the HS256 secret is never published
  const auto& jwk = doc["keys"][0];
  EXPECT_EQ(jwk["kty"], "OKP");
  EXPECT_EQ(jwk["crv"], "Ed25519");
  EXPECT_EQ(jwk["alg"], "EdDSA");
  EXPECT_EQ(jwk["use"], "sig");
  EXPECT_EQ(jwk["kid"], keys.active_kid());
  EXPECT_EQ(jwks.find("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(jwks.find(R"("d":)"), std::string::npos);  // no private part

  auto imported = KeySet::from_jwks(jwks);
  ASSERT_TRUE(imported.has_value()) << imported.error();
  EXPECT_EQ(imported->size(), 1U);
  EXPECT_EQ(imported->active_kid(), "");
  EXPECT_EQ(imported->sign(sample_claims()), "");
  auto claims = verify(keys.sign(sample_claims()), *imported, kNow, {});
  ASSERT_TRUE(claims.has_value()) << to_string(claims.error());
  EXPECT_EQ(claims->kid, keys.active_kid());
  EXPECT_EQ(imported->to_jwks(), jwks);
}

TEST(KeySet, FromJwksSkipsForeignKeysAndExplainsBadOnes) {
  const KeySet keys = testing::ed25519_keys();
  const std::string x = base64url_encode(keys.find(keys.active_kid())->public_key());
  const std::string good = R"({"kty":"OKP","crv":"Ed25519","kid":"k1","x":")" + x + R"("})";
  const std::string mixed = R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r"},)"
                            R"({"kty":"OKP","crv":"X25519","x":"AAAA","kid":"x"},)"
                            R"({"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"e","use":"enc"},)" +
                            good + "]}";
  auto set = KeySet::from_jwks(mixed);
  ASSERT_TRUE(set.has_value()) << set.error();
  EXPECT_EQ(set->kids(), std::vector<std::string>{"k1"});

  const std::pair<std::string, std::string> bad[] = {
      {"[]", "not a JSON object"},
      {"{", "not a JSON object"},
      {R"({"keys":{}})", "\"keys\" must be an array"},
      {R"({"keys":[]})", "no Ed25519"},
      {R"({"keys":[{"kty":"RSA"}]})", "no Ed25519"},
      {R"({"keys":[1]})", "keys[0] is not an object"},
      {R"({"keys":[{"crv":"Ed25519"}]})", "keys[0]: \"kty\""},
      {R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")" + x + R"("}]})", "\"kid\""},
      {R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"AAAA"}]})", "\"x\" must be 32"},
      {R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":")" + x + R"(="}]})",
       "\"x\" must be 32"},
      {R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","alg":7,"x":")" + x + R"("}]})",
       "must be strings"},
      {R"({"keys":[)" + good + "," + good + "]}", "keys[1]: duplicate kid k1"},
  };
  for (const auto& [doc, message] : bad) {
    auto r = KeySet::from_jwks(doc);
    ASSERT_FALSE(r.has_value()) << doc;
    EXPECT_NE(r.error().find(message), std::string::npos) << doc << " -> " << r.error();
  }
}

TEST(KeySet, RotationKeepsOldKidsUntilRemoved) {
  KeySet keys = testing::ed25519_keys();
  const std::string old_kid = keys.active_kid();
  const std::string old_token = keys.sign(sample_claims());
  auto new_kid = keys.generate_ed25519();
  ASSERT_TRUE(new_kid.has_value());
  ASSERT_TRUE(keys.set_active(*new_kid));
  const std::string new_token = keys.sign(sample_claims());

  auto fresh = verify(new_token, keys, kNow, {});
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->kid, *new_kid);
  auto old = verify(old_token, keys, kNow, {});
  ASSERT_TRUE(old.has_value());  // still kept
  EXPECT_EQ(old->kid, old_kid);
  EXPECT_EQ(nlohmann::json::parse(keys.to_jwks())["keys"].size(), 2U);

  ASSERT_TRUE(keys.remove(old_kid));
  EXPECT_FALSE(keys.remove(old_kid));
  EXPECT_EQ(verify(old_token, keys, kNow, {}).error(), Errc::kUnknownKid);
  EXPECT_TRUE(verify(new_token, keys, kNow, {}).has_value());

  ASSERT_TRUE(keys.remove(*new_kid));  // the active one: nothing signs any more
  EXPECT_EQ(keys.active_kid(), "");
  EXPECT_EQ(keys.sign(sample_claims()), "");
}

TEST(KeySet, PemRoundTripThroughStringAndFile) {
  KeySet keys = testing::ed25519_keys();
  const std::string& kid = keys.active_kid();
  auto pem = keys.ed25519_private_pem(kid);
  ASSERT_TRUE(pem.has_value()) << pem.error();
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----", 0), 0U);

  KeySet from_string;
  auto kid2 = from_string.add_ed25519_pem(*pem);
  ASSERT_TRUE(kid2.has_value()) << kid2.error();
  EXPECT_EQ(*kid2, kid);  // same key, same derived kid

  const std::string path = temp_path("roundtrip.pem");
  ::unlink(path.c_str());
  auto saved = keys.save_ed25519_pem_file(kid, path);
  ASSERT_TRUE(saved.has_value()) << saved.error();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  auto again = keys.save_ed25519_pem_file(kid, path);
  ASSERT_FALSE(again.has_value());  // never overwrites a key
  EXPECT_NE(again.error().find(path), std::string::npos);

  KeySet loaded;
  auto kid3 = loaded.load_ed25519_pem_file(path);
  ASSERT_TRUE(kid3.has_value()) << kid3.error();
  ASSERT_TRUE(loaded.set_active(*kid3));
  EXPECT_TRUE(verify(loaded.sign(sample_claims()), keys, kNow, {}).has_value());
  ::unlink(path.c_str());
}

TEST(KeySet, BadPemIsAClearError) {
  KeySet keys;
  auto garbage = keys.add_ed25519_pem("not a key");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_NE(garbage.error().find("PEM private key"), std::string::npos);

  auto truncated = keys.add_ed25519_pem(
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2Vw\n"
      "-----END PRIVATE KEY-----\n");
  EXPECT_FALSE(truncated.has_value());

  // A valid PEM key of another type (an X25519 key, RFC 8410 example).
  auto x25519 = keys.add_ed25519_pem(
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VuBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
      "-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(x25519.has_value());
  EXPECT_NE(x25519.error().find("not an Ed25519 key"), std::string::npos);

  auto missing = keys.load_ed25519_pem_file(temp_path("does-not-exist.pem"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("cannot open"), std::string::npos);

  KeySet hs = testing::hs256_keys();
  EXPECT_FALSE(hs.ed25519_private_pem("hs1").has_value());  // secrets have no PEM form
  EXPECT_FALSE(hs.ed25519_private_pem("nope").has_value());
  EXPECT_EQ(keys.size(), 0U);
}

}  // namespace
}  // namespace boxoffice::tokens
