// Helpers for the token tests: sample claims and hand-built tokens with any header, payload or
// signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/tokens/claims.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::tokens::testing {

inline constexpr int64_t kNow = 1'760'000'000;  // seconds since the epoch

// sub "u1", event "e1", admission, position 42, valid from kNow for 600 s.
Claims sample_claims();

// header.payload.signature from the JSON texts, signed with key (any alg in the header).
std::string sign_raw(std::string_view header_json, std::string_view payload_json, const Key& key);

// header.payload.signature with the given raw signature bytes.
std::string assemble(std::string_view header_json, std::string_view payload_json,
                     std::string_view signature);

// The header our signer writes for key.
std::string header_for(const Key& key);

// A key set with one active Ed25519 key.
KeySet ed25519_keys();
// A key set with one active HS256 key, kid "hs1".
KeySet hs256_keys();

}  // namespace boxoffice::tokens::testing
