#include "gateway/core/lottery.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <utility>

namespace boxoffice::gateway {

Result<std::string, Error> seed_bytes_from_hex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes) return unexpected(Error{Errc::kBadArgument, "seed: not a hex string"});
  if (bytes->size() < kMinSeedBytes || bytes->size() > kMaxSeedBytes) {
    return unexpected(Error{Errc::kBadArgument, "seed: must be 16 to 64 bytes"});
  }
  return std::move(*bytes);
}

std::string seed_commitment(std::string_view seed_bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(seed_bytes.data()), seed_bytes.size(),
         digest.data());
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

uint64_t lottery_key(std::string_view seed_bytes, std::string_view identity) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), seed_bytes.data(), static_cast<int>(seed_bytes.size()),
       reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), mac.data(),
       &mac_len);
  uint64_t first = 0;
  for (size_t i = 0; i < 8; ++i) first = (first << 8) | mac[i];
  return first >> (64 - kLotteryKeyBits);
}

std::vector<std::string> lottery_order(std::string_view seed_bytes,
                                       std::vector<std::string> identities) {
  std::sort(identities.begin(), identities.end());
  identities.erase(std::unique(identities.begin(), identities.end()), identities.end());
  std::vector<std::pair<uint64_t, std::string>> keyed;
  keyed.reserve(identities.size());
  for (std::string& id : identities) {
    const uint64_t key = lottery_key(seed_bytes, id);
    keyed.emplace_back(key, std::move(id));
  }
  // std::string compares as unsigned bytes (char_traits<char>::compare), as Redis does.
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  out.reserve(keyed.size());
  for (auto& [key, id] : keyed) out.push_back(std::move(id));
  return out;
}

}  // namespace boxoffice::gateway
