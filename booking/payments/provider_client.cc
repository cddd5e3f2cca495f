#include "booking/payments/provider_client.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "booking/core/wire.h"
#include "booking/payments/url.h"

namespace boxoffice::payments {
namespace json = boost::json;
namespace http = boost::beast::http;
namespace {

ProviderError error_of(const HttpResponse& r) {
  ProviderError e;
  e.http_status = r.status;
  if (r.status == 404) {
    e.code = ProviderErrc::kNotFound;
  } else if (r.status >= 500) {
    e.code = ProviderErrc::kUnavailable;
  } else {
    e.code = ProviderErrc::kRejected;
  }
  // The provider's {"error": code} when it sent one, else the status alone.
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  const json::value* code = !ec && v.is_object() ? v.get_object().if_contains("error") : nullptr;
  e.message = "HTTP " + std::to_string(r.status);
  if (code != nullptr && code->is_string()) e.message += " " + std::string(code->get_string());
  return e;
}

ProviderError bad_response(const HttpResponse& r, const std::string& what) {
  return ProviderError{ProviderErrc::kBadResponse, r.status, what};
}

Result<const json::object*, ProviderError> body_object(const HttpResponse& r, json::value& v) {
  boost::system::error_code ec;
  v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return unexpected(bad_response(r, "response is not a JSON object"));
  return &v.get_object();
}

const json::string* string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

bool valid_payment_id(std::string_view id) {
  return !id.empty() && id.size() <= booking::kMaxWireIdBytes;
}

}  // namespace

std::string_view to_string(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kSucceeded:
      return "succeeded";
    case PaymentStatus::kFailed:
      return "failed";
    case PaymentStatus::kRefunded:
      return "refunded";
  }
  return "unknown";
}

std::optional<PaymentStatus> payment_status_from(std::string_view s) {
  for (const PaymentStatus p :
       {PaymentStatus::kSucceeded, PaymentStatus::kFailed, PaymentStatus::kRefunded}) {
    if (s == to_string(p)) return p;
  }
  return std::nullopt;
}

std::string_view to_string(ProviderErrc e) {
  switch (e) {
    case ProviderErrc::kInvalidArgument:
      return "invalid_argument";
    case ProviderErrc::kUnreachable:
      return "unreachable";
    case ProviderErrc::kNotFound:
      return "not_found";
    case ProviderErrc::kRejected:
      return "rejected";
    case ProviderErrc::kUnavailable:
      return "unavailable";
    case ProviderErrc::kBadResponse:
      return "bad_response";
  }
  return "unknown";
}

Result<PaymentInfo, ProviderError> payment_from_response(const HttpResponse& r) {
  if (r.status < 200 || r.status > 299) return unexpected(error_of(r));
  json::value v;
  auto o = body_object(r, v);
  if (!o) return unexpected(o.error());
  PaymentInfo p;
  for (auto [key, out] :
       {std::pair{"payment_id", &p.payment_id}, std::pair{"currency", &p.currency},
        std::pair{"reservation", &p.reservation}, std::pair{"user", &p.user}}) {
    const json::string* s = string_field(**o, key);
    if (s == nullptr) return unexpected(bad_response(r, std::string("no string ") + key));
    *out = std::string(*s);
  }
  const json::string* status = string_field(**o, "status");
  const auto parsed = status != nullptr ? payment_status_from(*status) : std::nullopt;
  if (!parsed) return unexpected(bad_response(r, "no known status"));
  p.status = *parsed;
  const json::value* amount = (*o)->if_contains("amount");
  if (amount == nullptr || !amount->is_int64() || amount->get_int64() < 0) {
    return unexpected(bad_response(r, "no non-negative integer amount"));
  }
  p.amount_cents = amount->get_int64();
  return p;
}

Result<RefundReceipt, ProviderError> refund_from_response(const HttpResponse& r) {
  if (r.status < 200 || r.status > 299) return unexpected(error_of(r));
  json::value v;
  auto o = body_object(r, v);
  if (!o) return unexpected(o.error());
  const json::string* id = string_field(**o, "refund_id");
  const json::string* status = string_field(**o, "status");
  if (id == nullptr || id->empty() || status == nullptr) {
    return unexpected(bad_response(r, "no refund_id or status"));
  }
  return RefundReceipt{std::string(*id), std::string(*status)};
}

Result<std::unique_ptr<ProviderClient>, std::string> ProviderClient::create(
    boost::asio::any_io_executor executor, Options options) {
  auto url = parse_http_url(options.base_url);
  if (!url) return unexpected("provider base URL " + url.error());
  if (url->target.find('?') != std::string::npos) {
    return unexpected("provider base URL \"" + options.base_url + "\": has a query");
  }
  std::string prefix = url->target;
  while (prefix.ends_with('/')) prefix.pop_back();
  return std::unique_ptr<ProviderClient>(new ProviderClient(
      std::move(executor), url->host, url->port, std::move(prefix), std::move(options)));
}

ProviderClient::ProviderClient(boost::asio::any_io_executor executor, std::string host,
                               uint16_t port, std::string prefix, Options options)
    : executor_(executor),
      options_(std::move(options)),
      prefix_(std::move(prefix)),
      http_(std::move(executor), std::move(host), port,
            HttpClient::Options{.timeout = options_.timeout}) {}

void ProviderClient::fetch_payment(std::string_view payment_id, Callback<PaymentInfo> done) {
  if (!valid_payment_id(payment_id)) {
    boost::asio::post(executor_, [done = std::move(done)] {
      done(unexpected(
          ProviderError{ProviderErrc::kInvalidArgument, 0, "payment id must be 1..128 bytes"}));
    });
    return;
  }
  std::vector<HttpClient::Header> headers;
  if (!options_.api_key.empty())
    headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  http_.send(http::verb::get, prefix_ + "/v1/payments/" + percent_encode(payment_id), "", headers,
             [done = std::move(done)](Result<HttpResponse, std::string> r) {
               if (!r)
                 return done(unexpected(ProviderError{ProviderErrc::kUnreachable, 0, r.error()}));
               done(payment_from_response(*r));
             });
}

void ProviderClient::refund(std::string_view payment_id, int64_t amount_cents,
                            Callback<RefundReceipt> done) {
  if (!valid_payment_id(payment_id) || amount_cents < 0) {
    boost::asio::post(executor_, [done = std::move(done)] {
      done(unexpected(ProviderError{ProviderErrc::kInvalidArgument, 0,
                                    "payment id must be 1..128 bytes and amount >= 0"}));
    });
    return;
  }
  std::vector<HttpClient::Header> headers = {
      {"Content-Type", "application/json"},
      {"Idempotency-Key", "refund-" + std::string(payment_id)}};
  if (!options_.api_key.empty())
    headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  const json::object body = {{"payment_id", payment_id}, {"amount", amount_cents}};
  http_.send(http::verb::post, prefix_ + "/v1/refunds", json::serialize(body), headers,
             [done = std::move(done)](Result<HttpResponse, std::string> r) {
               if (!r)
                 return done(unexpected(ProviderError{ProviderErrc::kUnreachable, 0, r.error()}));
               done(refund_from_response(*r));
             });
}

}  // namespace boxoffice::payments
