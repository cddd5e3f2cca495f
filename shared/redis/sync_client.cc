#include "shared/redis/sync_client.h"

#include <hiredis/hiredis.h>
#include <pthread.h>

#include <csignal>
#include <ctime>
#include <utility>
#include <vector>

namespace boxoffice::redis {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// hiredis wants parallel arrays of pointers and lengths.
struct Argv {
  std::vector<const char*> data;
  std::vector<size_t> sizes;
  explicit Argv(std::span<const std::string_view> argv) {
    data.reserve(argv.size());
    sizes.reserve(argv.size());
    for (std::string_view a : argv) {
      data.push_back(a.data());
      sizes.push_back(a.size());
    }
  }
  int count() const { return static_cast<int>(data.size()); }
};

// hiredis writes with write(), so a server that closed the connection would kill the process
// with SIGPIPE. The signal is blocked in this thread while the client writes, and a SIGPIPE it
// raised is taken off before unblocking; the write itself then fails with EPIPE, an I/O error.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeGuard() {
    if (!already_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{0, 0};
        sigtimedwait(&pipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
  bool already_pending_ = false;
};

}  // namespace

// ----------------------------------------------------------------------------------------------
// Replies

ReplyView::Type ReplyView::type() const {
  if (reply_ == nullptr) return Type::kNil;
  switch (reply_->type) {
    case REDIS_REPLY_STATUS:
      return Type::kStatus;
    case REDIS_REPLY_ERROR:
      return Type::kError;
    case REDIS_REPLY_INTEGER:
      return Type::kInteger;
    case REDIS_REPLY_STRING:
      return Type::kString;
    case REDIS_REPLY_ARRAY:
      return Type::kArray;
    default:
      return Type::kNil;
  }
}

std::string_view ReplyView::str() const {
  switch (type()) {
    case Type::kStatus:
    case Type::kError:
    case Type::kString:
      return {reply_->str, reply_->len};
    default:
      return {};
  }
}

int64_t ReplyView::integer() const { return is_integer() ? reply_->integer : 0; }

size_t ReplyView::size() const { return is_array() ? reply_->elements : 0; }

ReplyView ReplyView::operator[](size_t i) const {
  if (i >= size()) return ReplyView(nullptr);
  return ReplyView(reply_->element[i]);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
}

std::string ReplyView::describe() const {
  switch (type()) {
    case Type::kNil:
      return "(nil)";
    case Type::kStatus:
      return std::string(str());
    case Type::kError:
      return "(error) " + std::string(str());
    case Type::kInteger:
      return "(integer) " + std::to_string(integer());
    case Type::kString:
      return "\"" + std::string(str()) + "\"";
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < size(); ++i) {
        if (i > 0) out += ", ";
        out += (*this)[i].describe();
      }
      return out + "]";
    }
  }
  return "?";
}

Reply::Reply(redisReply* reply) : ReplyView(reply) {}

Reply::Reply(Reply&& o) noexcept : ReplyView(std::exchange(o.reply_, nullptr)) {}

Reply& Reply::operator=(Reply&& o) noexcept {
  if (this != &o) {
    if (reply_ != nullptr) freeReplyObject(const_cast<redisReply*>(reply_));
    reply_ = std::exchange(o.reply_, nullptr);
  }
  return *this;
}

Reply::~Reply() {
  if (reply_ != nullptr) freeReplyObject(const_cast<redisReply*>(reply_));
}

// ----------------------------------------------------------------------------------------------
// Client

void SyncClient::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

SyncClient::SyncClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

Result<SyncClient, std::string> SyncClient::connect(std::string host, uint16_t port,
                                                    std::chrono::milliseconds timeout) {
  SyncClient client(std::move(host), port, timeout);
  auto connected = client.reconnect();
  if (!connected) return unexpected(connected.error());
  return client;
}

Result<std::monostate, std::string> SyncClient::reconnect() {
  const timeval tv = to_timeval(timeout_);
  context_.reset(redisConnectWithTimeout(host_.c_str(), port_, tv));
  if (!context_) return unexpected("redis " + host_ + ":" + std::to_string(port_) + ": no memory");
  if (context_->err != 0) return unexpected(io_error());
  if (redisSetTimeout(context_.get(), tv) != REDIS_OK) return unexpected(io_error());
  return std::monostate{};
}

bool SyncClient::healthy() const { return context_ && context_->err == 0; }

std::string SyncClient::io_error() const {
  std::string out = "redis " + host_ + ":" + std::to_string(port_) + ": ";
  if (!context_) return out + "not connected";
  return out + (context_->err != 0 ? context_->errstr : "no reply");
}

Result<Reply, std::string> SyncClient::command(std::span<const std::string_view> argv) {
  if (!healthy()) return unexpected(io_error());
  Argv a(argv);
  const SigpipeGuard guard;
  void* reply = redisCommandArgv(context_.get(), a.count(), a.data.data(), a.sizes.data());
  if (reply == nullptr) return unexpected(io_error());
  return Reply(static_cast<redisReply*>(reply));
}

void SyncClient::append(std::span<const std::string_view> argv) {
  if (!healthy()) return;  // get_reply() reports it
  Argv a(argv);
  // Fails only without memory, which sets the context's error for get_reply() to report.
  redisAppendCommandArgv(context_.get(), a.count(), a.data.data(), a.sizes.data());
}

Result<Reply, std::string> SyncClient::get_reply() {
  if (!healthy()) return unexpected(io_error());
  void* reply = nullptr;
  const SigpipeGuard guard;
  if (redisGetReply(context_.get(), &reply) != REDIS_OK || reply == nullptr) {
    return unexpected(io_error());
  }
  return Reply(static_cast<redisReply*>(reply));
}

SyncClient::SyncClient(SyncClient&&) noexcept = default;
SyncClient& SyncClient::operator=(SyncClient&&) noexcept = default;
SyncClient::~SyncClient() = default;

}  // namespace boxoffice::redis
