// Byte-level building blocks of the wire format and of snapshots: LEB128 varints (zigzag for
// signed values), fixed little-endian integers and length-prefixed strings. The reader never
// reads past its end: every getter reports failure instead.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace boxoffice::booking {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void svarint(int64_t v) {
    varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void fixed64(uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 8);
  }
  void str(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool at_end() const { return p_ == end_; }
  size_t offset_from(const char* base) const { return static_cast<size_t>(p_ - base); }

  bool u8(uint8_t& v) {
    if (p_ == end_) return false;
    v = static_cast<uint8_t>(*p_++);
    return true;
  }
  // Rejects overlong encodings (more than 10 bytes, or bits beyond 64).
  bool varint(uint64_t& v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const auto byte = static_cast<uint8_t>(*p_++);
      if (shift == 63 && byte > 1) return false;
      result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        v = result;
        return true;
      }
    }
    return false;
  }
  bool svarint(int64_t& v) {
    uint64_t u = 0;
    if (!varint(u)) return false;
    v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool fixed64(uint64_t& v) {
    if (remaining() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += 8;
    return true;
  }
  // A length-prefixed string of at most max_len bytes; the view points into the input.
  bool str(std::string_view& s, size_t max_len) {
    uint64_t n = 0;
    if (!varint(n) || n > max_len || n > remaining()) return false;
    s = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool raw(std::string_view& s, size_t n) {
    if (n > remaining()) return false;
    s = std::string_view(p_, n);
    p_ += n;
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace boxoffice::booking
