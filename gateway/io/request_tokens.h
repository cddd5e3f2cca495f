// Where a fan's tokens travel: "Authorization: Bearer ..." for apps, a cookie per event and
// kind for browsers (set by the gate, HttpOnly).
#pragma once

#include <string>
#include <string_view>

#include "gateway/server/server.h"

namespace boxoffice::gateway {

// Who a fan says they are when joining; towards booking, the identity the gate verified (a
// client's own copy is never forwarded).
inline constexpr std::string_view kIdentityHeader = "x-boxoffice-user";

std::string waiting_cookie_name(std::string_view event);    // bx_wait_{event}
std::string admission_cookie_name(std::string_view event);  // bx_admit_{event}

// The bearer token of the Authorization header, else the named cookie's value, else "".
std::string_view request_token(const server::Request& request, std::string_view cookie_name);

// A browser asking for a page rather than an app asking for JSON.
bool wants_html(const server::Request& request);

}  // namespace boxoffice::gateway
