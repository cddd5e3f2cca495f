#include "gateway/server/testing/h2_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace boxoffice::gateway::server::testing {

using Clock = std::chrono::steady_clock;

std::string_view Response::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

// nghttp2 callbacks: a friend so they can fill the client's state.
struct ClientCallbacks {
  static H2Client* self(void* ud) { return static_cast<H2Client*>(ud); }

  static int on_header(nghttp2_session* /*s*/, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t /*flags*/,
                       void* ud) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    Response& r = self(ud)->responses_[frame->hd.stream_id];
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      int status = 0;
      for (const char c : v) status = status * 10 + (c - '0');
      r.status = status;
    } else if (!n.starts_with(':')) {
      r.headers.push_back(Header{std::string(n), std::string(v)});
    }
    return 0;
  }

  static int on_data(nghttp2_session* /*s*/, uint8_t /*flags*/, int32_t stream_id,
                     const uint8_t* data, size_t len, void* ud) {
    self(ud)->responses_[stream_id].body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame_recv(nghttp2_session* /*s*/, const nghttp2_frame* frame, void* ud) {
    H2Client* c = self(ud);
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
      case NGHTTP2_DATA:
        if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
          c->responses_[frame->hd.stream_id].complete = true;
        }
        break;
      case NGHTTP2_RST_STREAM: {
        Response& r = c->responses_[frame->hd.stream_id];
        r.reset = true;
        r.error_code = frame->rst_stream.error_code;
        break;
      }
      case NGHTTP2_GOAWAY:
        c->goaway_received_ = true;
        c->goaway_error_code_ = frame->goaway.error_code;
        c->goaway_last_stream_id_ = frame->goaway.last_stream_id;
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session* /*s*/, int32_t stream_id, uint32_t error_code,
                             void* ud) {
    Response& r = self(ud)->responses_[stream_id];
    if (!r.complete && !r.reset) {
      r.reset = true;
      r.error_code = error_code;
    }
    return 0;
  }

  static ssize_t read_body(nghttp2_session* /*s*/, int32_t /*stream_id*/, uint8_t* buf,
                           size_t length, uint32_t* flags, nghttp2_data_source* source,
                           void* /*ud*/) {
    auto* body = static_cast<std::pair<std::string, size_t>*>(source->ptr);
    const size_t n = std::min(length, body->first.size() - body->second);
    std::copy_n(body->first.data() + body->second, n, buf);
    body->second += n;
    if (body->second == body->first.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static ssize_t read_body_open(nghttp2_session* s, int32_t stream_id, uint8_t* buf, size_t length,
                                uint32_t* flags, nghttp2_data_source* source, void* ud) {
    const ssize_t n = read_body(s, stream_id, buf, length, flags, source, ud);
    // The request stays open: no END_STREAM after the body.
    *flags &= ~static_cast<uint32_t>(NGHTTP2_DATA_FLAG_EOF);
    auto* body = static_cast<std::pair<std::string, size_t>*>(source->ptr);
    if (n == 0 && body->second == body->first.size()) return NGHTTP2_ERR_DEFERRED;
    return n;
  }
};

Result<std::unique_ptr<H2Client>, std::string> H2Client::connect(const std::string& host, int port,
                                                                 ClientOptions options) {
  std::unique_ptr<H2Client> c(new H2Client());
  c->options_ = std::move(options);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return unexpected("resolve " + host);
  }
  c->fd_ = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int rc = c->fd_ < 0 ? -1 : ::connect(c->fd_, res->ai_addr, res->ai_addrlen);
  const int err = errno;
  freeaddrinfo(res);
  if (rc != 0)
    return unexpected("connect: " + std::error_code(err, std::generic_category()).message());
  const int one = 1;
  setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fcntl(c->fd_, F_SETFL, fcntl(c->fd_, F_GETFL) | O_NONBLOCK);

  if (c->options_.tls) {
    c->ssl_ctx_ = SSL_CTX_new(TLS_client_method());
    if (c->ssl_ctx_ == nullptr) return unexpected(std::string("SSL_CTX_new failed"));
    SSL_CTX_set_verify(c->ssl_ctx_, SSL_VERIFY_NONE, nullptr);
    std::string protos;
    for (const std::string& p : c->options_.alpn) {
      protos.push_back(static_cast<char>(p.size()));
      protos += p;
    }
    if (!protos.empty()) {
      SSL_CTX_set_alpn_protos(c->ssl_ctx_, reinterpret_cast<const unsigned char*>(protos.data()),
                              static_cast<unsigned int>(protos.size()));
    }
    c->ssl_ = SSL_new(c->ssl_ctx_);
    SSL_set_fd(c->ssl_, c->fd_);
    SSL_set_tlsext_host_name(c->ssl_, host.c_str());
    const auto deadline = Clock::now() + c->options_.timeout;
    while (true) {
      const int r = SSL_connect(c->ssl_);
      if (r == 1) break;
      const int e = SSL_get_error(c->ssl_, r);
      if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || Clock::now() > deadline) {
        std::array<char, 256> buf{};
        ERR_error_string_n(ERR_get_error(), buf.data(), buf.size());
        return unexpected("TLS handshake failed: " + std::string(buf.data()));
      }
      pollfd p{c->fd_, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
      poll(&p, 1, 50);
    }
  }

  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_header_callback(cbs, ClientCallbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, ClientCallbacks::on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, ClientCallbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, ClientCallbacks::on_stream_close);
  const int created = nghttp2_session_client_new(&c->session_, cbs, c.get());
  nghttp2_session_callbacks_del(cbs);
  if (created != 0) return unexpected(std::string("nghttp2_session_client_new failed"));
  nghttp2_settings_entry entry{NGHTTP2_SETTINGS_ENABLE_PUSH, 0};
  nghttp2_submit_settings(c->session_, NGHTTP2_FLAG_NONE, &entry, 1);
  if (!c->flush()) return unexpected(std::string("cannot send the connection preface"));
  return c;
}

H2Client::~H2Client() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  if (fd_ >= 0) close(fd_);
}

std::string H2Client::alpn() const {
  if (ssl_ == nullptr) return {};
  const unsigned char* p = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl_, &p, &len);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), len);
}

uint32_t H2Client::remote_max_concurrent_streams() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

bool H2Client::write_all(const uint8_t* data, size_t len) {
  const auto deadline = Clock::now() + options_.timeout;
  while (len > 0 && !closed_ && !write_failed_) {
    ssize_t n = 0;
    bool want_write = false;
    if (ssl_ != nullptr) {
      const int r = SSL_write(ssl_, data, static_cast<int>(len));
      if (r > 0) {
        n = r;
      } else {
        const int e = SSL_get_error(ssl_, r);
        if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) write_failed_ = true;
        want_write = true;
      }
    } else {
      n = ::send(fd_, data, len, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) write_failed_ = true;
        want_write = true;
        n = 0;
      }
    }
    if (closed_ || write_failed_) return false;
    data += n;
    len -= static_cast<size_t>(n);
    if (want_write) {
      if (Clock::now() > deadline) return false;
      // The server may be waiting for us to read (flow control): keep reading meanwhile.
      pollfd p{fd_, POLLOUT | POLLIN, 0};
      poll(&p, 1, 20);
      if ((p.revents & POLLIN) != 0) read_available();
    }
  }
  return !closed_ && !write_failed_;
}

bool H2Client::flush() {
  if (closed_ || write_failed_) return false;
  while (true) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      closed_ = true;
      return false;
    }
    if (n == 0) return true;
    if (!write_all(data, static_cast<size_t>(n))) return false;
  }
}

bool H2Client::send_raw(std::string_view bytes) {
  return write_all(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

void H2Client::read_available() {
  std::array<uint8_t, 16384> buf{};
  while (!closed_) {
    ssize_t n = 0;
    if (ssl_ != nullptr) {
      const int r = SSL_read(ssl_, buf.data(), static_cast<int>(buf.size()));
      if (r <= 0) {
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
        closed_ = true;
        return;
      }
      n = r;
    } else {
      n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        closed_ = true;
        return;
      }
      if (n == 0) {
        closed_ = true;
        return;
      }
    }
    if (nghttp2_session_mem_recv(session_, buf.data(), static_cast<size_t>(n)) < 0) {
      closed_ = true;
      return;
    }
  }
}

bool H2Client::pump(std::chrono::milliseconds wait) {
  flush();
  if (closed_) return false;
  if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) return !closed_;
  }
  read_available();
  if (!closed_) flush();  // SETTINGS ACKs, WINDOW_UPDATEs
  return !closed_;
}

bool H2Client::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || closed_) return done();
    pump(std::min(left, std::chrono::milliseconds(50)));
  }
  return true;
}

int32_t H2Client::submit(std::string_view method, std::string_view path,
                         const std::vector<Header>& headers, std::string body, bool end_stream) {
  auto nv = [](std::string_view n, std::string_view v) {
    nghttp2_nv x;
    x.name = reinterpret_cast<uint8_t*>(const_cast<char*>(n.data()));
    x.namelen = n.size();
    x.value = reinterpret_cast<uint8_t*>(const_cast<char*>(v.data()));
    x.valuelen = v.size();
    x.flags = NGHTTP2_NV_FLAG_NONE;
    return x;
  };
  std::vector<nghttp2_nv> nva;
  nva.push_back(nv(":method", method));
  nva.push_back(nv(":scheme", options_.tls ? "https" : "http"));
  nva.push_back(nv(":authority", "localhost"));
  nva.push_back(nv(":path", path));
  for (const Header& h : headers) nva.push_back(nv(h.name, h.value));
  nghttp2_data_provider provider;
  nghttp2_data_provider* p = nullptr;
  if (!body.empty() || !end_stream) {
    bodies_.push_back(std::make_unique<std::pair<std::string, size_t>>(std::move(body), 0));
    provider.source.ptr = bodies_.back().get();
    provider.read_callback =
        end_stream ? ClientCallbacks::read_body : ClientCallbacks::read_body_open;
    p = &provider;
  }
  const int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), p, nullptr);
  return id < 0 ? -1 : id;
}

const Response* H2Client::response(int32_t stream_id) const {
  auto it = responses_.find(stream_id);
  return it == responses_.end() ? nullptr : &it->second;
}

Result<Response, std::string> H2Client::wait(int32_t stream_id, std::chrono::milliseconds timeout) {
  const bool done = run_until(
      [&] {
        const Response* r = response(stream_id);
        return r != nullptr && (r->complete || r->reset);
      },
      timeout);
  if (!done) return unexpected(std::string(closed_ ? "connection closed" : "timed out"));
  return responses_[stream_id];
}

Result<Response, std::string> H2Client::request(std::string_view method, std::string_view path,
                                                const std::vector<Header>& headers,
                                                std::string body) {
  const int32_t id = submit(method, path, headers, std::move(body));
  if (id < 0) return unexpected(std::string("submit failed"));
  return wait(id, options_.timeout);
}

bool H2Client::reset_stream(int32_t stream_id, uint32_t error_code) {
  return nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code) == 0;
}

}  // namespace boxoffice::gateway::server::testing
