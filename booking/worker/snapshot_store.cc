#include "booking/worker/snapshot_store.h"

#include <charconv>
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
  auto r = redis_.command({"HMGET", k, "offset", "seq", "bytes"});
  if (!r) return unexpected("redis: " + r.error());
  if (!r->is_array() || r->size() != 3) return unexpected("redis: unexpected reply to HMGET " + k);
  if ((*r)[0].is_nil()) return std::optional<StoredSnapshot>();
  StoredSnapshot s;
  for (size_t i = 0; i < 3; ++i) {
    if (!(*r)[i].is_string()) return unexpected(k + ": incomplete snapshot");
  }
  if (!parse_int((*r)[0].str(), s.next_offset) || !parse_int((*r)[1].str(), s.seq)) {
    return unexpected(k + ": malformed offset or seq");
  }
  s.bytes = std::string((*r)[2].str());
  return std::optional<StoredSnapshot>(std::move(s));
}

Result<bool, std::string> SnapshotStore::save(int32_t partition, const StoredSnapshot& snapshot) {
  if (auto ok = reconnect_if_broken(); !ok) return unexpected(ok.error());
  const std::string k = snapshot_key(partition);
  const std::string offset = std::to_string(snapshot.next_offset);
  const std::string seq = std::to_string(snapshot.seq);
  auto r = redis_.command(
      {"EVAL", lua::script("booking/save_snapshot.lua"), "1", k, offset, seq, snapshot.bytes});
  if (!r) return unexpected("redis: " + r.error());
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
