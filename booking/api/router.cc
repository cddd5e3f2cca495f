#include "booking/api/router.h"

#include <array>

#include "shared/http/percent.h"

namespace boxoffice::booking::api {
namespace {

constexpr std::array<RouteSpec, kRouteCount> kRoutes = {{
    {RouteId::kListEvents, "GET", "/events", "list_events"},
    {RouteId::kGetEvent, "GET", "/events/{event_id}", "get_event"},
    {RouteId::kSeatMap, "GET", "/events/{event_id}/seats", "seat_map"},
    {RouteId::kEventStream, "GET", "/events/{event_id}/stream", "event_stream"},
    {RouteId::kReserveSeats, "POST", "/events/{event_id}/reserve", "reserve_seats"},
    {RouteId::kReserveBest, "POST", "/events/{event_id}/reserve-best", "reserve_best"},
    {RouteId::kReserveSeat, "POST", "/events/{event_id}/seats/{seat_id}/reserve", "reserve_seat"},
    {RouteId::kJoinWaitlist, "POST", "/events/{event_id}/seats/{seat_id}/waitlist",
     "join_waitlist"},
    {RouteId::kWaitlistPosition, "GET", "/events/{event_id}/seats/{seat_id}/waitlist",
     "waitlist_position"},
    {RouteId::kLeaveWaitlist, "DELETE", "/events/{event_id}/seats/{seat_id}/waitlist",
     "leave_waitlist"},
    {RouteId::kSeatHistory, "GET", "/events/{event_id}/seats/{seat_id}/history", "seat_history"},
    {RouteId::kGetReservation, "GET", "/reservations/{reservation_id}", "get_reservation"},
    {RouteId::kCancelReservation, "POST", "/reservations/{reservation_id}/cancel",
     "cancel_reservation"},
    {RouteId::kConfirmBooking, "POST", "/bookings/{reservation_id}/confirm", "confirm_booking"},
    {RouteId::kUserBookings, "GET", "/users/{user_id}/bookings", "user_bookings"},
    {RouteId::kPaymentWebhook, "POST", "/webhooks/payments", "payment_webhook"},
    {RouteId::kRequestStatus, "GET", "/requests/{request_id}", "request_status"},
    {RouteId::kHealthz, "GET", "/healthz", "healthz"},
    {RouteId::kReadyz, "GET", "/readyz", "readyz"},
    {RouteId::kMetrics, "GET", "/metrics", "metrics"},
}};

// A path's segments: "/a/b" is {"a", "b"}, "/" is {""}. Held in place, since a request is
// matched against every template: no template has more than kMaxSegments, so a longer path
// matches none.
constexpr size_t kMaxSegments = 8;
struct Segments {
  std::array<std::string_view, kMaxSegments> items;
  size_t size = 0;  // 0: not a path, or longer than any template
};

Segments segments(std::string_view path) {
  Segments out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  for (;;) {
    if (out.size == kMaxSegments) return Segments{};
    const size_t slash = path.find('/');
    out.items[out.size++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// The templates' segments, split once.
const std::array<Segments, kRouteCount>& route_patterns() {
  static const std::array<Segments, kRouteCount> patterns = [] {
    std::array<Segments, kRouteCount> out;
    for (size_t i = 0; i < kRouteCount; ++i) out[i] = segments(kRoutes[i].path);
    return out;
  }();
  return patterns;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::span<const RouteSpec> route_table() { return kRoutes; }

const RouteSpec& route_spec(RouteId id) { return kRoutes[static_cast<size_t>(id)]; }

std::string_view RouteMatch::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

RouteMatch match_route(std::string_view method, std::string_view path) {
  RouteMatch result;
  const Segments parts = segments(path);
  if (parts.size == 0) return result;
  for (size_t r = 0; r < kRouteCount; ++r) {
    const RouteSpec& spec = kRoutes[r];
    const Segments& pattern = route_patterns()[r];
    if (pattern.size != parts.size) continue;
    bool matches = true;
    for (size_t i = 0; i < parts.size && matches; ++i) {
      matches =
          is_param(pattern.items[i]) ? !parts.items[i].empty() : pattern.items[i] == parts.items[i];
    }
    if (!matches) continue;
    if (spec.method != method) {
      if (result.kind != RouteMatch::Kind::kFound) {
        result.kind = RouteMatch::Kind::kMethodNotAllowed;
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += spec.method;
      }
      continue;
    }
    result.kind = RouteMatch::Kind::kFound;
    result.id = spec.id;
    result.allow.clear();
    for (size_t i = 0; i < parts.size; ++i) {
      const std::string_view name = pattern.items[i];
      if (!is_param(name)) continue;
      auto decoded = boxoffice::http::percent_decode(parts.items[i], /*plus_as_space=*/false);
      if (!decoded || decoded->empty()) {
        result.kind = RouteMatch::Kind::kBadPath;
        result.params.clear();
        return result;
      }
      result.params.emplace_back(name.substr(1, name.size() - 2), std::move(*decoded));
    }
    return result;
  }
  return result;
}

}  // namespace boxoffice::booking::api
