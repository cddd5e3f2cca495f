#include "gateway/core/lottery.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <utility>

namespace boxoffice::gateway {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

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
