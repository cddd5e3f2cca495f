// The connection's deadline on a real loopback socket pair: the server end is a Connection,
// the client end a plain socket that sends nothing unless told.
#include "booking/api/connection.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <optional>

namespace boxoffice::booking::api {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    connection_.emplace(acceptor.accept(io_));
  }

  // Starts a read on the server end; read_ended_ and the fields after it record how it ended.
  void start_read() {
    connection_->socket().async_read_some(asio::buffer(&byte_, 1),
                                          [this](const boost::system::error_code& ec, size_t n) {
                                            read_ended_ = true;
                                            read_failed_ = static_cast<bool>(ec);
                                            read_bytes_ = n;
                                          });
  }

  // Runs the io_context for `d`, or until the read ends if `until_read` is set; returns the
  // number of handlers run.
  size_t run_for(std::chrono::milliseconds d, bool until_read = false) {
    size_t handlers = 0;
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end && !(until_read && read_ended_)) {
      handlers += io_.run_one_for(10ms);
    }
    return handlers;
  }

  asio::io_context io_;
  tcp::socket client_{io_};
  std::optional<Connection> connection_;
  char byte_ = 0;
  bool read_ended_ = false;
  bool read_failed_ = false;
  size_t read_bytes_ = 0;
};

TEST_F(ConnectionTest, APassedDeadlineClosesTheSocketAndEndsTheRead) {
  start_read();
  connection_->expires_after(50ms);
  run_for(10s, true);
  ASSERT_TRUE(read_ended_) << "the deadline never closed the connection";
  EXPECT_TRUE(read_failed_);
  EXPECT_FALSE(connection_->socket().is_open());
}

TEST_F(ConnectionTest, ADeadlineMovedLaterKeepsTheConnectionOpen) {
  start_read();
  connection_->expires_after(50ms);
  connection_->expires_after(60s);  // the wait due at 50 ms fires and waits again
  run_for(500ms, true);
  EXPECT_FALSE(read_ended_);
  EXPECT_TRUE(connection_->socket().is_open());

  asio::write(client_, asio::buffer("x", 1));
  run_for(10s, true);
  ASSERT_TRUE(read_ended_);
  EXPECT_FALSE(read_failed_);
  EXPECT_EQ(read_bytes_, 1u);
}

TEST_F(ConnectionTest, ADeadlineMovedEarlierTakesEffect) {
  start_read();
  connection_->expires_after(60s);
  connection_->expires_after(50ms);  // earlier than the pending wait: it must not wait 60 s
  run_for(10s, true);
  ASSERT_TRUE(read_ended_) << "the earlier deadline was ignored";
  EXPECT_TRUE(read_failed_);
}

TEST_F(ConnectionTest, NoDeadlineWhileTheServerWorks) {
  start_read();
  connection_->expires_after(50ms);
  connection_->expires_never();
  run_for(500ms, true);
  EXPECT_FALSE(read_ended_);
  EXPECT_TRUE(connection_->socket().is_open());

  connection_->expires_after(50ms);  // a deadline again after the timer went quiet
  run_for(10s, true);
  ASSERT_TRUE(read_ended_);
  EXPECT_TRUE(read_failed_);
}

TEST_F(ConnectionTest, TheTimerMayFireAfterTheConnectionIsGone) {
  connection_->expires_after(10ms);
  connection_.reset();
  // The cancelled wait's handler still runs; the sanitizers of the test build catch it if it
  // touches the connection.
  EXPECT_EQ(run_for(200ms), 1u);
}

}  // namespace
}  // namespace boxoffice::booking::api
