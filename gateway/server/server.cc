// Server and Worker: listeners, threads, TLS context, drain and stop.
#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <mutex>
#include <system_error>

#include "gateway/server/event_time.h"
#include "gateway/server/server_internal.h"
#include "shared/open_files.h"
#include "shared/thread_name.h"

namespace boxoffice::gateway::server {

nghttp2_session_callbacks* make_session_callbacks();  // connection.cc

namespace {

// Between the shutdown notice and the GOAWAY naming the last stream: about one round trip, so
// requests already on the wire are still served.
constexpr int64_t kFinalGoawayDelayMs = 100;
constexpr int kListenBacklog = 1024;

std::string openssl_error() {
  std::array<char, 256> buf{};
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  ERR_error_string_n(e, buf.data(), buf.size());
  return buf.data();
}

// ALPN: h2 or nothing. A client that does not offer h2 fails the handshake.
int select_h2(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
              const unsigned char* in, unsigned int inlen, void* /*arg*/) {
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 2 && in[i + 1] == 'h' && in[i + 2] == '2') {
      *out = in + i + 1;
      *outlen = 2;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

Result<SSL_CTX*, std::string> make_tls_context(const ServerConfig& c) {
  if (c.cert_file.empty() || c.key_file.empty()) {
    return unexpected(std::string("tls_port needs cert_file and key_file"));
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return unexpected(openssl_error());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2 suites allowed by RFC 9113 9.2.2 (ephemeral key exchange, AEAD only).
  SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
  if (SSL_CTX_use_certificate_chain_file(ctx, c.cert_file.c_str()) != 1) {
    SSL_CTX_free(ctx);
    return unexpected(c.cert_file + ": " + openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    SSL_CTX_free(ctx);
    return unexpected(c.key_file + ": " + openssl_error());
  }
  SSL_CTX_set_alpn_select_cb(ctx, select_h2, nullptr);
  return ctx;
}

}  // namespace

// ---- Worker -------------------------------------------------------------------------------------

Worker::Worker(const ServerConfig& config, ServerMetrics& metrics, SSL_CTX* ssl_ctx, int index)
    : config_(config), metrics_(metrics), ssl_ctx_(ssl_ctx), index_(index) {
  base_ = event_base_new();
  callbacks_ = make_session_callbacks();
  nghttp2_option_new(&option_);
  if (base_ == nullptr) return;
  drain_ev_ = event_new(
      base_, -1, 0,
      [](evutil_socket_t, short, void* arg) { static_cast<Worker*>(arg)->begin_drain(); }, this);
  stop_ev_ = event_new(
      base_, -1, 0,
      [](evutil_socket_t, short, void* arg) {
        event_base_loopbreak(static_cast<Worker*>(arg)->base_);
      },
      this);
  goaway_ev_ = event_new(
      base_, -1, 0,
      [](evutil_socket_t, short, void* arg) { static_cast<Worker*>(arg)->send_final_goaways(); },
      this);
  deadline_ev_ = event_new(
      base_, -1, 0,
      [](evutil_socket_t, short, void* arg) {
        event_base_loopbreak(static_cast<Worker*>(arg)->base_);
      },
      this);
  accept_pause_ev_ = evtimer_new(
      base_,
      [](evutil_socket_t, short, void* arg) {
        auto* w = static_cast<Worker*>(arg);
        if (!w->draining_) w->set_listening(true);
      },
      this);
  const timeval handshake = to_timeval(config_.handshake_timeout_ms);
  const timeval read = to_timeval(config_.read_timeout_ms);
  const timeval idle = to_timeval(config_.idle_timeout_ms);
  handshake_tv_ = event_base_init_common_timeout(base_, &handshake);
  read_tv_ = event_base_init_common_timeout(base_, &read);
  idle_tv_ = event_base_init_common_timeout(base_, &idle);
}

Worker::~Worker() {
  while (connections_ != nullptr) delete connections_;
  free_listeners();
  for (event* ev : {drain_ev_, stop_ev_, goaway_ev_, deadline_ev_, accept_pause_ev_}) {
    if (ev != nullptr) event_free(ev);
  }
  handler_.reset();
  if (option_ != nullptr) nghttp2_option_del(option_);
  if (callbacks_ != nullptr) nghttp2_session_callbacks_del(callbacks_);
  if (base_ != nullptr) event_base_free(base_);
}

Result<bool, std::string> Worker::listen(int& h2c_port, int& tls_port) {
  if (base_ == nullptr || callbacks_ == nullptr || option_ == nullptr || drain_ev_ == nullptr ||
      stop_ev_ == nullptr || goaway_ev_ == nullptr || deadline_ev_ == nullptr ||
      accept_pause_ev_ == nullptr) {
    return unexpected(std::string("cannot create an event loop"));
  }
  auto bind_one = [this](int& port) -> Result<evconnlistener*, std::string> {
    evutil_addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
    evutil_addrinfo* res = nullptr;
    const std::string port_text = std::to_string(port);
    const std::string where = config_.host + ":" + port_text;
    if (evutil_getaddrinfo(config_.host.c_str(), port_text.c_str(), &hints, &res) != 0 ||
        res == nullptr) {
      return unexpected("resolve " + where);
    }
    // Every thread binds its own socket to the same port; the kernel spreads connections.
    evconnlistener* l = evconnlistener_new_bind(
        base_, &Worker::on_accept, this,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT,
        kListenBacklog, res->ai_addr, static_cast<int>(res->ai_addrlen));
    evutil_freeaddrinfo(res);
    if (l == nullptr)
      return unexpected("bind " + where + ": " +
                        std::error_code(errno, std::generic_category()).message());
    evconnlistener_set_error_cb(l, [](evconnlistener*, void* arg) {
      static_cast<Worker*>(arg)->accept_failed(EVUTIL_SOCKET_ERROR());
    });
    if (port == 0) {
      sockaddr_storage ss{};
      socklen_t len = sizeof(ss);
      getsockname(evconnlistener_get_fd(l), reinterpret_cast<sockaddr*>(&ss), &len);
      port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    }
    return l;
  };
  if (h2c_port >= 0) {
    auto l = bind_one(h2c_port);
    if (!l) return unexpected(l.error());
    h2c_listener_ = *l;
  }
  if (tls_port >= 0) {
    auto l = bind_one(tls_port);
    if (!l) return unexpected(l.error());
    tls_listener_ = *l;
  }
  return true;
}

void Worker::run(const HandlerFactory& factory, const std::function<void(bool ok)>& ready) {
  handler_ = factory(base_, index_);
  ready(handler_ != nullptr);
  if (handler_ != nullptr) event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
  // Connections first: their on_close callbacks run application code, which needs the handler.
  while (connections_ != nullptr) delete connections_;
  free_listeners();
  handler_.reset();  // on this thread, so it can free its events on its own loop
  // libevent closes freed bufferevents' sockets from deferred callbacks: run them now, or the
  // clients would only see their connections close when the server object goes.
  event_base_loop(base_, EVLOOP_NONBLOCK);
}

void Worker::request_drain() {
  if (drain_ev_ != nullptr) event_active(drain_ev_, 0, 0);
}

void Worker::request_stop() {
  if (stop_ev_ != nullptr) event_active(stop_ev_, 0, 0);
}

void Worker::on_accept(evconnlistener* listener, evutil_socket_t fd, sockaddr* addr, int /*len*/,
                       void* arg) {
  auto* w = static_cast<Worker*>(arg);
  w->accept(fd, addr, listener == w->tls_listener_);
}

// The listeners are level-triggered: on an error that lasts they would fail again at once.
void Worker::accept_failed(int error) {
  metrics_.accept_errors.fetch_add(1, std::memory_order_relaxed);
  if (!accept_needs_pause(error)) return;
  set_listening(false);
  const timeval pause = to_timeval(kAcceptPause.count());
  evtimer_add(accept_pause_ev_, &pause);
}

void Worker::set_listening(bool on) {
  for (evconnlistener* l : {h2c_listener_, tls_listener_}) {
    if (l == nullptr) continue;
    if (on) {
      evconnlistener_enable(l);
    } else {
      evconnlistener_disable(l);
    }
  }
}

void Worker::accept(evutil_socket_t fd, const sockaddr* addr, bool tls) {
  if (draining_) {
    evutil_closesocket(fd);
    return;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // responses leave at once
  std::array<char, INET6_ADDRSTRLEN> ip{};
  if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, ip.data(),
              ip.size());
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, ip.data(), ip.size());
  }
  bufferevent* bev = nullptr;
  if (tls) {
    SSL* ssl = SSL_new(ssl_ctx_);
    if (ssl == nullptr) {
      evutil_closesocket(fd);
      return;
    }
    bev = bufferevent_openssl_socket_new(base_, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                         BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      SSL_free(ssl);
      evutil_closesocket(fd);
      return;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  } else {
    bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      evutil_closesocket(fd);
      return;
    }
  }
  metrics_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  metrics_.connections_open.fetch_add(1, std::memory_order_relaxed);
  auto* c = new Connection(*this, bev, ip.data(), tls);
  add(c);
  if (!c->start()) {
    delete c;
    return;
  }
  Connection::settle(c);
}

void Worker::add(Connection* c) {
  c->next = connections_;
  if (connections_ != nullptr) connections_->prev = c;
  connections_ = c;
}

void Worker::remove(Connection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (connections_ == c) connections_ = c->next;
  c->prev = c->next = nullptr;
  if (draining_) maybe_finish_drain();
}

void Worker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  free_listeners();  // new connections are refused from now on
  for (Connection* c = connections_; c != nullptr;) {
    Connection* next = c->next;
    c->shutdown_notice();
    Connection::settle(c);
    c = next;
  }
  const timeval goaway = to_timeval(std::min(kFinalGoawayDelayMs, config_.drain_timeout_ms / 2));
  event_add(goaway_ev_, &goaway);
  const timeval deadline = to_timeval(config_.drain_timeout_ms);
  event_add(deadline_ev_, &deadline);
  maybe_finish_drain();
}

void Worker::send_final_goaways() {
  for (Connection* c = connections_; c != nullptr;) {
    Connection* next = c->next;
    c->final_goaway();
    Connection::settle(c);
    c = next;
  }
}

void Worker::maybe_finish_drain() {
  if (connections_ == nullptr) event_base_loopexit(base_, nullptr);
}

void Worker::free_listeners() {
  if (h2c_listener_ != nullptr) evconnlistener_free(h2c_listener_);
  if (tls_listener_ != nullptr) evconnlistener_free(tls_listener_);
  h2c_listener_ = nullptr;
  tls_listener_ = nullptr;
}

std::string_view Worker::date() {
  timeval now{};
  event_base_gettimeofday_cached(base_, &now);
  if (now.tv_sec != date_second_) {
    date_second_ = now.tv_sec;
    tm parts{};
    gmtime_r(&now.tv_sec, &parts);
    std::array<char, 64> buf{};
    const size_t n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    date_.assign(buf.data(), n);
  }
  return date_;
}

int64_t Worker::now_ms() const {
  timeval now{};
  event_base_gettimeofday_cached(base_, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_usec / 1000;
}

// ---- Server -------------------------------------------------------------------------------------

Server::Server(ServerConfig config, HandlerFactory factory)
    : config_(std::move(config)), factory_(std::move(factory)) {}

Server::~Server() {
  stop();
  wait();
  workers_.clear();
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

Result<bool, std::string> Server::start() {
  if (!workers_.empty()) return unexpected(std::string("the server was already started"));
  if (config_.threads < 1) return unexpected(std::string("threads must be at least 1"));
  if (config_.h2c_port < 0 && config_.tls_port < 0) {
    return unexpected(std::string("neither h2c_port nor tls_port is set"));
  }
  if (!factory_) return unexpected(std::string("no handler factory"));
  static std::once_flag process_setup;
  std::call_once(process_setup, [] {
    evthread_use_pthreads();  // event_active() from other threads (drain, stop)
    // A write to a socket the peer closed must be an error, not a process-killing SIGPIPE
    // (libevent and OpenSSL write without MSG_NOSIGNAL).
    signal(SIGPIPE, SIG_IGN);
  });
  if (config_.tls_port >= 0 && ssl_ctx_ == nullptr) {
    auto ctx = make_tls_context(config_);
    if (!ctx) return unexpected(ctx.error());
    ssl_ctx_ = *ctx;
  }
  int h2c = config_.h2c_port;
  int tls = config_.tls_port;
  for (int i = 0; i < config_.threads; ++i) {
    auto w = std::make_unique<Worker>(config_, metrics_, static_cast<SSL_CTX*>(ssl_ctx_), i);
    if (auto listening = w->listen(h2c, tls); !listening) {
      workers_.clear();
      return unexpected(listening.error());
    }
    workers_.push_back(std::move(w));
  }
  ports_.h2c = h2c;
  ports_.tls = tls;

  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  bool all_ok = true;
  const std::function<void(bool)> ready = [&](bool ok) {
    const std::lock_guard lock(mu);
    ++started;
    all_ok = all_ok && ok;
    cv.notify_all();  // under the lock: start() may return, and free these, right after
  };
  for (auto& w : workers_) {
    Worker* worker = w.get();
    threads_.emplace_back([this, worker, &ready, i = threads_.size()] {
      name_this_thread("gate-io-" + std::to_string(i));
      worker->run(factory_, ready);
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return started == config_.threads; });
  }
  if (!all_ok) {
    stop();
    wait();
    return unexpected(std::string("the handler factory failed"));
  }
  return true;
}

void Server::wait() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

Result<bool, std::string> Server::run() {
  auto started = start();
  if (!started) return started;
  wait();
  return true;
}

void Server::drain() {
  for (auto& w : workers_) w->request_drain();
}

void Server::stop() {
  for (auto& w : workers_) w->request_stop();
}

}  // namespace boxoffice::gateway::server
