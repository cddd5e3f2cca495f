// The waiting-room status a fan sees: JSON for apps, an HTML page for browsers. Pure: built
// from the room's status and the tokens to hand out.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/room_status.h"

namespace boxoffice::gateway {

struct StatusView {
  std::string_view event;
  std::string_view identity;
  RoomStatus status;
  std::string_view waiting_token;    // set when the fan gets a new one (join, place learned)
  std::string_view admission_token;  // set once admitted
  std::string_view commitment;       // sha256 of the lottery seed, hex
};

std::string status_json(const StatusView& view);
std::string status_html(const StatusView& view);

}  // namespace boxoffice::gateway
