#include "shared/tokens/verify.h"

#include <nlohmann/json.hpp>

#include "shared/tokens/base64url.h"
#include "shared/tokens/strict_json.h"

namespace boxoffice::tokens {
namespace {

// The slow path for a header that is not byte-for-byte one of ours: decode, parse and check it.
Result<const Key*, Errc> check_header(std::string_view header_b64, const KeySet& keys) {
  auto header_json = base64url_decode(header_b64);
  if (!header_json || header_json->empty()) return unexpected(Errc::kMalformed);

  auto header = detail::parse_object(*header_json);
  if (!header) return unexpected(Errc::kBadHeader);
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return unexpected(Errc::kBadHeader);
  const auto& alg_name = alg->get_ref<const std::string&>();
  // Only the two algorithms we issue: "none" and everything else are refused by name.
  if (alg_name != kAlgEdDsa && alg_name != kAlgHs256) return unexpected(Errc::kAlgNotAllowed);
  auto typ = header->find("typ");
  if (typ != header->end() && (!typ->is_string() || *typ != "JWT")) {
    return unexpected(Errc::kBadHeader);
  }
  // We understand no extensions, so a critical one must be refused (RFC 7515 4.1.11).
  if (header->contains("crit")) return unexpected(Errc::kBadHeader);
  auto kid = header->find("kid");
  if (kid == header->end() || !kid->is_string()) return unexpected(Errc::kBadHeader);

  const Key* key = keys.find(kid->get_ref<const std::string&>());
  if (key == nullptr) return unexpected(Errc::kUnknownKid);
  // The key decides the algorithm, never the token: an HS256 token "signed" with an Ed25519
  // public key as the HMAC secret must not verify.
  if (key->alg() != alg_name) return unexpected(Errc::kAlgNotAllowed);
  return key;
}

}  // namespace

Result<UnverifiedToken, Errc> parse_unverified(std::string_view token, const KeySet& keys) {
  if (token.empty() || token.size() > kMaxTokenBytes) return unexpected(Errc::kMalformed);
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return unexpected(Errc::kMalformed);
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return unexpected(Errc::kMalformed);
  if (token.find('.', dot2 + 1) != std::string_view::npos) return unexpected(Errc::kMalformed);

  auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!payload || !signature || payload->empty()) return unexpected(Errc::kMalformed);

  // Fast path: the exact header our signer writes for one of the keys passes every header check
  // by construction, so it needs no decoding or parsing.
  const std::string_view header_b64 = token.substr(0, dot1);
  const Key* key = keys.find_by_header(header_b64);
  if (key == nullptr) {
    auto checked = check_header(header_b64, keys);
    if (!checked) return unexpected(checked.error());
    key = *checked;
  }

  UnverifiedToken out;
  out.signing_input = token.substr(0, dot2);
  out.payload = std::move(*payload);
  out.signature = std::move(*signature);
  out.key = key;
  return out;
}

Result<Claims, Errc> verify_signature(const UnverifiedToken& token) {
  if (token.key == nullptr || !token.key->verify(token.signing_input, token.signature)) {
    return unexpected(Errc::kBadSignature);
  }
  auto claims = claims_from_json(token.payload);
  if (!claims) return unexpected(Errc::kBadClaims);
  claims->kid = token.key->kid();
  return std::move(*claims);
}

std::optional<Errc> check_claims(const Claims& claims, int64_t now_s,
                                 const VerifyOptions& options) {
  // Differences in unsigned arithmetic: exp and nbf come from the token (after the signature
  // check, but from any key holder) and must not overflow whatever their value.
  const auto leeway = static_cast<uint64_t>(options.leeway_s < 0 ? 0 : options.leeway_s);
  const auto distance = [](int64_t later, int64_t earlier) {
    return static_cast<uint64_t>(later) - static_cast<uint64_t>(earlier);
  };
  if (now_s >= claims.exp && distance(now_s, claims.exp) >= leeway) return Errc::kExpired;
  if (claims.nbf > now_s && distance(claims.nbf, now_s) > leeway) return Errc::kNotYetValid;
  if (!options.expected_event.empty() && claims.event != options.expected_event) {
    return Errc::kWrongEvent;
  }
  if (!options.expected_kind.empty() && claims.kind != options.expected_kind) {
    return Errc::kWrongKind;
  }
  return std::nullopt;
}

Result<Claims, Errc> verify(std::string_view token, const KeySet& keys, int64_t now_s,
                            const VerifyOptions& options) {
  auto unverified = parse_unverified(token, keys);
  if (!unverified) return unexpected(unverified.error());
  auto claims = verify_signature(*unverified);
  if (!claims) return unexpected(claims.error());
  if (auto error = check_claims(*claims, now_s, options)) return unexpected(*error);
  return claims;
}

}  // namespace boxoffice::tokens
