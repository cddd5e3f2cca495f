#include "gateway/io/redis_client.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <array>
#include <utility>

#include "gateway/server/event_time.h"
#include "lua-rules/lua_rules.h"

namespace boxoffice::gateway::io {
namespace {

RedisValue copy_reply(const redisReply* r) {
  RedisValue v;
  if (r == nullptr) return v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.type = RedisValue::Type::kString;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = RedisValue::Type::kStatus;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = RedisValue::Type::kError;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::kInteger;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::kArray;
      v.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      break;  // nil
  }
  return v;
}

std::string sha1_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr);
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

// hiredis carries a call's id in its void* privdata.
void* id_to_privdata(uint64_t id) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(id));  // NOLINT(performance-no-int-to-ptr)
}
uint64_t privdata_to_id(void* privdata) { return reinterpret_cast<uintptr_t>(privdata); }

}  // namespace

std::string RedisValue::describe() const {
  switch (type) {
    case Type::kNil:
      return "(nil)";
    case Type::kStatus:
      return str;
    case Type::kError:
      return "(error) " + str;
    case Type::kInteger:
      return "(integer) " + std::to_string(integer);
    case Type::kString:
      return "\"" + str + "\"";
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements[i].describe();
      }
      return out + "]";
    }
  }
  return {};
}

std::string_view to_string(RedisError error) {
  switch (error) {
    case RedisError::kNotConnected:
      return "redis_not_connected";
    case RedisError::kDisconnected:
      return "redis_disconnected";
    case RedisError::kTimeout:
      return "redis_timeout";
    case RedisError::kUnknownScript:
      return "unknown_script";
  }
  return "unknown";
}

RedisClient::DestroyGuard::DestroyGuard(RedisClient& c) : client(&c), outer(c.destroyed_) {
  c.destroyed_ = &destroyed;
}

RedisClient::DestroyGuard::~DestroyGuard() {
  if (destroyed) {
    if (outer != nullptr) *outer = true;
  } else {
    client->destroyed_ = outer;
  }
}

RedisClient::RedisClient(RedisClientOptions options) : options_(options) {}

RedisClient::RedisClient(event_base* base, std::string host, uint16_t port,
                         RedisClientOptions options)
    : options_(options) {
  connect(base, std::move(host), port);
}

RedisClient::~RedisClient() {
  if (destroyed_ != nullptr) *destroyed_ = true;
  if (context_ != nullptr) {
    // Callbacks hiredis still runs (now, or after the callback we are inside) see no client.
    context_->data = nullptr;
    redisAsyncFree(context_);
    context_ = nullptr;
  }
  for (event* e : {call_timer_, reconnect_timer_, deferred_event_}) {
    if (e != nullptr) event_free(e);
  }
}

void RedisClient::connect(event_base* base, std::string host, uint16_t port) {
  if (base_ != nullptr || base == nullptr) return;
  base_ = base;
  host_ = std::move(host);
  port_ = port;
  call_timer_ = evtimer_new(base_, &RedisClient::on_call_timer, this);
  reconnect_timer_ = evtimer_new(base_, &RedisClient::on_reconnect_timer, this);
  deferred_event_ = event_new(base_, -1, 0, &RedisClient::on_deferred, this);
  start_connect();
}

void RedisClient::start_connect() {
  if (!first_connect_) ++stats_.reconnects;
  first_connect_ = false;
  redisAsyncContext* c = redisAsyncConnect(host_.c_str(), port_);
  if (c == nullptr || c->err != 0) {
    if (c != nullptr) redisAsyncFree(c);
    lost_connection();
    return;
  }
  c->data = this;
  redisLibeventAttach(c, base_);
  redisAsyncSetConnectCallback(c, &RedisClient::on_connect);
  redisAsyncSetDisconnectCallback(c, &RedisClient::on_disconnect);
  context_ = c;
  state_ = State::kConnecting;
  const timeval tv = to_timeval(options_.connect_timeout_ms);
  evtimer_add(reconnect_timer_, &tv);
}

void RedisClient::lost_connection() {
  state_ = State::kBackoff;
  context_ = nullptr;
  schedule_reconnect();
}

void RedisClient::schedule_reconnect() {
  backoff_ms_ = backoff_ms_ == 0 ? options_.reconnect_min_ms
                                 : std::min(backoff_ms_ * 2, options_.reconnect_max_ms);
  const timeval tv = to_timeval(backoff_ms_);
  evtimer_add(reconnect_timer_, &tv);
}

void RedisClient::on_connect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    // hiredis frees the context after this returns and fails its calls with a null reply.
    self->lost_connection();
    return;
  }
  self->state_ = State::kConnected;
  self->backoff_ms_ = 0;
  evtimer_del(self->reconnect_timer_);
}

void RedisClient::on_disconnect(const redisAsyncContext* context, int /*status*/) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (self == nullptr) return;
  self->lost_connection();
}

void RedisClient::on_reconnect_timer(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  auto* self = static_cast<RedisClient*>(arg);
  if (self->state_ == State::kBackoff) {
    self->start_connect();
    return;
  }
  if (self->state_ != State::kConnecting || self->context_ == nullptr) return;
  // The connect did not finish in time: give up on it; its calls fail with kDisconnected.
  redisAsyncContext* c = self->context_;
  self->context_ = nullptr;
  self->state_ = State::kBackoff;
  {
    DestroyGuard guard(*self);
    redisAsyncFree(c);
    if (guard.destroyed) return;
  }
  self->schedule_reconnect();
}

void RedisClient::command(std::vector<std::string> argv, Callback callback) {
  submit(std::move(argv), {}, std::move(callback));
}

const std::string& RedisClient::sha1_of(std::string_view name, std::string_view text) {
  auto it = sha1_.find(name);
  if (it == sha1_.end()) it = sha1_.emplace(std::string(name), sha1_hex(text)).first;
  return it->second;
}

void RedisClient::call_script(std::string_view name, std::vector<std::string> keys,
                              std::vector<std::string> args, Callback callback) {
  const std::string_view text = lua::script(name);
  if (text.empty()) {
    ++stats_.calls;
    fail_later(std::move(callback), RedisError::kUnknownScript);
    return;
  }
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.emplace_back("EVALSHA");
  argv.push_back(sha1_of(name, text));
  argv.push_back(std::to_string(keys.size()));
  for (std::string& k : keys) argv.push_back(std::move(k));
  for (std::string& a : args) argv.push_back(std::move(a));
  submit(std::move(argv), std::string(name), std::move(callback));
}

void RedisClient::submit(std::vector<std::string> argv, std::string script_name,
                         Callback callback) {
  ++stats_.calls;
  if (base_ == nullptr) {
    // Not even connect()ed: there is no loop to defer to.
    ++stats_.errors;
    callback(unexpected(RedisError::kNotConnected));
    return;
  }
  if (state_ != State::kConnected && state_ != State::kConnecting) {
    fail_later(std::move(callback), RedisError::kNotConnected);
    return;
  }
  const uint64_t id = next_id_++;
  Call& call = calls_[id];
  call.callback = std::move(callback);
  call.deadline_ms = steady_now_ms() + options_.call_timeout_ms;
  const bool script = !script_name.empty();
  call.script_name = std::move(script_name);
  if (script) {
    call.argv = std::move(argv);  // kept for a retry after NOSCRIPT
    if (!send(id, call.argv)) fail_call(id, RedisError::kDisconnected);
  } else if (!send(id, argv)) {
    fail_call(id, RedisError::kDisconnected);
  }
  arm_call_timer();
}

void RedisClient::fail_call(uint64_t id, RedisError error) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Callback callback = std::move(it->second.callback);
  calls_.erase(it);
  fail_later(std::move(callback), error);
}

bool RedisClient::send(uint64_t id, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  // hiredis refuses new commands while the connection is going away.
  return context_ != nullptr &&
         redisAsyncCommandArgv(context_, &RedisClient::on_reply, id_to_privdata(id),
                               static_cast<int>(argv.size()), ptrs.data(), lens.data()) == REDIS_OK;
}

void RedisClient::fail_later(Callback callback, RedisError error) {
  ++stats_.errors;
  if (error == RedisError::kTimeout) ++stats_.timeouts;
  deferred_.emplace_back(std::move(callback), error);
  event_active(deferred_event_, EV_TIMEOUT, 0);
}

void RedisClient::on_deferred(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  static_cast<RedisClient*>(arg)->run_deferred();
}

void RedisClient::run_deferred() {
  std::vector<std::pair<Callback, RedisError>> batch;
  batch.swap(deferred_);
  DestroyGuard guard(*this);
  for (auto& [callback, error] : batch) {
    callback(unexpected(error));
    if (guard.destroyed) return;
  }
}

void RedisClient::arm_call_timer() {
  if (calls_.empty() || event_pending(call_timer_, EV_TIMEOUT, nullptr) != 0) return;
  const timeval tv = to_timeval(calls_.begin()->second.deadline_ms - steady_now_ms());
  evtimer_add(call_timer_, &tv);
}

void RedisClient::on_call_timer(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  static_cast<RedisClient*>(arg)->expire_calls();
}

void RedisClient::expire_calls() {
  const int64_t now = steady_now_ms();
  std::vector<Callback> expired;
  // One timeout for all calls: issue order is deadline order.
  while (!calls_.empty() && calls_.begin()->second.deadline_ms <= now) {
    expired.push_back(std::move(calls_.begin()->second.callback));
    calls_.erase(calls_.begin());
    ++stats_.errors;
    ++stats_.timeouts;
  }
  arm_call_timer();
  DestroyGuard guard(*this);
  for (Callback& callback : expired) {
    callback(unexpected(RedisError::kTimeout));
    if (guard.destroyed) return;
  }
}

void RedisClient::on_reply(redisAsyncContext* context, void* reply, void* privdata) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (self == nullptr) return;
  const uint64_t id = privdata_to_id(privdata);
  if (id == 0) return;  // SCRIPT LOAD: its EVALSHA, sent right after, tells
  self->handle_reply(id, reply);
}

void RedisClient::handle_reply(uint64_t id, const void* raw) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;  // timed out before: dropped
  const auto* reply = static_cast<const redisReply*>(raw);
  Call& call = it->second;
  if (reply == nullptr) {
    Callback callback = std::move(call.callback);
    calls_.erase(it);
    ++stats_.errors;
    callback(unexpected(RedisError::kDisconnected));
    return;
  }
  const bool noscript = reply->type == REDIS_REPLY_ERROR &&
                        std::string_view(reply->str, reply->len).starts_with("NOSCRIPT");
  if (noscript && !call.script_name.empty() && !call.retried) {
    // The server lost its script cache: load the text, then the same EVALSHA again. The
    // connection keeps their order, so the retry finds the script.
    call.retried = true;
    ++stats_.script_loads;
    const std::string_view text = lua::script(call.script_name);
    if (!send(0, {"SCRIPT", "LOAD", std::string(text)}) || !send(id, call.argv)) {
      fail_call(id, RedisError::kDisconnected);
    }
    return;
  }
  RedisValue value = copy_reply(reply);
  if (value.is_error()) ++stats_.error_replies;
  Callback callback = std::move(call.callback);
  calls_.erase(it);
  callback(std::move(value));
}

}  // namespace boxoffice::gateway::io
