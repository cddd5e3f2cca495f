// A blocking Redis client over hiredis's redisContext: for tests, tools and the projector,
// which owns its thread. Never use it on an event-loop thread.
//
// Arguments travel as binary-safe string_views (redisCommandArgv), never through a format
// string. A Redis error answer (-ERR ...) is a Reply with is_error(); the Result's error is for
// I/O failures (connection refused, timeout, connection lost), after which the client must
// reconnect() before it can be used again.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "shared/result.h"

struct redisContext;
struct redisReply;

namespace boxoffice::redis {

// A read-only view of a reply or of one element of an array reply.
class ReplyView {
 public:
  enum class Type : uint8_t { kNil, kStatus, kError, kInteger, kString, kArray };

  explicit ReplyView(const redisReply* reply) : reply_(reply) {}

  Type type() const;
  bool is_nil() const { return type() == Type::kNil; }
  bool is_status() const { return type() == Type::kStatus; }
  bool is_error() const { return type() == Type::kError; }
  bool is_integer() const { return type() == Type::kInteger; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }

  // The bytes of a string, status or error reply; empty for the other types.
  std::string_view str() const;
  // The value of an integer reply; 0 for the other types.
  int64_t integer() const;
  // Elements of an array reply; 0 for the other types.
  size_t size() const;
  // Element i of an array reply; a nil view when out of range or not an array.
  ReplyView operator[](size_t i) const;

  // "PONG", "(error) ERR ...", "(integer) 3", "[\"a\", (nil)]": for messages and test output.
  std::string describe() const;

 protected:
  const redisReply* reply_;
};

// An owned reply (freed with freeReplyObject). Views of its elements live as long as it does.
class Reply : public ReplyView {
 public:
  Reply() : ReplyView(nullptr) {}
  explicit Reply(redisReply* reply);
  Reply(Reply&& o) noexcept;
  Reply& operator=(Reply&& o) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();
};

class SyncClient {
 public:
  // Connects with the timeout, which then also bounds every read and write.
  static Result<SyncClient, std::string> connect(
      std::string host, uint16_t port,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  SyncClient(SyncClient&&) noexcept;
  SyncClient& operator=(SyncClient&&) noexcept;
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;
  ~SyncClient();

  // One command, one round trip: command({"SET", key, value}).
  Result<Reply, std::string> command(std::span<const std::string_view> argv);
  Result<Reply, std::string> command(std::initializer_list<std::string_view> argv) {
    return command(std::span<const std::string_view>(argv.begin(), argv.size()));
  }

  // Pipelining: append() buffers commands; the first get_reply() writes them all, then each
  // get_reply() returns the next answer in order. Call get_reply() once per append().
  void append(std::span<const std::string_view> argv);
  void append(std::initializer_list<std::string_view> argv) {
    append(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  Result<Reply, std::string> get_reply();

  // A new connection to the same server, dropping anything pipelined.
  Result<std::monostate, std::string> reconnect();
  // False after an I/O error: reconnect() first.
  bool healthy() const;

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  SyncClient(std::string host, uint16_t port, std::chrono::milliseconds timeout);
  std::string io_error() const;

  std::string host_;
  uint16_t port_ = 0;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
};

}  // namespace boxoffice::redis
