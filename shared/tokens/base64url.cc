#include "shared/tokens/base64url.h"

#include <array>
#include <cstdint>

namespace boxoffice::tokens {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr std::array<int8_t, 256> kDecode = make_decode_table();

}  // namespace

void base64url_append(std::string& out, std::string_view bytes) {
  // Sized once and written through a pointer: the gate signs a token on every join.
  const size_t from = out.size();
  out.resize(from + (bytes.size() * 4 + 2) / 3);
  char* p = out.data() + from;
  const auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return;
  const uint32_t v = (at(i) << 16) | (rest == 2 ? at(i + 1) << 8 : 0);
  *p++ = kAlphabet[(v >> 18) & 63];
  *p++ = kAlphabet[(v >> 12) & 63];
  if (rest == 2) *p = kAlphabet[(v >> 6) & 63];
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  base64url_append(out, bytes);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  const size_t tail = text.size() % 4;
  if (tail == 1) return std::nullopt;  // one leftover character carries < 8 bits
  // Sized once and written through a pointer, four characters to three bytes: every uncached
  // token is decoded on its way in.
  std::string out(text.size() / 4 * 3 + (tail == 0 ? 0 : tail - 1), '\0');
  char* p = out.data();
  const auto digit = [&](size_t k) -> int32_t {
    return kDecode[static_cast<unsigned char>(text[k])];
  };
  const auto byte = [](uint32_t v, int shift) { return static_cast<char>((v >> shift) & 0xff); };
  size_t i = 0;
  for (; i + 4 <= text.size(); i += 4) {
    const int32_t a = digit(i), b = digit(i + 1), c = digit(i + 2), d = digit(i + 3);
    if ((a | b | c | d) < 0) return std::nullopt;  // a character outside the alphabet is -1
    const auto v = static_cast<uint32_t>((a << 18) | (b << 12) | (c << 6) | d);
    *p++ = byte(v, 16);
    *p++ = byte(v, 8);
    *p++ = byte(v, 0);
  }
  if (tail == 0) return out;
  const int32_t a = digit(i), b = digit(i + 1), c = tail == 3 ? digit(i + 2) : 0;
  if ((a | b | c) < 0) return std::nullopt;
  // The last character's unused low bits: 4 of them after two characters, 2 after three.
  if ((tail == 2 ? b & 0x0f : c & 0x03) != 0) return std::nullopt;
  const auto v = static_cast<uint32_t>((a << 18) | (b << 12) | (c << 6));
  *p++ = byte(v, 16);
  if (tail == 3) *p = byte(v, 8);
  return out;
}

}  // namespace boxoffice::tokens
