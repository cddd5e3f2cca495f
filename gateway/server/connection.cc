// One HTTP/2 connection: bytes from the bufferevent into nghttp2, requests to the handler,
// responses back out. See server_internal.h for the ownership rules.
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "gateway/server/server_internal.h"

namespace boxoffice::gateway::server {
namespace {

// Past this much unsent output nghttp2 is asked to wait (backpressure on slow readers).
constexpr size_t kOutputHighWaterBytes = size_t{256} * 1024;
constexpr std::string_view kServerName = "boxoffice-gate";
constexpr int kLingerMs = 500;

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  nghttp2_nv nv;
  // nghttp2 copies names and values on submit, so pointers into locals are fine.
  nv.name = reinterpret_cast<uint8_t*>(const_cast<char*>(name.data()));
  nv.namelen = name.size();
  nv.value = reinterpret_cast<uint8_t*>(const_cast<char*>(value.data()));
  nv.valuelen = value.size();
  nv.flags = NGHTTP2_NV_FLAG_NONE;
  return nv;
}

// Connection-specific headers are forbidden in HTTP/2 (RFC 9113 8.2.2); a proxied HTTP/1.1
// upstream answer may carry them. content-length is the server's own.
bool dropped_response_header(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade" || name == "content-length";
}

Connection* from(void* user_data) { return static_cast<Connection*>(user_data); }

// Bounds on what a worker thread keeps for reuse: a burst's worth of states, and no buffer
// that grew unusually large.
constexpr size_t kPooledStates = 1024;
constexpr size_t kPooledBufferBytes = size_t{16} * 1024;

struct StatePool {
  std::vector<std::unique_ptr<StreamState>> free;
};
thread_local StatePool state_pool;

}  // namespace

StreamState* StreamState::acquire() {
  if (state_pool.free.empty()) return new StreamState();
  StreamState* s = state_pool.free.back().release();
  state_pool.free.pop_back();
  return s;
}

void StreamState::recycle() {
  std::unique_ptr<StreamState> self(this);
  if (state_pool.free.size() >= kPooledStates || request.body.capacity() > kPooledBufferBytes ||
      out.capacity() > kPooledBufferBytes) {
    return;  // freed
  }
  // Every field back to a new stream's but the buffers, whose capacity is what the pool keeps;
  // the header list and the request target keep their entries too, overwritten in place by the
  // next request (the target wholly, by parse_request_target_into, before any handler reads it).
  static_cast<StreamFields&>(*this) = StreamFields();
  out.clear();
  Request& r = request;
  r.method.clear();
  r.scheme.clear();
  r.authority.clear();
  r.path.clear();
  r.body.clear();
  r.tls = false;
  state_pool.free.push_back(std::move(self));
}

// nghttp2 C callbacks, trampolines into Connection.
namespace callbacks {

int begin_headers(nghttp2_session* /*session*/, const nghttp2_frame* frame, void* ud) {
  return from(ud)->on_begin_headers(frame);
}

int header(nghttp2_session* /*session*/, const nghttp2_frame* frame, const uint8_t* name,
           size_t namelen, const uint8_t* value, size_t valuelen, uint8_t /*flags*/, void* ud) {
  return from(ud)->on_header(frame, std::string_view(reinterpret_cast<const char*>(name), namelen),
                             std::string_view(reinterpret_cast<const char*>(value), valuelen));
}

int frame_recv(nghttp2_session* /*session*/, const nghttp2_frame* frame, void* ud) {
  return from(ud)->on_frame_recv(frame);
}

int invalid_frame_recv(nghttp2_session* /*session*/, const nghttp2_frame* /*frame*/,
                       int /*lib_error_code*/, void* ud) {
  return from(ud)->on_invalid_frame();
}

int data_chunk_recv(nghttp2_session* /*session*/, uint8_t /*flags*/, int32_t stream_id,
                    const uint8_t* data, size_t len, void* ud) {
  return from(ud)->on_data_chunk(stream_id, data, len);
}

int stream_close(nghttp2_session* /*session*/, int32_t stream_id, uint32_t error_code, void* ud) {
  return from(ud)->on_stream_close(stream_id, error_code);
}

ssize_t send(nghttp2_session* /*session*/, const uint8_t* data, size_t length, int /*flags*/,
             void* ud) {
  return from(ud)->on_send(data, length);
}

ssize_t read_body(nghttp2_session* /*session*/, int32_t /*stream_id*/, uint8_t* buf, size_t length,
                  uint32_t* data_flags, nghttp2_data_source* source, void* ud) {
  return from(ud)->read_body(static_cast<StreamState*>(source->ptr), buf, length, data_flags);
}

}  // namespace callbacks

nghttp2_session_callbacks* make_session_callbacks() {
  nghttp2_session_callbacks* cbs = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0) return nullptr;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, callbacks::begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, callbacks::header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, callbacks::frame_recv);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cbs, callbacks::invalid_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, callbacks::data_chunk_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, callbacks::stream_close);
  nghttp2_session_callbacks_set_send_callback(cbs, callbacks::send);
  return cbs;
}

Connection::Connection(Worker& worker, bufferevent* bev, std::string peer_ip, bool tls)
    : worker_(worker),
      bev_(bev),
      peer_ip_(std::move(peer_ip)),
      tls_(tls),
      guard_(worker.config().max_resets_per_window, worker.config().max_control_frames_per_window,
             worker.config().flood_window_ms) {}

Connection::~Connection() {
  detach_all();
  if (session_ != nullptr) nghttp2_session_del(session_);
  if (read_ev_ != nullptr) event_free(read_ev_);
  if (flush_ev_ != nullptr) event_free(flush_ev_);
  if (timer_ev_ != nullptr) event_free(timer_ev_);
  if (bev_ != nullptr) bufferevent_free(bev_);
  worker_.metrics().bytes_out.fetch_add(bytes_out_, std::memory_order_relaxed);
  worker_.metrics().connections_open.fetch_sub(1, std::memory_order_relaxed);
  worker_.remove(this);
  // Last: the callbacks may run application code, which must find this connection gone.
  std::vector<StreamState*> closed = std::move(closed_);
  for (StreamState* s : closed) {
    std::function<void()> cb = std::move(s->on_close);
    s->on_close = nullptr;
    if (cb) cb();
    release(s);
  }
}

bool Connection::start() {
  if (nghttp2_session_server_new3(&session_, worker_.callbacks(), this, worker_.option(),
                                  worker_.session_mem()) != 0) {
    return false;
  }
  const ServerConfig& c = worker_.config();
  std::array<nghttp2_settings_entry, 4> settings{};
  settings[0].settings_id = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
  settings[0].value = static_cast<uint32_t>(c.max_concurrent_streams);
  settings[1].settings_id = NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
  settings[1].value = static_cast<uint32_t>(c.initial_window_bytes);
  settings[2].settings_id = NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE;
  settings[2].value = static_cast<uint32_t>(c.max_header_list_bytes);
  settings[3].settings_id = NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES;
  settings[3].value = 1;
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) != 0) {
    return false;
  }
  if (c.connection_window_bytes > NGHTTP2_INITIAL_CONNECTION_WINDOW_SIZE) {
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          c.connection_window_bytes);
  }
  flush_ev_ = event_new(worker_.base(), -1, 0, &Connection::on_flush, this);
  timer_ev_ = event_new(worker_.base(), -1, 0, &Connection::on_timer, this);
  if (flush_ev_ == nullptr || timer_ev_ == nullptr) return false;
  bufferevent_setcb(bev_, &Connection::on_read, &Connection::on_write, &Connection::on_event, this);
  // Cleartext: the connection reads the socket itself (see on_readable()) and writes its output
  // itself (see write_output()); the bufferevent only keeps a backlog the socket did not take.
  if (!tls_) {
    read_ev_ = event_new(worker_.base(), bufferevent_getfd(bev_), EV_READ | EV_PERSIST,
                         &Connection::on_readable, this);
    if (read_ev_ == nullptr) return false;
  }
  if (tls_ && bufferevent_enable(bev_, EV_WRITE) != 0) return false;
  set_reading(true);
  rearm_timer();
  flush();  // the SETTINGS (a TLS bufferevent holds them until the handshake is done)
  return true;
}

// ---- event-loop entry points ------------------------------------------------------------------

void Connection::on_read(bufferevent* /*bev*/, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  c->read_input();
  if (!c->close_now_) c->flush();
  c->rearm_timer();
  settle(c);
}

// Cleartext input, straight from the socket into nghttp2: no copy into an evbuffer, and none of
// the FIONREAD ioctl libevent issues before every read to size it.
void Connection::on_readable(evutil_socket_t fd, short /*what*/, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  // Left uninitialized: recv fills what is read, and only that is used.
  std::array<uint8_t, size_t{16} * 1024> buffer;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
  if (n > 0) {
    c->receive(buffer.data(), static_cast<size_t>(n));
    if (!c->close_now_) c->flush();
    c->rearm_timer();
  } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    c->close_now_ = true;  // the peer closed, or the connection failed
  }
  settle(c);
}

void Connection::on_write(bufferevent* /*bev*/, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  if (!c->tls_) bufferevent_disable(c->bev_, EV_WRITE);  // the backlog is written
  c->flush();  // continues a send that hit the high-water mark
  settle(c);
}

void Connection::on_event(bufferevent* bev, short what, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  if ((what & BEV_EVENT_CONNECTED) != 0) {
    // TLS handshake done: only h2 may have been negotiated.
    const unsigned char* alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL* ssl = bufferevent_openssl_get_ssl(bev);
    if (ssl != nullptr) SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    if (alpn == nullptr ||
        std::string_view(reinterpret_cast<const char*>(alpn), alpn_len) != "h2") {
      c->worker_.metrics().tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
      c->close_now_ = true;
    }
    settle(c);
    return;
  }
  if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) != 0) {
    if (c->tls_ && !c->preface_seen_ && (what & BEV_EVENT_ERROR) != 0) {
      c->worker_.metrics().tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
    }
    c->close_now_ = true;
  }
  settle(c);
}

void Connection::on_flush(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  c->flush_pending_ = false;
  c->flush();
  c->rearm_timer();
  settle(c);
}

void Connection::on_timer(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
  auto* c = static_cast<Connection*>(arg);
  c->armed_ = nullptr;
  if (!c->preface_seen_ || c->lingering_) {
    c->close_now_ = true;  // no handshake or preface in time: nothing to say to this peer
  } else {
    // Idle, or a request stalled half-way: tell the client, then close.
    nghttp2_session_terminate_session(c->session_, NGHTTP2_NO_ERROR);
    c->terminating_ = true;
    c->flush();
  }
  settle(c);
}

void Connection::settle(Connection* c) {
  while (!c->closed_.empty() && !c->close_now_) {
    std::vector<StreamState*> closed = std::move(c->closed_);
    c->closed_.clear();
    for (StreamState* s : closed) {
      std::function<void()> cb = std::move(s->on_close);
      s->on_close = nullptr;
      if (cb) cb();
      release(s);
    }
  }
  if (c->close_now_) delete c;
}

void Connection::read_input() {
  evbuffer* in = bufferevent_get_input(bev_);
  while (const auto len = evbuffer_get_contiguous_space(in)) {
    receive(evbuffer_pullup(in, static_cast<ev_ssize_t>(len)), len);
    evbuffer_drain(in, len);
  }
}

void Connection::receive(const uint8_t* data, size_t len) {
  if (terminating_ || close_now_) return;  // after an error GOAWAY, input is discarded
  in_recv_ = true;
  if (nghttp2_session_mem_recv(session_, data, len) < 0) {
    // Bad client magic or a fatal protocol error: nghttp2 has queued a GOAWAY if it could.
    terminating_ = true;
    close_when_written_ = true;
  }
  in_recv_ = false;
  worker_.metrics().bytes_in.fetch_add(len, std::memory_order_relaxed);
}

void Connection::set_reading(bool on) {
  if (!tls_) {
    if (on) {
      event_add(read_ev_, nullptr);
    } else {
      event_del(read_ev_);
    }
  } else if (on) {
    bufferevent_enable(bev_, EV_READ);
  } else {
    bufferevent_disable(bev_, EV_READ);
  }
}

void Connection::flush() {
  if (close_now_ || session_ == nullptr) return;
  while (true) {
    output_full_ = false;
    if (nghttp2_session_send(session_) != 0) {
      close_now_ = true;
      return;
    }
    // nghttp2 stopped at the output high-water mark: while the socket takes all of it, go on.
    if (tls_ || !write_output() || !output_full_) break;
  }
  if (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0) {
    close_when_written_ = true;
    if (!terminating_) set_reading(false);
  }
  if (close_when_written_ && evbuffer_get_length(bufferevent_get_output(bev_)) == 0) {
    if (terminating_) {
      linger();
    } else {
      close_now_ = true;
    }
  }
}

// Writes the output now, in one writev, instead of arming EV_WRITE and writing a loop turn later:
// that round trip cost two epoll_ctl calls per burst of responses. Only a backlog the socket
// would not take (or an error, which the bufferevent then reports) is left to libevent.
bool Connection::write_output() {
  evbuffer* out = bufferevent_get_output(bev_);
  if (evbuffer_get_length(out) == 0) return true;
  // The bufferevent keeps its output's front frozen so only it drains it; its own write event
  // thaws it the same way around the write.
  evbuffer_unfreeze(out, 1);
  evbuffer_write(out, bufferevent_getfd(bev_));
  evbuffer_freeze(out, 1);
  if (evbuffer_get_length(out) == 0) return true;
  bufferevent_enable(bev_, EV_WRITE);  // on_write() goes on once the backlog is written
  return false;
}

// After an error GOAWAY the client is usually still sending. Closing with unread input makes the
// kernel answer with a TCP RST, which can destroy the GOAWAY before the client reads it; so stop
// writing, discard input until the client closes, and give up after kLingerMs.
void Connection::linger() {
  if (lingering_) return;
  lingering_ = true;
  shutdown(bufferevent_getfd(bev_), SHUT_WR);
  set_reading(true);
  const timeval tv{0, static_cast<suseconds_t>(kLingerMs) * 1000};
  event_add(timer_ev_, &tv);
}

void Connection::schedule_flush() {
  if (in_recv_ || flush_pending_) return;  // read_input() flushes once it is done
  flush_pending_ = true;
  event_active(flush_ev_, 0, 0);
}

ssize_t Connection::on_send(const uint8_t* data, size_t len) {
  evbuffer* out = bufferevent_get_output(bev_);
  if (evbuffer_get_length(out) >= kOutputHighWaterBytes) {
    output_full_ = true;
    return NGHTTP2_ERR_WOULDBLOCK;
  }
  if (evbuffer_add(out, data, len) != 0) return NGHTTP2_ERR_CALLBACK_FAILURE;
  bytes_out_ += len;
  return static_cast<ssize_t>(len);
}

void Connection::rearm_timer() {
  if (close_now_ || lingering_ || timer_ev_ == nullptr) return;
  const timeval* want = nullptr;
  if (!preface_seen_) {
    want = worker_.handshake_timeout();
    if (armed_ == want) return;  // the handshake deadline counts from the accept
  } else if (reading_streams_ > 0) {
    want = worker_.read_timeout();
  } else if (open_streams_ == 0) {
    want = worker_.idle_timeout();
  }
  if (want == nullptr) {
    if (armed_ != nullptr) event_del(timer_ev_);
  } else {
    event_add(timer_ev_, want);  // common timeouts: O(1) re-arm
  }
  armed_ = want;
}

// ---- nghttp2 callbacks --------------------------------------------------------------------------

int Connection::on_begin_headers(const nghttp2_frame* frame) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  StreamState* s = StreamState::acquire();
  s->conn = this;
  s->stream_id = frame->hd.stream_id;
  s->request.peer_ip = peer_ip_;
  s->request.tls = tls_;
  s->next = streams_;
  if (streams_ != nullptr) streams_->prev = s;
  streams_ = s;
  ++open_streams_;
  ++reading_streams_;
  nghttp2_session_set_stream_user_data(session_, s->stream_id, s);
  worker_.metrics().streams.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

int Connection::on_header(const nghttp2_frame* frame, std::string_view name,
                          std::string_view value) {
  auto* s = static_cast<StreamState*>(
      nghttp2_session_get_stream_user_data(session_, frame->hd.stream_id));
  if (s == nullptr || !s->reading) return 0;
  s->header_bytes += static_cast<int64_t>(name.size() + value.size() + 32);
  if (s->header_bytes > worker_.config().max_header_list_bytes) {
    s->headers_too_large = true;  // answered with 431 once the block ends; keep nothing more
    return 0;
  }
  if (s->headers_too_large || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers
  Request& r = s->request;
  if (!name.empty() && name[0] == ':') {
    if (name == ":method") {
      r.method = value;
    } else if (name == ":path") {
      r.path = value;
    } else if (name == ":scheme") {
      r.scheme = value;
    } else if (name == ":authority") {
      r.authority = value;
    }
    return 0;
  }
  if (name == "cookie") {
    // HTTP/2 clients may split cookies into crumbs; rejoin them (RFC 9113 8.2.3).
    for (size_t i = 0; i < s->headers_used; ++i) {
      if (r.headers[i].name == "cookie") {
        r.headers[i].value.append("; ").append(value);
        return 0;
      }
    }
  }
  if (s->headers_used < r.headers.size()) {
    Header& h = r.headers[s->headers_used];  // a pooled entry: reuse its strings' capacity
    h.name.assign(name);
    h.value.assign(value);
  } else {
    r.headers.push_back(Header{std::string(name), std::string(value)});
  }
  ++s->headers_used;
  return 0;
}

int Connection::on_frame_recv(const nghttp2_frame* frame) {
  preface_seen_ = true;
  const int64_t now = worker_.now_ms();
  switch (frame->hd.type) {
    case NGHTTP2_DATA: {
      if (frame->hd.length == 0 && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) {
        flood(guard_.on_control_frame(now));
      }
      if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
        auto* s = static_cast<StreamState*>(
            nghttp2_session_get_stream_user_data(session_, frame->hd.stream_id));
        if (s != nullptr) request_complete(s);
      }
      break;
    }
    case NGHTTP2_HEADERS: {
      auto* s = static_cast<StreamState*>(
          nghttp2_session_get_stream_user_data(session_, frame->hd.stream_id));
      if (s == nullptr || !s->reading) break;
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) s->request.headers.resize(s->headers_used);
      if (frame->headers.cat == NGHTTP2_HCAT_REQUEST && !s->headers_too_large) {
        // A declared body over the limit is refused before any of it arrives.
        const std::string_view length = s->request.header("content-length");
        int64_t declared = 0;
        if (!length.empty() &&
            std::from_chars(length.data(), length.data() + length.size(), declared).ec ==
                std::errc() &&
            declared > worker_.config().max_body_bytes) {
          s->body_too_large = true;
          reply_error(s, 413, "body_too_large", "the request body is too large");
        }
      }
      if (s->headers_too_large && !s->answered) {
        reply_error(s, 431, "headers_too_large", "the request headers are too large");
      }
      if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) request_complete(s);
      break;
    }
    case NGHTTP2_RST_STREAM:
      worker_.metrics().streams_reset_by_client.fetch_add(1, std::memory_order_relaxed);
      flood(guard_.on_reset(now));
      break;
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) flood(guard_.on_control_frame(now));
      break;
    case NGHTTP2_PRIORITY:
    case NGHTTP2_WINDOW_UPDATE:
      flood(guard_.on_control_frame(now));
      break;
    default:
      break;
  }
  return 0;
}

int Connection::on_invalid_frame() {
  // Each invalid frame makes nghttp2 reset a stream: the same cost as a client reset.
  flood(guard_.on_reset(worker_.now_ms()));
  return 0;
}

void Connection::flood(Flood kind) {
  if (kind == Flood::kNone || terminating_) return;
  auto& counter = kind == Flood::kResets ? worker_.metrics().rapid_reset_goaways
                                         : worker_.metrics().flood_goaways;
  counter.fetch_add(1, std::memory_order_relaxed);
  nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  terminating_ = true;
}

int Connection::on_data_chunk(int32_t stream_id, const uint8_t* data, size_t len) {
  auto* s = static_cast<StreamState*>(nghttp2_session_get_stream_user_data(session_, stream_id));
  if (s == nullptr || !s->reading || s->body_too_large) return 0;
  if (static_cast<int64_t>(s->request.body.size() + len) > worker_.config().max_body_bytes) {
    s->body_too_large = true;
    s->request.body.clear();
    s->request.body.shrink_to_fit();
    if (!s->answered) reply_error(s, 413, "body_too_large", "the request body is too large");
    return 0;
  }
  s->request.body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int Connection::on_stream_close(int32_t stream_id, uint32_t error_code) {
  auto* s = static_cast<StreamState*>(nghttp2_session_get_stream_user_data(session_, stream_id));
  if (s == nullptr) return 0;
  if (s->reading) --reading_streams_;
  s->reading = false;
  --open_streams_;
  if (s->prev != nullptr) s->prev->next = s->next;
  if (s->next != nullptr) s->next->prev = s->prev;
  if (streams_ == s) streams_ = s->next;
  s->prev = s->next = nullptr;
  s->conn = nullptr;
  const bool completed = error_code == NGHTTP2_NO_ERROR && s->finished;
  if (!completed && s->on_close) {
    closed_.push_back(s);  // settle() runs the callback, outside nghttp2, and releases
  } else {
    release(s);
  }
  return 0;
}

// Streams still open when the connection goes: their writers must see a closed stream.
void Connection::detach_all() {
  while (streams_ != nullptr) {
    StreamState* s = streams_;
    streams_ = s->next;
    s->prev = s->next = nullptr;
    s->conn = nullptr;
    if (s->on_close) {
      closed_.push_back(s);
    } else {
      release(s);
    }
  }
}

// ---- requests and responses --------------------------------------------------------------------

void Connection::request_complete(StreamState* s) {
  if (!s->reading) return;
  s->reading = false;
  --reading_streams_;
  if (s->answered || terminating_) return;  // the server already answered (413, 431)
  Request& r = s->request;
  if (r.method.empty() || r.path.empty()) {
    return reply_error(s, 400, "bad_request", "a pseudo-header is missing");
  }
  if (auto parsed = http::parse_request_target_into(r.path, r.target); !parsed) {
    return reply_error(
        s, 400, "bad_request_target",
        std::string("the request target is invalid: ").append(http::errc_code(parsed.error())));
  }
  if (r.authority.empty()) r.authority = r.header("host");
  worker_.handler()->handle(r, ResponseWriter(s));
}

void Connection::reply_error(StreamState* s, int status, std::string_view code,
                             std::string_view message) {
  s->answered = true;
  std::string body;
  body.reserve(48 + code.size() + message.size());
  // Codes and messages are the server's own constants: nothing to escape.
  body.append(R"({"error":{"code":")").append(code).append(R"(","message":")");
  body.append(message).append("\"}}");
  std::vector<Header> headers;
  headers.push_back(Header{"content-type", "application/json"});
  respond(s, status, headers, std::move(body));
}

void Connection::respond(StreamState* s, int status, std::vector<Header>& headers,
                         std::string body) {
  s->answered = true;
  s->finished = true;
  const bool head = s->request.method == "HEAD";
  const size_t length = body.size();
  s->out = std::move(body);
  s->out_offset = 0;
  const bool with_body = !head && length > 0;
  if (!with_body) s->out.clear();
  submit(s, status, headers, with_body, length, status != 304 && status != 204);
}

void Connection::begin(StreamState* s, int status, std::vector<Header>& headers) {
  s->answered = true;
  s->streaming = true;
  const bool head = s->request.method == "HEAD";
  if (head) s->finished = true;
  submit(s, status, headers, !head, 0, false);
}

void Connection::submit(StreamState* s, int status, std::vector<Header>& headers, bool with_body,
                        size_t content_length, bool has_length) {
  std::array<char, 4> status_text{};
  if (status < 100 || status > 999) status = 500;
  std::to_chars(status_text.data(), status_text.data() + 3, status);
  std::array<char, 24> length_text{};
  const auto length_end =
      std::to_chars(length_text.data(), length_text.data() + length_text.size(), content_length)
          .ptr;

  bool has_server = false;
  bool has_date = false;
  for (Header& h : headers) {
    for (char& ch : h.name) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');  // ASCII, no locale
    }
    has_server = has_server || h.name == "server";
    has_date = has_date || h.name == "date";
  }
  // Most answers have a handful of headers: keep the array on the stack.
  constexpr size_t kInline = 16;
  std::array<nghttp2_nv, kInline> inline_nv{};
  std::vector<nghttp2_nv> heap_nv;
  nghttp2_nv* nv = inline_nv.data();
  if (headers.size() + 4 > kInline) {
    heap_nv.resize(headers.size() + 4);
    nv = heap_nv.data();
  }
  size_t n = 0;
  nv[n++] = make_nv(":status", std::string_view(status_text.data(), 3));
  if (!has_server) nv[n++] = make_nv("server", kServerName);
  if (!has_date) nv[n++] = make_nv("date", worker_.date());
  if (has_length) {
    nv[n++] = make_nv("content-length",
                      std::string_view(length_text.data(), length_end - length_text.data()));
  }
  for (const Header& h : headers) {
    if (!dropped_response_header(h.name)) nv[n++] = make_nv(h.name, h.value);
  }
  nghttp2_data_provider provider;
  provider.source.ptr = s;
  provider.read_callback = callbacks::read_body;
  if (nghttp2_submit_response(session_, s->stream_id, nv, n, with_body ? &provider : nullptr) !=
      0) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->stream_id, NGHTTP2_INTERNAL_ERROR);
  }
  worker_.metrics().count_response(status);
  schedule_flush();
}

void Connection::resume(StreamState* s) {
  if (s->deferred) {
    s->deferred = false;
    nghttp2_session_resume_data(session_, s->stream_id);
  }
  schedule_flush();
}

ssize_t Connection::read_body(StreamState* s, uint8_t* buf, size_t length, uint32_t* flags) {
  const size_t available = s->out.size() - s->out_offset;
  const size_t n = std::min(available, length);
  if (n > 0) {
    std::memcpy(buf, s->out.data() + s->out_offset, n);
    s->out_offset += n;
    if (s->out_offset == s->out.size()) {
      s->out.clear();  // keeps the capacity for the next chunk
      s->out_offset = 0;
    }
  }
  if (s->out.empty() && s->finished) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  if (n == 0) {
    s->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(n);
}

// ---- draining ----------------------------------------------------------------------------------

void Connection::shutdown_notice() {
  if (close_now_ || terminating_) return;
  nghttp2_submit_shutdown_notice(session_);
  // Streamed responses (server-sent events) would never end by themselves.
  for (StreamState* s = streams_; s != nullptr; s = s->next) {
    if (s->streaming && !s->finished) {
      s->finished = true;
      resume(s);
    }
  }
  flush();
}

void Connection::final_goaway() {
  if (close_now_ || terminating_) return;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  flush();
}

// ---- ResponseWriter ----------------------------------------------------------------------------

ResponseWriter::ResponseWriter(StreamState* state) : state_(state) {
  if (state_ != nullptr) retain(state_);
}
ResponseWriter::ResponseWriter(const ResponseWriter& other) : state_(other.state_) {
  if (state_ != nullptr) retain(state_);
}
ResponseWriter::ResponseWriter(ResponseWriter&& other) noexcept
    : state_(std::exchange(other.state_, nullptr)) {}
ResponseWriter& ResponseWriter::operator=(const ResponseWriter& other) {
  if (this != &other) {
    if (other.state_ != nullptr) retain(other.state_);
    if (state_ != nullptr) release(state_);
    state_ = other.state_;
  }
  return *this;
}
ResponseWriter& ResponseWriter::operator=(ResponseWriter&& other) noexcept {
  if (this != &other) {
    if (state_ != nullptr) release(state_);
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}
ResponseWriter::~ResponseWriter() {
  if (state_ != nullptr) release(state_);
}

void ResponseWriter::respond(int status, std::vector<Header> headers, std::string body) {
  if (state_ == nullptr || state_->conn == nullptr || state_->answered) return;
  state_->conn->respond(state_, status, headers, std::move(body));
}

void ResponseWriter::begin(int status, std::vector<Header> headers) {
  if (state_ == nullptr || state_->conn == nullptr || state_->answered) return;
  state_->conn->begin(state_, status, headers);
}

void ResponseWriter::send(std::string chunk) {
  if (state_ == nullptr || state_->conn == nullptr || !state_->streaming || state_->finished ||
      chunk.empty()) {
    return;
  }
  if (state_->out.empty()) {
    state_->out = std::move(chunk);
  } else {
    state_->out.append(chunk);
  }
  state_->conn->resume(state_);
}

void ResponseWriter::finish() {
  if (state_ == nullptr || state_->conn == nullptr || !state_->streaming || state_->finished) {
    return;
  }
  state_->finished = true;
  state_->conn->resume(state_);
}

bool ResponseWriter::open() const {
  return state_ != nullptr && state_->conn != nullptr && !state_->finished;
}

void ResponseWriter::on_close(std::function<void()> callback) {
  if (state_ == nullptr || state_->conn == nullptr) return;
  state_->on_close = std::move(callback);
}

std::string_view Request::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

RequestHandler::~RequestHandler() = default;

}  // namespace boxoffice::gateway::server
