// A small append-only JSON writer. The booking API renders every body with it (seat maps of
// 80,000 seats are a few MB, and money must read as 45.10, not 4.51E1), and tokens their header
// and payload (the gate signs a waiting token on every join).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace boxoffice {

// Appends s as a JSON string literal (quotes included), escaping what JSON requires. Bytes that
// are not valid UTF-8 become U+FFFD, so any input yields valid JSON.
void append_json_string(std::string& out, std::string_view s);
// The same at `out`, which has room for max_json_string_bytes(s); returns the end. For bodies
// written through a cursor into a buffer sized up front.
char* write_json_string(char* out, std::string_view s);
// At most six bytes a byte (\u00XX; an invalid byte's U+FFFD takes three) and the quotes.
constexpr size_t max_json_string_bytes(std::string_view s) { return 6 * s.size() + 2; }

// Cents as a decimal number of whole units: 4500 -> 45, 4510 -> 45.10, -5 -> -0.05.
std::string money_units(int64_t cents);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& string(std::string_view v);
  JsonWriter& number(int64_t v);
  JsonWriter& unsigned_number(uint64_t v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // A number given in its JSON spelling (money_units()); the caller vouches for it.
  JsonWriter& raw_number(std::string_view v);
  // A complete JSON value given as text, e.g. a stored document; the caller vouches for it.
  JsonWriter& raw_value(std::string_view v);

  // key + value in one call.
  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, const char* v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, int64_t v) { return key(k).number(v); }
  JsonWriter& field(std::string_view k, uint64_t v) { return key(k).unsigned_number(v); }
  JsonWriter& field(std::string_view k, int v) { return key(k).number(v); }
  JsonWriter& field(std::string_view k, uint32_t v) { return key(k).unsigned_number(v); }
  JsonWriter& field(std::string_view k, bool v) { return key(k).boolean(v); }
  // "amount": 45.10 and "amount_cents": 4510 (the seed speaks whole units).
  JsonWriter& money(std::string_view k, int64_t cents);

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace boxoffice
