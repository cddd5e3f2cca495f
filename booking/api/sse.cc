#include "booking/api/sse.h"

#include "booking/service/ids.h"
#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

void seat_changes(std::string& out, const Event& event, const Decision& d,
                  std::string_view new_status) {
  for (SeatIndex s : d.seats.span()) {
    if (s >= event.seats.size()) continue;
    std::string data;
    JsonWriter w(data);
    w.begin_object().field("seat_id", event.seat_label(s)).field("new_status", new_status);
    w.field("section", event.sections[event.seats[s].section].id).end_object();
    out += sse_event("seat_status_changed", data, d.seq);
  }
}

}  // namespace

std::string sse_event(std::string_view type, std::string_view data, std::optional<uint64_t> id) {
  std::string out = "event: ";
  out += type;
  out += '\n';
  if (id) {
    out += "id: ";
    out += std::to_string(*id);
    out += '\n';
  }
  for (;;) {
    const size_t nl = data.find('\n');
    out += "data: ";
    out += data.substr(0, nl);
    out += '\n';
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  out += '\n';
  return out;
}

std::string sse_comment(std::string_view text) {
  std::string out = ": ";
  out += text;
  out += "\n\n";
  return out;
}

DeltaFrames delta_frames(const Event& event, const Decision& d) {
  DeltaFrames f;
  f.seq = d.seq;
  f.user = d.user_id;
  const std::string rid = reservation_key(event.id, d.reservation_id);
  switch (d.type) {
    case DecisionType::kHeld:
      seat_changes(f.public_frames, event, d, "reserved");
      f.hold = DeltaFrames::Hold{rid, d.expires_at_ms};
      break;
    case DecisionType::kOffered:
      seat_changes(f.public_frames, event, d, "reserved");
      for (SeatIndex s : d.seats.span()) {
        if (s >= event.seats.size()) continue;
        std::string data;
        JsonWriter w(data);
        w.begin_object().field("seat_id", event.seat_label(s));
        w.field("expires_at", format_utc_time_ms(d.expires_at_ms)).field("user_id", d.user_id);
        w.field("reservation_id", rid).end_object();
        f.personal_frames += sse_event("waitlist_offer", data, d.seq);
      }
      f.hold = DeltaFrames::Hold{rid, d.expires_at_ms};
      break;
    case DecisionType::kPaymentPending:
      f.hold = DeltaFrames::Hold{rid, d.expires_at_ms};
      break;
    case DecisionType::kBooked:
      seat_changes(f.public_frames, event, d, "booked");
      for (SeatIndex s : d.seats.span()) {
        if (s >= event.seats.size()) continue;
        std::string data;
        JsonWriter w(data);
        w.begin_object().field("booking_id", rid).field("seat_id", event.seat_label(s));
        w.end_object();
        f.public_frames += sse_event("booking_confirmed", data, d.seq);
      }
      f.hold = DeltaFrames::Hold{rid, 0};
      break;
    case DecisionType::kCancelled:
    case DecisionType::kExpired:
      f.hold = DeltaFrames::Hold{rid, 0};
      break;
    case DecisionType::kReleased:
      seat_changes(f.public_frames, event, d, "available");
      break;
    default:
      break;
  }
  return f;
}

std::string expiring_frame(std::string_view reservation_id, int64_t seconds_left) {
  std::string data;
  JsonWriter w(data);
  w.begin_object().field("reservation_id", reservation_id);
  w.field("seconds_left", seconds_left).end_object();
  return sse_event("reservation_expiring", data, std::nullopt);
}

}  // namespace boxoffice::booking::api
