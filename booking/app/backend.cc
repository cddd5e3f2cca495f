#include "booking/app/backend.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "booking/worker/projector_loop.h"
#include "booking/worker/relay.h"
#include "booking/worker/worker.h"

namespace boxoffice::booking {
namespace {

using std::chrono::milliseconds;

// What other programs (tests, the benchmark, people) read to find the services.
void announce(const std::string& line) {
  std::printf("boxoffice: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

Result<std::unique_ptr<Backend>, std::string> Backend::start(const std::string& mode,
                                                             BackendConfig config,
                                                             std::atomic<bool>& stop) {
  std::unique_ptr<Backend> b(new Backend(std::move(config), stop));
  auto catalog = load_catalog_file(b->config_.catalog);
  if (!catalog) return unexpected(catalog.error());
  b->catalog_ = std::move(*catalog);
  const bool embedded = mode == "embedded";
  auto ok = b->start_infrastructure(embedded);
  if (ok && (embedded || mode == "worker")) ok = b->start_worker();
  if (ok && (embedded || mode == "relay")) ok = b->start_relay();
  if (ok && (embedded || mode == "projector")) ok = b->start_projector();
  if (ok && (embedded || mode == "api")) ok = b->start_api(embedded);
  if (!ok) {
    stop = true;
    (void)b->finish();
    return unexpected(ok.error());
  }
  announce("ready");
  return b;
}

Backend::~Backend() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

Result<bool, std::string> Backend::finish() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  parts_.clear();
  cluster_.reset();
  redis_.reset();
  std::lock_guard lock(mu_);
  if (!failure_.empty()) return unexpected(failure_);
  return true;
}

void Backend::spawn(std::string name, std::function<Result<bool, std::string>()> body) {
  threads_.emplace_back([this, name = std::move(name), body = std::move(body)] {
    auto ok = body();
    if (ok) return;
    spdlog::error("{}: {}", name, ok.error());
    std::lock_guard lock(mu_);
    if (failure_.empty()) failure_ = name + ": " + ok.error();
    stop_ = true;
  });
}

Result<bool, std::string> Backend::start_infrastructure(bool embedded) {
  if (config_.redis_port == 0) {
    if (!embedded) return unexpected(std::string("redis: give --redis host:port"));
    redis::RedisProcess::Options options;
    options.dir = config_.redis_dir;
    auto redis = redis::RedisProcess::start(options);
    if (!redis) return unexpected("redis-server: " + redis.error());
    redis_.emplace(std::move(*redis));
    config_.redis_host = "127.0.0.1";
    config_.redis_port = redis_->port();
    announce("redis 127.0.0.1:" + std::to_string(redis_->port()) + " (data in " + redis_->dir() +
             ")");
  }
  if (config_.kafka_bootstrap.empty()) {
    if (!embedded) return unexpected(std::string("kafka: give --kafka bootstrap servers"));
    auto cluster = kafka::MockCluster::start(1);
    if (!cluster) return unexpected(cluster.error());
    cluster_ = std::move(*cluster);
    for (const std::string* topic :
         {&config_.topics.commands, &config_.topics.events, &config_.topics.delay}) {
      auto made = cluster_->create_topic(*topic, config_.kafka_partitions);
      if (!made) return unexpected(made.error());
    }
    config_.kafka_bootstrap = cluster_->bootstrap();
    announce("kafka " + config_.kafka_bootstrap + " (in-process mock cluster, " +
             std::to_string(config_.kafka_partitions) + " partitions)");
  }
  return true;
}

Result<bool, std::string> Backend::start_worker() {
  WorkerConfig c;
  c.bootstrap = config_.kafka_bootstrap;
  c.topics = config_.topics;
  c.redis_host = config_.redis_host;
  c.redis_port = config_.redis_port;
  c.snapshot_every_commands = static_cast<uint64_t>(config_.snapshot_every_commands);
  c.snapshot_every = milliseconds(config_.snapshot_every_ms);
  c.session_timeout = milliseconds(config_.session_timeout_ms);
  auto worker = Worker::create(catalog_, std::move(c));
  if (!worker) return unexpected("worker: " + worker.error());
  std::shared_ptr<Worker> w = std::move(*worker);
  parts_.push_back(w);
  spawn("worker", [this, w] { return w->run(stop_); });
  return true;
}

Result<bool, std::string> Backend::start_relay() {
  RelayConfig c;
  c.bootstrap = config_.kafka_bootstrap;
  c.topics = config_.topics;
  c.session_timeout = milliseconds(config_.session_timeout_ms);
  auto relay = Relay::create(std::move(c));
  if (!relay) return unexpected("relay: " + relay.error());
  std::shared_ptr<Relay> r = std::move(*relay);
  parts_.push_back(r);
  spawn("relay", [this, r] { return r->run(stop_); });
  return true;
}

}  // namespace boxoffice::booking
