// Pure verification of a compact JWS token: bytes, keys and now in, claims or a reason out. No
// clock, no I/O, no exceptions, no shared state: safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.h"
#include "shared/tokens/claims.h"
#include "shared/tokens/errc.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::tokens {

// Our tokens are about 300 bytes; the cap bounds the work an attacker can ask for.
inline constexpr size_t kMaxTokenBytes = 4096;

struct VerifyOptions {
  std::string_view expected_event;  // empty: any event
  std::string_view expected_kind;   // empty: any kind
  int64_t leeway_s = 0;             // tolerated clock skew for exp and nbf
};

// In order: size and shape (malformed), header (bad_header, alg_not_allowed, unknown_kid), the
// signature (bad_signature), then the claims (bad_claims, expired, not_yet_valid, wrong_event,
// wrong_kind). Nothing in the payload is read before the signature has been checked. The
// answer's kid is the header's.
Result<Claims, Errc> verify(std::string_view token, const KeySet& keys, int64_t now_s,
                            const VerifyOptions& options);

// The steps verify() is made of, for callers that cache (CachingVerifier).

// A token split and its header checked, without any signature work: cheap.
struct UnverifiedToken {
  std::string_view signing_input;  // header.payload, as signed
  std::string payload;             // decoded, not yet trusted
  std::string signature;           // decoded
  const Key* key = nullptr;        // the key the header names, of the type its alg names
};
Result<UnverifiedToken, Errc> parse_unverified(std::string_view token, const KeySet& keys);

// The expensive step: the signature, then the payload parsed into claims (time not checked).
Result<Claims, Errc> verify_signature(const UnverifiedToken& token);

// The cheap checks that depend on now and on the request: exp, nbf, event, kind.
std::optional<Errc> check_claims(const Claims& claims, int64_t now_s, const VerifyOptions& options);

}  // namespace boxoffice::tokens
