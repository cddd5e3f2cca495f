// What every gate thread shares: the config, the key set, the static files and the counters.
// Built before the threads start and immutable afterwards, but for the atomic counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gateway/io/gate_config.h"
#include "gateway/io/gate_errors.h"
#include "gateway/server/static_files.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::gateway {

struct GateCounters {
  std::atomic<uint64_t> joins{0};
  std::atomic<uint64_t> status_requests{0};
  std::atomic<uint64_t> admission_tokens_signed{0};
  std::atomic<uint64_t> token_rejections{0};
  std::atomic<uint64_t> rate_limited{0};
  std::atomic<uint64_t> proxied{0};
  std::atomic<uint64_t> seat_map_cache_hits{0};
  std::atomic<uint64_t> upstream_errors{0};
  std::atomic<uint64_t> admin_changes{0};
  std::atomic<uint64_t> room_refresh_errors{0};
  // Refreshes that found no fresh command-lag report while a room has a lag_target: those
  // rooms then tick without lag.
  std::atomic<uint64_t> command_lag_unknown{0};
};

struct GateShared {
  GateConfig config;
  tokens::KeySet keys;  // admission tokens, which booking verifies too
  // Waiting tokens, which only gates read: HS256 keys derived from `keys` (see
  // KeySet::derive_hs256), so joins sign with HMAC instead of Ed25519.
  tokens::KeySet waiting_keys;
  std::string jwks;  // the public keys, published at /.well-known/jwks.json
  std::optional<server::StaticFiles> static_files;
  GateCounters counters;
  // The HTTP/2 server's own counters, appended to /metrics (set before the threads start).
  std::function<void(std::string&)> render_server_metrics;
};

}  // namespace boxoffice::gateway
