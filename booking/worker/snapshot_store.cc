#include "booking/worker/snapshot_store.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "lua-rules/lua_rules.h"
#include "shared/redis/lag_report.h"

namespace boxoffice::booking {
namespace {

template <class T>
bool parse_int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// How long a staged snapshot outlives a writer that died before save_snapshot.lua moved it.
constexpr std::string_view kStagedTtlMs = "600000";

std::string snapshot_bytes_key(int32_t partition) { return snapshot_key(partition) + ":bytes"; }

}  // namespace

std::string snapshot_key(int32_t partition) { return "bx:snap:" + std::to_string(partition); }

Result<std::unique_ptr<SnapshotStore>, std::string> SnapshotStore::connect(const std::string& host,
                                                                           uint16_t port) {
  auto client = redis::SyncClient::connect(host, port);
  if (!client)
    return unexpected("redis " + host + ":" + std::to_string(port) + ": " + client.error());
  return std::unique_ptr<SnapshotStore>(new SnapshotStore(std::move(*client)));
}

Result<bool, std::string> SnapshotStore::reconnect_if_broken() {
  if (redis_.healthy()) return true;
  auto ok = redis_.reconnect();
  if (!ok) return unexpected("redis: " + ok.error());
  return true;
}

Result<std::optional<StoredSnapshot>, std::string> SnapshotStore::load(int32_t partition) {
  if (auto ok = reconnect_if_broken(); !ok) return unexpected(ok.error());
  const std::string k = snapshot_key(partition);
  const std::string bytes_key = snapshot_bytes_key(partition);
  // One transaction: save_snapshot.lua replaces both keys at once, so both come from one save.
  redis_.append({"MULTI"});
  redis_.append({"HMGET", k, "offset", "seq"});
  redis_.append({"GET", bytes_key});
  redis_.append({"EXEC"});
  std::optional<redis::Reply> r;  // EXEC's answer, the last
  for (int i = 0; i < 4; ++i) {   // read every answer: the connection stays in step
    auto reply = redis_.get_reply();
    if (!reply) return unexpected("redis: " + reply.error());
    r.emplace(std::move(*reply));
  }
  if (!r->is_array() || r->size() != 2 || !(*r)[0].is_array() || (*r)[0].size() != 2) {
    return unexpected("redis: unexpected reply to reading " + k + ": " + r->describe());
  }
  const redis::ReplyView meta = (*r)[0];
  const redis::ReplyView bytes = (*r)[1];
  if (meta[0].is_nil()) return std::optional<StoredSnapshot>();
  if (!meta[0].is_string() || !meta[1].is_string() || !bytes.is_string()) {
    return unexpected(k + ": incomplete snapshot (offset, seq, and the bytes in " + bytes_key +
                      ")");
  }
  StoredSnapshot s;
  if (!parse_int(meta[0].str(), s.next_offset) || !parse_int(meta[1].str(), s.seq)) {
    return unexpected(k + ": malformed offset or seq");
  }
  s.bytes = std::string(bytes.str());
  return std::optional<StoredSnapshot>(std::move(s));
}

// The bytes go in a plain SET of a staged key, and save_snapshot.lua only moves that key: Lua
// would copy megabytes several times while Redis serves no one else.
Result<bool, std::string> SnapshotStore::save(int32_t partition, const StoredSnapshot& snapshot) {
  if (auto ok = reconnect_if_broken(); !ok) return unexpected(ok.error());
  const std::string k = snapshot_key(partition);
  const std::string offset = std::to_string(snapshot.next_offset);
  const std::string seq = std::to_string(snapshot.seq);
  const std::string staged = k + ":staged:" + offset;
  redis_.append({"SET", staged, snapshot.bytes, "PX", kStagedTtlMs});
  redis_.append({"EVAL", lua::script("booking/save_snapshot.lua"), "3", k,
                 snapshot_bytes_key(partition), staged, offset, seq});
  auto set = redis_.get_reply();
  if (!set) return unexpected("redis: " + set.error());
  auto r = redis_.get_reply();
  if (!r) return unexpected("redis: " + r.error());
  if (set->is_error()) return unexpected("SET " + staged + ": " + std::string(set->str()));
  if (r->is_error()) return unexpected("save_snapshot.lua: " + std::string(r->str()));
  if (!r->is_integer()) return unexpected(std::string("save_snapshot.lua: bad reply"));
  return r->integer() == 1;
}

Result<bool, std::string> SnapshotStore::report_lag(const std::vector<PartitionLag>& lags,
                                                    int64_t unix_ms) {
  if (lags.empty()) return true;
  if (auto ok = reconnect_if_broken(); !ok) return unexpected(ok.error());
  std::vector<std::string> fields;
  fields.reserve(2 * lags.size());
  for (const PartitionLag& l : lags) {
    fields.push_back(redis::lag_report_field(static_cast<uint32_t>(l.partition)));
    fields.push_back(redis::lag_report_value(l.lag, unix_ms));
  }
  std::vector<std::string_view> argv = {"HSET", redis::kLagReportKey};
  argv.insert(argv.end(), fields.begin(), fields.end());
  auto r = redis_.command(argv);
  if (!r) return unexpected("redis: " + r.error());
  if (r->is_error())
    return unexpected("HSET " + std::string(redis::kLagReportKey) + ": " + std::string(r->str()));
  return true;
}

}  // namespace boxoffice::booking
