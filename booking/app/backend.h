// The running backend of one `boxoffice` process: what a mode starts, on which threads, and
// how it stops. Embedded mode also hosts Redis and the Kafka mock cluster.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "booking/app/config.h"
#include "booking/core/catalog.h"
#include "booking/service/kafka.h"
#include "shared/redis/redis_process.h"
#include "shared/result.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::booking {

class Backend {
 public:
  // mode: embedded, worker, relay, projector or api. Returns once every part accepts work;
  // sets stop when a part fails later.
  static Result<std::unique_ptr<Backend>, std::string> start(const std::string& mode,
                                                             BackendConfig config,
                                                             std::atomic<bool>& stop);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // After stop was set: waits for every part, then stops Redis and the mock cluster. Returns
  // the first failure of any part.
  Result<bool, std::string> finish();

 private:
  Backend(BackendConfig config, std::atomic<bool>& stop)
      : config_(std::move(config)), stop_(stop) {}
  Result<bool, std::string> start_infrastructure(bool embedded);
  Result<bool, std::string> start_worker();
  Result<bool, std::string> start_relay();
  Result<bool, std::string> start_projector();
  Result<bool, std::string> start_api(bool embedded);
  // The keys the gate signs admission tokens with and booking checks them with.
  Result<bool, std::string> load_admission_keys(bool embedded);
  Result<bool, std::string> start_gate();
  // fetch.wait.max.ms for the consumers (kafka.h): kafka.fetch_wait_ms on brokers; on the
  // in-process mock a short wait, shorter still for the API's decision listener (answers).
  std::chrono::milliseconds fetch_wait(bool answers = false) const;
  // Runs body on a thread of its own; a failure stops the whole process.
  void spawn(std::string name, std::function<Result<bool, std::string>()> body);

  BackendConfig config_;
  std::atomic<bool>& stop_;
  Catalog catalog_;
  std::shared_ptr<tokens::KeySet> gate_keys_;       // embedded: signs, and booking verifies
  std::shared_ptr<tokens::KeySet> admission_keys_;  // what booking verifies with; null = no check
  std::optional<redis::RedisProcess> redis_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  // Components, destroyed after their threads, newest first.
  std::vector<std::shared_ptr<void>> parts_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::string failure_;
};

}  // namespace boxoffice::booking
