#include "gateway/server/metrics.h"

#include <string_view>

namespace boxoffice::gateway::server {
namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

template <class T>
void sample(std::string& out, std::string_view name, const std::atomic<T>& value) {
  out.append(name).append(" ").append(std::to_string(value.load(std::memory_order_relaxed)));
  out.append("\n");
}

void counter(std::string& out, std::string_view name, std::string_view help,
             const std::atomic<uint64_t>& value) {
  family(out, name, "counter", help);
  sample(out, name, value);
}

}  // namespace

void ServerMetrics::render_prometheus(std::string& out) const {
  counter(out, "gate_http_connections_accepted_total", "Connections accepted.",
          connections_accepted);
  counter(out, "gate_http_accept_errors_total",
          "Connections the server failed to accept (out of descriptors, ...).", accept_errors);
  family(out, "gate_http_connections_open", "gauge", "Connections open now.");
  sample(out, "gate_http_connections_open", connections_open);
  counter(out, "gate_http_tls_handshake_failures_total",
          "TLS handshakes that failed or did not select h2.", tls_handshake_failures);
  counter(out, "gate_http_streams_total", "Request streams opened by clients.", streams);
  family(out, "gate_http_responses_total", "counter", "Responses sent, by status class.");
  for (size_t i = 0; i < responses_by_class.size(); ++i) {
    out.append("gate_http_responses_total{code=\"").append(std::to_string(i + 1)).append("xx\"} ");
    out.append(std::to_string(responses_by_class[i].load(std::memory_order_relaxed)));
    out.append("\n");
  }
  counter(out, "gate_http_streams_reset_by_client_total", "RST_STREAM frames received.",
          streams_reset_by_client);
  counter(out, "gate_http_rapid_reset_goaways_total",
          "Connections closed with ENHANCE_YOUR_CALM for too many stream resets.",
          rapid_reset_goaways);
  counter(out, "gate_http_flood_goaways_total",
          "Connections closed with ENHANCE_YOUR_CALM for a control-frame flood.", flood_goaways);
  counter(out, "gate_http_received_bytes_total", "Bytes read from clients (TLS: plaintext).",
          bytes_in);
  counter(out, "gate_http_sent_bytes_total", "Bytes written to clients (TLS: plaintext).",
          bytes_out);
}

}  // namespace boxoffice::gateway::server
