// Which booking route a fan's /api/... request names, and what it needs to pass the gate.
// Pure: the proxy decides from this alone whether to forward, and with which check.
#pragma once

#include <string>
#include <string_view>

#include "shared/http/request_target.h"
#include "shared/result.h"

namespace boxoffice::gateway {

struct ApiRoute {
  enum class Access {
    kPublic,      // the event search: no token needed, no identity passed on
    kEventToken,  // needs an admission token for `event`
    kAnyToken,    // an admission token for any event; its subject must be `user` if set
  };
  Access access = Access::kEventToken;
  std::string event;            // the event the route names (kEventToken)
  std::string user;             // the user the route names (a user's bookings)
  std::string upstream_target;  // the booking API's path and query
  bool seat_map = false;        // GET of an event's seat map: micro-cached
};

// raw_path is the request's :path ("/api/events/e1/seats?x=1"). Errors are stable codes:
// not_found (no such booking route for fans, e.g. the provider's webhook) and
// bad_reservation_id.
Result<ApiRoute, std::string_view> classify_api_request(std::string_view method,
                                                        const http::RequestTarget& target,
                                                        std::string_view raw_path);

}  // namespace boxoffice::gateway
