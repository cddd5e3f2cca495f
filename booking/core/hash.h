// Hashes for the core's in-memory tables and for what snapshots store, and removal from those
// tables.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

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

// Removal from an open-addressing table with linear probing (a power-of-two size): empties slot
// i by backward shift, moving up the later entries of its run that may not sit before their
// home, so lookups never need tombstones. Slot{} is the empty slot.
template <class Slot, class IsEmpty, class HomeOf>
void erase_slot(std::vector<Slot>& slots, size_t i, IsEmpty is_empty, HomeOf home_of) {
  const size_t mask = slots.size() - 1;
  for (size_t j = (i + 1) & mask; !is_empty(slots[j]); j = (j + 1) & mask) {
    if (((j - home_of(slots[j])) & mask) >= ((j - i) & mask)) {
      slots[i] = slots[j];
      i = j;
    }
  }
  slots[i] = Slot{};
}

}  // namespace boxoffice::booking
