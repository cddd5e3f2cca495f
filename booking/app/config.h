// The backend's configuration: one TOML file (every key documented in booking/app/README.md,
// with its default and unit) plus CLI flags for the common ones. Unknown keys and values of
// the wrong type or range are errors, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "booking/service/kafka.h"
#include "booking/service/topics.h"
#include "shared/result.h"

namespace boxoffice::booking {

struct BackendConfig {
  std::string catalog = "booking/catalog/sample.json";

  // kafka
  std::string kafka_bootstrap;  // empty: host librdkafka's mock cluster in-process
  // Partitions of each topic the mock cluster creates. One by default: the embedded backend
  // runs one worker, so more partitions add no parallelism, while the mock's cost grows with
  // the message sets a partition holds (it walks them from the oldest on every fetch), and one
  // partition takes one set per produce request instead of one per partition.
  int kafka_partitions = 1;
  // fetch.wait.max.ms of every consumer on brokers (kafka.h). The in-process mock cluster, which
  // answers a fetch only when its wait is over, gets short waits of its own instead.
  int64_t kafka_fetch_wait_ms = kafka::kBrokerFetchWait.count();
  Topics topics;

  // redis
  std::string redis_host = "127.0.0.1";
  uint16_t redis_port = 0;  // 0: start a private redis-server
  std::string redis_dir;    // data directory of that server; empty = a temporary one

  // api
  std::string api_host = "127.0.0.1";
  uint16_t api_port = 8080;  // 0 = any free port
  int api_threads = 2;
  int64_t decision_deadline_ms = 2'000;
  int64_t seat_map_cache_ms = 500;
  int64_t max_body_bytes = int64_t{64} * 1024;

  // Writes need the gate's admission token (defense in depth: a request that bypassed the gate
  // has none). The keys: the embedded gate's own, else a JWKS file or an HS256 secret.
  bool require_admission = true;
  std::string admission_jwks_file;
  std::string admission_hs256_secret;
  // Signature checks per second for tokens booking has not seen yet (each new fan's first
  // write); beyond it writes answer verify_busy, so forged tokens cannot exhaust the API.
  int64_t admission_max_uncached_verifies_per_s = 20'000;

  // gate (embedded mode)
  int gate_port = 8000;  // h2c; 0 = any free port, -1 = no gate
  int gate_threads = 2;
  std::string gate_signing_key_file;  // Ed25519 PEM; empty = a fresh key per start
  std::string gate_hs256_secret;      // set: the gate signs with HS256 and booking checks that
  std::string gate_static_dir = "gateway/static";
  // Waiting rooms set up for every catalog event that has none yet.
  int64_t gate_queue_opens_before_ms = 3'600'000;  // the pre-queue opens this long before on-sale
  int64_t gate_batch_size = 200;
  int64_t gate_batch_interval_ms = 1'000;
  int64_t gate_active_cap = 5'000;
  int64_t gate_session_ms = 900'000;

  // worker
  // A busy partition snapshots by command count (replay after a takeover stays short); the
  // time bound catches quiet ones. A stadium's snapshot is half a megabyte, so not every 5 s.
  int64_t snapshot_every_commands = 50'000;
  int64_t snapshot_every_ms = 30'000;
  int64_t lag_report_every_ms = 1'000;
  int64_t session_timeout_ms = 6'000;

  // payments
  std::string provider = "paysim";
  std::string provider_url;  // empty: run the payment simulator in-process
  uint16_t paysim_port = 0;  // the in-process simulator's port, 0 = any free port
  std::string webhook_secret = "whsec_boxoffice_dev";
  std::string checkout_secret = "cksec_boxoffice_dev";
};

// Reads the file over the defaults; error messages name the key ("api.threads: ...").
Result<BackendConfig, std::string> load_config_file(const std::string& path, BackendConfig base);
Result<BackendConfig, std::string> parse_config(std::string_view toml_text, BackendConfig base);

}  // namespace boxoffice::booking
