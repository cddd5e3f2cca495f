// Hands a completion to code outside the server (the command bus, the payment provider) without
// letting that code own the completion handler. The outside code gets a copyable callback that
// it calls once, from any thread; the handler itself stays in a table here, so close() can
// destroy every waiting handler while the io_context is still alive, and a callback that comes
// after close() (a bus answering its pending requests at shutdown) finds nothing to run.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace boxoffice::booking::api {

template <class T>
class CompletionBridge {
 public:
  CompletionBridge() : state_(std::make_shared<State>()) {}
  ~CompletionBridge() { close(); }
  CompletionBridge(const CompletionBridge&) = delete;
  CompletionBridge& operator=(const CompletionBridge&) = delete;

  // start(callback) hands the callback to the outside code; the operation completes (on the
  // caller's executor) with what the callback is given. After close(), it completes at once
  // with T{} (on an executor that no longer runs, so the handler simply dies with it).
  // (T never travels through the initiation's arguments: GCC 12 miscompiles a by-value
  // argument holding strings there, freeing it twice.)
  template <class Token>
  auto async_call(std::function<void(std::function<void(T)>)> start, Token&& token) {
    return boost::asio::async_initiate<Token, void(T)>(
        [this](auto handler, std::function<void(std::function<void(T)>)>&& start_fn) {
          std::unique_lock lock(state_->mu);
          if (state_->closed) {
            lock.unlock();
            Pending<decltype(handler)>(std::move(handler)).complete(T{});
            return;
          }
          const uint64_t id = ++state_->next;
          state_->waiting.emplace(id,
                                  std::make_unique<Pending<decltype(handler)>>(std::move(handler)));
          lock.unlock();
          start_fn([state = state_, id](T value) { State::finish(state, id, std::move(value)); });
        },
        token, std::move(start));
  }

  // Destroys every waiting handler; later callbacks are ignored.
  void close() {
    std::unordered_map<uint64_t, std::unique_ptr<Base>> dropped;
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    dropped.swap(state_->waiting);
  }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void complete(T value) = 0;
  };
  template <class Handler>
  struct Pending final : Base {
    explicit Pending(Handler h) : handler(std::move(h)) {}
    void complete(T value) override {
      auto ex = boost::asio::get_associated_executor(handler);
      boost::asio::post(ex, [h = std::move(handler), v = std::move(value)]() mutable {
        std::move(h)(std::move(v));
      });
    }
    Handler handler;
  };
  struct State {
    std::mutex mu;
    bool closed = false;
    uint64_t next = 0;
    std::unordered_map<uint64_t, std::unique_ptr<Base>> waiting;

    // Completes under the lock: close() then cannot return, and the io_context cannot go away,
    // while a callback on another thread is still posting to it or destroying its executor.
    // (post never runs the handler inline, so nothing re-enters the lock.)
    static void finish(const std::shared_ptr<State>& state, uint64_t id, T value) {
      std::lock_guard lock(state->mu);
      auto it = state->waiting.find(id);
      if (it == state->waiting.end()) return;
      const std::unique_ptr<Base> pending = std::move(it->second);
      state->waiting.erase(it);
      pending->complete(std::move(value));
    }
  };
  // Shared with the callbacks given out, which may outlive the bridge.
  std::shared_ptr<State> state_;
};

}  // namespace boxoffice::booking::api
