#include "booking/payments/signature.h"

#include <charconv>

#include "shared/http/ows.h"

namespace boxoffice::payments {
namespace {

Result<std::vector<crypto::HmacSha256>, std::string> make_keys(
    std::span<const std::string> secrets) {
  if (secrets.empty()) return unexpected(std::string("no webhook secret"));
  std::vector<crypto::HmacSha256> keys;
  for (const std::string& s : secrets) {
    auto key = crypto::HmacSha256::create(s);
    if (!key) return unexpected("webhook secret: " + key.error());
    keys.push_back(*key);
  }
  return keys;
}

struct ParsedHeader {
  std::string_view t_text;  // the digits as sent: they are what was signed
  int64_t t = 0;
  std::vector<crypto::Sha256Mac> v1;
};

Result<ParsedHeader, SignatureErrc> parse_header(std::string_view header) {
  if (http::trim_ows(header).empty()) return unexpected(SignatureErrc::kMissingHeader);
  if (header.size() > kMaxSignatureHeaderBytes) return unexpected(SignatureErrc::kMalformedHeader);
  ParsedHeader out;
  bool have_t = false;
  while (true) {
    const size_t comma = header.find(',');
    const std::string_view item = http::trim_ows(header.substr(0, comma));
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return unexpected(SignatureErrc::kMalformedHeader);
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "t") {
      if (have_t || value.empty()) return unexpected(SignatureErrc::kMalformedHeader);
      for (const char c : value) {
        if (c < '0' || c > '9') return unexpected(SignatureErrc::kMalformedHeader);
      }
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), out.t);
      if (ec != std::errc{}) return unexpected(SignatureErrc::kMalformedHeader);  // overflow
      out.t_text = value;
      have_t = true;
    } else if (key == "v1") {
      const auto mac = crypto::mac_from_hex(value);
      if (!mac || out.v1.size() == kMaxV1Signatures) {
        return unexpected(SignatureErrc::kMalformedHeader);
      }
      out.v1.push_back(*mac);
    }  // other schemes (v0, ...) are ignored, as Stripe's clients do
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (!have_t) return unexpected(SignatureErrc::kMalformedHeader);
  if (out.v1.empty()) return unexpected(SignatureErrc::kNoV1);
  return out;
}

}  // namespace

std::string_view to_string(SignatureErrc e) {
  switch (e) {
    case SignatureErrc::kMissingHeader:
      return "missing_signature_header";
    case SignatureErrc::kMalformedHeader:
      return "malformed_signature_header";
    case SignatureErrc::kNoV1:
      return "no_v1_signature";
    case SignatureErrc::kBadSignature:
      return "bad_signature";
    case SignatureErrc::kOutsideTolerance:
      return "timestamp_outside_tolerance";
  }
  return "unknown";
}

std::string_view describe(SignatureErrc e) {
  switch (e) {
    case SignatureErrc::kMissingHeader:
      return "the Boxoffice-Signature header is missing";
    case SignatureErrc::kMalformedHeader:
      return "the Boxoffice-Signature header is not of the form t=<unix seconds>,v1=<64 hex>";
    case SignatureErrc::kNoV1:
      return "the Boxoffice-Signature header has no v1 signature";
    case SignatureErrc::kBadSignature:
      return "no v1 signature matches the body under a known secret";
    case SignatureErrc::kOutsideTolerance:
      return "the signature timestamp is too far from the current time";
  }
  return "unknown signature error";
}

Result<WebhookSigner, std::string> WebhookSigner::create(std::span<const std::string> secrets) {
  auto keys = make_keys(secrets);
  if (!keys) return unexpected(keys.error());
  WebhookSigner s;
  s.keys_ = std::move(*keys);
  return s;
}

Result<WebhookSigner, std::string> WebhookSigner::create(std::string_view secret) {
  const std::string one[] = {std::string(secret)};
  return create(one);
}

std::string WebhookSigner::header(std::string_view body, int64_t unix_s) const {
  const std::string t = std::to_string(unix_s);
  std::string out = "t=" + t;
  for (const crypto::HmacSha256& key : keys_) {
    out += ",v1=";
    out += to_hex(key.mac({t, ".", body}));
  }
  return out;
}

Result<WebhookVerifier, std::string> WebhookVerifier::create(std::span<const std::string> secrets,
                                                             int64_t tolerance_s) {
  auto keys = make_keys(secrets);
  if (!keys) return unexpected(keys.error());
  WebhookVerifier v;
  v.keys_ = std::move(*keys);
  v.tolerance_s_ = tolerance_s;
  return v;
}

Result<int64_t, SignatureErrc> WebhookVerifier::verify(std::string_view header,
                                                       std::string_view body, int64_t now_s) const {
  auto parsed = parse_header(header);
  if (!parsed) return unexpected(parsed.error());
  if (tolerance_s_ >= 0) {
    // |now_s - t| in unsigned arithmetic: exact for any two int64 values, never overflows.
    const auto now = static_cast<uint64_t>(now_s);
    const auto t = static_cast<uint64_t>(parsed->t);
    const uint64_t skew = now_s >= parsed->t ? now - t : t - now;
    if (skew > static_cast<uint64_t>(tolerance_s_)) {
      return unexpected(SignatureErrc::kOutsideTolerance);
    }
  }
  bool match = false;
  for (const crypto::HmacSha256& key : keys_) {
    const crypto::Sha256Mac expected = key.mac({parsed->t_text, ".", body});
    for (const crypto::Sha256Mac& v1 : parsed->v1) {
      match |= crypto::macs_equal(expected, v1);  // no early exit: time does not tell which matched
    }
  }
  if (!match) return unexpected(SignatureErrc::kBadSignature);
  return parsed->t;
}

}  // namespace boxoffice::payments
