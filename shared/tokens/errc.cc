#include "shared/tokens/errc.h"

namespace boxoffice::tokens {

std::string_view to_string(Errc errc) {
  switch (errc) {
    case Errc::kMalformed:
      return "malformed";
    case Errc::kBadHeader:
      return "bad_header";
    case Errc::kAlgNotAllowed:
      return "alg_not_allowed";
    case Errc::kUnknownKid:
      return "unknown_kid";
    case Errc::kBadSignature:
      return "bad_signature";
    case Errc::kBadClaims:
      return "bad_claims";
    case Errc::kExpired:
      return "expired";
    case Errc::kNotYetValid:
      return "not_yet_valid";
    case Errc::kWrongEvent:
      return "wrong_event";
    case Errc::kWrongKind:
      return "wrong_kind";
    case Errc::kVerifyBusy:
      return "verify_busy";
  }
  return "unknown";
}

}  // namespace boxoffice::tokens
