// The running gate: the HTTP/2 server with one GateHandler per worker thread. Used by the
// boxoffice_gate binary and by `boxoffice embedded`.
#pragma once

#include <memory>
#include <string>

#include "gateway/io/gate_config.h"
#include "gateway/io/gate_shared.h"
#include "gateway/server/server.h"
#include "shared/result.h"
#include "shared/tokens/key_set.h"

namespace boxoffice::gateway {

class Gate {
 public:
  // Returns once every thread listens. The key set signs the tokens the gate hands out.
  static Result<std::unique_ptr<Gate>, std::string> start(GateConfig config, tokens::KeySet keys);

  ~Gate();
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  int h2c_port() const;
  int tls_port() const;
  // Graceful: GOAWAY, in-flight streams finish, then the threads end. Safe from any thread.
  void drain();
  // Blocks until the threads ended (after drain(), or stop()).
  void wait();

 private:
  Gate() = default;
  std::unique_ptr<GateShared> shared_;
  std::unique_ptr<server::Server> server_;
};

// The signing keys a gate config names: the PEM file, an HS256 secret, or a fresh Ed25519 key.
Result<tokens::KeySet, std::string> load_signing_keys(const GateConfig& config);

}  // namespace boxoffice::gateway
