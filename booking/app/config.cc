#include "booking/app/config.h"

#include <limits>

#include "shared/config/toml_settings.h"

namespace boxoffice::booking {
namespace {

using config::boolean;
using config::integer;
using config::text;

config::Setter<BackendConfig> topic(std::string Topics::*field) {
  return [=](const toml::node& n, BackendConfig& c) -> std::string {
    if (!n.is_string() || n.value<std::string>()->empty()) return "must be a non-empty string";
    c.topics.*field = *n.value<std::string>();
    return "";
  };
}

const config::Setters<BackendConfig>& setters() {
  constexpr int64_t kDay = 86'400'000;
  static const config::Setters<BackendConfig> all = {
      {"catalog.path", text(&BackendConfig::catalog, false)},
      {"kafka.bootstrap", text(&BackendConfig::kafka_bootstrap)},
      {"kafka.partitions", integer(&BackendConfig::kafka_partitions, 1, 1024)},
      {"kafka.fetch_wait_ms", integer(&BackendConfig::kafka_fetch_wait_ms, 1, 60'000)},
      {"kafka.commands_topic", topic(&Topics::commands)},
      {"kafka.events_topic", topic(&Topics::events)},
      {"kafka.delay_topic", topic(&Topics::delay)},
      {"redis.host", text(&BackendConfig::redis_host, false)},
      {"redis.port", integer(&BackendConfig::redis_port, 0, 65535)},
      {"redis.dir", text(&BackendConfig::redis_dir)},
      {"api.host", text(&BackendConfig::api_host, false)},
      {"api.port", integer(&BackendConfig::api_port, 0, 65535)},
      {"api.threads", integer(&BackendConfig::api_threads, 1, 256)},
      {"api.decision_deadline_ms", integer(&BackendConfig::decision_deadline_ms, 1, kDay)},
      {"api.seat_map_cache_ms", integer(&BackendConfig::seat_map_cache_ms, 0, kDay)},
      {"api.max_body_bytes", integer(&BackendConfig::max_body_bytes, 1024, 64 << 20)},
      {"api.require_admission", boolean(&BackendConfig::require_admission)},
      {"api.admission_jwks_file", text(&BackendConfig::admission_jwks_file)},
      {"api.admission_hs256_secret", text(&BackendConfig::admission_hs256_secret)},
      {"api.admission_max_uncached_verifies_per_s",
       integer(&BackendConfig::admission_max_uncached_verifies_per_s, 1, 100'000'000)},
      {"gate.port", integer(&BackendConfig::gate_port, -1, 65535)},
      {"gate.threads", integer(&BackendConfig::gate_threads, 1, 256)},
      {"gate.signing_key_file", text(&BackendConfig::gate_signing_key_file)},
      {"gate.hs256_secret", text(&BackendConfig::gate_hs256_secret)},
      {"gate.static_dir", text(&BackendConfig::gate_static_dir)},
      {"gate.queue_opens_before_ms",
       integer(&BackendConfig::gate_queue_opens_before_ms, 0, 365 * kDay)},
      {"gate.batch_size", integer(&BackendConfig::gate_batch_size, 1, 1'000'000)},
      {"gate.batch_interval_ms", integer(&BackendConfig::gate_batch_interval_ms, 10, kDay)},
      {"gate.active_cap", integer(&BackendConfig::gate_active_cap, 0, 100'000'000)},
      {"gate.session_ms", integer(&BackendConfig::gate_session_ms, 1'000, kDay)},
      {"worker.snapshot_every_commands",
       integer(&BackendConfig::snapshot_every_commands, 1, std::numeric_limits<int32_t>::max())},
      {"worker.snapshot_every_ms", integer(&BackendConfig::snapshot_every_ms, 10, kDay)},
      {"worker.lag_report_every_ms", integer(&BackendConfig::lag_report_every_ms, 100, 60'000)},
      {"worker.session_timeout_ms", integer(&BackendConfig::session_timeout_ms, 3'000, 300'000)},
      {"payments.provider", text(&BackendConfig::provider, false)},
      {"payments.provider_url", text(&BackendConfig::provider_url)},
      {"payments.paysim_port", integer(&BackendConfig::paysim_port, 0, 65535)},
      {"payments.webhook_secret", text(&BackendConfig::webhook_secret, false)},
      {"payments.checkout_secret", text(&BackendConfig::checkout_secret, false)},
  };
  return all;
}

}  // namespace

Result<BackendConfig, std::string> parse_config(std::string_view toml_text, BackendConfig base) {
  return config::parse(toml_text, std::move(base), setters());
}

Result<BackendConfig, std::string> load_config_file(const std::string& path, BackendConfig base) {
  return config::load_file(path, std::move(base), setters());
}

}  // namespace boxoffice::booking
