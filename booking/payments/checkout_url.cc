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

bool valid(std::string_view reservation, std::string_view user, int64_t amount_cents,
           std::string_view currency) {
  return valid_id(reservation) && valid_id(user) && amount_cents >= 0 && valid_currency(currency);
}

// Decimal digits only, and no leading zero: one spelling per amount.
std::optional<int64_t> parse_amount(std::string_view s) {
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  return parse_decimal<int64_t>(s);
}

constexpr std::string_view kReservationParam = "reservation=";

// The signed text, each value percent-encoded, so no choice of values can make two different
// requests sign the same bytes. After the reservation's parameter it is the link's query
// without sig.
std::string canonical(std::string_view reservation, std::string_view user, int64_t amount_cents,
                      std::string_view currency) {
  std::string out(kReservationParam);
  out += percent_encode(reservation);
  out += "&user=";
  out += percent_encode(user);
  out += "&amount=";
  out += std::to_string(amount_cents);
  out += "&currency=";
  out += percent_encode(currency);
  return out;
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

Result<CheckoutLinks, std::string> CheckoutLinks::create(std::string_view base_url,
                                                         std::string_view secret) {
  auto base = parse_http_url(base_url);
  if (!base) return unexpected("checkout base URL " + base.error());
  if (base->target.find('?') != std::string::npos) {
    return unexpected("checkout base URL \"" + std::string(base_url) + "\": has a query");
  }
  auto key = crypto::HmacSha256::create(secret);
  if (!key) return unexpected("checkout secret: " + key.error());
  std::string_view prefix = base_url;
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  return CheckoutLinks(std::string(prefix) + "/checkout/", std::move(*key));
}

Result<std::string, std::string> CheckoutLinks::url(std::string_view reservation,
                                                    std::string_view user, int64_t amount_cents,
                                                    std::string_view currency) const {
  if (!valid(reservation, user, amount_cents, currency)) {
    return unexpected(std::string(
        "checkout link: reservation and user must be 1..128 bytes, amount >= 0, currency 3 "
        "capital letters"));
  }
  const std::string signed_text = canonical(reservation, user, amount_cents, currency);
  // "reservation=R&user=..." is "{prefix}R?user=...&sig=..." less the prefix and the sig.
  const size_t query = signed_text.find('&');
  std::string out = prefix_;
  out.append(signed_text, kReservationParam.size(), query - kReservationParam.size());
  out += '?';
  out.append(signed_text, query + 1);
  out += "&sig=";
  out += to_hex(key_.mac({signed_text}));
  return out;
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
  if (!valid(r.reservation, r.user, r.amount_cents, r.currency)) {
    return unexpected(CheckoutErrc::kBadParameter);
  }
  const auto given = crypto::mac_from_hex(*query_value(params, "sig"));
  const std::string signed_text = canonical(r.reservation, r.user, r.amount_cents, r.currency);
  if (!given || !crypto::macs_equal(*given, key_.mac({signed_text}))) {
    return unexpected(CheckoutErrc::kBadSignature);
  }
  return r;
}

Result<std::string, std::string> checkout_url(std::string_view base_url, std::string_view secret,
                                              std::string_view reservation, std::string_view user,
                                              int64_t amount_cents, std::string_view currency) {
  auto links = CheckoutLinks::create(base_url, secret);
  if (!links) return unexpected(links.error());
  return links->url(reservation, user, amount_cents, currency);
}

}  // namespace boxoffice::payments
