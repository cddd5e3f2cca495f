#include "loadtest/loadgen/dummy_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string_view>
#include <unordered_set>

namespace boxoffice::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string answer(std::string_view status_line, std::string_view body, bool close) {
  std::string out = "HTTP/1.1 ";
  out += status_line;
  out += "\r\nContent-Type: application/json\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
  out += body;
  return out;
}

// The value of "user_id" in a small JSON body, or the whole body if there is none.
std::string_view user_of(std::string_view body) {
  constexpr std::string_view kKey = R"("user_id":")";
  const size_t at = body.find(kKey);
  if (at == std::string_view::npos) return body;
  const size_t begin = at + kKey.size();
  return body.substr(begin, body.find('"', begin) - begin);
}

}  // namespace

struct DummyServer::Impl {
  Impl(DummyServer& owner, Options o, uint16_t port)
      : server(owner),
        options(o),
        acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {}

  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io), stall(io) {}
    tcp::socket socket;
    asio::steady_timer stall;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    const std::string* reply = nullptr;
    bool close = false;
  };

  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
      if (ec) return;  // closed by stop()
      ++server.connections_;
      auto c = std::make_shared<Connection>(io);
      c->socket = std::move(socket);
      error_code ignored;
      c->socket.set_option(tcp::no_delay(true), ignored);
      read(c);
      accept();
    });
  }

  // The connection lives as long as one of its handlers holds it.
  void read(const std::shared_ptr<Connection>& c) {
    c->parser.emplace();
    http::async_read(c->socket, c->buffer, *c->parser,
                     [this, c](const error_code& ec, size_t /*bytes*/) {
                       if (ec) return;  // the client closed, or stop()
                       handle(c);
                     });
  }

  void handle(const std::shared_ptr<Connection>& c) {
    const uint64_t n = ++server.requests_;
    const auto& request = c->parser->get();
    const std::string_view target = request.target();
    const bool reserve = request.method() == http::verb::post && target.starts_with("/events/") &&
                         target.ends_with("/reserve");
    c->close = options.close_every > 0 && n % options.close_every == 0;
    if (!reserve) {
      c->reply = c->close ? &not_found_close : &not_found;
    } else if (options.track_seats && !seats.emplace(target).second) {
      ++server.repeated_seats_;
      c->reply = c->close ? &taken_close : &taken;
    } else {
      c->reply = c->close ? &held_close : &held;
    }
    if (options.track_seats && reserve && !users.emplace(user_of(request.body())).second) {
      ++server.repeated_users_;
    }
    if (n == options.stall_request) {
      c->stall.expires_after(std::chrono::milliseconds(options.stall_ms));
      c->stall.async_wait([this, c](const error_code& ec) {
        if (!ec) write(c);
      });
      return;
    }
    write(c);
  }

  void write(const std::shared_ptr<Connection>& c) {
    asio::async_write(c->socket, asio::buffer(*c->reply),
                      [this, c](const error_code& ec, size_t /*bytes*/) {
                        if (ec) return;
                        if (c->close) {
                          error_code ignored;
                          c->socket.shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        read(c);
                      });
  }

  DummyServer& server;
  const Options options;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::unordered_set<std::string> seats;
  std::unordered_set<std::string> users;
  const std::string held = answer("201 Created", R"({"reservation_id":"dummy"})", false);
  const std::string held_close = answer("201 Created", R"({"reservation_id":"dummy"})", true);
  const std::string taken =
      answer("409 Conflict", R"({"error":{"code":"seat_taken","message":"taken"}})", false);
  const std::string taken_close =
      answer("409 Conflict", R"({"error":{"code":"seat_taken","message":"taken"}})", true);
  const std::string not_found =
      answer("404 Not Found", R"({"error":{"code":"not_found","message":"no route"}})", false);
  const std::string not_found_close =
      answer("404 Not Found", R"({"error":{"code":"not_found","message":"no route"}})", true);
};

DummyServer::DummyServer(Options options, uint16_t port)
    : impl_(std::make_unique<Impl>(*this, options, port)) {
  impl_->accept();
}

DummyServer::~DummyServer() { stop(); }

uint16_t DummyServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void DummyServer::start() {
  thread_ = std::thread([this] { run(); });
}

void DummyServer::run() { impl_->io.run(); }

void DummyServer::stop() {
  impl_->io.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace boxoffice::loadgen
