#include "booking/payments/tests/http_test_util.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "booking/payments/checkout_url.h"

namespace boxoffice::payments::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

json::value CallResult::json() const {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return ec ? json::value() : v;
}

CallResult http_call(uint16_t port, http::verb method, const std::string& target,
                     const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
  CallResult out;
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  beast::error_code ec;
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    out.error = "connect: " + ec.message();
    return out;
  }
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == http::verb::post) {
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req, ec);
  if (ec) {
    out.error = "write: " + ec.message();
    return out;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) {
    out.error = "read: " + ec.message();
    return out;
  }
  out.status = res.result_int();
  out.content_type = std::string(res[http::field::content_type]);
  out.body = res.body();
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// ---- WebhookReceiver ----

struct WebhookReceiver::Impl : std::enable_shared_from_this<WebhookReceiver::Impl> {
  Impl(asio::io_context& io, WebhookVerifier v) : acceptor(io), verifier(std::move(v)) {}

  tcp::acceptor acceptor;
  WebhookVerifier verifier;
  uint16_t port = 0;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<Received> received;  // guarded by mutex
  int failures_left = 0;           // guarded by mutex
  unsigned failure_status = 500;   // guarded by mutex

  unsigned record(const http::request<http::string_body>& req) {
    Received r;
    r.body = req.body();
    r.signature = std::string(req[kSignatureHeader]);
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    r.signature_ok = verifier.verify(r.signature, r.body, now_s).has_value();
    auto event = parse_webhook(r.body);
    if (event) r.event = std::move(*event);
    const std::lock_guard lock(mutex);
    if (!r.signature_ok || !r.event) {
      r.answered = 400;
    } else if (failures_left > 0) {
      --failures_left;
      r.answered = failure_status;
    } else {
      r.answered = 200;
    }
    received.push_back(r);
    changed.notify_all();
    return r.answered;
  }

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec) return;  // closed
      self->serve(std::make_shared<beast::tcp_stream>(std::move(s)));
      self->accept();
    });
  }

  void serve(const std::shared_ptr<beast::tcp_stream>& stream) {
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto req = std::make_shared<http::request<http::string_body>>();
    http::async_read(
        *stream, *buffer, *req,
        [self = shared_from_this(), stream, buffer, req](beast::error_code ec, size_t /*n*/) {
          if (ec) return;
          const unsigned status = self->record(*req);
          auto res = std::make_shared<http::response<http::string_body>>(
              static_cast<http::status>(status), 11);
          res->set(http::field::content_type, "application/json");
          res->body() = status == 200 ? R"({"received":true})" : R"({"error":"no"})";
          res->keep_alive(req->keep_alive());
          res->prepare_payload();
          http::async_write(*stream, *res,
                            [self, stream, res](beast::error_code ec2, size_t /*n*/) {
                              if (!ec2 && res->keep_alive()) self->serve(stream);
                            });
        });
  }
};

WebhookReceiver::WebhookReceiver(const std::string& secret) {
  const std::string secrets[] = {secret};
  auto verifier = WebhookVerifier::create(secrets);
  EXPECT_TRUE(verifier.has_value());
  impl_ = std::make_shared<Impl>(io_, std::move(*verifier));
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  thread_ = std::thread([this] { io_.run(); });
}

WebhookReceiver::~WebhookReceiver() {
  // Abandons open keep-alive connections; destroying io_ then frees them.
  io_.stop();
  thread_.join();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/hooks/payments";
}

void WebhookReceiver::fail_next(int n, unsigned status) {
  const std::lock_guard lock(impl_->mutex);
  impl_->failures_left = n;
  impl_->failure_status = status;
}

std::vector<WebhookReceiver::Received> WebhookReceiver::requests() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

std::vector<PaymentEvent> WebhookReceiver::acknowledged() const {
  const std::lock_guard lock(impl_->mutex);
  std::vector<PaymentEvent> out;
  for (const Received& r : impl_->received) {
    if (r.answered == 200) out.push_back(*r.event);
  }
  return out;
}

bool WebhookReceiver::wait_for_acknowledged(size_t n, std::chrono::milliseconds deadline) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, deadline, [&] {
    size_t acked = 0;
    for (const Received& r : impl_->received) acked += r.answered == 200 ? 1 : 0;
    return acked >= n;
  });
}

// ---- PaysimRunner ----

PaysimRunner::PaysimRunner(paysim::PaysimOptions options) {
  auto sim = paysim::Paysim::start(io_.get_executor(), std::move(options));
  if (!sim) throw std::runtime_error("paysim did not start: " + sim.error());
  sim_ = std::move(*sim);
  thread_ = std::thread([this] { io_.run(); });
}

PaysimRunner::~PaysimRunner() {
  sim_->stop();
  thread_.join();  // run() returns once every connection, timer and request has ended
}

json::object PaysimRunner::control() const {
  const CallResult r = http_call(port(), http::verb::get, "/control");
  EXPECT_EQ(r.status, 200U) << r.error << r.body;
  const json::value v = r.json();
  return v.is_object() ? v.get_object() : json::object();
}

uint64_t PaysimRunner::counter(const std::string& name) const {
  const json::object c = control();
  const json::value* counters = c.if_contains("counters");
  const json::value* v = counters != nullptr ? counters->get_object().if_contains(name) : nullptr;
  EXPECT_NE(v, nullptr) << name;
  return v != nullptr ? v->to_number<uint64_t>() : 0;
}

std::string PaysimRunner::pay(int64_t amount_cents, std::string_view outcome) const {
  auto checkout = checkout_url(url(), kCheckoutSecret, "evt_x.7", "fan-9", amount_cents, "EUR");
  EXPECT_TRUE(checkout.has_value());
  if (!checkout) return {};
  std::string target = checkout->substr(url().size());
  target.insert(target.find('?'), "/pay");
  const auto r = http_call(port(), http::verb::post, target + "&outcome=" + std::string(outcome));
  EXPECT_EQ(r.status, 200U) << r.body;
  if (r.status != 200U) return {};
  return std::string(r.json().at("payment_id").as_string());
}

unsigned PaysimRunner::set_mode(const std::string& body) const {
  return http_call(port(), http::verb::post, "/control", body).status;
}

}  // namespace boxoffice::payments::testing
