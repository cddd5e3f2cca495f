#include "shared/tokens/tests/test_keys.h"

#include <gtest/gtest.h>

#include "shared/tokens/base64url.h"

namespace boxoffice::tokens::testing {

Claims sample_claims() {
  Claims c;
  c.sub = "u1";
  c.event = "e1";
  c.kind = std::string(kKindAdmission);
  c.position = 42;
  c.iat = kNow;
  c.nbf = kNow;
  c.exp = kNow + 600;
  return c;
}

std::string assemble(std::string_view header_json, std::string_view payload_json,
                     std::string_view signature) {
  return base64url_encode(header_json) + "." + base64url_encode(payload_json) + "." +
         base64url_encode(signature);
}

std::string sign_raw(std::string_view header_json, std::string_view payload_json, const Key& key) {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(key.sign(input));
}

std::string header_for(const Key& key) {
  return std::string(R"({"alg":")") + std::string(key.alg()) + R"(","kid":")" + key.kid() + R"("})";
}

KeySet ed25519_keys() {
  KeySet keys;
  auto kid = keys.generate_ed25519();
  EXPECT_TRUE(kid.has_value());
  EXPECT_TRUE(keys.set_active(*kid));
  return keys;
}

KeySet hs256_keys() {
  KeySet keys;
  EXPECT_TRUE(keys.add_hs256("hs1", "0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(keys.set_active("hs1"));
  return keys;
}

}  // namespace boxoffice::tokens::testing
