// The route table: (method, path template) -> route. Pure; the OpenAPI document is checked
// against route_table() so the two never drift apart.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxoffice::booking::api {

enum class RouteId : uint8_t {
  kListEvents,
  kGetEvent,
  kSeatMap,
  kEventStream,
  kReserveSeats,
  kReserveBest,
  kReserveSeat,
  kJoinWaitlist,
  kWaitlistPosition,
  kLeaveWaitlist,
  kSeatHistory,
  kGetReservation,
  kCancelReservation,
  kConfirmBooking,
  kUserBookings,
  kPaymentWebhook,
  kRequestStatus,
  kHealthz,
  kReadyz,
  kMetrics,
};
inline constexpr size_t kRouteCount = static_cast<size_t>(RouteId::kMetrics) + 1;

struct RouteSpec {
  RouteId id;
  std::string_view method;  // "GET", "POST", "DELETE"
  std::string_view path;    // "/events/{event_id}/seats/{seat_id}/reserve"
  std::string_view name;    // the metrics label, "reserve_seat"
};
std::span<const RouteSpec> route_table();
const RouteSpec& route_spec(RouteId id);

struct RouteMatch {
  enum class Kind : uint8_t { kFound, kNotFound, kMethodNotAllowed, kBadPath };
  Kind kind = Kind::kNotFound;
  RouteId id = RouteId::kListEvents;
  // Template parameters in order of appearance, percent-decoded: {"event_id", "evt_hamlet"}.
  std::vector<std::pair<std::string_view, std::string>> params;
  std::string allow;  // kMethodNotAllowed: the methods the path accepts, "GET, POST"

  std::string_view param(std::string_view name) const;
};

// path is the target without its query. Segments are matched after percent-decoding; a
// trailing slash is not the same path.
RouteMatch match_route(std::string_view method, std::string_view path);

}  // namespace boxoffice::booking::api
