// The Redis keys of one event's waiting room, in the order every lua-rules/gate script takes
// them as KEYS. The braces are a hash tag: one event's keys share a cluster slot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace boxoffice::gateway {

// gate:{E}:cfg, gate:{E}:lottery, gate:{E}:pre, gate:{E}:fifo, gate:{E}:state, gate:{E}:ticks
inline std::vector<std::string> room_redis_keys(std::string_view event) {
  std::vector<std::string> keys;
  const std::string prefix = "gate:{" + std::string(event) + "}:";
  for (const char* name : {"cfg", "lottery", "pre", "fifo", "state", "ticks"}) {
    keys.push_back(prefix + name);
  }
  return keys;
}

}  // namespace boxoffice::gateway
