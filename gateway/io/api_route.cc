#include "gateway/io/api_route.h"

#include <vector>

namespace boxoffice::gateway {
namespace {

// Reservation ids are "{event}.{hex}" (booking/service/ids.h): the event is the part before
// the last dot.
std::string event_of_reservation(std::string_view reservation_id) {
  const size_t dot = reservation_id.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return std::string(reservation_id.substr(0, dot));
}

}  // namespace

Result<ApiRoute, std::string_view> classify_api_request(std::string_view method,
                                                        const http::RequestTarget& target,
                                                        std::string_view raw_path) {
  const std::vector<std::string>& s = target.segments;
  if (s.size() < 2 || s[0] != "api") return unexpected(std::string_view("not_found"));
  ApiRoute route;
  route.upstream_target = std::string(raw_path.substr(4));  // drops "/api"
  const std::string& kind = s[1];
  if (kind == "events") {
    if (s.size() == 2) {
      if (method != "GET") return unexpected(std::string_view("not_found"));
      route.access = ApiRoute::Access::kPublic;
      return route;
    }
    route.event = s[2];
    route.seat_map = method == "GET" && s.size() == 4 && s[3] == "seats";
    return route;
  }
  if (kind == "reservations" || kind == "bookings") {
    if (s.size() < 3) return unexpected(std::string_view("not_found"));
    route.event = event_of_reservation(s[2]);
    if (route.event.empty()) return unexpected(std::string_view("bad_reservation_id"));
    return route;
  }
  if (kind == "users" && s.size() == 4 && s[3] == "bookings" && method == "GET") {
    route.access = ApiRoute::Access::kAnyToken;
    route.user = s[2];
    return route;
  }
  if (kind == "requests" && s.size() == 3 && method == "GET") {
    // A 202's status URL: request ids carry no event, so any admission token will do.
    route.access = ApiRoute::Access::kAnyToken;
    return route;
  }
  return unexpected(std::string_view("not_found"));
}

}  // namespace boxoffice::gateway
