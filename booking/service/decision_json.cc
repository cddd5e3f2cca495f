#include "booking/service/decision_json.h"

#include <boost/json.hpp>

#include "booking/service/ids.h"
#include "shared/json/json_writer.h"

namespace boxoffice::booking {
namespace {

namespace json = boost::json;

std::optional<DecisionType> decision_type_named(std::string_view name) {
  for (uint8_t t = 1; t <= kDecisionTypeMax; ++t) {
    if (to_string(static_cast<DecisionType>(t)) == name) return static_cast<DecisionType>(t);
  }
  return std::nullopt;
}

std::optional<Errc> errc_named(std::string_view name) {
  for (int e = 0; e < kErrcCount; ++e) {
    if (to_string(static_cast<Errc>(e)) == name) return static_cast<Errc>(e);
  }
  return std::nullopt;
}

// The fields each type carries besides seq, type, at and event (lua-rules/booking/README.md).
enum Field : uint16_t {
  kUser = 1 << 0,
  kRid = 1 << 1,
  kSeats = 1 << 2,
  kExpiresAt = 1 << 3,
  kAmount = 1 << 4,
  kPosition = 1 << 5,
  kPaymentId = 1 << 6,
  kProvider = 1 << 7,
  kCode = 1 << 8,
};

uint16_t json_fields(DecisionType t) {
  switch (t) {
    case DecisionType::kHeld:
    case DecisionType::kOffered:
      return kUser | kRid | kSeats | kExpiresAt | kAmount;
    case DecisionType::kRejected:
      return kCode | kUser | kRid | kSeats;
    case DecisionType::kPaymentPending:
      return kUser | kRid | kExpiresAt;
    case DecisionType::kBooked:
      return kUser | kRid | kSeats | kAmount | kPaymentId | kProvider;
    case DecisionType::kCancelled:
    case DecisionType::kExpired:
      return kUser | kRid | kSeats;
    case DecisionType::kReleased:
      return kSeats;
    case DecisionType::kWaitlisted:
      return kUser | kSeats | kPosition;
    case DecisionType::kWaitlistLeft:
      return kUser | kSeats;
    case DecisionType::kWaitlistCleared:
      return kSeats | kPosition;
    case DecisionType::kRefundRequired:
      return kCode | kUser | kRid | kAmount | kPaymentId | kProvider;
  }
  return 0;
}

std::optional<int64_t> as_int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

}  // namespace

Result<bool, std::string> parse_decision_json(std::string_view text, DecisionLog& log) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return unexpected(std::string("decision: not a JSON object"));
  const json::object& o = doc.get_object();
  Decision d;
  auto fail = [](std::string_view field) {
    return unexpected("decision: bad field \"" + std::string(field) + "\"");
  };
  auto integer = [&](std::string_view name, int64_t& out) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr) return true;
    auto i = as_int(*v);
    if (!i) return false;
    out = *i;
    return true;
  };
  auto text_field = [&](std::string_view name, std::string_view& out) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr) return true;
    if (!v->is_string()) return false;
    out = log.strings.emplace_back(v->get_string());
    return true;
  };

  const json::value* type = o.if_contains("type");
  if (type == nullptr || !type->is_string()) return fail("type");
  auto t = decision_type_named(type->get_string());
  if (!t) return fail("type");
  d.type = *t;
  int64_t seq = 0;
  int64_t position = 0;
  if (!integer("seq", seq) || seq < 0) return fail("seq");
  d.seq = static_cast<uint64_t>(seq);
  if (!integer("at", d.at_ms)) return fail("at");
  if (!integer("expires_at", d.expires_at_ms)) return fail("expires_at");
  if (!integer("amount", d.amount_cents)) return fail("amount");
  if (!integer("position", position) || position < 0 || position > UINT32_MAX) {
    return fail("position");
  }
  d.position = static_cast<uint32_t>(position);
  if (!text_field("event", d.event_id)) return fail("event");
  if (!text_field("user", d.user_id)) return fail("user");
  if (!text_field("payment_id", d.payment_id)) return fail("payment_id");
  if (!text_field("provider", d.provider)) return fail("provider");
  if (const json::value* code = o.if_contains("code")) {
    if (!code->is_string()) return fail("code");
    auto e = errc_named(code->get_string());
    if (!e) return fail("code");
    d.code = *e;
  }
  if (const json::value* rid = o.if_contains("rid")) {
    if (rid->is_string()) {
      auto ref = parse_reservation_key(rid->get_string());
      if (!ref) return fail("rid");
      d.reservation_id = ref->id;
    } else if (rid->is_uint64() || (rid->is_int64() && rid->get_int64() >= 0)) {
      d.reservation_id = rid->is_uint64() ? rid->get_uint64() : rid->get_int64();
    } else {
      return fail("rid");
    }
  }
  if (const json::value* seats = o.if_contains("seats")) {
    if (!seats->is_array()) return fail("seats");
    for (const json::value& s : seats->get_array()) {
      auto i = as_int(s);
      if (!i || *i < 0 || *i > UINT32_MAX || !d.seats.push(static_cast<SeatIndex>(*i))) {
        return fail("seats");
      }
    }
  }
  log.decisions.push_back(d);
  return true;
}

Result<DecisionLog, std::string> parse_decision_list(const std::vector<std::string>& jsons) {
  DecisionLog log;
  for (const std::string& j : jsons) {
    auto ok = parse_decision_json(j, log);
    if (!ok) return unexpected(ok.error());
  }
  return log;
}

Result<DecisionLog, std::string> parse_decision_lines(std::string_view lines) {
  DecisionLog log;
  for (;;) {
    const size_t end = lines.find('\n');
    auto ok = parse_decision_json(lines.substr(0, end), log);
    if (!ok) return unexpected(ok.error());
    if (end == std::string_view::npos) return log;
    lines.remove_prefix(end + 1);
  }
}

std::string decision_json(const Decision& d) {
  const uint16_t fields = json_fields(d.type);
  const auto has = [fields](Field f) { return (fields & f) != 0; };
  std::string out;
  out.reserve(160);
  JsonWriter w(out);
  w.begin_object().field("seq", d.seq).field("type", to_string(d.type)).field("at", d.at_ms);
  w.field("event", d.event_id);
  if (has(kUser) && !d.user_id.empty()) w.field("user", d.user_id);
  if (has(kRid) && d.reservation_id != 0) {
    w.field("rid", reservation_key(d.event_id, d.reservation_id));
  }
  if (has(kSeats) && d.seats.count > 0) {
    w.key("seats").begin_array();
    for (SeatIndex s : d.seats.span()) w.unsigned_number(s);
    w.end_array();
  }
  if (has(kExpiresAt)) w.field("expires_at", d.expires_at_ms);
  if (has(kAmount)) w.field("amount", d.amount_cents);
  if (has(kPosition)) w.field("position", d.position);
  if (has(kPaymentId) && !d.payment_id.empty()) w.field("payment_id", d.payment_id);
  if (has(kProvider) && !d.provider.empty()) w.field("provider", d.provider);
  if (has(kCode) && d.code != Errc::kOk) w.field("code", to_string(d.code));
  w.end_object();
  return out;
}

}  // namespace boxoffice::booking
