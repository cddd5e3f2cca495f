// Server internals shared by server.cc and connection.cc: the per-thread Worker, the
// per-connection Connection and the per-stream StreamState. Everything here runs on one worker
// thread but for Worker::request_drain() and Worker::request_stop().
#pragma once

#include <event2/event.h>
#include <event2/listener.h>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/server/flood_guard.h"
#include "gateway/server/server.h"
#include "gateway/server/session_allocator.h"

struct bufferevent;

namespace boxoffice::gateway::server {

class Connection;

// What a stream starts with afresh: recycle() resets a pooled state by assigning a new one.
struct StreamFields {
  int refs = 1;
  Connection* conn = nullptr;
  int32_t stream_id = 0;
  size_t headers_used = 0;  // request.headers[0, headers_used) are this request's, until the
                            // header block ends and the list is trimmed to them
  int64_t header_bytes = 0;
  bool reading = true;  // the request is still arriving
  bool headers_too_large = false;
  bool body_too_large = false;
  bool answered = false;   // respond() or begin() was called (or the server answered)
  bool streaming = false;  // begin() was called
  bool finished = false;   // the whole response is queued (respond(), finish())
  bool deferred = false;   // the data source returned NGHTTP2_ERR_DEFERRED
  size_t out_offset = 0;   // into StreamState::out
  std::function<void()> on_close;
  StreamState* prev = nullptr;  // the connection's list of open streams
  StreamState* next = nullptr;
};

// One request/response exchange. Reference-counted (single thread): the connection holds one
// reference until the stream closes, every ResponseWriter copy holds one. `conn` is cleared when
// the stream closes, so a late writer call finds it null and does nothing.
//
// Released states go back to a per-thread pool with their buffers' capacity (the request's
// strings and header list), so a typical request allocates none of them anew.
struct StreamState : StreamFields {
  static StreamState* acquire();  // a fresh state: from this thread's pool, or new
  void recycle();                 // to this thread's pool (or freed), once refs reached 0

  Request request;
  std::string out;  // response body bytes not yet handed to nghttp2
};

inline void retain(StreamState* s) { ++s->refs; }
inline void release(StreamState* s) {
  if (--s->refs == 0) s->recycle();
}

class Worker {
 public:
  Worker(const ServerConfig& config, ServerMetrics& metrics, SSL_CTX* ssl_ctx, int index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // On the starting thread, before run(): binds this worker's listeners. A port of 0 is
  // replaced by the port the kernel picked, so the next worker shares it.
  Result<bool, std::string> listen(int& h2c_port, int& tls_port);
  // The thread body: builds the handler, reports it is ready, serves until drained or stopped.
  void run(const HandlerFactory& factory, const std::function<void(bool ok)>& ready);
  void request_drain();  // any thread
  void request_stop();   // any thread

  // For connections (worker thread).
  event_base* base() const { return base_; }
  const ServerConfig& config() const { return config_; }
  ServerMetrics& metrics() { return metrics_; }
  RequestHandler* handler() const { return handler_.get(); }
  nghttp2_session_callbacks* callbacks() const { return callbacks_; }
  nghttp2_option* option() const { return option_; }
  nghttp2_mem* session_mem() { return session_allocator_.mem(); }
  bool draining() const { return draining_; }
  std::string_view date();  // the HTTP date, formatted once per second
  int64_t now_ms() const;
  const timeval* handshake_timeout() const { return handshake_tv_; }
  const timeval* read_timeout() const { return read_tv_; }
  const timeval* idle_timeout() const { return idle_tv_; }
  void add(Connection* c);
  void remove(Connection* c);  // the connection is being deleted

 private:
  static void on_accept(evconnlistener* listener, evutil_socket_t fd, sockaddr* addr, int len,
                        void* arg);
  void accept(evutil_socket_t fd, const sockaddr* addr, bool tls);
  void accept_failed(int error);
  void set_listening(bool on);
  void begin_drain();
  void send_final_goaways();
  void free_listeners();
  void maybe_finish_drain();

  const ServerConfig& config_;
  ServerMetrics& metrics_;
  SSL_CTX* ssl_ctx_;
  int index_;
  event_base* base_ = nullptr;
  evconnlistener* h2c_listener_ = nullptr;
  evconnlistener* tls_listener_ = nullptr;
  event* drain_ev_ = nullptr;         // activated from any thread
  event* stop_ev_ = nullptr;          // activated from any thread
  event* goaway_ev_ = nullptr;        // the final GOAWAY, a moment after the shutdown notice
  event* deadline_ev_ = nullptr;      // drain_timeout_ms
  event* accept_pause_ev_ = nullptr;  // listening again after running out of descriptors
  nghttp2_session_callbacks* callbacks_ = nullptr;
  nghttp2_option* option_ = nullptr;
  SessionAllocator session_allocator_;  // outlives every session: declared before them all
  std::unique_ptr<RequestHandler> handler_;
  Connection* connections_ = nullptr;  // intrusive list
  bool draining_ = false;
  const timeval* handshake_tv_ = nullptr;
  const timeval* read_tv_ = nullptr;
  const timeval* idle_tv_ = nullptr;
  time_t date_second_ = -1;
  std::string date_;
};

class Connection {
 public:
  Connection(Worker& worker, bufferevent* bev, std::string peer_ip, bool tls);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Submits the server SETTINGS; false if the session could not be created.
  bool start();

  // ResponseWriter entry points.
  void respond(StreamState* s, int status, std::vector<Header>& headers, std::string body);
  void begin(StreamState* s, int status, std::vector<Header>& headers);
  void resume(StreamState* s);

  // Draining.
  void shutdown_notice();
  void final_goaway();
  // Runs deferred work (on_close callbacks) and deletes the connection if it is done. Call at
  // the end of every entry from the event loop; `c` may be gone afterwards.
  static void settle(Connection* c);

  Connection* prev = nullptr;  // the worker's list
  Connection* next = nullptr;

 private:
  // bufferevent callbacks
  static void on_read(bufferevent* bev, void* arg);
  static void on_write(bufferevent* bev, void* arg);
  static void on_event(bufferevent* bev, short what, void* arg);
  static void on_readable(evutil_socket_t fd, short what, void* arg);  // cleartext
  static void on_flush(evutil_socket_t fd, short what, void* arg);
  static void on_timer(evutil_socket_t fd, short what, void* arg);

 public:  // nghttp2 callbacks (need access from a C callback table)
  int on_begin_headers(const nghttp2_frame* frame);
  int on_header(const nghttp2_frame* frame, std::string_view name, std::string_view value);
  int on_frame_recv(const nghttp2_frame* frame);
  int on_invalid_frame();
  int on_data_chunk(int32_t stream_id, const uint8_t* data, size_t len);
  int on_stream_close(int32_t stream_id, uint32_t error_code);
  ssize_t on_send(const uint8_t* data, size_t len);
  ssize_t read_body(StreamState* s, uint8_t* buf, size_t length, uint32_t* flags);

 private:
  void read_input();  // TLS: what the bufferevent decrypted
  void receive(const uint8_t* data, size_t len);
  void set_reading(bool on);
  void flush();
  bool write_output();  // true when all of the output was written
  void schedule_flush();
  void request_complete(StreamState* s);
  void reply_error(StreamState* s, int status, std::string_view code, std::string_view message);
  void submit(StreamState* s, int status, std::vector<Header>& headers, bool with_body,
              size_t content_length, bool has_length);
  void flood(Flood kind);
  void rearm_timer();
  void linger();
  void detach_all();

  Worker& worker_;
  bufferevent* bev_;
  std::string peer_ip_;
  bool tls_;
  nghttp2_session* session_ = nullptr;
  event* read_ev_ = nullptr;  // cleartext only
  event* flush_ev_ = nullptr;
  event* timer_ev_ = nullptr;
  FloodGuard guard_;
  StreamState* streams_ = nullptr;  // open streams, intrusive list
  int open_streams_ = 0;
  int reading_streams_ = 0;
  bool in_recv_ = false;        // inside nghttp2_session_mem_recv: flush afterwards
  bool flush_pending_ = false;  // flush_ev_ is active
  bool output_full_ = false;    // on_send() refused bytes at the high-water mark
  bool preface_seen_ = false;
  bool close_now_ = false;            // delete at the next settle()
  bool close_when_written_ = false;   // delete once the output buffer drained
  bool terminating_ = false;          // GOAWAY with an error submitted: read nothing more
  bool lingering_ = false;            // write side shut after that GOAWAY; reading to EOF
  const timeval* armed_ = nullptr;    // the timeout timer_ev_ runs with
  std::vector<StreamState*> closed_;  // streams whose on_close is still to run
  uint64_t bytes_out_ = 0;
};

}  // namespace boxoffice::gateway::server
