#include "booking/payments/refund_schedule.h"

#include <algorithm>
#include <boost/json.hpp>
#include <tuple>
#include <unordered_set>

namespace boxoffice::payments {
namespace json = boost::json;

Result<OwedRefund, std::string> parse_owed_refund(std::string_view field, std::string_view value) {
  const std::string where = std::string(kRefundsKey) + " field \"" + std::string(field) + "\": ";
  boost::system::error_code ec;
  const json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) return unexpected(where + "value is not a JSON object");
  const json::object& o = v.get_object();

  OwedRefund r;
  r.field = std::string(field);
  for (auto [key, out, required] :
       {std::tuple{"payment_id", &r.payment_id, true}, std::tuple{"provider", &r.provider, true},
        std::tuple{"user", &r.user, false}, std::tuple{"reason", &r.reason, false}}) {
    const json::value* s = o.if_contains(key);
    if (s == nullptr) {
      if (required) return unexpected(where + "missing " + key);
      continue;
    }
    if (!s->is_string()) return unexpected(where + key + " is not a string");
    *out = std::string(s->get_string());
    if (required && out->empty()) return unexpected(where + key + " is empty");
  }
  const json::value* amount = o.if_contains("amount");
  if (amount == nullptr) return unexpected(where + "missing amount");
  if (!amount->is_int64() || amount->get_int64() < 0) {
    return unexpected(where + "amount is not an integer >= 0");
  }
  r.amount_cents = amount->get_int64();
  if (const json::value* rid = o.if_contains("reservation_id"); rid != nullptr) {
    if (rid->is_string()) {
      r.reservation = std::string(rid->get_string());
    } else if (rid->is_int64() || rid->is_uint64()) {
      r.reservation = json::serialize(*rid);
    } else {
      return unexpected(where + "reservation_id is neither a string nor an integer");
    }
  }
  if (const json::value* seq = o.if_contains("seq");
      seq != nullptr && !seq->is_int64() && !seq->is_uint64()) {
    return unexpected(where + "seq is not an integer");
  }
  if (field != r.provider + ":" + r.payment_id) {
    return unexpected(where + "does not match provider \"" + r.provider + "\" and payment_id \"" +
                      r.payment_id + "\"");
  }
  return r;
}

std::vector<const OwedRefund*> RefundSchedule::due(std::span<const OwedRefund> owed, int64_t now_ms,
                                                   size_t limit) const {
  std::vector<std::pair<int64_t, const OwedRefund*>> ready;  // (due at, refund)
  for (const OwedRefund& r : owed) {
    const auto it = attempts_.find(r.field);
    const int64_t at = it == attempts_.end() ? INT64_MIN : it->second.next_at_ms;
    if (at <= now_ms) ready.emplace_back(at, &r);
  }
  std::sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second->field) < std::tie(b.first, b.second->field);
  });
  std::vector<const OwedRefund*> out;
  for (size_t i = 0; i < ready.size() && i < limit; ++i) out.push_back(ready[i].second);
  return out;
}

void RefundSchedule::succeeded(std::string_view field) {
  const auto it = attempts_.find(field);
  if (it != attempts_.end()) attempts_.erase(it);
}

void RefundSchedule::failed(std::string_view field, int64_t now_ms) {
  auto it = attempts_.find(field);
  if (it == attempts_.end()) it = attempts_.emplace(std::string(field), Attempts{}).first;
  Attempts& a = it->second;
  if (a.failures < UINT32_MAX) ++a.failures;
  a.next_at_ms = now_ms + backoff_.delay_ms(a.failures);
}

void RefundSchedule::retain(std::span<const OwedRefund> owed) {
  std::unordered_set<std::string_view> live;
  for (const OwedRefund& r : owed) live.insert(r.field);
  std::erase_if(attempts_, [&](const auto& kv) { return !live.contains(kv.first); });
}

std::optional<int64_t> RefundSchedule::next_retry_ms() const {
  std::optional<int64_t> earliest;
  for (const auto& [field, a] : attempts_) {
    if (!earliest || a.next_at_ms < *earliest) earliest = a.next_at_ms;
  }
  return earliest;
}

uint32_t RefundSchedule::failures(std::string_view field) const {
  const auto it = attempts_.find(field);
  return it == attempts_.end() ? 0 : it->second.failures;
}

}  // namespace boxoffice::payments
