#include "booking/api/audit.h"

#include "booking/service/ids.h"
#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

bool touches(const Decision& d, SeatIndex seat) {
  for (SeatIndex s : d.seats.span()) {
    if (s == seat) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(SeatState s) {
  switch (s) {
    case SeatState::kAvailable:
      return "available";
    case SeatState::kReserved:
      return "reserved";
    case SeatState::kBooked:
      return "booked";
  }
  return "available";
}

SeatStateAt seat_state_at(std::span<const Decision> history, SeatIndex seat, int64_t at_ms) {
  SeatStateAt st;
  for (const Decision& d : history) {
    if (d.at_ms > at_ms) break;
    switch (d.type) {
      case DecisionType::kHeld:
      case DecisionType::kOffered:
        if (!touches(d, seat)) break;
        st = {SeatState::kReserved, d.reservation_id, d.user_id, d.expires_at_ms};
        break;
      case DecisionType::kPaymentPending:
        if (st.state == SeatState::kReserved && d.reservation_id == st.reservation_id) {
          st.expires_at_ms = d.expires_at_ms;
        }
        break;
      case DecisionType::kBooked:
        if (!touches(d, seat)) break;
        st = {SeatState::kBooked, d.reservation_id, d.user_id, 0};
        break;
      case DecisionType::kCancelled:
      case DecisionType::kExpired:
        if (touches(d, seat) && d.reservation_id == st.reservation_id) st = {};
        break;
      case DecisionType::kReleased:
        if (touches(d, seat)) st = {};
        break;
      default:
        break;  // rejections, waitlist changes and refunds leave the seat as it is
    }
  }
  if (st.state == SeatState::kReserved && st.expires_at_ms <= at_ms) st = {};
  return st;
}

std::string render_history(const Event& event, SeatIndex seat, std::span<const Decision> history,
                           std::optional<int64_t> at_ms) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("event_id", event.id).field("seat_id", event.seat_label(seat));
  w.key("history").begin_array();
  for (const Decision& d : history) {
    w.begin_object().field("seq", d.seq).field("type", to_string(d.type));
    w.field("at", format_utc_time_ms(d.at_ms)).field("at_ms", d.at_ms);
    if (!d.user_id.empty()) w.field("user_id", d.user_id);
    if (d.reservation_id != 0) {
      w.field("reservation_id", reservation_key(event.id, d.reservation_id));
    }
    if (d.expires_at_ms != 0) w.field("expires_at", format_utc_time_ms(d.expires_at_ms));
    if (d.amount_cents != 0) w.money("amount", d.amount_cents);
    if (d.type == DecisionType::kWaitlisted || d.type == DecisionType::kWaitlistCleared) {
      w.field("position", d.position);
    }
    if (!d.payment_id.empty()) w.field("payment_id", d.payment_id).field("provider", d.provider);
    if (d.code != Errc::kOk) w.field("code", to_string(d.code));
    w.end_object();
  }
  w.end_array();
  if (at_ms) {
    const SeatStateAt st = seat_state_at(history, seat, *at_ms);
    w.key("status_at").begin_object();
    w.field("at", format_utc_time_ms(*at_ms)).field("at_ms", *at_ms);
    w.field("status", to_string(st.state));
    if (st.reservation_id != 0) {
      w.field("reservation_id", reservation_key(event.id, st.reservation_id));
      w.field("user_id", st.user_id);
    }
    if (st.state == SeatState::kReserved) {
      w.field("expires_at", format_utc_time_ms(st.expires_at_ms));
    }
    w.end_object();
  }
  w.end_object();
  return out;
}

}  // namespace boxoffice::booking::api
