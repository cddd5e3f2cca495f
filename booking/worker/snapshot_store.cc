#include "booking/worker/snapshot_store.h"

#include <array>
#include <charconv>
#include <string_view>

#include "lua-rules/lua_rules.h"

namespace boxoffice::booking {
namespace {

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, FreeReply>;

template <size_t N>
ReplyPtr command(redisContext* c, const std::array<std::string_view, N>& argv) {
  std::array<const char*, N> ptrs{};
  std::array<size_t, N> lens{};
  for (size_t i = 0; i < N; ++i) {
    ptrs[i] = argv[i].data();
    lens[i] = argv[i].size();
  }
  return ReplyPtr(
      static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(N), ptrs.data(), lens.data())));
}

template <class T>
bool parse_int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

std::string key(int32_t partition) { return "bx:snap:" + std::to_string(partition); }

}  // namespace

Result<std::unique_ptr<SnapshotStore>, std::string> SnapshotStore::connect(const std::string& host,
                                                                           uint16_t port) {
  std::unique_ptr<SnapshotStore> s(new SnapshotStore());
  s->host_ = host;
  s->port_ = port;
  auto ok = s->reconnect_if_broken();
  if (!ok) return unexpected(ok.error());
  return s;
}

Result<bool, std::string> SnapshotStore::reconnect_if_broken() {
  if (redis_ && redis_->err == 0) return true;
  const timeval timeout{5, 0};
  redis_.reset(redisConnectWithTimeout(host_.c_str(), port_, timeout));
  if (!redis_) return unexpected(std::string("redis: out of memory"));
  if (redis_->err != 0) {
    return unexpected("redis " + host_ + ":" + std::to_string(port_) + ": " + redis_->errstr);
  }
  return true;
}

Result<std::optional<StoredSnapshot>, std::string> SnapshotStore::load(int32_t partition) {
  auto ok = reconnect_if_broken();
  if (!ok) return unexpected(ok.error());
  const std::string k = key(partition);
  ReplyPtr r = command<5>(redis_.get(), {"HMGET", k, "offset", "seq", "bytes"});
  if (!r) return unexpected("redis: " + std::string(redis_->errstr));
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
    return unexpected("redis: unexpected reply to HMGET " + k);
  }
  if (r->element[0]->type == REDIS_REPLY_NIL) return std::optional<StoredSnapshot>();
  StoredSnapshot s;
  for (size_t i = 0; i < 3; ++i) {
    if (r->element[i]->type != REDIS_REPLY_STRING) return unexpected(k + ": incomplete snapshot");
  }
  const std::string_view offset(r->element[0]->str, r->element[0]->len);
  const std::string_view seq(r->element[1]->str, r->element[1]->len);
  if (!parse_int(offset, s.next_offset) || !parse_int(seq, s.seq)) {
    return unexpected(k + ": malformed offset or seq");
  }
  s.bytes.assign(r->element[2]->str, r->element[2]->len);
  return std::optional<StoredSnapshot>(std::move(s));
}

Result<bool, std::string> SnapshotStore::save(int32_t partition, const StoredSnapshot& snapshot) {
  auto ok = reconnect_if_broken();
  if (!ok) return unexpected(ok.error());
  const std::string k = key(partition);
  const std::string offset = std::to_string(snapshot.next_offset);
  const std::string seq = std::to_string(snapshot.seq);
  ReplyPtr r = command<7>(redis_.get(), {"EVAL", lua::script("booking/save_snapshot.lua"), "1", k,
                                         offset, seq, snapshot.bytes});
  if (!r) return unexpected("redis: " + std::string(redis_->errstr));
  if (r->type == REDIS_REPLY_ERROR) return unexpected("save_snapshot.lua: " + std::string(r->str));
  if (r->type != REDIS_REPLY_INTEGER)
    return unexpected(std::string("save_snapshot.lua: bad reply"));
  return r->integer == 1;
}

}  // namespace boxoffice::booking
