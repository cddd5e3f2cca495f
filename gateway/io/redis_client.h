// The gate's asynchronous Redis client: hiredis's async API on the thread's libevent loop.
//
// One client per gate worker thread; never locked, and every callback runs on that thread,
// always from the event loop, never inside the call that started it.
//
// - Connecting never blocks: connect() starts it, calls made while it is under way are sent
//   once it is up. After a failed connect or a lost connection the client retries with
//   exponential backoff (reconnect_min_ms doubling up to reconnect_max_ms); calls still
//   waiting for an answer fail with kDisconnected, and calls made while there is no
//   connection fail at once with kNotConnected. connected() says whether it is up (/readyz).
// - call_script() runs a lua-rules script by EVALSHA with the sha1 of its text, computed
//   here. A server that does not know it (a restart, SCRIPT FLUSH) answers NOSCRIPT: the
//   client then sends SCRIPT LOAD with the text and the EVALSHA again, once, transparently.
// - Every call has a deadline (call_timeout_ms). A call with no answer by then fails with
//   kTimeout; its answer, if it comes later, is dropped. The connection stays up.
// - A Redis error answer (-ERR ...) is not a failure of the call: it comes back as a
//   RedisValue with is_error(). The Result's error is for the call itself (RedisError).
// - Replies are copied into RedisValue, an owned tree: keep or move it freely.
// - Destroying the client closes the connection and drops the callbacks of calls in flight
//   without calling them (their owner is going away too). It may be destroyed from inside
//   one of its own callbacks.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.h"

struct redisAsyncContext;

namespace boxoffice::gateway::io {

// An owned copy of a Redis reply.
struct RedisValue {
  enum class Type : uint8_t { kNil, kStatus, kError, kInteger, kString, kArray };

  Type type = Type::kNil;
  std::string str;  // the bytes of a string, status or error reply
  int64_t integer = 0;
  std::vector<RedisValue> elements;  // of an array reply

  bool is_nil() const { return type == Type::kNil; }
  bool is_status() const { return type == Type::kStatus; }
  bool is_error() const { return type == Type::kError; }
  bool is_integer() const { return type == Type::kInteger; }
  bool is_string() const { return type == Type::kString; }
  bool is_array() const { return type == Type::kArray; }

  // "PONG", "(error) ERR ...", "(integer) 3", "[\"a\", (nil)]": for messages and test output.
  std::string describe() const;
};

// Stable codes for a call that got no answer.
enum class RedisError : uint8_t {
  kNotConnected = 1,   // no connection when the call was made
  kDisconnected = 2,   // the connection was lost (or never came up) before the answer
  kTimeout = 3,        // no answer within call_timeout_ms
  kUnknownScript = 4,  // call_script() with a name lua-rules does not have
};

std::string_view to_string(RedisError error);

using RedisResult = Result<RedisValue, RedisError>;

struct RedisClientOptions {
  int64_t call_timeout_ms = 2'000;
  int64_t connect_timeout_ms = 2'000;
  int64_t reconnect_min_ms = 50;
  int64_t reconnect_max_ms = 2'000;
};

struct RedisClientStats {
  uint64_t calls = 0;          // command() and call_script() calls
  uint64_t errors = 0;         // calls that failed (RedisError), whatever the reason
  uint64_t timeouts = 0;       // of which timed out
  uint64_t error_replies = 0;  // answers that were Redis errors (-ERR ...)
  uint64_t script_loads = 0;   // SCRIPT LOADs sent after NOSCRIPT
  uint64_t reconnects = 0;     // connection attempts after the first
};

class RedisClient {
 public:
  using Callback = std::function<void(RedisResult)>;

  explicit RedisClient(RedisClientOptions options = {});
  // Constructs and connect()s.
  RedisClient(event_base* base, std::string host, uint16_t port, RedisClientOptions options = {});
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Starts connecting (once per client); never blocks.
  void connect(event_base* base, std::string host, uint16_t port);

  // A plain command; arguments are binary-safe.
  void command(std::vector<std::string> argv, Callback callback);
  // A lua-rules script by name ("gate/join.lua"), with its KEYS and ARGV.
  void call_script(std::string_view name, std::vector<std::string> keys,
                   std::vector<std::string> args, Callback callback);

  bool connected() const { return state_ == State::kConnected; }
  const RedisClientStats& stats() const { return stats_; }

 private:
  enum class State : uint8_t { kIdle, kConnecting, kConnected, kBackoff };

  struct Call {
    Callback callback;
    int64_t deadline_ms = 0;  // steady clock
    // Script calls keep what a retry after NOSCRIPT needs.
    std::string script_name;
    std::vector<std::string> argv;  // the EVALSHA command
    bool retried = false;
  };

  void start_connect();
  void lost_connection();
  void schedule_reconnect();
  bool send(uint64_t id, const std::vector<std::string>& argv);  // false: not sent
  void fail_call(uint64_t id, RedisError error);
  void submit(std::vector<std::string> argv, std::string script_name, Callback callback);
  void fail_later(Callback callback, RedisError error);
  void arm_call_timer();
  void handle_reply(uint64_t id, const void* reply);
  void expire_calls();
  void run_deferred();
  const std::string& sha1_of(std::string_view name, std::string_view text);

  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);
  static void on_call_timer(evutil_socket_t fd, short what, void* arg);
  static void on_reconnect_timer(evutil_socket_t fd, short what, void* arg);
  static void on_deferred(evutil_socket_t fd, short what, void* arg);

  // Set while callbacks run, so that a callback that destroys the client stops the loop.
  struct DestroyGuard {
    explicit DestroyGuard(RedisClient& client);
    ~DestroyGuard();
    DestroyGuard(const DestroyGuard&) = delete;
    DestroyGuard& operator=(const DestroyGuard&) = delete;
    RedisClient* client;
    bool destroyed = false;
    bool* outer;
  };

  RedisClientOptions options_;
  event_base* base_ = nullptr;
  std::string host_;
  uint16_t port_ = 0;
  State state_ = State::kIdle;
  redisAsyncContext* context_ = nullptr;
  int64_t backoff_ms_ = 0;
  bool first_connect_ = true;

  uint64_t next_id_ = 1;
  std::map<uint64_t, Call> calls_;  // by id: issue order, hence deadline order
  std::vector<std::pair<Callback, RedisError>> deferred_;
  std::map<std::string, std::string, std::less<>> sha1_;  // script name → sha1 hex

  event* call_timer_ = nullptr;       // the oldest call's deadline
  event* reconnect_timer_ = nullptr;  // backoff, and the connect timeout
  event* deferred_event_ = nullptr;
  RedisClientStats stats_;
  bool* destroyed_ = nullptr;  // the innermost DestroyGuard's flag
};

}  // namespace boxoffice::gateway::io
