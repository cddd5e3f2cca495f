// Redis from Asio: hiredis's async API driven by an io_context. Each connection lives on its own
// strand (every hiredis call happens there) and reconnects with backoff when Redis goes away.
//   RedisClient: commands with binary-safe arguments, one callback each (also MULTI/EXEC).
//   RedisSubscriber: a connection in pub/sub mode, (re)subscribing to patterns on every connect.
// Threads: any thread may call; callbacks run on the connection's strand. The async_* forms
// complete on the caller's executor (a coroutine's strand, say).
// Lifetime: destroy after the io_context has stopped running; callbacks still pending then
// complete with an error (their handlers are posted to the stopped context and die with it).
#pragma once

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.h"

namespace boxoffice::booking::api {

struct RedisReply {
  enum class Type : uint8_t { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
};

// A transport failure (not connected, connection lost before the reply) is an error message;
// an error reply from Redis (-ERR ...) is a RedisReply of type kError.
using RedisResult = Result<RedisReply, std::string>;

struct RedisOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{1000};
};

class RedisConnection;  // redis_async.cc

class RedisClient {
 public:
  using Callback = std::function<void(RedisResult)>;

  RedisClient(boost::asio::io_context& io, RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  void start();  // connects in the background, and again whenever the connection drops
  void stop();   // closes; pending and later commands fail
  bool connected() const;
  uint64_t connects() const;  // successful connects so far

  // Fails at once (without queuing) while disconnected: callers answer 503 rather than wait.
  void command(std::vector<std::string> argv, Callback done);
  // MULTI, the commands, EXEC: done gets EXEC's reply (an array of the commands' replies).
  void transaction(std::vector<std::vector<std::string>> commands, Callback done);

  template <class Token>
  auto async_command(std::vector<std::string> argv, Token&& token) {
    return boost::asio::async_initiate<Token, void(RedisResult)>(
        [this](auto handler, std::vector<std::string>&& args) {
          command(std::move(args), to_callback(std::move(handler)));
        },
        token, std::move(argv));
  }
  template <class Token>
  auto async_transaction(std::vector<std::vector<std::string>> commands, Token&& token) {
    return boost::asio::async_initiate<Token, void(RedisResult)>(
        [this](auto handler, std::vector<std::vector<std::string>>&& cmds) {
          transaction(std::move(cmds), to_callback(std::move(handler)));
        },
        token, std::move(commands));
  }

 private:
  // Completion handlers are move-only; a std::function needs a copyable target.
  template <class Handler>
  static Callback to_callback(Handler handler) {
    auto shared = std::make_shared<Handler>(std::move(handler));
    return [shared](RedisResult r) {
      auto ex = boost::asio::get_associated_executor(*shared);
      boost::asio::post(
          ex, [shared, r = std::move(r)]() mutable { std::move (*shared)(std::move(r)); });
    };
  }
  std::unique_ptr<RedisConnection> conn_;
};

class RedisSubscriber {
 public:
  // channel and payload of each published message, on the connection's strand.
  using OnMessage = std::function<void(std::string_view channel, std::string_view payload)>;
  // After every (re)connect once all patterns are subscribed: messages published while the
  // connection was down are lost, so listeners resynchronise here.
  using OnSubscribed = std::function<void()>;

  RedisSubscriber(boost::asio::io_context& io, RedisOptions options,
                  std::vector<std::string> patterns, OnMessage on_message,
                  OnSubscribed on_subscribed);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void start();
  void stop();
  bool subscribed() const;
  uint64_t connects() const;

 private:
  std::unique_ptr<RedisConnection> conn_;
};

}  // namespace boxoffice::booking::api
