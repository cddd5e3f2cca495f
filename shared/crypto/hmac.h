// HMAC-SHA256 with a key set up once, and the hex form MACs travel in. HS256 admission tokens,
// the payment webhook signatures and the checkout links all rest on it.
#pragma once

#include <openssl/sha.h>  // SHA256_CTX: OpenSSL's plain SHA-256 state

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "shared/hex.h"
#include "shared/result.h"

namespace boxoffice::crypto {

using Sha256Mac = std::array<uint8_t, 32>;

// HMAC-SHA256 (RFC 2104) with the key set up once: it keeps the SHA-256 states after the key's
// inner and outer padded blocks, so a MAC hashes only the message and then the inner digest,
// on two copies of those states on the stack. mac() is const and may run on any number of
// threads at once, with no lock and no allocation. OpenSSL's EVP_MAC did the same work at
// twice the cost: resetting a keyed context or copying a digest context allocates.
class HmacSha256 {
 public:
  // An empty key is refused: it would sign with a value anyone can guess.
  static Result<HmacSha256, std::string> create(std::string_view key);

  // The two states are as good as the key: copies keep them, and each is wiped when it dies.
  HmacSha256(const HmacSha256&) = default;
  HmacSha256(HmacSha256&&) = default;
  HmacSha256& operator=(const HmacSha256&) = default;
  HmacSha256& operator=(HmacSha256&&) = default;
  ~HmacSha256();

  // The MAC of the concatenation of parts.
  Sha256Mac mac(std::initializer_list<std::string_view> parts) const;

 private:
  HmacSha256() = default;
  SHA256_CTX inner_{};  // after (key ^ ipad)
  SHA256_CTX outer_{};  // after (key ^ opad)
};

// Exactly 64 hex digits (either case) -> the 32 bytes; nullopt otherwise.
std::optional<Sha256Mac> mac_from_hex(std::string_view hex);
// Compares in time independent of where the first difference is.
bool macs_equal(const Sha256Mac& a, const Sha256Mac& b);

}  // namespace boxoffice::crypto
