// Stripe-style webhook signatures. The provider sends
//   Boxoffice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// with one v1 per active secret while a secret is being rotated. The receiver accepts the
// request when any v1 matches any of its secrets and t is within the tolerance of its clock.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/crypto/hmac.h"
#include "shared/result.h"

namespace boxoffice::payments {

inline constexpr std::string_view kSignatureHeader = "Boxoffice-Signature";
inline constexpr int64_t kDefaultToleranceS = 300;
// Bounds on what a verifier reads, so a hostile header costs little.
inline constexpr size_t kMaxSignatureHeaderBytes = 2048;
inline constexpr size_t kMaxV1Signatures = 8;

enum class SignatureErrc : uint8_t {
  kMissingHeader,     // no header, or an empty one
  kMalformedHeader,   // not "k=v,k=v", no or a bad or a repeated t, a v1 that is not 64 hex
  kNoV1,              // well formed, but no v1 entry (e.g. only an unknown scheme)
  kBadSignature,      // no v1 matches any secret
  kOutsideTolerance,  // signature fine, but t is too far from now: a replay or a bad clock
};

// Stable codes for logs and HTTP error bodies: "missing_signature_header", ...
std::string_view to_string(SignatureErrc e);
// A sentence for humans.
std::string_view describe(SignatureErrc e);

class WebhookSigner {
 public:
  // The first secret is the current one; further ones are kept during a rotation.
  static Result<WebhookSigner, std::string> create(std::span<const std::string> secrets);
  static Result<WebhookSigner, std::string> create(std::string_view secret);

  // "t=<unix_s>,v1=<hex>[,v1=<hex>...]"
  std::string header(std::string_view body, int64_t unix_s) const;

 private:
  std::vector<crypto::HmacSha256> keys_;
};

class WebhookVerifier {
 public:
  // Accepts a signature by any of the secrets (old and new during a rotation). A negative
  // tolerance turns the timestamp check off (only for replaying recorded requests).
  static Result<WebhookVerifier, std::string> create(std::span<const std::string> secrets,
                                                     int64_t tolerance_s = kDefaultToleranceS);

  // The signed timestamp when header signs body and |now_s - t| <= tolerance. An empty header
  // is a missing one. Checks, in order: form, timestamp, signatures.
  Result<int64_t, SignatureErrc> verify(std::string_view header, std::string_view body,
                                        int64_t now_s) const;

 private:
  std::vector<crypto::HmacSha256> keys_;
  int64_t tolerance_s_ = kDefaultToleranceS;
};

}  // namespace boxoffice::payments
