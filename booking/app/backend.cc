#include "booking/app/backend.h"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "booking/api/api_server.h"
#include "booking/payments/checkout_url.h"
#include "booking/payments/paysim/server.h"
#include "booking/payments/provider_client.h"
#include "booking/payments/refunder.h"
#include "booking/payments/signature.h"
#include "booking/payments/webhook.h"
#include "booking/projector/projector.h"
#include "booking/service/kafka_command_bus.h"
#include "booking/worker/projector_loop.h"
#include "booking/worker/relay.h"
#include "booking/worker/worker.h"
#include "gateway/core/room_config.h"
#include "gateway/io/gate.h"
#include "gateway/io/room_setup.h"
#include "shared/redis/sync_client.h"
#include "shared/thread_name.h"
#include "shared/tokens/caching_verifier.h"

namespace boxoffice::booking {
namespace {

using std::chrono::milliseconds;

// A loopback port free right now: the API's port must be known before it starts, because the
// payment simulator that starts first sends its webhooks there.
uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

api::ProviderPayment::Status to_api(payments::PaymentStatus s) {
  switch (s) {
    case payments::PaymentStatus::kSucceeded:
      return api::ProviderPayment::Status::kSucceeded;
    case payments::PaymentStatus::kFailed:
    case payments::PaymentStatus::kRefunded:
      return api::ProviderPayment::Status::kFailed;
  }
  return api::ProviderPayment::Status::kUnavailable;
}

api::WebhookPayment::Type to_api(payments::PaymentEventType t) {
  switch (t) {
    case payments::PaymentEventType::kSucceeded:
      return api::WebhookPayment::Type::kSucceeded;
    case payments::PaymentEventType::kFailed:
      return api::WebhookPayment::Type::kFailed;
    case payments::PaymentEventType::kProcessing:
      return api::WebhookPayment::Type::kProcessing;
  }
  return api::WebhookPayment::Type::kFailed;
}

// The in-process mock cluster starts with an empty log on every run. Partition snapshots and
// projector marks (lua-rules/booking/README.md) that an earlier run left in Redis belong to a
// log that is gone: a worker would resume from their offsets and the projector would skip
// this run's decisions up to their seqs. Refused, not cleared: the data is the operator's.
Result<bool, std::string> refuse_state_of_a_gone_log(const std::string& host, uint16_t port,
                                                     int partitions) {
  auto redis = redis::SyncClient::connect(host, port);
  if (!redis) return unexpected("redis: " + redis.error());
  for (int32_t p = 0; p < partitions; ++p) {
    for (const std::string& key : {snapshot_key(p), applied_key(p)}) {
      auto found = redis->command({"EXISTS", key});
      if (!found) return unexpected("redis: " + found.error());
      if (!found->is_integer()) return unexpected("redis: EXISTS answered " + found->describe());
      if (found->integer() != 0) {
        std::string why = "redis " + host + ":" + std::to_string(port) + " holds ";
        why += key;
        why +=
            " from an earlier run, whose Kafka log (the in-process mock cluster's) is gone; "
            "start on an empty redis.dir (or Redis)";
        return unexpected(std::move(why));
      }
    }
  }
  return true;
}

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
  if (ok && (embedded || mode == "api")) ok = b->load_admission_keys(embedded);
  if (ok && (embedded || mode == "api")) ok = b->start_api(embedded);
  if (ok && embedded && b->config_.gate_port >= 0) ok = b->start_gate();
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
  while (!parts_.empty()) parts_.pop_back();
}

Result<bool, std::string> Backend::finish() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  // Newest first: a part may use an older one (the provider client its io_context).
  while (!parts_.empty()) parts_.pop_back();
  cluster_.reset();
  redis_.reset();
  std::lock_guard lock(mu_);
  if (!failure_.empty()) return unexpected(failure_);
  return true;
}

void Backend::spawn(std::string name, std::function<Result<bool, std::string>()> body) {
  threads_.emplace_back([this, name = std::move(name), body = std::move(body)] {
    name_this_thread(name);
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
    // A temporary directory goes at exit, and the mock cluster's log with it: an append-only
    // file there would cost every write and protect nothing. redis.dir keeps the data.
    options.append_only = !config_.redis_dir.empty();
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
    auto fresh = refuse_state_of_a_gone_log(config_.redis_host, config_.redis_port,
                                            config_.kafka_partitions);
    if (!fresh) return unexpected(fresh.error());
    auto cluster = kafka::MockCluster::start(1);
    if (!cluster) return unexpected(cluster.error());
    cluster_ = std::move(*cluster);
    for (const std::string* topic :
         {&config_.topics.commands, &config_.topics.events, &config_.topics.delay}) {
      auto made = cluster_->create_topic(*topic, config_.kafka_partitions);
      if (!made) return unexpected(made.error());
    }
    config_.kafka_bootstrap = cluster_->bootstrap();
    const int n = config_.kafka_partitions;
    announce("kafka " + config_.kafka_bootstrap + " (in-process mock cluster, " +
             std::to_string(n) + (n == 1 ? " partition)" : " partitions)"));
  }
  return true;
}

std::chrono::milliseconds Backend::fetch_wait(bool answers) const {
  if (cluster_ == nullptr) return milliseconds(config_.kafka_fetch_wait_ms);
  return answers ? kafka::kMockAnswerFetchWait : kafka::kMockFetchWait;
}

Result<bool, std::string> Backend::start_worker() {
  WorkerConfig c;
  c.bootstrap = config_.kafka_bootstrap;
  c.fetch_wait = fetch_wait();
  c.topics = config_.topics;
  c.redis_host = config_.redis_host;
  c.redis_port = config_.redis_port;
  c.snapshot_every_commands = static_cast<uint64_t>(config_.snapshot_every_commands);
  c.snapshot_every = milliseconds(config_.snapshot_every_ms);
  c.lag_report_every = milliseconds(config_.lag_report_every_ms);
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
  c.fetch_wait = fetch_wait();
  c.topics = config_.topics;
  c.session_timeout = milliseconds(config_.session_timeout_ms);
  auto relay = Relay::create(std::move(c));
  if (!relay) return unexpected("relay: " + relay.error());
  std::shared_ptr<Relay> r = std::move(*relay);
  parts_.push_back(r);
  spawn("relay", [this, r] { return r->run(stop_); });
  return true;
}

Result<bool, std::string> Backend::start_projector() {
  auto projector = Projector::connect(catalog_, config_.redis_host, config_.redis_port);
  if (!projector) return unexpected("projector: " + projector.error());
  auto p = std::make_shared<Projector>(std::move(*projector));
  ProjectorLoopConfig c;
  c.bootstrap = config_.kafka_bootstrap;
  c.fetch_wait = fetch_wait();
  c.topics = config_.topics;
  c.session_timeout = milliseconds(config_.session_timeout_ms);
  auto loop = ProjectorLoop::create(
      std::move(c),
      [p](int32_t partition,
          std::span<const std::string_view> batches) -> Result<size_t, std::string> {
        auto applied = p->apply(partition, batches);
        if (!applied) return unexpected(applied.error());
        for (const std::string& bad : applied->malformed) {
          spdlog::warn("projector: partition {}: skipped {}", partition, bad);
        }
        return applied->decisions;
      });
  if (!loop) return unexpected("projector: " + loop.error());
  std::shared_ptr<ProjectorLoop> l = std::move(*loop);
  parts_.push_back(p);
  parts_.push_back(l);
  spawn("projector", [this, l] { return l->run(stop_); });
  return true;
}

// The API with everything it calls: the command bus, the payment provider (the in-process
// simulator in embedded mode), the webhook verifier and the refunder.
Result<bool, std::string> Backend::start_api(bool embedded) {
  CommandBusConfig bus_config;
  bus_config.bootstrap = config_.kafka_bootstrap;
  bus_config.fetch_wait = fetch_wait(/*answers=*/true);
  bus_config.topics = config_.topics;
  auto made_bus = KafkaCommandBus::create(bus_config);
  if (!made_bus) return unexpected("command bus: " + made_bus.error());
  std::shared_ptr<KafkaCommandBus> bus = std::move(*made_bus);
  parts_.push_back(bus);

  // The payment side's I/O (provider client, simulator) runs on a context of its own.
  auto io = std::make_shared<boost::asio::io_context>();
  auto work =
      std::make_shared<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          io->get_executor());
  parts_.push_back(io);
  threads_.emplace_back([io] {
    name_this_thread("payments-io");
    io->run();
  });

  const uint16_t api_port = config_.api_port != 0 ? config_.api_port : free_port();
  const std::string api_url = "http://" + config_.api_host + ":" + std::to_string(api_port);
  std::string provider_url = config_.provider_url;
  std::shared_ptr<payments::paysim::Paysim> paysim;
  if (provider_url.empty()) {
    if (!embedded) return unexpected(std::string("payments.provider_url is not set"));
    payments::paysim::PaysimOptions o;
    o.listen_port = config_.paysim_port;
    o.webhook_url = api_url + "/webhooks/payments";
    o.webhook_secret = config_.webhook_secret;
    o.checkout_secret = config_.checkout_secret;
    o.provider_name = config_.provider;
    auto started = payments::paysim::Paysim::start(io->get_executor(), std::move(o));
    if (!started) return unexpected("payment simulator: " + started.error());
    paysim = std::move(*started);
    provider_url = paysim->url();
    parts_.push_back(paysim);
    announce("paysim " + provider_url);
  }
  payments::ProviderClient::Options client_options;
  client_options.base_url = provider_url;
  auto client = payments::ProviderClient::create(io->get_executor(), client_options);
  if (!client) return unexpected("payment provider: " + client.error());
  std::shared_ptr<payments::ProviderClient> provider = std::move(*client);
  parts_.push_back(provider);
  auto links = payments::CheckoutLinks::create(provider_url, config_.checkout_secret);
  if (!links) return unexpected("payments: " + links.error());
  auto checkout = std::make_shared<payments::CheckoutLinks>(std::move(*links));
  const std::vector<std::string> secrets = {config_.webhook_secret};
  auto made_verifier = payments::WebhookVerifier::create(secrets);
  if (!made_verifier) return unexpected("payments.webhook_secret: " + made_verifier.error());
  auto verifier = std::make_shared<payments::WebhookVerifier>(std::move(*made_verifier));

  api::ApiConfig c;
  c.host = config_.api_host;
  c.port = api_port;
  c.threads = config_.api_threads;
  c.decision_deadline = milliseconds(config_.decision_deadline_ms);
  c.seat_map_cache_ttl = milliseconds(config_.seat_map_cache_ms);
  c.max_body_bytes = static_cast<size_t>(config_.max_body_bytes);
  c.redis_host = config_.redis_host;
  c.redis_port = config_.redis_port;
  c.payment_url = [checkout](std::string_view reservation, std::string_view user,
                             int64_t amount_cents, std::string_view currency) {
    auto url = checkout->url(reservation, user, amount_cents, currency);
    return url ? std::move(*url) : std::string();
  };
  c.fetch_payment = [provider, name = config_.provider](
                        const std::string& provider_name, const std::string& payment_id,
                        const std::function<void(api::ProviderPayment)>& done) {
    if (provider_name != name) {
      api::ProviderPayment unknown;
      unknown.status = api::ProviderPayment::Status::kUnknown;
      done(std::move(unknown));
      return;
    }
    provider->fetch_payment(payment_id,
                            [done](Result<payments::PaymentInfo, payments::ProviderError> info) {
                              api::ProviderPayment p;
                              if (!info) {
                                p.status = info.error().code == payments::ProviderErrc::kNotFound
                                               ? api::ProviderPayment::Status::kUnknown
                                               : api::ProviderPayment::Status::kUnavailable;
                              } else {
                                p.status = to_api(info->status);
                                p.amount_cents = info->amount_cents;
                                p.reservation = info->reservation;
                                p.user = info->user;
                              }
                              done(std::move(p));
                            });
  };
  c.verify_webhook =
      [verifier](std::string_view body,
                 std::string_view signature) -> Result<api::WebhookPayment, api::WebhookRejection> {
    auto signed_at = verifier->verify(signature, body, wall_ms() / 1000);
    if (!signed_at) {
      return unexpected(api::WebhookRejection{true, std::string(describe(signed_at.error()))});
    }
    auto event = payments::parse_webhook(body);
    if (!event) return unexpected(api::WebhookRejection{false, event.error().message()});
    api::WebhookPayment w;
    w.type = to_api(event->type);
    w.payment_id = event->payment_id;
    w.provider = event->provider;
    w.reservation = event->reservation;
    w.user = event->user;
    w.amount_cents = event->amount_cents;
    return w;
  };
  if (admission_keys_) {
    // The API's threads share kStripes verifiers, each behind its own lock, picked by the
    // token's next-to-last character (the signature's, as good as random; its last character
    // carries only a few bits): a verifier is not thread-safe, and one lock for all made each
    // thread wait out the other's checks. A token always meets the same stripe, so its cached
    // answer too; each stripe holds its share of the cache and of the budget for unknown
    // tokens, so a forged-token flood stays as cheap.
    constexpr size_t kStripes = 8;
    struct AdmissionCheck {
      struct Stripe {
        Stripe(const tokens::KeySet& keys, tokens::CachingVerifierOptions o) : verifier(keys, o) {}
        std::mutex mu;
        tokens::CachingVerifier verifier;
      };
      std::shared_ptr<tokens::KeySet> keys;
      std::vector<std::unique_ptr<Stripe>> stripes;
    };
    auto check = std::make_shared<AdmissionCheck>();
    check->keys = admission_keys_;
    tokens::CachingVerifierOptions share;
    share.cache_capacity = (share.cache_capacity + kStripes - 1) / kStripes;
    constexpr auto kStripesSigned = static_cast<int64_t>(kStripes);
    share.max_uncached_verifies_per_s = std::max<int64_t>(
        1, (config_.admission_max_uncached_verifies_per_s + kStripesSigned - 1) / kStripesSigned);
    for (size_t i = 0; i < kStripes; ++i) {
      check->stripes.push_back(std::make_unique<AdmissionCheck::Stripe>(*check->keys, share));
    }
    c.verify_admission = [check](std::string_view authorization,
                                 std::string_view event_id) -> Result<std::string, api::HttpError> {
      if (!authorization.starts_with("Bearer ")) {
        return unexpected(api::api_error(api::ApiErrc::kAdmissionRequired,
                                         "writes need an admission token from the gate"));
      }
      const std::string_view token = authorization.substr(7);
      tokens::VerifyOptions options;
      options.expected_event = event_id;
      options.expected_kind = tokens::kKindAdmission;
      const auto pick = static_cast<unsigned char>(token.size() < 2 ? 0 : token[token.size() - 2]);
      AdmissionCheck::Stripe& stripe = *check->stripes[pick % kStripes];
      std::unique_lock lock(stripe.mu);
      auto claims = stripe.verifier.verify(token, wall_ms(), options);
      lock.unlock();
      if (!claims) {
        api::HttpError e = api::api_error(api::ApiErrc::kInvalidAdmission,
                                          "the admission token is not valid for this event");
        e.extra_members = R"("reason":")" + std::string(tokens::to_string(claims.error())) + R"(")";
        return unexpected(std::move(e));
      }
      return std::move(claims->sub);
    };
  }
  auto server = std::make_shared<api::ApiServer>(catalog_, *bus, std::move(c));
  if (auto ok = server->start(); !ok) return unexpected("api: " + ok.error());
  parts_.push_back(server);
  config_.api_port = api_port;  // the gate's upstream
  announce("api " + api_url);

  payments::RefunderOptions r;
  r.redis_host = config_.redis_host;
  r.redis_port = config_.redis_port;
  r.providers.emplace(config_.provider, payments::ProviderEndpoint{provider_url, ""});
  auto refunder = payments::Refunder::create(std::move(r));
  if (!refunder) return unexpected("refunder: " + refunder.error());
  std::shared_ptr<payments::Refunder> refunds = std::move(*refunder);
  parts_.push_back(refunds);
  threads_.emplace_back([refunds] {
    name_this_thread("refunds");
    refunds->run();
  });

  // Stops the API side when the process stops, in dependency order.
  spawn("api", [this, server, paysim, refunds, work, io]() -> Result<bool, std::string> {
    while (!stop_.load()) std::this_thread::sleep_for(milliseconds(100));
    server->stop();
    refunds->stop();
    if (paysim) paysim->stop();
    work->reset();
    return true;
  });

  // Ready means a command goes through: the worker group has formed and owns the partitions.
  if (embedded && !catalog_.events.empty()) {
    Command probe;
    probe.type = CommandType::kExpire;
    probe.at_ms = wall_ms();
    probe.event_id = catalog_.events.front().id;
    for (int attempt = 0; attempt < 6; ++attempt) {
      std::promise<CommandOutcome> answered;
      auto outcome = answered.get_future();
      bus->submit(probe, std::chrono::seconds(10),
                  [&answered](CommandOutcome o) { answered.set_value(std::move(o)); });
      if (outcome.get().status == CommandOutcome::Status::kDecided) return true;
      if (stop_.load()) break;
    }
    return unexpected(std::string("the worker did not answer within a minute"));
  }
  return true;
}

Result<bool, std::string> Backend::load_admission_keys(bool embedded) {
  if (embedded && config_.gate_port >= 0) {
    gateway::GateConfig g;
    g.signing_key_file = config_.gate_signing_key_file;
    g.hs256_secret = config_.gate_hs256_secret;
    auto keys = gateway::load_signing_keys(g);
    if (!keys) return unexpected("gate: " + keys.error());
    gate_keys_ = std::make_shared<tokens::KeySet>(std::move(*keys));
  }
  if (!config_.require_admission) {
    spdlog::warn("api: api.require_admission is off: writes trust the identity they name");
    return true;
  }
  if (gate_keys_) {
    admission_keys_ = gate_keys_;
    return true;
  }
  if (!config_.admission_hs256_secret.empty()) {
    auto keys = std::make_shared<tokens::KeySet>();
    if (!keys->add_hs256("hs1", config_.admission_hs256_secret)) {
      return unexpected(std::string("api.admission_hs256_secret: not usable"));
    }
    admission_keys_ = std::move(keys);
    return true;
  }
  if (config_.admission_jwks_file.empty()) {
    return unexpected(std::string(
        "api.require_admission needs api.admission_jwks_file or api.admission_hs256_secret"));
  }
  std::ifstream in(config_.admission_jwks_file, std::ios::binary);
  if (!in) return unexpected("api.admission_jwks_file: cannot open " + config_.admission_jwks_file);
  std::ostringstream text;
  text << in.rdbuf();
  auto keys = tokens::KeySet::from_jwks(text.str());
  if (!keys) return unexpected("api.admission_jwks_file: " + keys.error());
  admission_keys_ = std::make_shared<tokens::KeySet>(std::move(*keys));
  return true;
}

Result<bool, std::string> Backend::start_gate() {
  // Every catalog event gets a waiting room, unless an operator set one up already.
  auto client = redis::SyncClient::connect(config_.redis_host, config_.redis_port);
  if (!client) return unexpected("gate: redis: " + client.error());
  for (const Event& event : catalog_.events) {
    gateway::RoomConfigUpdate room;
    room.queue_opens_at_ms =
        std::max<int64_t>(0, event.on_sale_at_ms - config_.gate_queue_opens_before_ms);
    room.on_sale_at_ms = event.on_sale_at_ms;
    room.batch_size = static_cast<uint64_t>(config_.gate_batch_size);
    room.batch_interval_ms = config_.gate_batch_interval_ms;
    room.active_cap = static_cast<uint64_t>(config_.gate_active_cap);
    room.session_ms = config_.gate_session_ms;
    room.mode = gateway::RoomMode::kLottery;
    auto made = gateway::ensure_room(*client, event.id, room);
    if (!made) return unexpected("gate: room for " + event.id + ": " + made.error());
  }

  gateway::GateConfig g;
  g.h2c_port = config_.gate_port;
  g.threads = config_.gate_threads;
  g.static_dir = config_.gate_static_dir;
  if (!g.static_dir.empty() && !std::filesystem::is_directory(g.static_dir)) {
    // The default is relative to the repository: elsewhere the gate runs without fan pages.
    spdlog::warn("gate: no fan pages: {} is not a directory", g.static_dir);
    g.static_dir.clear();
  }
  g.redis_host = config_.redis_host;
  g.redis_port = config_.redis_port;
  g.upstream_host = config_.api_host;
  g.upstream_port = config_.api_port;
  auto gate = gateway::Gate::start(g, *gate_keys_);
  if (!gate) return unexpected("gate: " + gate.error());
  std::shared_ptr<gateway::Gate> running = std::move(*gate);
  parts_.push_back(running);
  announce("gate http://" + g.host + ":" + std::to_string(running->h2c_port()) +
           " (HTTP/2 cleartext: curl --http2-prior-knowledge)");
  spawn("gate", [this, running]() -> Result<bool, std::string> {
    while (!stop_.load()) std::this_thread::sleep_for(milliseconds(100));
    running->drain();
    running->wait();
    return true;
  });
  return true;
}

}  // namespace boxoffice::booking
