#include "shared/crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace boxoffice::crypto {
namespace {

struct FreeMac {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};

}  // namespace

void HmacSha256::FreeCtx::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

Result<HmacSha256, std::string> HmacSha256::create(std::string_view key) {
  if (key.empty()) return unexpected(std::string("empty HMAC key"));
  const std::unique_ptr<EVP_MAC, FreeMac> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return unexpected(std::string("OpenSSL has no HMAC"));
  Ctx ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return unexpected(std::string("EVP_MAC_CTX_new failed"));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    return unexpected(std::string("EVP_MAC_init failed"));
  }
  return HmacSha256(std::move(ctx));
}

HmacSha256::HmacSha256(Ctx keyed) : keyed_(std::move(keyed)), pool_(std::make_unique<Pool>()) {}

HmacSha256::HmacSha256(const HmacSha256& other)
    : HmacSha256(Ctx(EVP_MAC_CTX_dup(other.keyed_.get()))) {
  if (!keyed_) throw std::bad_alloc();
}

HmacSha256& HmacSha256::operator=(const HmacSha256& other) {
  if (this != &other) *this = HmacSha256(other);
  return *this;
}

HmacSha256::Ctx HmacSha256::borrow() const {
  {
    const std::lock_guard lock(pool_->mutex);
    if (!pool_->idle.empty()) {
      Ctx ctx = std::move(pool_->idle.back());
      pool_->idle.pop_back();
      return ctx;
    }
  }
  Ctx ctx(EVP_MAC_CTX_dup(keyed_.get()));
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

void HmacSha256::give_back(Ctx ctx) const {
  // Without a key, init starts a new MAC under the key the context holds.
  if (EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) != 1) return;  // dropped: the next call dups
  const std::lock_guard lock(pool_->mutex);
  pool_->idle.push_back(std::move(ctx));
}

Sha256Mac HmacSha256::mac(std::initializer_list<std::string_view> parts) const {
  // Failures here mean memory exhaustion or a broken OpenSSL, not bad input. A context that
  // failed half way is dropped, not given back.
  Ctx ctx = borrow();
  for (const std::string_view part : parts) {
    if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()),
                       part.size()) != 1) {
      throw std::runtime_error("EVP_MAC_update failed");
    }
  }
  Sha256Mac out{};
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    throw std::runtime_error("EVP_MAC_final failed");
  }
  give_back(std::move(ctx));
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
