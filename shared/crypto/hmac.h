// HMAC-SHA256 with a key set up once, and the hex form MACs travel in. HS256 admission tokens,
// the payment webhook signatures and the checkout links all rest on it.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/hex.h"
#include "shared/result.h"

namespace boxoffice::crypto {

using Sha256Mac = std::array<uint8_t, 32>;

// The keyed EVP_MAC_CTX is built once, so no MAC fetches the algorithm and expands the key again
// (most of the cost of a one-shot HMAC()). mac() is const and may run on several threads at
// once: each call borrows a context from a pool (a duplicate of the keyed one, made when no
// idle one is left, so there are at most as many as calls at once), resets it to the key and
// gives it back, which costs half of duplicating the keyed context for every MAC. A copy
// duplicates the keyed context and starts an empty pool.
class HmacSha256 {
 public:
  // An empty key is refused: it would sign with a value anyone can guess.
  static Result<HmacSha256, std::string> create(std::string_view key);

  HmacSha256(const HmacSha256& other);
  HmacSha256& operator=(const HmacSha256& other);
  HmacSha256(HmacSha256&&) noexcept = default;
  HmacSha256& operator=(HmacSha256&&) noexcept = default;
  ~HmacSha256() = default;

  // The MAC of the concatenation of parts. Throws only when memory runs out (std::bad_alloc)
  // or OpenSSL is broken (std::runtime_error), never for any input.
  Sha256Mac mac(std::initializer_list<std::string_view> parts) const;

 private:
  struct FreeCtx {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  using Ctx = std::unique_ptr<EVP_MAC_CTX, FreeCtx>;
  struct Pool {
    std::mutex mutex;
    std::vector<Ctx> idle;  // each reset to the key
  };
  explicit HmacSha256(Ctx keyed);
  Ctx borrow() const;
  void give_back(Ctx ctx) const;

  Ctx keyed_;
  std::unique_ptr<Pool> pool_;  // behind a pointer, so an HmacSha256 moves
};

// Exactly 64 hex digits (either case) -> the 32 bytes; nullopt otherwise.
std::optional<Sha256Mac> mac_from_hex(std::string_view hex);
// Compares in time independent of where the first difference is.
bool macs_equal(const Sha256Mac& a, const Sha256Mac& b);

}  // namespace boxoffice::crypto
