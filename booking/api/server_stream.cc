// GET /events/{id}/stream: a snapshot (or, with Last-Event-ID, a replay from bx:stream:{event}),
// then live deltas from pub/sub, without gaps or duplicates: the stream registers for live
// deltas before it reads Redis, and every delta carries its sequence number, so whatever
// arrives twice (in the replay and live) is sent once.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <map>

#include "booking/api/events_view.h"
#include "booking/api/read_model.h"
#include "booking/api/response_head.h"
#include "booking/api/server_impl.h"
#include "booking/core/wire.h"
#include "booking/service/decision_json.h"
#include "shared/decimal.h"

namespace boxoffice::booking::api {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kDeltaChannelPrefix = "bx:deltas:";
constexpr size_t kReplayPage = 500;
constexpr size_t kMaxHoldsLoaded = 64;

// Stream entry ids are "{seq}-1".
std::optional<uint64_t> entry_seq(const RedisReply& entry) {
  if (entry.type != RedisReply::Type::kArray || entry.elements.empty()) return std::nullopt;
  const std::string& id = entry.elements[0].str;
  return parse_decimal<uint64_t>(std::string_view(id).substr(0, id.find('-')));
}

// The "d" field of a stream entry.
std::string_view entry_delta(const RedisReply& entry) {
  if (entry.elements.size() < 2) return {};
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str == "d") return fields[i + 1].str;
  }
  return {};
}

class StreamSession {
 public:
  StreamSession(ServerImpl& server, Connection& connection, const Event& event, std::string user,
                std::shared_ptr<SseSink> sink)
      : server_(server),
        connection_(connection),
        event_(event),
        user_(std::move(user)),
        sink_(std::move(sink)) {}

  // Replays the deltas after `from`. false: the stream no longer reaches back that far (it was
  // trimmed, or the read model was reset), so only a snapshot is exact.
  Awaitable<Result<bool, HttpError>> replay(uint64_t from) {
    const std::string key = "bx:stream:" + event_.id;
    RedisResult bounds =
        co_await server_.redis_transaction(batch(args("XRANGE", key, "-", "+", "COUNT", "1"),
                                                 args("XREVRANGE", key, "+", "-", "COUNT", "1")));
    if (!bounds || bounds->is_error() || bounds->elements.size() != 2) {
      co_return unexpected(server_.redis_failure(bounds));
    }
    const auto& oldest = bounds->elements[0].elements;
    const auto& newest = bounds->elements[1].elements;
    if (oldest.empty() || newest.empty()) co_return false;
    const auto first = entry_seq(oldest[0]);
    const auto last = entry_seq(newest[0]);
    if (!first || !last || *first > from || *last < from) co_return false;
    std::string cursor = "(" + std::to_string(from) + "-1";
    for (;;) {
      RedisResult page = co_await server_.redis(
          args("XRANGE", key, cursor, "+", "COUNT", std::to_string(kReplayPage)));
      if (!page || page->is_error()) co_return unexpected(server_.redis_failure(page));
      for (const RedisReply& entry : page->elements) take_json(entry_delta(entry));
      if (page->elements.size() < kReplayPage) break;
      cursor = "(" + page->elements.back().elements[0].str;
    }
    co_return true;
  }

  // The seat map and the sequence number it is exact at, read atomically.
  Awaitable<Result<bool, HttpError>> snapshot() {
    RedisResult r = co_await server_.redis_transaction(
        batch(args("GET", "bx:seats:" + event_.id),
              args("XREVRANGE", "bx:stream:" + event_.id, "+", "-", "COUNT", "1")));
    if (!r || r->is_error() || r->elements.size() != 2) {
      co_return unexpected(server_.redis_failure(r));
    }
    uint64_t seq = 0;
    if (!r->elements[1].elements.empty()) seq = entry_seq(r->elements[1].elements[0]).value_or(0);
    out_ += sse_event("snapshot", render_seat_snapshot(event_, r->elements[0].str, seq), seq);
    last_seq_ = seq;
    co_return true;
  }

  // The fan's holds in this event that began before the stream: their warnings are due too.
  Awaitable<void> load_holds() {
    if (user_.empty()) co_return;
    RedisResult rids =
        co_await server_.redis(args("SMEMBERS", "bx:user:" + user_ + ":reservations"));
    if (!rids || rids->is_error()) co_return;
    std::vector<std::string> mine;
    for (const RedisReply& rid : rids->elements) {
      if (rid.str.starts_with(event_.id + ".") && mine.size() < kMaxHoldsLoaded) {
        mine.push_back(rid.str);
      }
    }
    if (mine.empty()) co_return;
    std::vector<std::vector<std::string>> reads;
    reads.reserve(mine.size());
    for (const std::string& rid : mine) reads.push_back({"HGETALL", "bx:res:" + rid});
    RedisResult hashes = co_await server_.redis_transaction(std::move(reads));
    if (!hashes || hashes->is_error() || hashes->elements.size() != mine.size()) co_return;
    for (size_t i = 0; i < mine.size(); ++i) {
      HashFields fields;
      const auto& e = hashes->elements[i].elements;
      for (size_t k = 0; k + 1 < e.size(); k += 2) fields.emplace_back(e[k].str, e[k + 1].str);
      const std::string_view status = hash_field(fields, "status");
      if (status != "held" && status != "payment_pending") continue;
      if (auto expires = parse_decimal<uint64_t>(hash_field(fields, "expires_at"))) {
        track(mine[i], static_cast<int64_t>(*expires));
      }
    }
  }

  Awaitable<bool> write_header(unsigned version) {
    Response stream;
    stream.content_type = "text/event-stream";
    stream.headers.emplace_back("Cache-Control", "no-cache");
    const std::string head = response_head(stream, version, false, BodyFraming::kChunked);
    // No deadline after it: between writes the stream waits on its own timer.
    co_return co_await write_all(connection_, asio::buffer(head));
  }

  // Live deltas, warnings and heartbeats until the client goes away.
  Awaitable<void> run() {
    auto next_heartbeat = Clock::now() + server_.config_.sse_heartbeat;
    for (;;) {
      while (!sink_->queue.empty()) {
        take(*sink_->queue.front());
        sink_->queue.pop_front();
      }
      if (sink_->overflow) co_return;  // the client resumes with Last-Event-ID
      if (sink_->resync) {
        // Pub/sub reconnected: deltas published meanwhile are only in the stream.
        sink_->resync = false;
        auto filled = co_await replay(last_seq_);
        if (!filled || !*filled) co_return;  // cannot fill the gap: the client resumes
      }
      warn_due();
      const auto now = Clock::now();
      if (out_.empty() && now >= next_heartbeat) out_ = sse_comment("heartbeat");
      if (!out_.empty()) {
        const bool written = co_await write_chunk(out_);
        if (!written) co_return;
        out_.clear();
        next_heartbeat = Clock::now() + server_.config_.sse_heartbeat;
        // A delta that arrived during the write found no wait to cancel: look again first.
        continue;
      }
      auto wake_at = next_heartbeat;
      for (const auto& [rid, hold] : holds_) wake_at = std::min(wake_at, hold.warn_at);
      sink_->wake.expires_at(wake_at);
      co_await sink_->wake.async_wait(kNoThrow);  // cancelled when a delta arrives
    }
  }

  Awaitable<bool> write_chunk(std::string_view data) {
    const auto chunk = http::make_chunk(asio::buffer(data));
    co_return co_await write_all(connection_, chunk);
  }

  std::string& pending_output() { return out_; }

 private:
  struct Hold {
    int64_t expires_at_ms = 0;
    Clock::time_point warn_at;
  };

  void take_json(std::string_view json) {
    DecisionLog log;
    if (json.empty() || !parse_decision_json(json, log)) {
      spdlog::warn("api: bx:stream:{}: unreadable delta", event_.id);
      return;
    }
    take(delta_frames(event_, log.decisions.front()));
  }

  void take(const DeltaFrames& f) {
    if (f.seq <= last_seq_) return;  // already sent (replay and live overlap)
    last_seq_ = f.seq;
    out_ += f.public_frames;
    if (user_.empty() || f.user != user_) return;
    out_ += f.personal_frames;
    if (f.hold) track(f.hold->reservation_id, f.hold->expires_at_ms);
  }

  // Warn `expiring_warning` before the deadline; 0 = the hold ended.
  void track(const std::string& rid, int64_t expires_at_ms) {
    if (expires_at_ms == 0) {
      holds_.erase(rid);
      return;
    }
    const int64_t now_ms = server_.now_ms();
    if (expires_at_ms <= now_ms) return;
    const int64_t warn_in_ms =
        std::max<int64_t>(0, expires_at_ms - server_.config_.expiring_warning.count() - now_ms);
    holds_[rid] = Hold{expires_at_ms, Clock::now() + std::chrono::milliseconds(warn_in_ms)};
  }

  void warn_due() {
    const auto now = Clock::now();
    for (auto it = holds_.begin(); it != holds_.end();) {
      if (it->second.warn_at > now) {
        ++it;
        continue;
      }
      const int64_t left_ms = std::max<int64_t>(0, it->second.expires_at_ms - server_.now_ms());
      out_ += expiring_frame(it->first, (left_ms + 999) / 1000);
      it = holds_.erase(it);
    }
  }

  ServerImpl& server_;
  Connection& connection_;
  const Event& event_;
  std::string user_;
  std::shared_ptr<SseSink> sink_;
  uint64_t last_seq_ = 0;
  std::map<std::string, Hold> holds_;
  std::string out_;
};

}  // namespace

// A message carries the deltas of one event from one apply.lua call, one per line.
void ServerImpl::on_delta(std::string_view channel, std::string_view payload) {
  metrics_.sse_deltas.inc(1 + static_cast<uint64_t>(std::ranges::count(payload, '\n')));
  if (!channel.starts_with(kDeltaChannelPrefix)) return;
  const std::string event_id(channel.substr(kDeltaChannelPrefix.size()));
  if (!hub_.watched(event_id)) return;
  const Event* event = catalog_.find_event(event_id);
  if (event == nullptr) return;
  auto log = parse_decision_lines(payload);
  if (!log) {
    spdlog::warn("api: {}: {}", channel, log.error());
    return;
  }
  for (const Decision& d : log->decisions) {
    hub_.publish(event_id, std::make_shared<const DeltaFrames>(delta_frames(*event, d)));
  }
}

Awaitable<int> ServerImpl::event_stream(Connection& connection, const RequestContext& rc) {
  auto fail = [&](const HttpError& e) -> Awaitable<int> {
    const Response answer = error_response(e);
    co_await write_response(connection, answer, rc.http.version(), false);
    co_return e.status;
  };
  auto event = find_event(catalog_, rc.route.param("event_id"));
  if (!event) co_return co_await fail(event.error());
  // The identity is optional here: with one, the fan also gets their own offers and warnings.
  std::string user(rc.header(kIdentityHeader));
  if (user.empty()) user = query_value(rc.query, "user_id").value_or("");
  if (user.size() > kMaxWireIdBytes) {
    co_return co_await fail(api_error(ApiErrc::kInvalidField, "user id too long"));
  }
  std::string_view last_id = rc.header("Last-Event-ID");
  if (last_id.empty()) last_id = query_value(rc.query, "last_event_id").value_or("");

  const Executor executor = co_await asio::this_coro::executor;
  auto sink = std::make_shared<SseSink>(executor, user);
  hub_.add((*event)->id, sink);  // before reading Redis: nothing published meanwhile is missed
  StreamSession session(*this, connection, **event, user, sink);
  bool resumed = false;
  if (auto from = parse_decimal<uint64_t>(last_id)) {
    auto replayed = co_await session.replay(*from);
    if (!replayed) co_return co_await fail(replayed.error());
    resumed = *replayed;
  }
  if (!resumed) {
    auto snapped = co_await session.snapshot();
    if (!snapped) co_return co_await fail(snapped.error());
  }
  co_await session.load_holds();
  const bool started = co_await session.write_header(rc.http.version());
  if (!started) co_return 200;
  session.pending_output().insert(0, "retry: 2000\n\n");
  co_await session.run();
  co_return 200;
}

}  // namespace boxoffice::booking::api
