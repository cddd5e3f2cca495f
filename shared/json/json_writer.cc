#include "shared/json/json_writer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace boxoffice {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

// Bytes copied as they are: printable ASCII but '"' and '\\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (size_t c = 0x20; c < 0x80; ++c) t[c] = true;
  t['"'] = t['\\'] = false;
  return t;
}();

// Whether any of the eight bytes of `w` is not plain: the "has a byte less than n" and "has a
// zero byte" tests of Bit Twiddling Hacks (exact about whether any byte matches), and the high
// bit of every byte of a multi-byte UTF-8 sequence.
bool any_not_plain(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighs = 0x8080808080808080;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t hits = ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
                        ((backslash - kOnes) & ~backslash) | w;
  return (hits & kHighs) != 0;
}

// The end of the run of plain bytes from `i`: eight bytes a step, then one at a time.
size_t plain_run_end(std::string_view s, size_t i) {
  for (uint64_t w = 0; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    if (any_not_plain(w)) break;
  }
  while (i < s.size() && kPlain[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Signed or unsigned 64-bit: 20 digits and a sign at most.
template <class Integer>
void append_integer(std::string& out, Integer v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

char* write_json_string(char* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
  *out++ = '"';
  // Ids, tokens and digests are one plain run: copied as a whole, not a character at a time.
  size_t i = 0;
  while (i < s.size()) {
    const size_t run = plain_run_end(s, i);
    std::memcpy(out, s.data() + i, run - i);
    out += run - i;
    i = run;
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out = std::copy_n(kReplacement, 3, out);
        ++i;
      } else {
        out = std::copy_n(s.data() + i, n, out);
        i += n;
      }
      continue;
    }
    *out++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *out++ = static_cast<char>(c);
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\r':
        *out++ = 'r';
        break;
      case '\t':
        *out++ = 't';
        break;
      default:
        out = std::copy_n("u00", 3, out);
        *out++ = kHex[c >> 4];
        *out++ = kHex[c & 0xF];
    }
    ++i;
  }
  *out++ = '"';
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  const size_t size = out.size();
  out.resize(size + max_json_string_bytes(s));
  out.resize(write_json_string(out.data() + size, s) - out.data());
}

std::string money_units(int64_t cents) {
  const bool negative = cents < 0;
  // Work in unsigned so INT64_MIN has a magnitude.
  const uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(cents + 1)) + 1 : static_cast<uint64_t>(cents);
  std::string s = negative ? "-" : "";
  s += std::to_string(magnitude / 100);
  if (const uint64_t frac = magnitude % 100; frac != 0) {
    s += '.';
    s += static_cast<char>('0' + frac / 10);
    s += static_cast<char>('0' + frac % 10);
  }
  return s;
}

void JsonWriter::separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  append_json_string(out_, k);
  out_ += ':';
  need_comma_ = false;  // the value follows without a comma
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view v) {
  separate();
  append_json_string(out_, v);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t v) {
  separate();
  append_integer(out_, v);
  return *this;
}

JsonWriter& JsonWriter::unsigned_number(uint64_t v) {
  separate();
  append_integer(out_, v);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw_number(std::string_view v) {
  separate();
  out_ += v;
  return *this;
}

JsonWriter& JsonWriter::raw_value(std::string_view v) {
  separate();
  out_ += v;
  return *this;
}

JsonWriter& JsonWriter::money(std::string_view k, int64_t cents) {
  key(k).raw_number(money_units(cents));
  std::string cents_key(k);
  cents_key += "_cents";
  return key(cents_key).number(cents);
}

}  // namespace boxoffice
