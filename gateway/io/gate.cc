#include "gateway/io/gate.h"

#include <spdlog/spdlog.h>

#include "gateway/io/gate_handler.h"

namespace boxoffice::gateway {

Result<tokens::KeySet, std::string> load_signing_keys(const GateConfig& config) {
  tokens::KeySet keys;
  if (!config.hs256_secret.empty()) {
    if (!keys.add_hs256("hs1", config.hs256_secret)) {
      return unexpected(std::string("tokens.hs256_secret: not usable"));
    }
    keys.set_active("hs1");
    return keys;
  }
  if (config.signing_key_file.empty()) {
    auto kid = keys.generate_ed25519();
    if (!kid) return unexpected("cannot generate a signing key: " + kid.error());
    keys.set_active(*kid);
    return keys;
  }
  auto kid = keys.load_ed25519_pem_file(config.signing_key_file);
  if (!kid) return unexpected(config.signing_key_file + ": " + kid.error());
  keys.set_active(*kid);
  return keys;
}

Result<std::unique_ptr<Gate>, std::string> Gate::start(GateConfig config, tokens::KeySet keys) {
  std::unique_ptr<Gate> gate(new Gate());
  gate->shared_ = std::make_unique<GateShared>();
  GateShared& shared = *gate->shared_;
  shared.config = std::move(config);
  shared.keys = std::move(keys);
  auto waiting_keys = shared.keys.derive_hs256(tokens::kWaitingKeyPurpose);
  if (!waiting_keys) return unexpected("waiting-token keys: " + waiting_keys.error());
  shared.waiting_keys = std::move(*waiting_keys);
  shared.jwks = shared.keys.to_jwks();
  const GateConfig& c = shared.config;
  if (!c.static_dir.empty()) {
    auto files = server::StaticFiles::load(c.static_dir);
    if (!files) return unexpected("server.static_dir: " + files.error());
    shared.static_files.emplace(std::move(*files));
  }

  server::ServerConfig sc;
  sc.host = c.host;
  sc.h2c_port = c.h2c_port;
  sc.tls_port = c.tls_port;
  sc.cert_file = c.cert_file;
  sc.key_file = c.key_file;
  sc.threads = c.threads;
  sc.max_body_bytes = c.max_body_bytes;
  sc.max_header_list_bytes = c.max_header_list_bytes;
  sc.max_concurrent_streams = c.max_concurrent_streams;
  sc.drain_timeout_ms = c.drain_timeout_ms;
  gate->server_ = std::make_unique<server::Server>(
      sc, [&shared](event_base* base, int thread_index) -> std::unique_ptr<server::RequestHandler> {
        return std::make_unique<GateHandler>(shared, base, thread_index);
      });
  server::Server& srv = *gate->server_;
  shared.render_server_metrics = [&srv](std::string& out) { srv.render_prometheus(out); };
  if (auto started = srv.start(); !started) return unexpected(started.error());
  return gate;
}

Gate::~Gate() {
  if (server_) {
    server_->stop();
    server_->wait();
  }
}

int Gate::h2c_port() const { return server_->ports().h2c; }
int Gate::tls_port() const { return server_->ports().tls; }
void Gate::drain() { server_->drain(); }
void Gate::wait() { server_->wait(); }

}  // namespace boxoffice::gateway
