// A client connection's socket with one deadline. Beast's tcp_stream arms a timer around every
// read and write and cancels it after (four timer operations a request, each with a handler
// to run); here moving the deadline is a store. One timer per connection, re-armed only when
// it fires or when the deadline moves earlier than it, closes the socket once the deadline
// has passed, which ends the read or write in progress with an error.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace boxoffice::booking::api {

// Every connection lives on one thread's io_context. Naming its executor type, rather than
// asio's any_io_executor, spares a type-erased executor copy and call on every operation.
using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;

class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Connection(Socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Socket& socket() { return socket_; }

  // The socket closes once `timeout` has passed from now, unless the deadline moves first.
  void expires_after(Clock::duration timeout);
  // No deadline (while the server itself is working on the answer).
  void expires_never() { deadline_ = Clock::time_point::max(); }

 private:
  // What the timer's handler reaches the connection through: it may run after the connection
  // is gone (the wait a destroyed timer cancels still completes).
  struct Link {
    Connection* connection;
  };
  void arm();
  void on_timer();

  Socket socket_;
  Timer timer_;
  std::shared_ptr<Link> link_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool armed_ = false;  // a wait is pending, due at or before deadline_
};

}  // namespace boxoffice::booking::api
