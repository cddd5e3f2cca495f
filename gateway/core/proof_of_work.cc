#include "gateway/core/proof_of_work.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>
#include <bit>
#include <utility>

#include "gateway/core/lottery.h"

namespace boxoffice::gateway {
namespace {

bool valid_nonce(std::string_view nonce) {
  if (nonce.empty() || nonce.size() > kMaxPowNonceBytes) return false;
  for (const char c : nonce) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Floor division, so a (nonsensical) negative time still maps to one bucket.
int64_t bucket_of(int64_t now_ms, int64_t bucket_ms) {
  const int64_t q = now_ms / bucket_ms;
  return (now_ms % bucket_ms != 0 && now_ms < 0) ? q - 1 : q;
}

}  // namespace

ProofOfWork::ProofOfWork(std::string server_secret, int64_t bucket_ms)
    : secret_(std::move(server_secret)), bucket_ms_(bucket_ms > 0 ? bucket_ms : 1) {}

std::string ProofOfWork::challenge_for_bucket(std::string_view event, std::string_view identity,
                                              int64_t bucket) const {
  std::string message;
  message.reserve(event.size() + identity.size() + 24);
  message.append(event).append("|").append(identity).append("|").append(std::to_string(bucket));
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
       &mac_len);
  return to_hex(std::string_view(reinterpret_cast<const char*>(mac.data()), mac_len));
}

std::string ProofOfWork::challenge(std::string_view event, std::string_view identity,
                                   int64_t now_ms) const {
  return challenge_for_bucket(event, identity, bucket_of(now_ms, bucket_ms_));
}

bool ProofOfWork::verify(std::string_view event, std::string_view identity, int64_t now_ms,
                         std::string_view nonce, int difficulty_bits) const {
  if (difficulty_bits <= 0) return true;
  if (!valid_nonce(nonce)) return false;
  const int64_t bucket = bucket_of(now_ms, bucket_ms_);
  return pow_solves(challenge_for_bucket(event, identity, bucket), nonce, difficulty_bits) ||
         pow_solves(challenge_for_bucket(event, identity, bucket - 1), nonce, difficulty_bits);
}

int pow_zero_bits(std::string_view challenge, std::string_view nonce) {
  std::string input;
  input.reserve(challenge.size() + 1 + nonce.size());
  input.append(challenge).append(":").append(nonce);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  int bits = 0;
  for (const unsigned char b : digest) {
    if (b != 0) return bits + std::countl_zero(b);
    bits += 8;
  }
  return bits;
}

bool pow_solves(std::string_view challenge, std::string_view nonce, int difficulty_bits) {
  if (difficulty_bits <= 0) return true;
  return valid_nonce(nonce) && pow_zero_bits(challenge, nonce) >= difficulty_bits;
}

std::optional<std::string> pow_solve(std::string_view challenge, int difficulty_bits,
                                     uint64_t max_tries) {
  for (uint64_t i = 0; i < max_tries; ++i) {
    std::string nonce = std::to_string(i);
    if (pow_solves(challenge, nonce, difficulty_bits)) return nonce;
  }
  return std::nullopt;
}

}  // namespace boxoffice::gateway
