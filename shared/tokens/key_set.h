// Signing and verification keys by kid: Ed25519 (published as a JWKS) and HS256 secrets (never
// published). A KeySet is built once and then only read: sign(), find() and to_jwks() are const
// and safe to call from many threads at once. Rotation builds a new set (add the new key, make it
// active, keep the old kid until its tokens have expired, then remove it) and swaps it in.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/crypto/hmac.h"
#include "shared/result.h"
#include "shared/tokens/claims.h"

namespace boxoffice::tokens {

enum class KeyType { kEd25519, kHs256 };

inline constexpr std::string_view kAlgEdDsa = "EdDSA";
inline constexpr std::string_view kAlgHs256 = "HS256";
// The purpose a gate derives its waiting-token keys under (KeySet::derive_hs256).
inline constexpr std::string_view kWaitingKeyPurpose = "wait";

struct PkeyFree {
  void operator()(EVP_PKEY* pkey) const;
};

// One key. Immutable once built; copies share the EVP_PKEY (reference counted) and duplicate the
// keyed HMAC.
class Key {
 public:
  static Result<Key, std::string> ed25519(std::string kid, EVP_PKEY* pkey_owned);
  static Result<Key, std::string> hs256(std::string kid, std::string_view secret);

  Key(const Key& other);
  Key& operator=(const Key& other);
  Key(Key&&) noexcept = default;
  Key& operator=(Key&&) noexcept = default;
  ~Key() = default;

  KeyType type() const { return type_; }
  std::string_view alg() const { return type_ == KeyType::kEd25519 ? kAlgEdDsa : kAlgHs256; }
  const std::string& kid() const { return kid_; }
  bool can_sign() const { return can_sign_; }
  // Ed25519: the 32 raw public key bytes (the JWK "x").
  const std::string& public_key() const { return public_key_; }
  // base64url of {"alg":...,"kid":...}: the same for every token this key signs.
  const std::string& header_b64() const { return header_b64_; }
  EVP_PKEY* pkey() const { return pkey_.get(); }

  // The raw signature over input; empty when the key cannot sign or OpenSSL fails.
  std::string sign(std::string_view input) const;
  // Constant-time for HS256; false for any failure.
  bool verify(std::string_view input, std::string_view signature) const;
  // 32 secret bytes for `purpose`: HMAC-SHA256 keyed with this key's private part (the Ed25519
  // private key or the HS256 secret) over a label naming the purpose. Empty when the key cannot
  // sign or OpenSSL fails.
  std::string derive_secret(std::string_view purpose) const;

 private:
  Key() = default;

  KeyType type_ = KeyType::kEd25519;
  std::string kid_;
  bool can_sign_ = false;
  std::string public_key_;
  std::string header_b64_;
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey_;
  std::optional<crypto::HmacSha256> hmac_;  // HS256: keyed once with the secret
};

class KeySet {
 public:
  // Each adder answers the kid. An empty kid means "derive it": base64url of the first 9 bytes
  // of SHA-256 over the raw public key. Adding a kid that is already present is an error: a
  // rotation never replaces a key silently.
  Result<std::string, std::string> generate_ed25519(std::string kid = {});
  Result<std::string, std::string> add_ed25519_pem(std::string_view pem, std::string kid = {});
  Result<std::string, std::string> load_ed25519_pem_file(const std::string& path,
                                                         std::string kid = {});
  // A verify-only key from its 32 raw public bytes.
  Result<std::string, std::string> add_ed25519_public(std::string_view raw_public_key,
                                                      std::string kid = {});
  // False for an empty kid or secret, or a kid already present. Use 32 or more random bytes.
  bool add_hs256(std::string kid, std::string_view secret);

  // PKCS#8 PEM of an Ed25519 private key in the set.
  Result<std::string, std::string> ed25519_private_pem(std::string_view kid) const;
  // Writes it with mode 0600; refuses to overwrite an existing file.
  Result<std::monostate, std::string> save_ed25519_pem_file(std::string_view kid,
                                                            const std::string& path) const;

  // False for an unknown kid or a verify-only key (the active key is unchanged then).
  bool set_active(std::string_view kid);
  // Tokens signed with a removed kid stop verifying (unknown_kid). Removing the active key
  // leaves no signing key until set_active.
  bool remove(std::string_view kid);

  const std::string& active_kid() const { return active_kid_; }
  const Key* find(std::string_view kid) const;
  // The key whose own header (Key::header_b64) is exactly this base64url text: lets a verifier
  // skip decoding and parsing the header of every token we issued.
  const Key* find_by_header(std::string_view header_b64) const;
  size_t size() const { return keys_.size(); }
  std::vector<std::string> kids() const;

  // A compact JWS (header.payload.signature) with the active key; empty when there is none.
  std::string sign(const Claims& claims) const;

  // HS256 keys for tokens a service issues only to itself (the gate's waiting tokens): one per
  // signing key here, its secret derived for `purpose` (Key::derive_secret), its kid
  // "<purpose>-<kid>", the active one following this set's. HMAC costs a fraction of a
  // microsecond where Ed25519 costs tens, and every holder of the same signing keys derives the
  // same set, so gates that share a key file agree without a secret of their own. An error when
  // no key here can sign.
  Result<KeySet, std::string> derive_hs256(std::string_view purpose) const;

  // {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig"},...]}
  // for every Ed25519 key. HS256 secrets are never published.
  std::string to_jwks() const;
  // A verify-only set. Keys of other types (kty, crv, alg or use that is not ours) are skipped,
  // as JWKS consumers do; a malformed Ed25519 key, a duplicate kid, or a document without any
  // usable key is an error that says what is wrong.
  static Result<KeySet, std::string> from_jwks(std::string_view json);

 private:
  Result<std::string, std::string> add_ed25519(EVP_PKEY* pkey_owned, std::string kid);

  std::map<std::string, Key, std::less<>> keys_;
  std::string active_kid_;
};

}  // namespace boxoffice::tokens
