// The projector: applies decision batches of boxoffice.events to the Redis read model
// (lua-rules/booking/README.md) through lua-rules/booking/apply.lua. Kafka-free: the consumer
// loop hands it the payloads it polled, one partition at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "booking/core/catalog.h"
#include "lua-rules/lua_rules.h"
#include "shared/redis/sync_client.h"
#include "shared/result.h"

namespace boxoffice::booking {

struct ProjectorOptions {
  // Decisions per apply.lua call. Redis runs one script at a time, so this bounds how long a
  // call holds everyone else up; the calls of one apply() still go in one round trip.
  size_t decisions_per_call = 512;
};

// The Redis key of the last seq of a partition the read model has applied: bx:applied:{partition}.
std::string applied_key(int32_t partition);

class Projector {
 public:
  using Options = ProjectorOptions;

  struct Applied {
    size_t decisions = 0;  // newly applied; the others had been applied before
    // Batches skipped because they can never be applied, e.g. "batch 2: truncated varint at
    // byte 17" or "batch 0: decision seq 9 (held): seat 500 is not a seat of evt_small".
    std::vector<std::string> malformed;
  };

  // The catalog must outlive the projector; it bounds the seat indices written to seat maps.
  Projector(const Catalog& catalog, redis::SyncClient client, Options options = {});
  static Result<Projector, std::string> connect(const Catalog& catalog, std::string host,
                                                uint16_t port, Options options = {});

  // Applies the decision batches (booking/core/wire.h, decode_decision_batch) of one partition,
  // in order, in one round trip (pipelined apply.lua calls of many decisions each). Decisions
  // already applied are skipped, so handing the same batches over again is harmless. Malformed
  // batches are skipped and listed in the answer. The error is a Redis failure (unreachable,
  // a script error): decisions before the failing call are applied, and calling again with the
  // same batches (after a reconnect, which the next call makes) continues where it stopped.
  Result<Applied, std::string> apply(int32_t partition, std::span<const std::string_view> batches);

  // The highest decision seq applied from the partition (0 = none).
  Result<uint64_t, std::string> applied_seq(int32_t partition);

 private:
  struct Call;
  Result<std::monostate, std::string> ready();
  Result<size_t, std::string> send(const std::string& partition, std::span<const Call> calls);

  const Catalog* catalog_;
  Options options_;
  std::unique_ptr<redis::SyncClient> client_;  // stable address for the runner
  lua::ScriptRunner runner_;
};

}  // namespace boxoffice::booking
