// The booking side's client of the payment provider's API (the simulator speaks it):
//   GET  /v1/payments/{id}   -> the payment, to check a confirm a client submitted
//   POST /v1/refunds         -> refund a payment (idempotent by payment id)
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "booking/payments/http_client.h"
#include "shared/result.h"

namespace boxoffice::payments {

enum class PaymentStatus : uint8_t { kSucceeded, kFailed, kRefunded };
std::string_view to_string(PaymentStatus s);  // "succeeded", "failed", "refunded"
std::optional<PaymentStatus> payment_status_from(std::string_view s);

struct PaymentInfo {
  std::string payment_id;
  PaymentStatus status = PaymentStatus::kSucceeded;
  int64_t amount_cents = 0;
  std::string currency;
  std::string reservation;
  std::string user;
};

struct RefundReceipt {
  std::string refund_id;
  std::string status;  // "refunded"
};

enum class ProviderErrc : uint8_t {
  kInvalidArgument,  // refused before sending: empty or over-long payment id, amount < 0
  kUnreachable,      // no response: connect, timeout, I/O
  kNotFound,         // 404: the provider does not know the payment
  kRejected,         // another 4xx: the request is wrong, repeating it will not help
  kUnavailable,      // 5xx: try again later
  kBadResponse,      // 2xx whose body is not what the API promises
};
std::string_view to_string(ProviderErrc e);

struct ProviderError {
  ProviderErrc code = ProviderErrc::kUnreachable;
  unsigned http_status = 0;  // 0 without a response
  std::string message;
};

class ProviderClient {
 public:
  struct Options {
    std::string base_url;  // "http://127.0.0.1:8090"
    std::string api_key;   // sent as "Authorization: Bearer <key>" when not empty
    std::chrono::milliseconds timeout{5000};
  };
  // Refuses a base URL that is not http://host[:port][/prefix].
  static Result<std::unique_ptr<ProviderClient>, std::string> create(
      boost::asio::any_io_executor executor, Options options);

  template <class T>
  using Callback = std::function<void(Result<T, ProviderError>)>;

  // Thread-safe; callbacks run once, on the executor.
  void fetch_payment(std::string_view payment_id, Callback<PaymentInfo> done);
  void refund(std::string_view payment_id, int64_t amount_cents, Callback<RefundReceipt> done);

 private:
  ProviderClient(boost::asio::any_io_executor executor, std::string host, uint16_t port,
                 std::string prefix, Options options);
  boost::asio::any_io_executor executor_;
  Options options_;
  std::string prefix_;  // the base URL's path, without a trailing '/'
  HttpClient http_;
};

// Pure halves of the client: an HTTP answer -> the result (tested without a server).
Result<PaymentInfo, ProviderError> payment_from_response(const HttpResponse& response);
Result<RefundReceipt, ProviderError> refund_from_response(const HttpResponse& response);

}  // namespace boxoffice::payments
