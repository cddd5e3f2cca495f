// The gate's configuration: one TOML file (every key documented in gateway/README.md with its
// default and unit) plus CLI flags for the common ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace boxoffice::gateway {

struct GateConfig {
  // server
  std::string host = "127.0.0.1";
  int h2c_port = 8000;  // cleartext HTTP/2 (prior knowledge); 0 = any free port, -1 = off
  int tls_port = -1;    // TLS with ALPN h2; -1 = off
  std::string cert_file;
  std::string key_file;
  int threads = 2;
  int64_t max_body_bytes = int64_t{64} * 1024;
  int64_t max_header_list_bytes = int64_t{16} * 1024;
  int max_concurrent_streams = 100;
  int64_t drain_timeout_ms = 10'000;
  std::string static_dir = "gateway/static";

  // redis
  std::string redis_host = "127.0.0.1";
  uint16_t redis_port = 6379;

  // upstream: the booking API
  std::string upstream_host = "127.0.0.1";
  uint16_t upstream_port = 8080;
  int upstream_connections = 16;  // per gate thread
  int64_t upstream_timeout_ms = 5'000;
  int64_t seat_map_cache_ms = 1'000;

  // tokens
  std::string signing_key_file;  // Ed25519 private key (PEM); empty = a fresh key per start
  std::string hs256_secret;      // set: sign with HS256 instead (verifiers need the secret)
  int64_t waiting_token_ttl_s = int64_t{2} * 86'400;
  int64_t max_uncached_verifies_per_s = 2'000;  // per thread: forged-token floods stop here

  // room
  int64_t room_refresh_ms = 100;  // how often each thread ticks and re-reads every room

  // limits (per gate thread; a rate of 0 turns the limit off)
  double join_rate_per_ip_per_s = 20;
  double join_burst_per_ip = 40;
  double api_rate_per_identity_per_s = 10;
  double api_burst_per_identity = 30;
  // Proof-of-work challenges are keyed by this secret: every gate of a deployment shares it.
  std::string pow_secret = "boxoffice-dev-pow";

  // admin
  std::string admin_secret;  // empty: the admin API answers loopback peers only
};

Result<GateConfig, std::string> parse_gate_config(std::string_view toml_text, GateConfig base);
Result<GateConfig, std::string> load_gate_config(const std::string& path, GateConfig base);

}  // namespace boxoffice::gateway
