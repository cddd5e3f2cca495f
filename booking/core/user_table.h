// The users of one event: interned ids with their ticket and waitlist counts. A user is kept
// while they hold, own or wait for something, and recycled after that, so memory follows the
// active fans, not everyone who ever tried.
//
// Entries live in fixed-size chunks (names never move, so views stay valid) as
// [len u8][live|tickets u8][waits u16][name bytes], padded to 8-byte units; a handle is the
// entry's unit number, 24 bits, so an index slot holds a handle and an 8-bit hash tag and a
// lookup touches one index line and one entry. Freed entries are reused by later names of the
// same size. Freeing is deferred to collect(), which the partition calls before each command:
// names in the decisions of the previous command stay readable until then.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boxoffice::booking {

class ByteReader;
class ByteWriter;

class UserTable {
 public:
  using Handle = uint32_t;
  static constexpr Handle kNone = 0xFFFFFFFF;
  static constexpr size_t kMaxNameBytes = 128;
  static constexpr uint32_t kMaxWaits = 0xFFFF;
  static constexpr size_t kUnitBytes = 8;
  static constexpr Handle kMaxHandle = (1u << 24) - 2;  // 128 MiB of names per event

  UserTable() = default;
  // A deep copy (Partition::clone): handles, free lists and pending frees are the same.
  UserTable(const UserTable& other);
  UserTable& operator=(const UserTable& other);  // reuses this table's chunks
  UserTable(UserTable&&) noexcept = default;
  UserTable& operator=(UserTable&&) noexcept = default;
  ~UserTable() = default;

  Handle find(std::string_view name) const;
  Handle intern(std::string_view name);  // find, or add with zero counts; kNone when full
  std::string_view name(Handle h) const;

  uint32_t tickets(Handle h) const { return entry(h)[1] & kTicketsMask; }
  uint32_t waits(Handle h) const { return entry(h)[2] | (entry(h)[3] << 8); }
  void add_tickets(Handle h, int delta);
  void add_waits(Handle h, int delta);

  // Frees the users left with nothing since the last call (and interned but never used).
  void collect();

  size_t size() const { return live_; }
  size_t bytes() const;

  // Entries in position order, live ones with their names; counts are not stored (the caller
  // derives them) but every live user must end up with a non-zero count.
  void serialize(ByteWriter& w) const;
  bool deserialize(ByteReader& r, std::string& error);
  // True if h is the handle of a live user (for validating restored references).
  bool is_live(Handle h) const;
  // After restore and recounting: queues users without tickets or waits for collect(), as
  // they were queued when the snapshot was taken.
  void queue_unreferenced();

 private:
  static constexpr size_t kChunkBytes = size_t{64} * 1024;
  static constexpr uint8_t kLiveFlag = 0x80;
  static constexpr uint8_t kTicketsMask = 0x7F;
  static constexpr size_t kHeaderBytes = 4;

  static constexpr size_t kChunkUnits = kChunkBytes / kUnitBytes;
  static constexpr size_t kMaxUnits = (kHeaderBytes + kMaxNameBytes + kUnitBytes - 1) / kUnitBytes;
  static size_t units(size_t len) { return (kHeaderBytes + len + kUnitBytes - 1) / kUnitBytes; }
  uint8_t* entry(Handle h) { return chunks_[h / kChunkUnits].get() + h % kChunkUnits * kUnitBytes; }
  const uint8_t* entry(Handle h) const {
    return chunks_[h / kChunkUnits].get() + h % kChunkUnits * kUnitBytes;
  }
  Handle place(size_t len);  // room for a new entry of this name length; kNone when full
  // An index slot: the handle + 1 in the low 24 bits, a tag from the name's hash above.
  static uint32_t slot_value(Handle h, uint64_t hash) {
    return (h + 1) | static_cast<uint32_t>(hash >> 56) << 24;
  }
  static Handle slot_handle(uint32_t v) { return (v & 0xFFFFFF) - 1; }
  void index_insert(Handle h);
  void index_erase(Handle h);
  void grow_index();
  void note_if_unused(Handle h);

  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  std::vector<uint32_t> chunk_used_;  // units used per chunk
  std::array<std::vector<Handle>, kMaxUnits + 1> free_by_units_;
  std::vector<uint32_t> index_;  // open addressing, linear probing; 0 = empty
  std::vector<Handle> unused_;   // candidates for collect()
  size_t live_ = 0;
};

}  // namespace boxoffice::booking
