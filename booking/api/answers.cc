#include "booking/api/answers.h"

#include "booking/service/ids.h"
#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

bool is_success(DecisionType t) {
  switch (t) {
    case DecisionType::kHeld:
    case DecisionType::kPaymentPending:
    case DecisionType::kBooked:
    case DecisionType::kCancelled:
    case DecisionType::kWaitlisted:
    case DecisionType::kWaitlistLeft:
      return true;
    default:
      return false;
  }
}

void write_seats(JsonWriter& w, const Event* event, const SeatList& seats) {
  if (event == nullptr || seats.count == 0) return;
  const std::string first = event->seat_label(seats.span()[0]);
  w.field("seat_id", first);
  w.key("seats").begin_array().string(first);
  for (SeatIndex s : seats.span().subspan(1)) w.string(event->seat_label(s));
  w.end_array();
}

Response held_answer(const AnswerContext& ctx, const Event* event, const Decision& d) {
  const std::string rid = reservation_key(d.event_id, d.reservation_id);
  const std::string_view currency = event != nullptr ? std::string_view(event->currency) : "";
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("reservation_id", rid).field("event_id", d.event_id);
  write_seats(w, event, d.seats);
  w.field("status", "reserved").field("user_id", d.user_id);
  w.field("expires_at", format_utc_time_ms(d.expires_at_ms))
      .field("expires_at_ms", d.expires_at_ms);
  w.money("amount", d.amount_cents).field("currency", currency);
  if (ctx.payment_url) {
    w.field("payment_url", ctx.payment_url(rid, d.user_id, d.amount_cents, currency));
  }
  w.end_object();
  return json_response(201, std::move(out));
}

Response cancelled_answer(std::span<const Decision> all, const Event* event, const Decision& d) {
  // Each seat goes back on sale or, if someone was waiting, to them as an offer.
  auto offered = [&](SeatIndex seat) {
    for (const Decision& o : all) {
      if (o.type != DecisionType::kOffered) continue;
      for (SeatIndex s : o.seats.span()) {
        if (s == seat) return true;
      }
    }
    return false;
  };
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("reservation_id", reservation_key(d.event_id, d.reservation_id));
  w.field("status", "cancelled");
  const bool first_offered = d.seats.count > 0 && offered(d.seats.span()[0]);
  w.field("seat_status", first_offered ? "reserved" : "available");
  if (event != nullptr) {
    w.key("seats").begin_array();
    for (SeatIndex s : d.seats.span()) {
      w.begin_object().field("seat_id", event->seat_label(s));
      w.field("seat_status", offered(s) ? "reserved" : "available").end_object();
    }
    w.end_array();
  }
  w.end_object();
  return json_response(200, std::move(out));
}

Response booked_answer(const Event* event, const Decision& d) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("booking_id", reservation_key(d.event_id, d.reservation_id));
  w.field("status", "confirmed");
  write_seats(w, event, d.seats);
  w.field("event", event != nullptr ? std::string_view(event->title) : d.event_id);
  w.field("event_id", d.event_id).field("user_id", d.user_id);
  w.money("amount", d.amount_cents);
  if (event != nullptr) w.field("currency", event->currency);
  w.field("payment_id", d.payment_id).field("provider", d.provider);
  w.end_object();
  return json_response(200, std::move(out));
}

}  // namespace

const Decision* answer_for(std::span<const Decision> decisions, std::string_view user) {
  auto mine = [&](const Decision& d) { return user.empty() || d.user_id == user; };
  for (const Decision& d : decisions) {
    if (is_success(d.type) && mine(d)) return &d;
  }
  // The last of a kind: decisions of a lazy expiry come before the command's own.
  for (auto wanted : {DecisionType::kRefundRequired, DecisionType::kRejected}) {
    const Decision* last = nullptr;
    for (const Decision& d : decisions) {
      if (d.type == wanted && mine(d)) last = &d;
    }
    if (last != nullptr) return last;
  }
  return nullptr;
}

std::string_view estimated_wait(uint32_t position) {
  if (position <= 1) return "likely";
  if (position <= 3) return "possible";
  return "unlikely";
}

HttpError rejection_error(const Catalog& catalog, const Decision& d) {
  const Event* event = catalog.find_event(d.event_id);
  std::string message;
  std::string extra;
  JsonWriter w(extra);
  if (d.type == DecisionType::kRefundRequired) {
    message =
        "the payment cannot be used (" + std::string(to_string(d.code)) + "): it will be refunded";
    w.field("refund_required", true).key("refund").begin_object();
    w.field("payment_id", d.payment_id).field("provider", d.provider);
    w.money("amount", d.amount_cents).end_object();
  } else {
    message = std::string(to_string(d.code));
    for (char& c : message) c = c == '_' ? ' ' : c;
  }
  if (d.reservation_id != 0)
    w.field("reservation_id", reservation_key(d.event_id, d.reservation_id));
  if (event != nullptr && d.seats.count > 0 && d.seats.span()[0] < event->seats.size()) {
    const std::string label = event->seat_label(d.seats.span()[0]);
    w.field("seat_id", label);
    message += ": seat " + label;
  }
  HttpError e = core_error(d.code, std::move(message));
  e.extra_members = std::move(extra);
  return e;
}

Response decided_response(const AnswerContext& ctx, std::span<const Decision> decisions,
                          std::string_view user) {
  const Decision* d = answer_for(decisions, user);
  if (d == nullptr) {
    return error_response(api_error(ApiErrc::kInternal, "the command produced no answer"));
  }
  const Event* event = ctx.catalog.find_event(d->event_id);
  switch (d->type) {
    case DecisionType::kHeld:
      return held_answer(ctx, event, *d);
    case DecisionType::kBooked:
      return booked_answer(event, *d);
    case DecisionType::kCancelled:
      return cancelled_answer(decisions, event, *d);
    case DecisionType::kPaymentPending: {
      std::string out;
      JsonWriter w(out);
      w.begin_object().field("reservation_id", reservation_key(d->event_id, d->reservation_id));
      w.field("status", "payment_pending");
      w.field("expires_at", format_utc_time_ms(d->expires_at_ms));
      w.field("expires_at_ms", d->expires_at_ms).end_object();
      return json_response(200, std::move(out));
    }
    case DecisionType::kWaitlisted: {
      std::string out;
      JsonWriter w(out);
      w.begin_object().field("position", d->position);
      w.field("estimated_wait", estimated_wait(d->position)).field("event_id", d->event_id);
      if (event != nullptr && d->seats.count > 0) {
        w.field("seat_id", event->seat_label(d->seats.span()[0]));
      }
      w.end_object();
      return json_response(201, std::move(out));
    }
    case DecisionType::kWaitlistLeft: {
      std::string out;
      JsonWriter w(out);
      w.begin_object().field("status", "left").field("event_id", d->event_id);
      if (event != nullptr && d->seats.count > 0) {
        w.field("seat_id", event->seat_label(d->seats.span()[0]));
      }
      w.end_object();
      return json_response(200, std::move(out));
    }
    default:
      return error_response(rejection_error(ctx.catalog, *d));
  }
}

Response pending_response(uint64_t request_id) {
  const std::string key = request_key(request_id);
  const std::string url = "/requests/" + key;
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("status", "pending").field("request_id", key);
  w.field("status_url", url).end_object();
  Response r = json_response(202, std::move(out));
  r.headers.emplace_back("Location", url);
  return r;
}

}  // namespace boxoffice::booking::api
