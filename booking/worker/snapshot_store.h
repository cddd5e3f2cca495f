// Where a worker keeps each partition's latest snapshot: the Redis hash bx:snap:{partition}
// (offset, seq) and the string bx:snap:{partition}:bytes (lua-rules/booking/README.md), stored
// through save_snapshot.lua so that an older owner can never overwrite a newer snapshot. The same
// connection carries the worker's command-lag reports (bx:lag), which the gates read to size their
// admission batches.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/redis/sync_client.h"
#include "shared/result.h"

namespace boxoffice::booking {

// The commands of one partition not applied yet: its high watermark minus the next offset.
struct PartitionLag {
  int32_t partition = 0;
  uint64_t lag = 0;
};

struct StoredSnapshot {
  int64_t next_offset = 0;  // the first command offset the snapshot does not include
  uint64_t seq = 0;
  std::string bytes;
};

// The Redis key of a partition's snapshot offset and seq: bx:snap:{partition}.
std::string snapshot_key(int32_t partition);

class SnapshotStore {
 public:
  static Result<std::unique_ptr<SnapshotStore>, std::string> connect(const std::string& host,
                                                                     uint16_t port);
  // nullopt when the partition has no snapshot yet.
  Result<std::optional<StoredSnapshot>, std::string> load(int32_t partition);
  // false when a snapshot at a later offset is already stored (this one is then dropped).
  Result<bool, std::string> save(int32_t partition, const StoredSnapshot& snapshot);
  // One HSET of bx:lag: field = partition, value = "<lag> <unix_ms>" for each of lags.
  Result<bool, std::string> report_lag(const std::vector<PartitionLag>& lags, int64_t unix_ms);

 private:
  explicit SnapshotStore(redis::SyncClient client) : redis_(std::move(client)) {}
  Result<bool, std::string> reconnect_if_broken();
  redis::SyncClient redis_;
};

}  // namespace boxoffice::booking
