// Why a token was refused. The string codes are stable: they appear in HTTP error bodies
// ("reason"), in metrics and in logs, so never rename one.
#pragma once

#include <string_view>

namespace boxoffice::tokens {

enum class Errc {
  kMalformed,      // not three base64url segments, or over the size cap
  kBadHeader,      // the header is not a JSON object we accept (typ, kid, crit)
  kAlgNotAllowed,  // alg is not EdDSA/HS256, or does not match the kid's key type
  kUnknownKid,     // no key with that kid (never issued, or rotated out)
  kBadSignature,   // the signature does not verify
  kBadClaims,      // signed, but the payload is not the claims we issue
  kExpired,        // now >= exp (+ leeway)
  kNotYetValid,    // now < nbf (- leeway)
  kWrongEvent,     // issued for another event
  kWrongKind,      // a waiting token where an admission token is needed, or back
  kVerifyBusy,     // the budget for signature checks of unknown tokens is spent; retry
};

std::string_view to_string(Errc errc);

}  // namespace boxoffice::tokens
