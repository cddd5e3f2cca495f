// The server's counters: relaxed atomics bumped on the worker threads, read by /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace boxoffice::gateway::server {

struct ServerMetrics {
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> accept_errors{0};
  std::atomic<int64_t> connections_open{0};
  std::atomic<uint64_t> tls_handshake_failures{0};
  std::atomic<uint64_t> streams{0};
  std::array<std::atomic<uint64_t>, 5> responses_by_class{};  // 1xx .. 5xx
  std::atomic<uint64_t> streams_reset_by_client{0};
  std::atomic<uint64_t> rapid_reset_goaways{0};
  std::atomic<uint64_t> flood_goaways{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};

  void count_response(int status) {
    if (status >= 100 && status < 600) {
      responses_by_class[(status / 100) - 1].fetch_add(1, std::memory_order_relaxed);
    }
  }

  // Prometheus text format, names prefixed gate_http_.
  void render_prometheus(std::string& out) const;
};

}  // namespace boxoffice::gateway::server
