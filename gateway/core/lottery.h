// The pre-queue lottery: a commit-reveal draw that anyone can recompute. The order of the
// pre-queue is a keyed function of (seed, identity); the seed's sha256 is published when the
// queue opens and the seed itself at on-sale (gateway/core/README.md spells out the function).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/errc.h"
#include "shared/hex.h"
#include "shared/result.h"

namespace boxoffice::gateway {

inline constexpr int kLotteryKeyBits = 52;  // keys stay exact in Redis scores (doubles)
inline constexpr size_t kMinSeedBytes = 16;
inline constexpr size_t kMaxSeedBytes = 64;

// A seed's bytes from its hex form: kMinSeedBytes to kMaxSeedBytes bytes.
Result<std::string, Error> seed_bytes_from_hex(std::string_view hex);

// Lowercase hex sha256 of the seed bytes: the public commitment.
std::string seed_commitment(std::string_view seed_bytes);
// The first 52 bits (big-endian) of HMAC-SHA256(key = seed bytes, message = identity bytes).
uint64_t lottery_key(std::string_view seed_bytes, std::string_view identity);
// The identities without duplicates, sorted by (lottery_key, identity bytes): the draw.
std::vector<std::string> lottery_order(std::string_view seed_bytes,
                                       std::vector<std::string> identities);

}  // namespace boxoffice::gateway
