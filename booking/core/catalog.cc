#include "booking/core/catalog.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "booking/core/hash.h"
#include "shared/decimal.h"

namespace boxoffice::booking {
namespace {

using Json = nlohmann::json;

// A parse error is a message naming the offending place; the first one wins.
struct Fail {
  std::string message;
};

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

const Json& field(const Json& obj, const std::string& where, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) throw Fail{where + ": missing field \"" + key + "\""};
  return *it;
}

std::string string_field(const Json& obj, const std::string& where, const char* key) {
  const Json& v = field(obj, where, key);
  if (!v.is_string()) throw Fail{where + "." + key + ": expected a string"};
  auto s = v.get<std::string>();
  if (s.empty()) throw Fail{where + "." + key + ": must not be empty"};
  return s;
}

// An identifier that will appear in seat labels and URLs: no '-', '/', spaces or controls.
std::string id_field(const Json& obj, const std::string& where, const char* key) {
  auto s = string_field(obj, where, key);
  if (s.size() > 64) throw Fail{where + "." + key + ": longer than 64 characters"};
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) throw Fail{where + "." + key + ": " + in_quotes(s) + " may use only A-Z a-z 0-9 _ ."};
  }
  return s;
}

int64_t int_field(const Json& obj, const std::string& where, const char* key, int64_t fallback,
                  int64_t min, int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_number_integer()) throw Fail{where + "." + key + ": expected an integer"};
  const auto v = it->get<int64_t>();
  if (v < min || v > max) {
    throw Fail{where + "." + key + ": " + std::to_string(v) + " is outside [" +
               std::to_string(min) + ", " + std::to_string(max) + "]"};
  }
  return v;
}

int64_t time_field(const Json& obj, const std::string& where, const char* key) {
  auto t = parse_utc_time_ms(string_field(obj, where, key));
  if (!t) throw Fail{where + "." + key + ": " + t.error()};
  return *t;
}

const Json& array_field(const Json& obj, const std::string& where, const char* key,
                        bool allow_empty = false) {
  const Json& v = field(obj, where, key);
  if (!v.is_array()) throw Fail{where + "." + key + ": expected an array"};
  if (v.empty() && !allow_empty) throw Fail{where + "." + key + ": must not be empty"};
  return v;
}

const Json* optional_object(const Json& obj, const std::string& where, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return nullptr;
  if (!it->is_object()) throw Fail{where + "." + key + ": expected an object"};
  return &*it;
}

std::string at(const std::string& where, const char* key, size_t i) {
  return where + "." + key + "[" + std::to_string(i) + "]";
}

// "1-10,13,15-22": increasing seat numbers, no overlaps.
std::vector<uint32_t> parse_seat_numbers(const std::string& spec, const std::string& where) {
  std::vector<uint32_t> out;
  std::string_view rest = spec;
  auto number = [&](std::string_view s) {
    const auto v = parse_decimal<uint32_t>(s);
    if (!v || *v == 0 || *v > 100000) {
      throw Fail{where + ".seats: bad seat number " + in_quotes(s) + " in " + in_quotes(spec)};
    }
    return *v;
  };
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto dash = part.find('-');
    const uint32_t from = number(part.substr(0, dash));
    const uint32_t to = dash == std::string_view::npos ? from : number(part.substr(dash + 1));
    if (to < from) throw Fail{where + ".seats: range " + in_quotes(part) + " runs backwards"};
    if (!out.empty() && from <= out.back()) {
      throw Fail{where + ".seats: duplicate or unordered seat number " + std::to_string(from)};
    }
    if (out.size() + (to - from + 1) > 10000) throw Fail{where + ".seats: too many seats in a row"};
    for (uint32_t n = from; n <= to; ++n) out.push_back(n);
  }
  if (out.empty()) throw Fail{where + ".seats: no seats"};
  return out;
}

struct VenueRow {
  std::string id;
  std::vector<uint32_t> numbers;
};
struct VenueSection {
  std::string id;
  std::string name;
  std::vector<VenueRow> rows;
};
struct Venue {
  std::string name;
  std::string city;
  std::vector<VenueSection> sections;
};

Venue parse_venue(const Json& v, const std::string& where) {
  Venue venue;
  venue.name = string_field(v, where, "name");
  venue.city = string_field(v, where, "city");
  std::set<std::string> section_ids;
  const Json& sections = array_field(v, where, "sections");
  if (sections.size() >= kAnySection) throw Fail{where + ".sections: too many sections"};
  for (size_t i = 0; i < sections.size(); ++i) {
    const auto sw = at(where, "sections", i);
    if (!sections[i].is_object()) throw Fail{sw + ": expected an object"};
    VenueSection sec;
    sec.id = id_field(sections[i], sw, "id");
    sec.name = string_field(sections[i], sw, "name");
    if (!section_ids.insert(sec.id).second)
      throw Fail{sw + ".id: duplicate section " + in_quotes(sec.id)};
    std::set<std::string> row_ids;
    const Json& rows = array_field(sections[i], sw, "rows");
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto rw = at(sw, "rows", r);
      if (!rows[r].is_object()) throw Fail{rw + ": expected an object"};
      VenueRow row;
      row.id = id_field(rows[r], rw, "id");
      if (!row_ids.insert(row.id).second)
        throw Fail{rw + ".id: duplicate row " + in_quotes(row.id)};
      row.numbers = parse_seat_numbers(string_field(rows[r], rw, "seats"), rw);
      sec.rows.push_back(std::move(row));
    }
    venue.sections.push_back(std::move(sec));
  }
  return venue;
}

Event parse_event(const Json& e, const std::string& where,
                  const std::map<std::string, Venue>& venues) {
  Event ev;
  ev.id = id_field(e, where, "id");
  ev.title = string_field(e, where, "title");
  ev.artist = string_field(e, where, "artist");
  const auto venue_id = string_field(e, where, "venue");
  auto vit = venues.find(venue_id);
  if (vit == venues.end()) throw Fail{where + ".venue: unknown venue " + in_quotes(venue_id)};
  const Venue& venue = vit->second;
  ev.venue = venue.name;
  ev.city = venue.city;
  ev.currency = string_field(e, where, "currency");
  if (ev.currency.size() != 3) throw Fail{where + ".currency: expected a 3-letter ISO code"};
  ev.starts_at_ms = time_field(e, where, "starts_at");
  ev.on_sale_at_ms = time_field(e, where, "on_sale_at");
  ev.per_user_limit = static_cast<uint32_t>(
      int_field(e, where, "per_user_limit", ev.per_user_limit, 1, kMaxSeatsPerHold));
  constexpr int64_t kDay = 86400;
  ev.hold_ms = int_field(e, where, "hold_s", ev.hold_ms / 1000, 1, kDay) * 1000;
  ev.offer_ms = int_field(e, where, "offer_s", ev.offer_ms / 1000, 1, kDay) * 1000;
  ev.payment_hold_ms =
      int_field(e, where, "payment_hold_s", ev.payment_hold_ms / 1000, 1, kDay) * 1000;
  ev.waitlist_cap =
      static_cast<uint32_t>(int_field(e, where, "waitlist_cap", ev.waitlist_cap, 0, 100000));

  // Layout, expanded from the venue: seats of a row, rows of a section, sections in order.
  const Json& prices = field(e, where, "section_prices_cents");
  if (!prices.is_object()) throw Fail{where + ".section_prices_cents: expected an object"};
  for (const auto& item : prices.items()) {
    const std::string& key = item.key();
    const bool known = std::any_of(venue.sections.begin(), venue.sections.end(),
                                   [&](const VenueSection& s) { return s.id == key; });
    if (!known) throw Fail{where + ".section_prices_cents: unknown section " + in_quotes(key)};
  }
  for (const VenueSection& vs : venue.sections) {
    const auto pit = prices.find(vs.id);
    if (pit == prices.end()) {
      throw Fail{where + ".section_prices_cents: no price for section " + in_quotes(vs.id)};
    }
    const auto pw = where + ".section_prices_cents." + vs.id;
    if (!pit->is_number_integer()) throw Fail{pw + ": expected an integer number of cents"};
    const auto price = pit->get<int64_t>();
    if (price < 0) throw Fail{pw + ": negative price " + std::to_string(price)};
    if (price > kMaxPriceCents) throw Fail{pw + ": price above " + std::to_string(kMaxPriceCents)};
    Section sec{vs.id,
                vs.name,
                static_cast<uint32_t>(ev.rows.size()),
                static_cast<uint32_t>(vs.rows.size()),
                static_cast<uint32_t>(ev.seats.size()),
                0};
    const auto section_index = static_cast<uint16_t>(ev.sections.size());
    for (const VenueRow& vr : vs.rows) {
      const auto row_index = static_cast<uint32_t>(ev.rows.size());
      ev.rows.push_back(Row{vr.id, section_index, static_cast<uint32_t>(ev.seats.size()),
                            static_cast<uint32_t>(vr.numbers.size())});
      for (uint32_t n : vr.numbers) {
        ev.seats.push_back(Seat{row_index, n, section_index});
        ev.seat_prices.push_back(static_cast<int32_t>(price));
      }
    }
    sec.seat_count = static_cast<uint32_t>(ev.seats.size()) - sec.first_seat;
    ev.sections.push_back(std::move(sec));
  }
  if (ev.seats.size() >= (1u << 23)) throw Fail{where + ": 8M seats or more"};
  ev.next_to_previous.assign(ev.seats.size(), 0);
  for (SeatIndex s = 1; s < ev.seats.size(); ++s) {
    const Seat& a = ev.seats[s - 1];
    const Seat& b = ev.seats[s];
    ev.next_to_previous[s] = a.row == b.row && b.number == a.number + 1;
  }
  ev.row_by_label.reserve(ev.rows.size());
  for (uint32_t r = 0; r < ev.rows.size(); ++r) {
    ev.row_by_label.emplace(ev.sections[ev.rows[r].section].id + '-' + ev.rows[r].id, r);
  }

  auto seat_at = [&](const std::string& label, const std::string& w) {
    const auto s = ev.find_seat(label);
    if (!s) throw Fail{w + ": unknown seat " + in_quotes(label)};
    return *s;
  };
  if (const Json* overrides = optional_object(e, where, "seat_prices_cents")) {
    for (const auto& [label, value] : overrides->items()) {
      const std::string w = where + ".seat_prices_cents." + std::string(label);
      const SeatIndex s = seat_at(label, where + ".seat_prices_cents");
      if (!value.is_number_integer()) throw Fail{w + ": expected an integer number of cents"};
      if (value.get<int64_t>() < 0) throw Fail{w + ": negative price"};
      if (value.get<int64_t>() > kMaxPriceCents) throw Fail{w + ": price too large"};
      ev.seat_prices[s] = static_cast<int32_t>(value.get<int64_t>());
    }
  }

  ev.seat_waves.assign(ev.seats.size(), 0);
  ev.waves.push_back(Wave{"general", ev.on_sale_at_ms});
  if (auto wit = e.find("waves"); wit != e.end()) {
    if (!wit->is_array()) throw Fail{where + ".waves: expected an array"};
    if (wit->size() > 254) throw Fail{where + ".waves: too many waves"};
    std::vector<bool> assigned(ev.seats.size(), false);
    std::set<std::string> wave_ids{"general"};
    for (size_t i = 0; i < wit->size(); ++i) {
      const Json& w = (*wit)[i];
      const auto ww = at(where, "waves", i);
      if (!w.is_object()) throw Fail{ww + ": expected an object"};
      Wave wave{id_field(w, ww, "id"), time_field(w, ww, "opens_at")};
      if (!wave_ids.insert(wave.id).second)
        throw Fail{ww + ".id: duplicate wave " + in_quotes(wave.id)};
      const auto wave_index = static_cast<uint8_t>(ev.waves.size());
      auto assign = [&](SeatIndex s, const std::string& aw) {
        if (assigned[s])
          throw Fail{aw + ": seat " + in_quotes(ev.seat_label(s)) + " is in two waves"};
        assigned[s] = true;
        ev.seat_waves[s] = wave_index;
      };
      if (auto sit = w.find("sections"); sit != w.end()) {
        if (!sit->is_array()) throw Fail{ww + ".sections: expected an array"};
        for (size_t k = 0; k < sit->size(); ++k) {
          const auto aw = at(ww, "sections", k);
          if (!(*sit)[k].is_string()) throw Fail{aw + ": expected a string"};
          const auto id = (*sit)[k].get<std::string>();
          auto sec = std::find_if(ev.sections.begin(), ev.sections.end(),
                                  [&](const Section& s) { return s.id == id; });
          if (sec == ev.sections.end()) throw Fail{aw + ": unknown section " + in_quotes(id)};
          for (SeatIndex s = sec->first_seat; s < sec->first_seat + sec->seat_count; ++s) {
            assign(s, aw);
          }
        }
      }
      if (auto sit = w.find("seats"); sit != w.end()) {
        if (!sit->is_array()) throw Fail{ww + ".seats: expected an array"};
        for (size_t k = 0; k < sit->size(); ++k) {
          const auto aw = at(ww, "seats", k);
          if (!(*sit)[k].is_string()) throw Fail{aw + ": expected a string"};
          assign(seat_at((*sit)[k].get<std::string>(), aw), aw);
        }
      }
      ev.waves.push_back(std::move(wave));
    }
  }
  ev.all_on_sale_at_ms = ev.on_sale_at_ms;
  for (const Wave& w : ev.waves)
    ev.all_on_sale_at_ms = std::max(ev.all_on_sale_at_ms, w.opens_at_ms);
  for (Section& sec : ev.sections) {
    for (SeatIndex s = sec.first_seat; s < sec.first_seat + sec.seat_count; ++s) {
      const bool first = s == sec.first_seat;
      const int64_t price = ev.price_cents(s);
      sec.min_price_cents = first ? price : std::min(sec.min_price_cents, price);
      sec.max_price_cents = std::max(sec.max_price_cents, price);
      sec.opens_at_ms =
          first ? ev.seat_opens_at_ms(s) : std::min(sec.opens_at_ms, ev.seat_opens_at_ms(s));
    }
  }
  return ev;
}

Catalog parse_document(const Json& doc) {
  if (!doc.is_object()) throw Fail{"catalog: expected a JSON object"};
  const Json& version = field(doc, "catalog", "version");
  if (!version.is_number_integer() || version.get<int64_t>() != 1) {
    throw Fail{"catalog.version: unsupported version (expected 1)"};
  }
  std::map<std::string, Venue> venues;
  const Json& venue_list = array_field(doc, "catalog", "venues");
  for (size_t i = 0; i < venue_list.size(); ++i) {
    const auto w = at("catalog", "venues", i);
    if (!venue_list[i].is_object()) throw Fail{w + ": expected an object"};
    auto id = id_field(venue_list[i], w, "id");
    if (venues.count(id) != 0) throw Fail{w + ".id: duplicate venue " + in_quotes(id)};
    venues.emplace(std::move(id), parse_venue(venue_list[i], w));
  }
  Catalog catalog;
  const Json& events = array_field(doc, "catalog", "events");
  for (size_t i = 0; i < events.size(); ++i) {
    const auto w = at("catalog", "events", i);
    if (!events[i].is_object()) throw Fail{w + ": expected an object"};
    catalog.events.push_back(parse_event(events[i], w, venues));
  }
  for (uint32_t i = 0; i < catalog.events.size(); ++i) {
    const auto& id = catalog.events[i].id;
    if (!catalog.event_by_id.emplace(id, i).second) {
      throw Fail{at("catalog", "events", i) + ".id: duplicate event " + in_quotes(id)};
    }
  }
  return catalog;
}

}  // namespace

std::string Event::seat_label(SeatIndex s) const {
  const Seat& seat = seats[s];
  const std::string& section = sections[seat.section].id;
  const std::string& row = rows[seat.row].id;
  char number[10];  // seat numbers are at most 100,000
  const auto end = std::to_chars(number, number + sizeof number, seat.number).ptr;
  std::string label;
  label.reserve(section.size() + row.size() + 2 + static_cast<size_t>(end - number));
  label.append(section).append(1, '-').append(row).append(1, '-').append(number, end);
  return label;
}

std::optional<SeatIndex> Event::find_seat(std::string_view label) const {
  const auto dash = label.rfind('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view digits = label.substr(dash + 1);
  const auto number = parse_decimal<uint32_t>(digits);
  if (!number || digits.front() == '0') return std::nullopt;
  const auto row = row_by_label.find(label.substr(0, dash));
  if (row == row_by_label.end()) return std::nullopt;
  // A row's seats are contiguous and in increasing number order.
  const Row& r = rows[row->second];
  const auto first = seats.begin() + r.first_seat;
  const auto last = first + r.seat_count;
  const auto it = std::lower_bound(first, last, *number,
                                   [](const Seat& s, uint32_t n) { return s.number < n; });
  if (it == last || it->number != *number) return std::nullopt;
  return static_cast<SeatIndex>(it - seats.begin());
}

const Event* Catalog::find_event(std::string_view id) const {
  auto it = event_by_id.find(id);
  return it == event_by_id.end() ? nullptr : &events[it->second];
}

uint64_t Catalog::fingerprint() const {
  uint64_t h = kStableHashStart;
  for (const Event& e : events) {
    h = stable_hash(e.id + '\0' + std::to_string(e.seats.size()) + '\0', h);
  }
  return h;
}

Result<Catalog, std::string> parse_catalog(std::string_view json_text) {
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return unexpected(std::string("catalog: not valid JSON"));
  try {
    return parse_document(doc);
  } catch (const Fail& f) {
    return unexpected(f.message);
  }
}

Result<Catalog, std::string> load_catalog_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected("cannot open catalog file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto catalog = parse_catalog(buffer.str());
  if (!catalog) return unexpected(path + ": " + catalog.error());
  return catalog;
}

Result<int64_t, std::string> parse_utc_time_ms(std::string_view iso) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > iso.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return false;
      out = out * 10 + (iso[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const bool shape = iso.size() >= 20 && digits(0, 4, y) && iso[4] == '-' && digits(5, 2, mo) &&
                     iso[7] == '-' && digits(8, 2, d) && iso[10] == 'T' && digits(11, 2, h) &&
                     iso[13] == ':' && digits(14, 2, mi) && iso[16] == ':' && digits(17, 2, s);
  const std::string bad = "bad time " + in_quotes(iso) + " (expected YYYY-MM-DDTHH:MM:SSZ, UTC)";
  if (!shape) return unexpected(bad);
  size_t pos = 19;
  int ms = 0;
  if (iso[pos] == '.') {
    size_t n = 0;
    while (pos + 1 + n < iso.size() && iso[pos + 1 + n] >= '0' && iso[pos + 1 + n] <= '9') {
      if (n < 3) ms = ms * 10 + (iso[pos + 1 + n] - '0');
      ++n;
    }
    if (n == 0) return unexpected(bad);
    for (size_t k = n; k < 3; ++k) ms *= 10;
    pos += 1 + n;
  }
  if (pos + 1 != iso.size() || iso[pos] != 'Z') return unexpected(bad);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && leap) || h > 23 ||
      mi > 59 || s > 59) {
    return unexpected(bad);
  }
  // Days from civil (Howard Hinnant's algorithm).
  const int yy = y - (mo <= 2);
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60'000LL + s * 1000LL + ms;
}

std::string format_utc_time_ms(int64_t ms) {
  const int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const int64_t rem = secs - days * 86400;
  // Civil from days (Howard Hinnant's algorithm).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  if (y < 0 || y > 9999) {  // outside any catalog's dates; printf's padding rules apply
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(ms - secs * 1000));
    return buf;
  }
  // Answers carry several of these: the digits are written in place, without printf.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t end, int64_t v) {  // v's digits, right-aligned to end
    for (size_t i = end; v > 0; v /= 10) out[--i] = static_cast<char>('0' + v % 10);
  };
  put(4, y);
  put(7, m);
  put(10, d);
  put(13, rem / 3600);
  put(16, rem / 60 % 60);
  put(19, rem % 60);
  put(23, ms - secs * 1000);
  return out;
}

}  // namespace boxoffice::booking
