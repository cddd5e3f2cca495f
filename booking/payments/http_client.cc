#include "booking/payments/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace boxoffice::payments {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Pool {
  asio::any_io_executor executor;
  std::string host;
  uint16_t port = 0;
  Options options;
  std::vector<beast::tcp_stream> idle;  // touched only on the executor
};

namespace {

using Clock = std::chrono::steady_clock;

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<HttpClient::Pool> pool, http::request<http::string_body> request,
           HttpClient::Done done)
      : pool_(std::move(pool)),
        resolver_(pool_->executor),
        request_(std::move(request)),
        done_(std::move(done)) {}

  void start() {
    deadline_ = Clock::now() + pool_->options.timeout;
    if (pool_->idle.empty()) {
      connect();
      return;
    }
    stream_.emplace(std::move(pool_->idle.back()));
    pool_->idle.pop_back();
    reused_ = true;
    write();
  }

 private:
  void connect() {
    reused_ = false;
    stream_.emplace(pool_->executor);
    resolver_.async_resolve(
        pool_->host, std::to_string(pool_->port),
        [self = shared_from_this()](beast::error_code ec, const tcp::resolver::results_type& r) {
          if (ec) return self->fail("resolve " + self->where(), ec);
          if (Clock::now() >= self->deadline_) {
            return self->fail("resolve " + self->where(), beast::error::timeout);
          }
          self->stream_->expires_at(self->deadline_);
          self->stream_->async_connect(
              r, [self](beast::error_code ec2, const tcp::endpoint& /*endpoint*/) {
                if (ec2) return self->fail("connect " + self->where(), ec2);
                self->write();
              });
        });
  }

  void write() {
    stream_->expires_at(deadline_);
    http::async_write(*stream_, request_,
                      [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
                        if (ec) return self->retry_or_fail("send to " + self->where(), ec);
                        self->read();
                      });
  }

  void read() {
    buffer_.clear();
    parser_.emplace();
    parser_->body_limit(pool_->options.max_response_bytes);
    stream_->expires_at(deadline_);
    http::async_read(*stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) {
                       if (ec) return self->retry_or_fail("read from " + self->where(), ec);
                       self->finish();
                     });
  }

  // A kept-alive connection the server closed meanwhile fails before any response byte: that
  // is no answer to this request, so it goes once more on a fresh connection.
  void retry_or_fail(const std::string& what, beast::error_code ec) {
    const bool got_response = parser_ && parser_->got_some();
    if (reused_ && !got_response && ec != beast::error::timeout) {
      beast::error_code ignored;
      stream_->socket().close(ignored);
      connect();
      return;
    }
    fail(what, ec);
  }

  void finish() {
    http::response<http::string_body> res = parser_->release();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.body = std::move(res.body());
    if (res.keep_alive() && pool_->idle.size() < pool_->options.max_idle_connections) {
      stream_->expires_never();
      pool_->idle.push_back(std::move(*stream_));
    } else {
      beast::error_code ignored;
      stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    stream_.reset();
    done_(std::move(out));
  }

  void fail(const std::string& what, beast::error_code ec) {
    beast::error_code ignored;
    if (stream_) stream_->socket().close(ignored);
    const std::string reason =
        ec == beast::error::timeout
            ? "timed out after " + std::to_string(pool_->options.timeout.count()) + " ms"
            : ec.message();
    done_(unexpected(what + ": " + reason));
  }

  std::string where() const { return pool_->host + ":" + std::to_string(pool_->port); }

  std::shared_ptr<HttpClient::Pool> pool_;
  tcp::resolver resolver_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  HttpClient::Done done_;
  Clock::time_point deadline_;
  bool reused_ = false;
};

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, std::string host, uint16_t port,
                       Options options)
    : pool_(std::make_shared<Pool>(Pool{std::move(executor), std::move(host), port, options, {}})) {
}

HttpClient::~HttpClient() = default;

void HttpClient::send(http::verb method, std::string_view target, std::string body,
                      const std::vector<Header>& headers, Done done) {
  http::request<http::string_body> req{method, target, 11};
  const bool v6 = pool_->host.find(':') != std::string::npos;
  req.set(http::field::host,
          (v6 ? "[" + pool_->host + "]" : pool_->host) + ":" + std::to_string(pool_->port));
  req.set(http::field::user_agent, "boxoffice-payments");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.keep_alive(true);
  if (!body.empty() || method == http::verb::post || method == http::verb::put) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  auto exchange = std::make_shared<Exchange>(pool_, std::move(req), std::move(done));
  asio::post(pool_->executor, [exchange] { exchange->start(); });
}

}  // namespace boxoffice::payments
