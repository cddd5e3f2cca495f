// Server-sent events for GET /events/{id}/stream: framing, and the seed's event types made from
// the read model's deltas (decision JSON on bx:deltas:{event} and bx:stream:{event}). Pure.
//
// Events: seat_status_changed {seat_id, new_status, section} and booking_confirmed {booking_id,
// seat_id} go to every watcher; waitlist_offer {seat_id, expires_at, user_id, reservation_id}
// and reservation_expiring {reservation_id, seconds_left} only to the fan they concern (a
// stream opened with an identity). Every event made from a delta carries `id: <seq>`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "booking/core/catalog.h"
#include "booking/core/decision.h"

namespace boxoffice::booking::api {

// "event: <type>\nid: <id>\ndata: <line>\n...\n\n"; data is split at newlines as SSE requires.
std::string sse_event(std::string_view type, std::string_view data, std::optional<uint64_t> id);
// ": <text>\n\n", what heartbeats are made of.
std::string sse_comment(std::string_view text);

struct DeltaFrames {
  uint64_t seq = 0;
  std::string public_frames;    // for every watcher of the event
  std::string user;             // whom personal_frames concern
  std::string personal_frames;  // for that fan's streams only
  // A hold of `user` that now lasts until expires_at_ms (held, offered, payment_pending) or has
  // ended (booked, cancelled, expired: expires_at_ms = 0); what reservation_expiring tracks.
  struct Hold {
    std::string reservation_id;
    int64_t expires_at_ms = 0;
  };
  std::optional<Hold> hold;
};
DeltaFrames delta_frames(const Event& event, const Decision& d);

// reservation_expiring, sent from a timer a configurable time before a hold's deadline.
std::string expiring_frame(std::string_view reservation_id, int64_t seconds_left);

}  // namespace boxoffice::booking::api
