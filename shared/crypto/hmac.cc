// OpenSSL 3 deprecates the SHA256_* functions in favour of EVP, whose contexts allocate on every
// copy and reset (hmac.h); they are kept, and are what this file is built on.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "shared/crypto/hmac.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <utility>

namespace boxoffice::crypto {

Result<HmacSha256, std::string> HmacSha256::create(std::string_view key) {
  if (key.empty()) return unexpected(std::string("empty HMAC key"));
  // A key longer than a block is hashed first; a shorter one is padded with zeros.
  std::array<unsigned char, SHA256_CBLOCK> block{};
  if (key.size() > block.size()) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block.data());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  HmacSha256 hmac;
  for (auto [state, pad] :
       {std::pair{&hmac.inner_, uint8_t{0x36}}, {&hmac.outer_, uint8_t{0x5c}}}) {
    std::array<unsigned char, SHA256_CBLOCK> padded{};
    for (size_t i = 0; i < block.size(); ++i) padded[i] = block[i] ^ pad;
    SHA256_Init(state);
    SHA256_Update(state, padded.data(), padded.size());
    OPENSSL_cleanse(padded.data(), padded.size());
  }
  OPENSSL_cleanse(block.data(), block.size());
  return hmac;
}

HmacSha256::~HmacSha256() {
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
}

Sha256Mac HmacSha256::mac(std::initializer_list<std::string_view> parts) const {
  SHA256_CTX ctx = inner_;
  for (const std::string_view part : parts) SHA256_Update(&ctx, part.data(), part.size());
  Sha256Mac inner_digest{};
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = outer_;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  Sha256Mac out{};
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::optional<Sha256Mac> mac_from_hex(std::string_view hex) {
  Sha256Mac out{};
  if (!from_hex_into(hex, out)) return std::nullopt;
  return out;
}

bool macs_equal(const Sha256Mac& a, const Sha256Mac& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace boxoffice::crypto
