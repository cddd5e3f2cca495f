// Fuzz target for everything that reads untrusted token bytes: verify(), the caching verifier,
// from_jwks(), base64url and the claims parser. No crash, no UB, and the properties callers rely
// on hold: the cache answers what the pure verifier answers, accepted tokens name a known key,
// and accepted inputs survive a round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "shared/tokens/base64url.h"
#include "shared/tokens/caching_verifier.h"
#include "shared/tokens/claims.h"
#include "shared/tokens/key_set.h"
#include "shared/tokens/verify.h"

namespace {

namespace tokens = boxoffice::tokens;

constexpr int64_t kNow = 1'760'000'000;

// RFC 8410 section 10.3's Ed25519 example key: the corpus holds tokens it signed.
constexpr std::string_view kEd25519Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kHs256Secret = "fuzz-secret-0123456789abcdef0123";

const tokens::KeySet& fixed_keys() {
  static const tokens::KeySet keys = [] {
    tokens::KeySet k;
    if (!k.add_ed25519_pem(kEd25519Pem, "fz-ed").has_value()) std::abort();
    if (!k.add_hs256("fz-hs", kHs256Secret)) std::abort();
    return k;
  }();
  return keys;
}

bool same(const boxoffice::Result<tokens::Claims, tokens::Errc>& a,
          const boxoffice::Result<tokens::Claims, tokens::Errc>& b) {
  if (a.has_value() != b.has_value()) return false;
  return a.has_value() ? *a == *b : a.error() == b.error();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const tokens::KeySet& keys = fixed_keys();

  tokens::VerifyOptions options;
  options.leeway_s = 5;
  const auto pure = tokens::verify(in, keys, kNow, options);
  if (pure) {
    if (keys.find(pure->kid) == nullptr || pure->sub.empty() || pure->event.empty()) std::abort();
    if (pure->kind != tokens::kKindAdmission && pure->kind != tokens::kKindWaiting) std::abort();
    if (in.size() > tokens::kMaxTokenBytes) std::abort();
  }

  // A fresh verifier per input keeps runs reproducible; no budget limit, so its answers must
  // match the pure verifier's, on the miss and on the hit.
  tokens::CachingVerifierOptions cache_options;
  cache_options.cache_capacity = 4;
  cache_options.failed_cache_capacity = 4;
  cache_options.max_uncached_verifies_per_s = 0;
  tokens::CachingVerifier verifier(keys, cache_options);
  for (int pass = 0; pass < 2; ++pass) {
    if (!same(verifier.verify(in, kNow * 1000, options), pure)) std::abort();
  }
  // With a spent budget, nothing that needs a signature check gets through.
  cache_options.max_uncached_verifies_per_s = 1;
  cache_options.uncached_verify_burst = 1;
  tokens::CachingVerifier busy(keys, cache_options);
  (void)busy.verify("x", 0, options);
  const auto first = busy.verify(in, 0, options);
  const auto second = busy.verify(in, 0, options);
  if (second && !first) std::abort();
  if (busy.stats().signature_checks > 1) std::abort();

  auto jwks = tokens::KeySet::from_jwks(in);
  if (jwks) {
    if (jwks->size() == 0 || !jwks->active_kid().empty()) std::abort();
    const std::string again = jwks->to_jwks();
    auto reparsed = tokens::KeySet::from_jwks(again);
    if (!reparsed || reparsed->to_jwks() != again) std::abort();
  }

  if (auto bytes = tokens::base64url_decode(in)) {
    if (tokens::base64url_encode(*bytes) != in) std::abort();  // canonical only
  }
  if (auto claims = tokens::claims_from_json(in)) {
    auto back = tokens::claims_from_json(tokens::claims_to_json(*claims));
    if (!back || !(*back == *claims)) std::abort();
  }
  return 0;
}
