#include "booking/api/redis_async.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <optional>

namespace boxoffice::booking::api {

namespace asio = boost::asio;

namespace {

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// Whether fd is ready now (level-triggered), see Watch below.
bool ready(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (events | POLLERR | POLLHUP)) != 0;
}

}  // namespace

// One hiredis context at a time, re-created on every reconnect. All state is touched on strand_
// only, except the atomics and close_now() (for the destructor, once no thread runs the
// io_context).
class RedisConnection {
 public:
  struct Subscription {
    std::vector<std::string> patterns;
    RedisSubscriber::OnMessage on_message;
    RedisSubscriber::OnSubscribed on_subscribed;
  };

  RedisConnection(asio::io_context& io, RedisOptions options, std::optional<Subscription> sub)
      : strand_(asio::make_strand(io)),
        timer_(strand_),
        options_(std::move(options)),
        sub_(std::move(sub)),
        backoff_(options_.reconnect_min) {}

  ~RedisConnection() { close_now(); }
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void start() {
    asio::dispatch(strand_, [this] {
      stopping_ = false;
      if (ac_ == nullptr && !reconnect_scheduled_) connect();
    });
  }

  void stop() {
    asio::dispatch(strand_, [this] {
      stopping_ = true;
      timer_.cancel();
      close_now();
    });
  }

  bool connected() const { return connected_.load(); }
  bool subscribed() const { return subscribed_.load(); }
  uint64_t connects() const { return connects_.load(); }

  void command(std::vector<std::string> argv, RedisClient::Callback done) {
    asio::dispatch(strand_, [this, argv = std::move(argv), done = std::move(done)]() mutable {
      if (ac_ == nullptr || !connected_) return done(unexpected(std::string("redis unavailable")));
      send(argv, new RedisClient::Callback(std::move(done)));
    });
  }

  void transaction(std::vector<std::vector<std::string>> commands, RedisClient::Callback done) {
    asio::dispatch(strand_, [this, cmds = std::move(commands), done = std::move(done)]() mutable {
      if (ac_ == nullptr || !connected_) return done(unexpected(std::string("redis unavailable")));
      // Intermediate replies (+OK, +QUEUED) need no callback; EXEC's reply carries them all,
      // or an EXECABORT error if one was refused.
      send({"MULTI"}, nullptr);
      for (const auto& argv : cmds) send(argv, nullptr);
      send({"EXEC"}, new RedisClient::Callback(std::move(done)));
    });
  }

  // Frees the context now: hiredis answers pending callbacks with a null reply.
  void close_now() {
    connected_ = false;
    subscribed_ = false;
    if (redisAsyncContext* ac = ac_) {
      ac_ = nullptr;
      ac->onDisconnect = nullptr;
      redisAsyncFree(ac);
    }
  }

 private:
  // Watches the context's socket with Asio. hiredis asks for read/write interest through the
  // ev hooks. Asio's reactor is edge-triggered and a wait only sees edges that come after it is
  // queued, while hiredis reads at most 16 KB per call: so after queuing a wait we also poll
  // the socket once and handle it at once if it is already ready; a spurious handle call is
  // harmless (hiredis treats EAGAIN as "nothing yet").
  struct Watch : std::enable_shared_from_this<Watch> {
    Watch(RedisConnection* c, redisAsyncContext* a,
          asio::strand<asio::io_context::executor_type>& s)
        : conn(c), ac(a), fd(s, a->c.fd) {}
    RedisConnection* conn;
    redisAsyncContext* ac;  // null once hiredis cleaned up
    asio::posix::stream_descriptor fd;
    bool want_read = false;
    bool want_write = false;
    bool read_queued = false;
    bool write_queued = false;
  };

  static void add_read(void* p) {
    auto* w = static_cast<Watch*>(p);
    w->want_read = true;
    w->conn->arm(w->shared_from_this(), /*read=*/true);
  }
  static void del_read(void* p) { static_cast<Watch*>(p)->want_read = false; }
  static void add_write(void* p) {
    auto* w = static_cast<Watch*>(p);
    w->want_write = true;
    w->conn->arm(w->shared_from_this(), /*read=*/false);
  }
  static void del_write(void* p) { static_cast<Watch*>(p)->want_write = false; }
  static void cleanup(void* p) {
    auto* w = static_cast<Watch*>(p);
    w->ac = nullptr;
    w->want_read = w->want_write = false;
    (void)w->fd.release();    // hiredis closes the socket itself; pending waits end aborted
    w->conn->watch_.reset();  // the pending waits keep w alive until they end
  }

  void arm(const std::shared_ptr<Watch>& w, bool read) {
    if (w->ac == nullptr || !(read ? w->want_read : w->want_write)) return;
    bool& queued = read ? w->read_queued : w->write_queued;
    if (!queued) {
      queued = true;
      w->fd.async_wait(read ? asio::posix::stream_descriptor::wait_read
                            : asio::posix::stream_descriptor::wait_write,
                       asio::bind_executor(strand_, [this, w, read](boost::system::error_code ec) {
                         (read ? w->read_queued : w->write_queued) = false;
                         if (!ec) handle(w, read);
                       }));
    }
    if (ready(w->ac->c.fd, read ? POLLIN : POLLOUT)) {
      asio::post(strand_, [this, w, read] { handle(w, read); });
    }
  }

  void handle(const std::shared_ptr<Watch>& w, bool read) {
    if (w->ac == nullptr) return;
    if (read && w->want_read) {
      redisAsyncHandleRead(w->ac);
    } else if (!read && w->want_write) {
      redisAsyncHandleWrite(w->ac);
    } else {
      return;
    }
    arm(w, read);  // no-op if the context is gone or lost interest
  }

  void connect() {
    reconnect_scheduled_ = false;
    redisAsyncContext* ac = redisAsyncConnect(options_.host.c_str(), options_.port);
    if (ac == nullptr) return schedule_reconnect("out of memory");
    if (ac->err != 0) {
      const std::string why = ac->errstr;
      redisAsyncFree(ac);
      return schedule_reconnect(why);
    }
    ac_ = ac;
    ac->data = this;
    watch_ = std::make_shared<Watch>(this, ac, strand_);
    ac->ev.data = watch_.get();
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    redisAsyncSetConnectCallback(ac, on_connect);  // asks for a write event: hooks must be set
  }

  void schedule_reconnect(std::string_view why) {
    if (stopping_ || reconnect_scheduled_) return;
    spdlog::debug("redis {}:{}: {}; reconnecting in {} ms", options_.host, options_.port, why,
                  backoff_.count());
    reconnect_scheduled_ = true;
    timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping_) {
        reconnect_scheduled_ = false;
        return;
      }
      connect();
    });
  }

  static void on_connect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<RedisConnection*>(ac->data);
    if (status != REDIS_OK) {
      // hiredis frees the context when this returns.
      self->ac_ = nullptr;
      self->schedule_reconnect(ac->errstr);
      return;
    }
    self->backoff_ = self->options_.reconnect_min;
    self->connected_ = true;
    self->connects_.fetch_add(1);
    if (self->sub_) self->subscribe();
  }

  static void on_disconnect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<RedisConnection*>(ac->data);
    // hiredis frees the context when this returns.
    self->ac_ = nullptr;
    self->connected_ = false;
    self->subscribed_ = false;
    self->schedule_reconnect(status == REDIS_OK ? "closed" : ac->errstr);
  }

  void send(const std::vector<std::string>& argv, RedisClient::Callback* done) {
    std::vector<const char*> args;
    std::vector<size_t> lens;
    args.reserve(argv.size());
    lens.reserve(argv.size());
    for (const std::string& a : argv) {
      args.push_back(a.data());
      lens.push_back(a.size());
    }
    const int rc = redisAsyncCommandArgv(ac_, on_reply, done, static_cast<int>(args.size()),
                                         args.data(), lens.data());
    if (rc != REDIS_OK && done != nullptr) {
      std::unique_ptr<RedisClient::Callback> owned(done);
      (*owned)(unexpected(std::string("redis: command not sent")));
    }
  }

  static void on_reply(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
    std::unique_ptr<RedisClient::Callback> done(static_cast<RedisClient::Callback*>(privdata));
    if (!done) return;
    if (reply == nullptr) return (*done)(unexpected(std::string("redis connection lost")));
    (*done)(convert(static_cast<const redisReply*>(reply)));
  }

  void subscribe() {
    pending_subscriptions_ = sub_->patterns.size();
    for (const std::string& pattern : sub_->patterns) {
      const char* args[] = {"PSUBSCRIBE", pattern.data()};
      const size_t lens[] = {10, pattern.size()};
      redisAsyncCommandArgv(ac_, on_message, this, 2, args, lens);
    }
  }

  // Every reply on the subscribed connection: (p)subscribe confirmations and messages.
  static void on_message(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
    auto* self = static_cast<RedisConnection*>(privdata);
    const auto* r = static_cast<const redisReply*>(reply);
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
    const std::string_view kind(r->element[0]->str, r->element[0]->len);
    if (kind == "psubscribe" || kind == "subscribe") {
      if (self->pending_subscriptions_ > 0 && --self->pending_subscriptions_ == 0) {
        self->subscribed_ = true;
        if (self->sub_->on_subscribed) self->sub_->on_subscribed();
      }
    } else if (kind == "pmessage" && r->elements == 4) {
      self->sub_->on_message({r->element[2]->str, r->element[2]->len},
                             {r->element[3]->str, r->element[3]->len});
    } else if (kind == "message") {
      self->sub_->on_message({r->element[1]->str, r->element[1]->len},
                             {r->element[2]->str, r->element[2]->len});
    }
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  RedisOptions options_;
  std::optional<Subscription> sub_;
  std::chrono::milliseconds backoff_;
  redisAsyncContext* ac_ = nullptr;
  std::shared_ptr<Watch> watch_;
  bool stopping_ = false;
  bool reconnect_scheduled_ = false;
  size_t pending_subscriptions_ = 0;
  std::atomic<bool> connected_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<uint64_t> connects_{0};
};

RedisClient::RedisClient(asio::io_context& io, RedisOptions options)
    : conn_(std::make_unique<RedisConnection>(io, std::move(options), std::nullopt)) {}
RedisClient::~RedisClient() = default;
void RedisClient::start() { conn_->start(); }
void RedisClient::stop() { conn_->stop(); }
bool RedisClient::connected() const { return conn_->connected(); }
uint64_t RedisClient::connects() const { return conn_->connects(); }
void RedisClient::command(std::vector<std::string> argv, Callback done) {
  conn_->command(std::move(argv), std::move(done));
}
void RedisClient::transaction(std::vector<std::vector<std::string>> commands, Callback done) {
  conn_->transaction(std::move(commands), std::move(done));
}

RedisSubscriber::RedisSubscriber(asio::io_context& io, RedisOptions options,
                                 std::vector<std::string> patterns, OnMessage on_message,
                                 OnSubscribed on_subscribed)
    : conn_(std::make_unique<RedisConnection>(
          io, std::move(options),
          RedisConnection::Subscription{std::move(patterns), std::move(on_message),
                                        std::move(on_subscribed)})) {}
RedisSubscriber::~RedisSubscriber() = default;
void RedisSubscriber::start() { conn_->start(); }
void RedisSubscriber::stop() { conn_->stop(); }
bool RedisSubscriber::subscribed() const { return conn_->subscribed(); }
uint64_t RedisSubscriber::connects() const { return conn_->connects(); }

}  // namespace boxoffice::booking::api
