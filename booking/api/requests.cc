#include "booking/api/requests.h"

#include <boost/json.hpp>

#include "booking/core/wire.h"

namespace boxoffice::booking::api {
namespace {

namespace json = boost::json;

HttpError invalid(std::string message) {
  return api_error(ApiErrc::kInvalidField, std::move(message));
}

// An id field: a non-empty string of at most kMaxWireIdBytes bytes.
Result<std::string, HttpError> id_value(std::string_view value, std::string_view what) {
  if (value.empty()) return unexpected(invalid(std::string(what) + ": must not be empty"));
  if (value.size() > kMaxWireIdBytes) {
    return unexpected(
        invalid(std::string(what) + ": longer than " + std::to_string(kMaxWireIdBytes) + " bytes"));
  }
  return std::string(value);
}

Result<std::string, HttpError> string_field(const json::object& body, std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr) return unexpected(invalid("missing field \"" + std::string(name) + "\""));
  if (!v->is_string()) {
    return unexpected(invalid("field \"" + std::string(name) + "\" must be a string"));
  }
  return id_value(v->get_string(), "field \"" + std::string(name) + "\"");
}

// An optional integer field within [min, max]; absent -> fallback.
Result<int64_t, HttpError> integer_field(const json::object& body, std::string_view name,
                                         int64_t fallback, int64_t min, int64_t max) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr) return fallback;
  int64_t i = 0;
  if (v->is_int64()) {
    i = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    i = static_cast<int64_t>(v->get_uint64());
  } else {
    return unexpected(invalid("field \"" + std::string(name) + "\" must be an integer"));
  }
  if (i < min || i > max) {
    return unexpected(invalid("field \"" + std::string(name) + "\" must be from " +
                              std::to_string(min) + " to " + std::to_string(max)));
  }
  return i;
}

OwnedCommand base(CommandType type, const Event& event, std::string user, int64_t now_ms) {
  OwnedCommand c;
  c.type = type;
  c.at_ms = now_ms;
  c.event_id = event.id;
  c.user_id = std::move(user);
  return c;
}

}  // namespace

Result<json::object, HttpError> parse_body(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec)
    return unexpected(api_error(ApiErrc::kBadJson, "body is not valid JSON: " + ec.message()));
  if (!v.is_object()) return unexpected(api_error(ApiErrc::kBadJson, "body must be a JSON object"));
  return std::move(v.get_object());
}

Result<std::string, HttpError> require_identity(std::string_view header, const json::object& body) {
  if (!header.empty()) return id_value(header, kIdentityHeader);
  const json::value* v = body.if_contains("user_id");
  if (v == nullptr) {
    return unexpected(api_error(ApiErrc::kIdentityRequired,
                                "who is asking? send the X-Boxoffice-User header or user_id"));
  }
  if (!v->is_string()) return unexpected(invalid("field \"user_id\" must be a string"));
  return id_value(v->get_string(), "field \"user_id\"");
}

Result<std::string, HttpError> require_identity(std::string_view header,
                                                std::string_view query_user) {
  if (!header.empty()) return id_value(header, kIdentityHeader);
  if (query_user.empty()) {
    return unexpected(api_error(ApiErrc::kIdentityRequired,
                                "who is asking? send the X-Boxoffice-User header or ?user_id="));
  }
  return id_value(query_user, "user_id");
}

Result<const Event*, HttpError> find_event(const Catalog& catalog, std::string_view event_id) {
  const Event* e = catalog.find_event(event_id);
  if (e == nullptr) {
    return unexpected(
        core_error(Errc::kUnknownEvent, "no event \"" + std::string(event_id) + "\""));
  }
  return e;
}

Result<SeatIndex, HttpError> find_seat(const Event& event, std::string_view seat_label) {
  const auto s = event.find_seat(seat_label);
  if (!s) {
    return unexpected(core_error(
        Errc::kUnknownSeat, "no seat \"" + std::string(seat_label) + "\" in event " + event.id));
  }
  return *s;
}

Result<ReservationRef, HttpError> parse_reservation(std::string_view key) {
  auto ref = parse_reservation_key(key);
  if (!ref || ref->id == 0) {
    return unexpected(api_error(
        ApiErrc::kBadReservationId,
        "\"" + std::string(key) + "\" is not a reservation id (expected {event_id}.{hex})"));
  }
  return *ref;
}

Result<OwnedCommand, HttpError> reserve_seat_command(const Event& event,
                                                     std::string_view seat_label, std::string user,
                                                     int64_t now_ms) {
  auto seat = find_seat(event, seat_label);
  if (!seat) return unexpected(seat.error());
  OwnedCommand c = base(CommandType::kReserve, event, std::move(user), now_ms);
  c.seats.push(*seat);
  return c;
}

Result<OwnedCommand, HttpError> reserve_seats_command(const Event& event, const json::object& body,
                                                      std::string user, int64_t now_ms) {
  const json::value* seats = body.if_contains("seats");
  if (seats == nullptr) return unexpected(invalid("missing field \"seats\""));
  if (!seats->is_array()) {
    return unexpected(invalid("field \"seats\" must be an array of seat ids"));
  }
  const json::array& labels = seats->get_array();
  if (labels.empty()) return unexpected(invalid("field \"seats\" must not be empty"));
  if (labels.size() > kMaxSeatsPerHold) {
    return unexpected(
        core_error(Errc::kTooManySeats,
                   "at most " + std::to_string(kMaxSeatsPerHold) + " seats in one reservation"));
  }
  OwnedCommand c = base(CommandType::kReserve, event, std::move(user), now_ms);
  for (const json::value& label : labels) {
    if (!label.is_string()) return unexpected(invalid("field \"seats\" must hold strings"));
    auto seat = find_seat(event, label.get_string());
    if (!seat) return unexpected(seat.error());
    for (SeatIndex taken : c.seats.span()) {
      if (taken == *seat) {
        HttpError e = core_error(Errc::kDuplicateSeat,
                                 "seat " + std::string(label.get_string()) + " is listed twice");
        return unexpected(std::move(e));
      }
    }
    c.seats.push(*seat);
  }
  return c;
}

Result<OwnedCommand, HttpError> reserve_best_command(const Event& event, const json::object& body,
                                                     std::string user, int64_t now_ms) {
  const json::value* count_value = body.if_contains("count");
  if (count_value == nullptr) return unexpected(invalid("missing field \"count\""));
  auto count = integer_field(body, "count", 0, 1, INT64_MAX);
  if (!count) return unexpected(count.error());
  if (*count > kMaxSeatsPerHold) {
    return unexpected(
        core_error(Errc::kTooManySeats,
                   "at most " + std::to_string(kMaxSeatsPerHold) + " seats in one reservation"));
  }
  auto min_price = integer_field(body, "min_price_cents", 0, 0, kMaxPriceCents);
  if (!min_price) return unexpected(min_price.error());
  auto max_price = integer_field(body, "max_price_cents", 0, 0, kMaxPriceCents);
  if (!max_price) return unexpected(max_price.error());
  if (*max_price != 0 && *max_price < *min_price) {
    return unexpected(invalid("max_price_cents is below min_price_cents"));
  }
  OwnedCommand c = base(CommandType::kReserveBest, event, std::move(user), now_ms);
  if (const json::value* section = body.if_contains("section");
      section != nullptr && !section->is_null()) {
    if (!section->is_string()) return unexpected(invalid("field \"section\" must be a string"));
    uint16_t found = kAnySection;
    for (size_t i = 0; i < event.sections.size(); ++i) {
      if (event.sections[i].id == section->get_string()) found = static_cast<uint16_t>(i);
    }
    if (found == kAnySection) {
      return unexpected(api_error(
          ApiErrc::kUnknownSection,
          "no section \"" + std::string(section->get_string()) + "\" in event " + event.id));
    }
    c.section = found;
  }
  c.count = static_cast<uint16_t>(*count);
  c.min_price_cents = *min_price;
  c.max_price_cents = *max_price;
  return c;
}

OwnedCommand reservation_command(CommandType type, const ReservationRef& ref, std::string user,
                                 int64_t now_ms) {
  OwnedCommand c;
  c.type = type;
  c.at_ms = now_ms;
  c.event_id = ref.event_id;
  c.user_id = std::move(user);
  c.reservation_id = ref.id;
  return c;
}

OwnedCommand confirm_command(const ReservationRef& ref, std::string user, std::string payment_id,
                             std::string provider, int64_t amount_cents, int64_t now_ms) {
  OwnedCommand c = reservation_command(CommandType::kConfirm, ref, std::move(user), now_ms);
  c.payment_id = std::move(payment_id);
  c.provider = std::move(provider);
  c.amount_cents = amount_cents;
  return c;
}

OwnedCommand waitlist_command(CommandType type, const Event& event, SeatIndex seat,
                              std::string user, int64_t now_ms) {
  OwnedCommand c = base(type, event, std::move(user), now_ms);
  c.seats.push(seat);
  return c;
}

Result<ConfirmRequest, HttpError> parse_confirm_request(const json::object& body) {
  auto payment_id = string_field(body, "payment_id");
  if (!payment_id) return unexpected(payment_id.error());
  auto provider = string_field(body, "provider");
  if (!provider) return unexpected(provider.error());
  return ConfirmRequest{std::move(*payment_id), std::move(*provider)};
}

}  // namespace boxoffice::booking::api
