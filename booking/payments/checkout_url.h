// The payment link in a reserve answer: the provider's hosted checkout for one reservation,
//   {base}/checkout/{reservation}?user=..&amount=..&currency=..&sig=..
// sig = hex HMAC-SHA256(checkout secret, canonical parameters), so a fan who edits the link
// (a smaller amount, another user) gets a link the provider refuses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "booking/payments/url.h"
#include "shared/crypto/hmac.h"
#include "shared/result.h"

namespace boxoffice::payments {

struct CheckoutRequest {
  std::string reservation;  // reservation key "{event}.{hex}"
  std::string user;
  int64_t amount_cents = 0;
  std::string currency;  // "GBP"

  bool operator==(const CheckoutRequest&) const = default;
};

enum class CheckoutErrc : uint8_t {
  kMissingParameter,   // user, amount, currency or sig absent
  kRepeatedParameter,  // a name given twice: which one would count is ambiguous
  kBadParameter,       // amount not a non-negative integer, currency not 3 capitals, bad ids
  kBadSignature,       // sig does not match the parameters
};
std::string_view to_string(CheckoutErrc e);  // "missing_parameter", ...

// The provider's side: checks the links CheckoutLinks made with the same secret.
class CheckoutSigner {
 public:
  static Result<CheckoutSigner, std::string> create(std::string_view secret);

  // The request a link names: reservation from its path, the rest from its decoded query (or
  // form) parameters. Parameters other than the four signed ones are ignored (the checkout
  // page adds "outcome").
  Result<CheckoutRequest, CheckoutErrc> verify(std::string_view reservation,
                                               const QueryParams& params) const;

 private:
  explicit CheckoutSigner(crypto::HmacSha256 key) : key_(std::move(key)) {}
  crypto::HmacSha256 key_;
};

// The booking side: links to one provider's checkout, its base URL checked once.
class CheckoutLinks {
 public:
  // base_url: "http://host:port[/prefix]", without a query.
  static Result<CheckoutLinks, std::string> create(std::string_view base_url,
                                                   std::string_view secret);

  // Refuses values that CheckoutSigner::verify would refuse, so a link it returns always works.
  Result<std::string, std::string> url(std::string_view reservation, std::string_view user,
                                       int64_t amount_cents, std::string_view currency) const;

 private:
  CheckoutLinks(std::string prefix, crypto::HmacSha256 key)
      : prefix_(std::move(prefix)), key_(std::move(key)) {}
  std::string prefix_;  // the base URL without its trailing slashes, then "/checkout/"
  crypto::HmacSha256 key_;
};

// One-off form of CheckoutLinks for callers that build few links.
Result<std::string, std::string> checkout_url(std::string_view base_url, std::string_view secret,
                                              std::string_view reservation, std::string_view user,
                                              int64_t amount_cents, std::string_view currency);

}  // namespace boxoffice::payments
