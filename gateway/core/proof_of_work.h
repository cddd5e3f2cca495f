// Optional proof-of-work at join: a fan's client must find a nonce such that
// sha256(challenge ":" nonce) starts with difficulty zero bits. The challenge is
// HMAC-SHA256(server_secret, event "|" identity "|" time bucket), so the gate stores nothing:
// it recomputes the challenge to verify. Pure: time is an argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boxoffice::gateway {

inline constexpr int64_t kDefaultPowBucketMs = 60'000;
inline constexpr size_t kMaxPowNonceBytes = 64;

class ProofOfWork {
 public:
  // Every gate of a deployment needs the same secret and bucket.
  explicit ProofOfWork(std::string server_secret, int64_t bucket_ms = kDefaultPowBucketMs);

  // Lowercase hex HMAC-SHA256(secret, event "|" identity "|" floor(now_ms / bucket_ms)).
  std::string challenge(std::string_view event, std::string_view identity, int64_t now_ms) const;
  // Whether nonce solves the challenge of now's bucket or of the bucket before (a client that
  // solved just before a bucket boundary still passes). difficulty_bits <= 0 accepts anything.
  bool verify(std::string_view event, std::string_view identity, int64_t now_ms,
              std::string_view nonce, int difficulty_bits) const;

 private:
  std::string challenge_for_bucket(std::string_view event, std::string_view identity,
                                   int64_t bucket) const;
  std::string secret_;
  int64_t bucket_ms_;
};

// The number of leading zero bits of sha256(challenge ":" nonce).
int pow_zero_bits(std::string_view challenge, std::string_view nonce);
// Nonce: 1 to kMaxPowNonceBytes of [0-9A-Za-z_-]; it solves when pow_zero_bits >= difficulty.
bool pow_solves(std::string_view challenge, std::string_view nonce, int difficulty_bits);
// The first decimal nonce from 0 that solves, trying at most max_tries; for tests and the fan
// page's reference implementation.
std::optional<std::string> pow_solve(std::string_view challenge, int difficulty_bits,
                                     uint64_t max_tries = uint64_t{1} << 32);

}  // namespace boxoffice::gateway
