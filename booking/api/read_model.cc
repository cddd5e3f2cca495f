#include "booking/api/read_model.h"

#include <charconv>

#include "shared/json/json_writer.h"

namespace boxoffice::booking::api {
namespace {

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> seat_labels(const Event* event, std::string_view csv) {
  std::vector<std::string> out;
  while (!csv.empty()) {
    const size_t comma = csv.find(',');
    const std::string_view item = csv.substr(0, comma);
    csv = comma == std::string_view::npos ? std::string_view{} : csv.substr(comma + 1);
    auto index = to_int(item);
    if (event != nullptr && index && *index >= 0 &&
        static_cast<uint64_t>(*index) < event->seats.size()) {
      out.push_back(event->seat_label(static_cast<SeatIndex>(*index)));
    } else {
      out.push_back("#" + std::string(item));
    }
  }
  return out;
}

void write_time(JsonWriter& w, std::string_view key, std::string_view ms_text) {
  auto ms = to_int(ms_text);
  if (!ms) return;
  w.field(key, format_utc_time_ms(*ms));
  w.field(std::string(key) + "_ms", *ms);
}

// The fields a reservation and a booking share.
void write_common(JsonWriter& w, const Event* event, const HashFields& f) {
  const std::string_view event_id = hash_field(f, "event");
  const std::vector<std::string> seats = seat_labels(event, hash_field(f, "seats"));
  w.field("event_id", event_id);
  if (event != nullptr) w.field("event", event->title);
  if (!seats.empty()) w.field("seat_id", seats.front());
  w.key("seats").begin_array();
  for (const std::string& s : seats) w.string(s);
  w.end_array();
  w.field("user_id", hash_field(f, "user"));
  if (auto amount = to_int(hash_field(f, "amount"))) w.money("amount", *amount);
  if (event != nullptr) w.field("currency", event->currency);
  if (const std::string_view p = hash_field(f, "payment_id"); !p.empty()) {
    w.field("payment_id", p).field("provider", hash_field(f, "provider"));
  }
  write_time(w, "booked_at", hash_field(f, "booked_at"));
}

}  // namespace

std::string_view hash_field(const HashFields& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

std::string_view public_status(std::string_view stored) {
  if (stored == "held") return "reserved";
  if (stored == "booked") return "confirmed";
  return stored;
}

std::string render_reservation(const Catalog& catalog, std::string_view rid,
                               const HashFields& fields, const PaymentUrlFn& payment_url) {
  const Event* event = catalog.find_event(hash_field(fields, "event"));
  const std::string_view stored = hash_field(fields, "status");
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("reservation_id", rid);
  w.field("status", public_status(stored)).field("kind", hash_field(fields, "kind"));
  write_common(w, event, fields);
  if (stored == "held" || stored == "payment_pending") {
    write_time(w, "expires_at", hash_field(fields, "expires_at"));
  }
  write_time(w, "created_at", hash_field(fields, "created_at"));
  write_time(w, "updated_at", hash_field(fields, "updated_at"));
  if (stored == "booked") w.field("booking_id", rid);
  auto amount = to_int(hash_field(fields, "amount"));
  if (stored == "held" && payment_url && event != nullptr && amount) {
    w.field("payment_url", payment_url(rid, hash_field(fields, "user"), *amount, event->currency));
  }
  w.end_object();
  return out;
}

std::string render_bookings(const Catalog& catalog, std::string_view user,
                            const std::vector<std::pair<std::string, HashFields>>& bookings,
                            size_t total) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("user_id", user).key("bookings").begin_array();
  for (const auto& [rid, fields] : bookings) {
    if (fields.empty()) continue;  // listed but its hash is gone: nothing to show
    const Event* event = catalog.find_event(hash_field(fields, "event"));
    w.begin_object().field("booking_id", rid);
    w.field("status", public_status(hash_field(fields, "status")));
    write_common(w, event, fields);
    w.end_object();
  }
  w.end_array().field("total", static_cast<uint64_t>(total)).end_object();
  return out;
}

}  // namespace boxoffice::booking::api
