// What one gate worker thread does with a request: the waiting room (join, status, stream),
// the admin API, the proxy to booking, and the operational endpoints. One GateHandler per
// worker thread, owned by that thread's event loop: its Redis connection, upstream pool,
// token cache, room cache and rate limiters are never shared and never locked.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/core/proof_of_work.h"
#include "gateway/core/rate_limiter.h"
#include "gateway/core/room_status.h"
#include "gateway/io/gate_shared.h"
#include "gateway/io/micro_cache.h"
#include "gateway/io/redis_client.h"
#include "gateway/io/upstream.h"
#include "gateway/server/server.h"
#include "shared/tokens/caching_verifier.h"

namespace boxoffice::gateway {

class GateHandler : public server::RequestHandler {
 public:
  GateHandler(GateShared& shared, event_base* base, int thread_index);
  ~GateHandler() override;
  GateHandler(const GateHandler&) = delete;
  GateHandler& operator=(const GateHandler&) = delete;

  void handle(server::Request& request, server::ResponseWriter writer) override;

 private:
  // A fan watching their place over SSE.
  struct Watcher {
    uint64_t id = 0;
    tokens::Claims claims;
    server::ResponseWriter writer;
    std::string last_sent;
    bool looking_up = false;  // a pre-queue token's place is being read after the draw
  };
  // What this thread knows of one event's room, refreshed every room_refresh_ms.
  struct Room {
    RoomSnapshot snapshot;
    bool loaded = false;
    std::string seed;  // the lottery seed's bytes: lottery keys at join, never sent before reveal
    std::vector<Watcher> watchers;
  };

  // routes (gate_handler.cc)
  void serve_static(const server::Request& request, server::ResponseWriter& writer);
  void serve_metrics(server::ResponseWriter& writer);
  void serve_readyz(server::ResponseWriter& writer);

  // waiting room (queue_routes.cc)
  void join(server::Request& request, server::ResponseWriter writer, const std::string& event);
  void status(server::Request& request, server::ResponseWriter writer, const std::string& event);
  void stream(server::Request& request, server::ResponseWriter writer, const std::string& event);
  void lottery(server::ResponseWriter& writer, const std::string& event);
  void challenge(server::Request& request, server::ResponseWriter& writer,
                 const std::string& event);
  // The event's room once its state is loaded; answers unknown_event itself and returns
  // nullptr otherwise.
  Room* loaded_room(server::ResponseWriter& writer, const std::string& event);
  // Verifies the waiting token; answers the error itself and returns nullopt on failure.
  std::optional<tokens::Claims> waiting_claims(const server::Request& request,
                                               server::ResponseWriter& writer,
                                               const std::string& event);
  // The status JSON (or HTML page) for the claims, signing an admission token once admitted.
  // A new waiting token (after a join, or once a pre-queue place is known) goes along.
  void answer_status(server::ResponseWriter& writer, const Room& room, const tokens::Claims& claims,
                     bool html, const std::string& new_waiting_token);
  std::string admission_token(const Room& room, const tokens::Claims& waiting, int64_t now_ms);
  std::string waiting_token(const tokens::Claims& place);
  void notify_watchers(const std::string& event, Room& room);

  // admin API (admin_routes.cc)
  void admin(server::Request& request, server::ResponseWriter writer);
  bool admin_allowed(const server::Request& request) const;

  // proxy (proxy_routes.cc)
  void proxy(server::Request& request, server::ResponseWriter writer);
  void forward(server::Request& request, server::ResponseWriter writer,
               const tokens::Claims* claims, const std::string& token, bool seat_map);

  // room cache (room_cache.cc)
  void schedule_refresh();
  // Reads the command lag (bx:lag), then lists the rooms and refreshes each.
  void refresh_rooms();
  void update_command_lag(const io::RedisResult& result);
  void refresh_listed_rooms();
  // Ticks (with the last command lag read, when known) and re-reads one room; done (if set)
  // runs once the room was read or failed to be.
  void refresh_room(const std::string& event, std::function<void()> done);
  void load_seed(const std::string& event);

  void reply_error(server::ResponseWriter& writer, GateErrc code, std::string_view message,
                   std::string_view reason = {});
  int64_t now_ms() const;

  GateShared& shared_;
  event_base* base_;
  int thread_index_;
  io::RedisClient redis_;
  io::UpstreamPool upstream_;
  io::MicroCache seat_maps_;
  tokens::CachingVerifier admission_verifier_;  // shared_.keys
  tokens::CachingVerifier waiting_verifier_;    // shared_.waiting_keys
  RateLimiter join_limits_;                     // per client IP
  RateLimiter api_limits_;                      // per verified identity
  ProofOfWork proof_of_work_;
  std::unordered_map<std::string, Room> rooms_;
  // The booking backend's command lag as of the last refresh; nullopt = no fresh report.
  std::optional<uint64_t> command_lag_;
  // Admission tokens already signed, by event and identity: a fan polling after admission
  // costs a lookup, not a signature.
  std::unordered_map<std::string, std::pair<std::string, int64_t>> admission_tokens_;
  uint64_t next_watcher_id_ = 1;
  event* refresh_timer_ = nullptr;
  bool refreshing_ = false;
};

}  // namespace boxoffice::gateway
