#include "booking/payments/paysim/server.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "booking/core/wire.h"
#include "booking/payments/checkout_url.h"
#include "booking/payments/paysim/ledger.h"
#include "booking/payments/paysim/outbox.h"
#include "booking/payments/url.h"
#include "shared/crypto/hmac.h"
#include "shared/open_files.h"

namespace boxoffice::payments::paysim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr size_t kMaxRequestBodyBytes = size_t{64} * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

Response json_response(http::status status, std::string body) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

Response json_response(http::status status, const json::object& body) {
  return json_response(status, json::serialize(body));
}

// Every error answer: {"error": stable code, "message": sentence}.
Response error_response(http::status status, std::string_view code, std::string_view message) {
  return json_response(status, json::object{{"error", code}, {"message", message}});
}

Response html_response(http::status status, std::string body) {
  Response res{status, 11};
  res.set(http::field::content_type, "text/html; charset=utf-8");
  res.body() = std::move(body);
  return res;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string money(int64_t cents, std::string_view currency) {
  const std::string frac = std::to_string(cents % 100);
  return std::to_string(cents / 100) + "." + (frac.size() < 2 ? "0" : "") + frac + " " +
         std::string(currency);
}

// "pay_" + 16 random hex digits; nullopt only if the system's random source fails.
std::optional<std::string> random_id(std::string_view prefix) {
  std::array<uint8_t, 8> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::nullopt;
  return std::string(prefix) + to_hex(bytes);
}

http::status checkout_status(CheckoutErrc e) {
  return e == CheckoutErrc::kBadSignature ? http::status::forbidden : http::status::bad_request;
}

std::string_view checkout_message(CheckoutErrc e) {
  switch (e) {
    case CheckoutErrc::kMissingParameter:
      return "the link lacks user, amount, currency or sig";
    case CheckoutErrc::kRepeatedParameter:
      return "a parameter of the link is given twice";
    case CheckoutErrc::kBadParameter:
      return "a parameter of the link is malformed";
    case CheckoutErrc::kBadSignature:
      return "the link was changed after it was issued";
  }
  return "bad link";
}

bool wants_html(const Request& req) {
  return req[http::field::accept].find("text/html") != std::string_view::npos;
}

int64_t system_clock_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Session;

}  // namespace

class Paysim::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(const asio::any_io_executor& strand, PaysimOptions options, CheckoutSigner checkout,
       std::shared_ptr<Outbox> outbox, std::shared_ptr<spdlog::logger> log)
      : strand_(strand),
        acceptor_(strand),
        accept_pause_(strand),
        options_(std::move(options)),
        checkout_(std::move(checkout)),
        outbox_(std::move(outbox)),
        log_(std::move(log)),
        mode_(options_.faults) {}

  Result<uint16_t, std::string> listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.listen_host, ec);
    if (ec) return unexpected("listen address " + options_.listen_host + ": " + ec.message());
    const tcp::endpoint endpoint(address, options_.listen_port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return unexpected("listen on " + options_.listen_host + ":" +
                        std::to_string(options_.listen_port) + ": " + ec.message());
    }
    return acceptor_.local_endpoint().port();
  }

  void accept();
  void stop();
  Response handle(const Request& req);
  void forget_closed_sessions();

 private:
  friend class ::boxoffice::payments::paysim::Paysim;
  Response checkout_page(std::string_view reservation, std::string_view query);
  Response pay(std::string_view reservation, const Request& req, std::string_view query);
  Response payment(std::string_view id);
  Response refund(const Request& req);
  Response control(const Request& req);
  bool authorized(const Request& req) const;
  Counters counters() const;
  void send_webhook(const Payment& p, PaymentEventType type);

  asio::any_io_executor strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_pause_;  // after an accept error that lasts (out of descriptors)
  PaysimOptions options_;
  CheckoutSigner checkout_;
  std::shared_ptr<Outbox> outbox_;
  std::shared_ptr<spdlog::logger> log_;
  FaultMode mode_;
  Counters counters_;
  Ledger ledger_;
  std::vector<std::weak_ptr<Session>> sessions_;
  bool stopped_ = false;
};

namespace {

// One connection: read a request, answer it, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Paysim::Impl> impl)
      : stream_(std::move(socket)), impl_(std::move(impl)) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) { self->on_read(ec); });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::bad_descriptor) {
      return close();
    }
    if (ec) {  // a malformed or oversized request: say so, then hang up
      Response res = ec == http::error::body_limit
                         ? error_response(http::status::payload_too_large, "body_too_large",
                                          "request bodies are limited to 64 KiB")
                         : error_response(http::status::bad_request, "bad_request", ec.message());
      res.keep_alive(false);
      return write(std::move(res));
    }
    const Request req = parser_->release();
    Response res = impl_->handle(req);
    res.keep_alive(req.keep_alive());
    write(std::move(res));
  }

  void write(Response res) {
    res.set(http::field::server, "paysim");
    res.prepare_payload();
    auto owned = std::make_shared<Response>(std::move(res));
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *owned,
                      [self = shared_from_this(), owned](beast::error_code ec, size_t /*bytes*/) {
                        if (ec || !owned->keep_alive()) return self->close();
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Paysim::Impl> impl_;
};

}  // namespace

void Paysim::Impl::accept() {
  acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped_) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), self);
      self->forget_closed_sessions();
      self->sessions_.push_back(session);
      session->read();
      self->accept();
      return;
    }
    ++self->counters_.accept_errors;
    self->log_->warn("accept: {}", ec.message());
    if (!accept_needs_pause(ec.value())) {
      self->accept();
      return;
    }
    self->accept_pause_.expires_after(kAcceptPause);
    self->accept_pause_.async_wait([self](beast::error_code) {
      if (!self->stopped_) self->accept();
    });
  });
}

void Paysim::Impl::forget_closed_sessions() {
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
}

void Paysim::Impl::stop() {
  if (stopped_) return;
  stopped_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (const auto& weak : sessions_) {
    if (auto s = weak.lock()) s->close();
  }
  sessions_.clear();
  outbox_->stop();
}

Counters Paysim::Impl::counters() const {
  Counters c = counters_;
  const Counters& w = outbox_->counters();
  c.webhooks_sent = w.webhooks_sent;
  c.webhooks_acknowledged = w.webhooks_acknowledged;
  c.webhooks_failed = w.webhooks_failed;
  c.webhooks_dropped = w.webhooks_dropped;
  c.webhooks_held = w.webhooks_held;
  return c;
}

bool Paysim::Impl::authorized(const Request& req) const {
  if (options_.api_key.empty()) return true;
  const std::string expected = "Bearer " + options_.api_key;
  const std::string_view given = req[http::field::authorization];
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

Response Paysim::Impl::handle(const Request& req) {
  const SplitTarget target = split_target(req.target());
  const std::string_view path = target.path;
  const http::verb method = req.method();

  if (path == "/healthz" && method == http::verb::get) {
    return json_response(http::status::ok, json::object{{"status", "ok"}});
  }
  if (path.starts_with("/checkout/")) {
    std::string_view rest = path.substr(std::string_view("/checkout/").size());
    const bool is_pay = rest.ends_with("/pay");
    if (is_pay) rest.remove_suffix(std::string_view("/pay").size());
    const auto reservation = percent_decode(rest, false);
    if (!reservation || reservation->empty() || reservation->find('/') != std::string::npos) {
      return error_response(http::status::not_found, "not_found", "no such checkout");
    }
    if (is_pay && method == http::verb::post) return pay(*reservation, req, target.query);
    if (!is_pay && method == http::verb::get) return checkout_page(*reservation, target.query);
    return error_response(http::status::method_not_allowed, "method_not_allowed",
                          "GET the checkout page, POST to /pay");
  }
  if (path.starts_with("/v1/")) {
    if (!authorized(req)) {
      return error_response(http::status::unauthorized, "unauthorized",
                            "send Authorization: Bearer <api key>");
    }
    if (path.starts_with("/v1/payments/") && method == http::verb::get) {
      const auto id = percent_decode(path.substr(std::string_view("/v1/payments/").size()), false);
      if (!id) return error_response(http::status::bad_request, "bad_request", "bad payment id");
      return payment(*id);
    }
    if (path == "/v1/refunds" && method == http::verb::post) return refund(req);
  }
  if (path == "/control" || path == "/control/flush") return control(req);
  return error_response(http::status::not_found, "not_found", "no such resource");
}

Response Paysim::Impl::checkout_page(std::string_view reservation, std::string_view query) {
  const auto params = parse_query(query);
  if (!params) {
    return error_response(http::status::bad_request, "bad_parameter", "malformed query string");
  }
  auto request = checkout_.verify(reservation, *params);
  if (!request) {
    return error_response(checkout_status(request.error()), to_string(request.error()),
                          checkout_message(request.error()));
  }
  const std::string action =
      html_escape("/checkout/" + percent_encode(reservation) + "/pay?" + std::string(query));
  const std::string amount = html_escape(money(request->amount_cents, request->currency));
  std::string page =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>paysim checkout</title>"
      "</head>\n<body>\n<h1>paysim checkout</h1>\n<p>Reservation <code>" +
      html_escape(request->reservation) + "</code></p>\n<p>Amount <strong>" + amount +
      "</strong></p>\n<form method=\"post\" action=\"" + action +
      "\"><input type=\"hidden\" name=\"outcome\" value=\"succeed\">"
      "<button type=\"submit\">Pay " +
      amount +
      "</button></form>\n"
      "<form method=\"post\" action=\"" +
      action +
      "\"><input type=\"hidden\" name=\"outcome\" value=\"decline\">"
      "<button type=\"submit\">Decline</button></form>\n</body></html>\n";
  return html_response(http::status::ok, std::move(page));
}

Response Paysim::Impl::pay(std::string_view reservation, const Request& req,
                           std::string_view query) {
  // The signed parameters come in the query; the page's forms add outcome in the body.
  auto params = parse_query(query);
  if (params && req[http::field::content_type].starts_with("application/x-www-form-urlencoded")) {
    const auto form = parse_query(req.body());
    if (form) {
      params->insert(params->end(), form->begin(), form->end());
    } else {
      params.reset();
    }
  }
  if (!params) {
    return error_response(http::status::bad_request, "bad_parameter", "malformed parameters");
  }
  auto request = checkout_.verify(reservation, *params);
  if (!request) {
    return error_response(checkout_status(request.error()), to_string(request.error()),
                          checkout_message(request.error()));
  }
  size_t outcomes = 0;
  for (const auto& [name, value] : *params) outcomes += name == "outcome" ? 1 : 0;
  const std::string_view outcome = query_value(*params, "outcome").value_or("succeed");
  if (outcomes > 1 || (outcome != "succeed" && outcome != "decline")) {
    return error_response(http::status::bad_request, "bad_parameter",
                          "outcome must be succeed or decline, once");
  }
  const auto id = random_id("pay_");
  if (!id) return error_response(http::status::internal_server_error, "internal", "no randomness");
  const bool declined = mode_.decline_all || outcome == "decline";
  const Payment& p = ledger_.add(
      Payment{*id, declined ? PaymentStatus::kFailed : PaymentStatus::kSucceeded,
              request->amount_cents, request->currency, request->reservation, request->user, ""});
  log_->info("payment {} for reservation {}: {}", p.id, p.reservation, to_string(p.status));
  if (declined) {
    ++counters_.payments_failed;
    send_webhook(p, PaymentEventType::kFailed);
  } else {
    ++counters_.payments_succeeded;
    if (mode_.send_processing) send_webhook(p, PaymentEventType::kProcessing);
    send_webhook(p, PaymentEventType::kSucceeded);
  }
  if (wants_html(req)) {
    return html_response(
        http::status::ok,
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>paysim</title></head>\n"
        "<body><h1>Payment " +
            std::string(declined ? "declined" : "succeeded") + "</h1><p>Payment <code>" + p.id +
            "</code> for reservation <code>" + html_escape(p.reservation) + "</code>, " +
            html_escape(money(p.amount_cents, p.currency)) + ".</p></body></html>\n");
  }
  return json_response(http::status::ok, json::object{{"payment_id", p.id},
                                                      {"status", to_string(p.status)},
                                                      {"reservation", p.reservation},
                                                      {"amount", p.amount_cents},
                                                      {"currency", p.currency}});
}

void Paysim::Impl::send_webhook(const Payment& p, PaymentEventType type) {
  const auto event_id = random_id("evt_");
  if (!event_id) {
    log_->error("payment {}: no randomness for an event id; webhook not sent", p.id);
    return;
  }
  const int64_t now_s = options_.clock_s ? options_.clock_s() : system_clock_s();
  outbox_->submit(PaymentEvent{*event_id, type, now_s, p.id, options_.provider_name, p.reservation,
                               p.user, p.amount_cents, p.currency},
                  mode_);
}

Response Paysim::Impl::payment(std::string_view id) {
  const Payment* p = ledger_.find(id);
  if (p == nullptr) {
    return error_response(http::status::not_found, "unknown_payment", "no payment with this id");
  }
  json::object body = {{"payment_id", p->id},
                       {"status", to_string(p->status)},
                       {"amount", p->amount_cents},
                       {"currency", p->currency},
                       {"reservation", p->reservation},
                       {"user", p->user},
                       {"provider", options_.provider_name}};
  if (!p->refund_id.empty()) body["refund_id"] = p->refund_id;
  return json_response(http::status::ok, body);
}

Response Paysim::Impl::refund(const Request& req) {
  ++counters_.refunds_received;
  boost::system::error_code ec;
  const json::value v = json::parse(req.body(), ec);
  const json::object* o = !ec && v.is_object() ? &v.get_object() : nullptr;
  const json::value* id = o != nullptr ? o->if_contains("payment_id") : nullptr;
  const json::value* amount = o != nullptr ? o->if_contains("amount") : nullptr;
  if (id == nullptr || !id->is_string() || id->get_string().empty() ||
      id->get_string().size() > booking::kMaxWireIdBytes || amount == nullptr ||
      !amount->is_int64() || amount->get_int64() < 0) {
    return error_response(http::status::bad_request, "bad_request",
                          R"(expected {"payment_id": string, "amount": integer >= 0})");
  }
  if (mode_.fail_refunds) {
    ++counters_.refunds_failed;
    return error_response(http::status::service_unavailable, "refunds_unavailable",
                          "refunds are failing (fault mode fail_refunds)");
  }
  const auto new_id = random_id("re_");
  if (!new_id)
    return error_response(http::status::internal_server_error, "internal", "no randomness");
  const std::string_view payment_id = id->get_string();
  auto outcome = ledger_.refund(payment_id, amount->get_int64(), *new_id);
  if (!outcome) {
    const RefundErrc e = outcome.error();
    const http::status status = e == RefundErrc::kUnknownPayment ? http::status::not_found
                                : e == RefundErrc::kNotSucceeded ? http::status::conflict
                                                                 : http::status::bad_request;
    const std::string_view message = e == RefundErrc::kUnknownPayment ? "no payment with this id"
                                     : e == RefundErrc::kNotSucceeded
                                         ? "the payment did not succeed: nothing to refund"
                                         : "only full refunds: amount must be the payment's";
    return error_response(status, to_string(e), message);
  }
  if (outcome->created) {
    ++counters_.refunds_created;
    log_->info("payment {} refunded as {}", payment_id, outcome->refund_id);
  }
  return json_response(http::status::ok, json::object{{"refund_id", outcome->refund_id},
                                                      {"payment_id", payment_id},
                                                      {"amount", amount->get_int64()},
                                                      {"status", "refunded"}});
}

Response Paysim::Impl::control(const Request& req) {
  const std::string_view path = split_target(req.target()).path;
  if (path == "/control/flush") {
    if (req.method() != http::verb::post) {
      return error_response(http::status::method_not_allowed, "method_not_allowed", "POST only");
    }
    const size_t released = outbox_->flush(mode_.webhook_delay_ms);
    return json_response(http::status::ok, json::object{{"released", released}});
  }
  if (req.method() == http::verb::post) {
    auto next = apply_control(mode_, req.body());
    if (!next) return error_response(http::status::bad_request, "bad_control", next.error());
    if (!(*next == mode_)) log_->info("control: mode changed: {}", req.body());
    mode_ = *next;
  } else if (req.method() != http::verb::get) {
    return error_response(http::status::method_not_allowed, "method_not_allowed",
                          "GET or POST only");
  }
  return json_response(http::status::ok, control_json(mode_, counters()));
}

Result<std::unique_ptr<Paysim>, std::string> Paysim::start(const asio::any_io_executor& executor,
                                                           PaysimOptions options) {
  auto webhook = parse_http_url(options.webhook_url);
  if (!webhook) return unexpected("webhook URL " + webhook.error());
  auto signer = WebhookSigner::create(options.webhook_secret);
  if (!signer) return unexpected(signer.error());
  auto checkout = CheckoutSigner::create(options.checkout_secret);
  if (!checkout) return unexpected(checkout.error());
  if (options.provider_name.empty() || options.provider_name.size() > booking::kMaxWireIdBytes) {
    return unexpected(std::string("provider name must be 1..128 bytes"));
  }
  if (options.webhook_max_attempts == 0) return unexpected(std::string("webhook attempts is 0"));
  if (options.faults.webhook_delay_ms < 0 || options.faults.webhook_delay_ms > kMaxWebhookDelayMs) {
    return unexpected("webhook delay must be 0.." + std::to_string(kMaxWebhookDelayMs) + " ms");
  }
  if (!options.clock_s) options.clock_s = system_clock_s;

  auto log = spdlog::default_logger()->clone("paysim");
  asio::any_io_executor strand = asio::make_strand(executor);
  auto outbox = Outbox::create(strand,
                               OutboxOptions{.webhook = std::move(*webhook),
                                             .max_attempts = options.webhook_max_attempts,
                                             .backoff = options.webhook_backoff,
                                             .timeout = options.webhook_timeout,
                                             .clock_s = options.clock_s},
                               std::move(*signer), log);
  const std::string host = options.listen_host;
  auto impl = std::make_shared<Impl>(strand, std::move(options), *checkout, std::move(outbox),
                                     std::move(log));
  auto port = impl->listen();
  if (!port) return unexpected(port.error());
  asio::post(strand, [impl] { impl->accept(); });
  return std::unique_ptr<Paysim>(new Paysim(std::move(impl), host, *port));
}

// stop() only throws when posting cannot allocate; terminating then is the right end.
Paysim::~Paysim() { stop(); }  // NOLINT(bugprone-exception-escape)

std::string Paysim::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

void Paysim::stop() {
  asio::post(impl_->strand_, [impl = impl_] { impl->stop(); });
}

}  // namespace boxoffice::payments::paysim
