// Hashes for the core's in-memory tables and for what snapshots store.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace boxoffice::booking {

// Fast and well mixed, for hash tables (a few cycles for a short id). Not stored anywhere.
inline uint64_t table_hash(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * 0xFF51AFD7ED558CCDULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

// FNV-1a: stable across builds and platforms, for values that snapshots keep. Pass the hash of
// what came before as `h` to hash several pieces as one byte sequence.
inline constexpr uint64_t kStableHashStart = 1469598103934665603ULL;
inline uint64_t stable_hash(std::string_view s, uint64_t h = kStableHashStart) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace boxoffice::booking
