#include "booking/api/connection.h"

namespace boxoffice::booking::api {

Connection::Connection(Socket socket)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      link_(std::make_shared<Link>(Link{this})) {}

Connection::~Connection() { link_->connection = nullptr; }

void Connection::expires_after(Clock::duration timeout) {
  deadline_ = Clock::now() + timeout;
  // A later deadline waits for the pending wait to fire; an earlier one needs a new wait.
  if (!armed_ || deadline_ < timer_.expiry()) arm();
}

void Connection::arm() {
  armed_ = true;
  timer_.expires_at(deadline_);  // cancels the pending wait, if any: its handler sees a new one
  timer_.async_wait([link = link_](const boost::system::error_code& ec) {
    if (ec || link->connection == nullptr) return;
    link->connection->on_timer();
  });
}

void Connection::on_timer() {
  armed_ = false;
  if (deadline_ == Clock::time_point::max()) return;  // the next expires_after arms again
  if (Clock::now() < deadline_) {
    arm();  // the deadline moved later meanwhile
    return;
  }
  boost::system::error_code ignored;
  (void)socket_.close(ignored);
}

}  // namespace boxoffice::booking::api
