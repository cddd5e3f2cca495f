#include "gateway/io/gate_config.h"

#include "shared/config/toml_settings.h"

namespace boxoffice::gateway {
namespace {

using config::integer;
using config::number;
using config::text;

const config::Setters<GateConfig>& setters() {
  constexpr int64_t kDay = 86'400'000;
  static const config::Setters<GateConfig> all = {
      {"server.host", text(&GateConfig::host, false)},
      {"server.h2c_port", integer(&GateConfig::h2c_port, -1, 65535)},
      {"server.tls_port", integer(&GateConfig::tls_port, -1, 65535)},
      {"server.cert_file", text(&GateConfig::cert_file)},
      {"server.key_file", text(&GateConfig::key_file)},
      {"server.threads", integer(&GateConfig::threads, 1, 256)},
      {"server.max_body_bytes", integer(&GateConfig::max_body_bytes, 1024, 64 << 20)},
      {"server.max_header_list_bytes", integer(&GateConfig::max_header_list_bytes, 1024, 1 << 20)},
      {"server.max_concurrent_streams", integer(&GateConfig::max_concurrent_streams, 1, 10'000)},
      {"server.drain_timeout_ms", integer(&GateConfig::drain_timeout_ms, 0, kDay)},
      {"server.static_dir", text(&GateConfig::static_dir)},
      {"redis.host", text(&GateConfig::redis_host, false)},
      {"redis.port", integer(&GateConfig::redis_port, 1, 65535)},
      {"upstream.host", text(&GateConfig::upstream_host, false)},
      {"upstream.port", integer(&GateConfig::upstream_port, 1, 65535)},
      {"upstream.connections", integer(&GateConfig::upstream_connections, 1, 4096)},
      {"upstream.timeout_ms", integer(&GateConfig::upstream_timeout_ms, 1, kDay)},
      {"upstream.seat_map_cache_ms", integer(&GateConfig::seat_map_cache_ms, 0, kDay)},
      {"tokens.signing_key_file", text(&GateConfig::signing_key_file)},
      {"tokens.hs256_secret", text(&GateConfig::hs256_secret)},
      {"tokens.waiting_token_ttl_s", integer(&GateConfig::waiting_token_ttl_s, 60, kDay)},
      {"tokens.max_uncached_verifies_per_s",
       integer(&GateConfig::max_uncached_verifies_per_s, 1, 10'000'000)},
      {"room.refresh_ms", integer(&GateConfig::room_refresh_ms, 10, 60'000)},
      {"limits.join_rate_per_ip_per_s", number(&GateConfig::join_rate_per_ip_per_s, 0, 1e9)},
      {"limits.join_burst_per_ip", number(&GateConfig::join_burst_per_ip, 1, 1e9)},
      {"limits.api_rate_per_identity_per_s",
       number(&GateConfig::api_rate_per_identity_per_s, 0, 1e9)},
      {"limits.api_burst_per_identity", number(&GateConfig::api_burst_per_identity, 1, 1e9)},
      {"limits.pow_secret", text(&GateConfig::pow_secret, false)},
      {"admin.secret", text(&GateConfig::admin_secret)},
  };
  return all;
}

}  // namespace

Result<GateConfig, std::string> parse_gate_config(std::string_view toml_text, GateConfig base) {
  auto parsed = config::parse(toml_text, std::move(base), setters());
  if (parsed && parsed->tls_port >= 0 && (parsed->cert_file.empty() || parsed->key_file.empty())) {
    return unexpected(std::string("server.tls_port: needs server.cert_file and server.key_file"));
  }
  if (parsed && parsed->h2c_port < 0 && parsed->tls_port < 0) {
    return unexpected(std::string("server: both h2c_port and tls_port are off"));
  }
  return parsed;
}

Result<GateConfig, std::string> load_gate_config(const std::string& path, GateConfig base) {
  auto parsed = config::load_file(path, std::move(base), setters());
  if (!parsed) return parsed;
  // The cross-key checks live in parse_gate_config; run them on the file's result too.
  return parse_gate_config("", std::move(*parsed));
}

}  // namespace boxoffice::gateway
