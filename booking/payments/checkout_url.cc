#include "booking/payments/checkout_url.h"

#include "booking/core/wire.h"
#include "shared/decimal.h"

namespace boxoffice::payments {
namespace {

bool valid_id(std::string_view s) { return !s.empty() && s.size() <= booking::kMaxWireIdBytes; }

bool valid_currency(std::string_view c) {
  if (c.size() != 3) return false;
  for (const char ch : c) {
    if (ch < 'A' || ch > 'Z') return false;
  }
  return true;
}

bool valid(const CheckoutRequest& r) {
  return valid_id(r.reservation) && valid_id(r.user) && r.amount_cents >= 0 &&
         valid_currency(r.currency);
}

// Decimal digits only, and no leading zero: one spelling per amount.
std::optional<int64_t> parse_amount(std::string_view s) {
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  return parse_decimal<int64_t>(s);
}

// The signed text: the query without sig, each value percent-encoded, so no choice of values
// can make two different requests sign the same bytes.
std::string canonical(const CheckoutRequest& r) {
  return "reservation=" + percent_encode(r.reservation) + "&user=" + percent_encode(r.user) +
         "&amount=" + std::to_string(r.amount_cents) + "&currency=" + percent_encode(r.currency);
}

}  // namespace

std::string_view to_string(CheckoutErrc e) {
  switch (e) {
    case CheckoutErrc::kMissingParameter:
      return "missing_parameter";
    case CheckoutErrc::kRepeatedParameter:
      return "repeated_parameter";
    case CheckoutErrc::kBadParameter:
      return "bad_parameter";
    case CheckoutErrc::kBadSignature:
      return "bad_signature";
  }
  return "unknown";
}

Result<CheckoutSigner, std::string> CheckoutSigner::create(std::string_view secret) {
  auto key = crypto::HmacSha256::create(secret);
  if (!key) return unexpected("checkout secret: " + key.error());
  return CheckoutSigner(std::move(*key));
}

std::string CheckoutSigner::sig(const CheckoutRequest& request) const {
  return to_hex(key_.mac({canonical(request)}));
}

Result<std::string, std::string> CheckoutSigner::url(std::string_view base_url,
                                                     const CheckoutRequest& request) const {
  auto base = parse_http_url(base_url);
  if (!base) return unexpected("checkout base URL " + base.error());
  if (base->target.find('?') != std::string::npos) {
    return unexpected("checkout base URL \"" + std::string(base_url) + "\": has a query");
  }
  if (!valid(request)) {
    return unexpected(std::string(
        "checkout link: reservation and user must be 1..128 bytes, amount >= 0, currency 3 "
        "capital letters"));
  }
  std::string_view prefix = base_url;
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  return std::string(prefix) + "/checkout/" + percent_encode(request.reservation) +
         "?user=" + percent_encode(request.user) +
         "&amount=" + std::to_string(request.amount_cents) +
         "&currency=" + percent_encode(request.currency) + "&sig=" + sig(request);
}

Result<CheckoutRequest, CheckoutErrc> CheckoutSigner::verify(std::string_view reservation,
                                                             const QueryParams& params) const {
  for (const std::string_view name : {"user", "amount", "currency", "sig"}) {
    size_t seen = 0;
    for (const auto& [n, v] : params) seen += n == name ? 1 : 0;
    if (seen == 0) return unexpected(CheckoutErrc::kMissingParameter);
    if (seen > 1) return unexpected(CheckoutErrc::kRepeatedParameter);
  }
  CheckoutRequest r;
  r.reservation = std::string(reservation);
  r.user = std::string(*query_value(params, "user"));
  r.currency = std::string(*query_value(params, "currency"));
  const auto amount = parse_amount(*query_value(params, "amount"));
  if (!amount) return unexpected(CheckoutErrc::kBadParameter);
  r.amount_cents = *amount;
  if (!valid(r)) return unexpected(CheckoutErrc::kBadParameter);
  const auto given = crypto::mac_from_hex(*query_value(params, "sig"));
  if (!given || !crypto::macs_equal(*given, key_.mac({canonical(r)}))) {
    return unexpected(CheckoutErrc::kBadSignature);
  }
  return r;
}

Result<std::string, std::string> checkout_url(std::string_view base_url, std::string_view secret,
                                              std::string_view reservation, std::string_view user,
                                              int64_t amount_cents, std::string_view currency) {
  auto signer = CheckoutSigner::create(secret);
  if (!signer) return unexpected(signer.error());
  return signer->url(base_url, CheckoutRequest{std::string(reservation), std::string(user),
                                               amount_cents, std::string(currency)});
}

}  // namespace boxoffice::payments
