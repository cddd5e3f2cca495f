// The claims of a waiting or an admission token, and their JSON form (the JWT payload).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boxoffice::tokens {

inline constexpr std::string_view kKindAdmission = "admission";
inline constexpr std::string_view kKindWaiting = "waiting";

struct Claims {
  std::string sub;        // the identity
  std::string event;      // the event the token is for
  std::string kind;       // kKindAdmission or kKindWaiting
  std::string kid;        // the key that signed it: from the header, never from the payload
  uint64_t position = 0;  // place in the queue; 0 = not known yet (pre-queue before the draw)
  int64_t iat = 0;        // seconds since the epoch; admission tokens only (0 = not set)
  int64_t nbf = 0;        // admission tokens only (0 = not set)
  int64_t exp = 0;
  int64_t joined_at_ms = 0;  // waiting tokens: when the identity joined (0 = not set)
  int wave = 0;              // admission batch that let the holder in (0 = not set)

  bool operator==(const Claims&) const = default;
};

// The payload JSON: required members always, the others only when set. Waiting tokens carry no
// iat or nbf: they travel on every poll of the room, and each byte is Huffman-decoded and
// validated on every request (authorization is never HPACK-indexed).
std::string claims_to_json(const Claims& claims);

// Strict: a JSON object whose sub, event, kind (one of the two kinds) and exp, and for an
// admission token iat and nbf, are present with the right types; optional members are type-checked
// too; unknown members are ignored; a member given twice is refused. kid is left empty.
std::optional<Claims> claims_from_json(std::string_view json);

}  // namespace boxoffice::tokens
