// base64url without padding (RFC 4648 section 5, as JWS uses it: RFC 7515 section 2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxoffice::tokens {

std::string base64url_encode(std::string_view bytes);
// The same, appended to out (a token is built in one string).
void base64url_append(std::string& out, std::string_view bytes);

// Only the canonical encoding is accepted: no '=' padding, no characters outside A-Z a-z 0-9
// '-' '_', no impossible length, and the unused low bits of the last character must be zero
// (otherwise several strings would decode to the same bytes, and a token would have twins).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace boxoffice::tokens
