#include "booking/core/user_table.h"

#include <algorithm>
#include <cstring>

#include "booking/core/bytes.h"
#include "booking/core/hash.h"

namespace boxoffice::booking {

UserTable::UserTable(const UserTable& other) { *this = other; }

UserTable& UserTable::operator=(const UserTable& other) {
  if (this == &other) return *this;
  chunk_used_ = other.chunk_used_;
  free_by_units_ = other.free_by_units_;
  index_ = other.index_;
  unused_ = other.unused_;
  live_ = other.live_;
  chunks_.resize(other.chunks_.size());
  for (size_t i = 0; i < chunks_.size(); ++i) {
    if (!chunks_[i]) chunks_[i] = std::make_unique_for_overwrite<uint8_t[]>(kChunkBytes);
    std::memcpy(chunks_[i].get(), other.chunks_[i].get(), kChunkBytes);
  }
  return *this;
}

std::string_view UserTable::name(Handle h) const {
  const uint8_t* e = entry(h);
  return {reinterpret_cast<const char*>(e + kHeaderBytes), e[0]};
}

UserTable::Handle UserTable::find(std::string_view name) const {
  if (index_.empty()) return kNone;
  const size_t mask = index_.size() - 1;
  const uint64_t hash = table_hash(name);
  const uint32_t tag = static_cast<uint32_t>(hash >> 56) << 24;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t v = index_[i];
    if (v == 0) return kNone;
    if ((v & 0xFF000000) == tag && this->name(slot_handle(v)) == name) return slot_handle(v);
  }
}

UserTable::Handle UserTable::place(size_t len) {
  const size_t need = units(len);
  auto& reusable = free_by_units_[need];
  if (!reusable.empty()) {
    const Handle h = reusable.back();
    reusable.pop_back();
    return h;
  }
  if (chunks_.empty() || chunk_used_.back() + need > kChunkUnits) {
    if (chunks_.size() * kChunkUnits + need > kMaxHandle) return kNone;
    chunks_.push_back(std::make_unique<uint8_t[]>(kChunkBytes));
    chunk_used_.push_back(0);
  }
  const auto h = static_cast<Handle>((chunks_.size() - 1) * kChunkUnits + chunk_used_.back());
  chunk_used_.back() += static_cast<uint32_t>(need);
  return h;
}

UserTable::Handle UserTable::intern(std::string_view name) {
  if (const Handle found = find(name); found != kNone) return found;
  const Handle h = place(name.size());
  if (h == kNone) return kNone;
  uint8_t* e = entry(h);
  e[0] = static_cast<uint8_t>(name.size());
  e[1] = kLiveFlag;
  e[2] = e[3] = 0;
  std::memcpy(e + kHeaderBytes, name.data(), name.size());
  if ((live_ + 1) * 4 > index_.size() * 3) grow_index();
  index_insert(h);
  ++live_;
  unused_.push_back(h);  // a caller that interns is about to give it something
  return h;
}

void UserTable::add_tickets(Handle h, int delta) {
  uint8_t* e = entry(h);
  e[1] = static_cast<uint8_t>(kLiveFlag | ((e[1] & kTicketsMask) + delta));
  note_if_unused(h);
}

void UserTable::add_waits(Handle h, int delta) {
  const auto w = static_cast<uint32_t>(static_cast<int>(waits(h)) + delta);
  uint8_t* e = entry(h);
  e[2] = static_cast<uint8_t>(w);
  e[3] = static_cast<uint8_t>(w >> 8);
  note_if_unused(h);
}

void UserTable::note_if_unused(Handle h) {
  if (tickets(h) == 0 && waits(h) == 0) unused_.push_back(h);
}

void UserTable::collect() {
  if (unused_.empty()) return;
  // In handle order, so the free lists (and later handles) depend only on the state, not on
  // how it was reached: a restored table must continue exactly as the original.
  std::sort(unused_.begin(), unused_.end());
  unused_.erase(std::unique(unused_.begin(), unused_.end()), unused_.end());
  for (const Handle h : unused_) {
    uint8_t* e = entry(h);
    if ((e[1] & kLiveFlag) == 0 || tickets(h) != 0 || waits(h) != 0) continue;
    index_erase(h);
    e[1] = 0;  // the name bytes stay until the entry is reused
    free_by_units_[units(e[0])].push_back(h);
    --live_;
  }
  unused_.clear();
}

void UserTable::index_insert(Handle h) {
  const size_t mask = index_.size() - 1;
  const uint64_t hash = table_hash(name(h));
  size_t i = hash & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = slot_value(h, hash);
}

void UserTable::index_erase(Handle h) {
  const size_t mask = index_.size() - 1;
  size_t i = table_hash(name(h)) & mask;
  while (index_[i] == 0 || slot_handle(index_[i]) != h) i = (i + 1) & mask;
  erase_slot(
      index_, i, [](uint32_t v) { return v == 0; },
      [this, mask](uint32_t v) { return table_hash(name(slot_handle(v))) & mask; });
}

void UserTable::grow_index() {
  std::vector<uint32_t> old = std::move(index_);
  index_.assign(old.empty() ? 64 : old.size() * 2, 0);
  for (const uint32_t v : old) {
    if (v != 0) index_insert(slot_handle(v));
  }
}

size_t UserTable::bytes() const {
  size_t free_slots = 0;
  for (const auto& f : free_by_units_) free_slots += f.capacity();
  return sizeof(*this) + chunks_.size() * kChunkBytes + chunks_.capacity() * sizeof(chunks_[0]) +
         chunk_used_.capacity() * sizeof(uint32_t) + free_slots * sizeof(Handle) +
         index_.capacity() * sizeof(uint32_t) + unused_.capacity() * sizeof(Handle);
}

bool UserTable::is_live(Handle h) const {
  if (h == kNone || h / kChunkUnits >= chunks_.size()) return false;
  const size_t used = chunk_used_[h / kChunkUnits];
  const size_t at = h % kChunkUnits;
  if (at >= used) return false;
  const uint8_t* e = entry(h);
  if ((e[1] & kLiveFlag) == 0 || at + units(e[0]) > used) return false;
  return find(name(h)) == h;  // only entry starts are indexed
}

void UserTable::queue_unreferenced() {
  for (const uint32_t v : index_) {
    if (v != 0) note_if_unused(slot_handle(v));
  }
}

// Format: chunk count; per chunk: units used, then its entries in order, each as u8 kind
// (1 live, 0 free) and the name (live) or the units (free); then per size with free entries:
// units, count, handles in stack order; then 0.
void UserTable::serialize(ByteWriter& w) const {
  w.varint(chunks_.size());
  for (size_t c = 0; c < chunks_.size(); ++c) {
    w.varint(chunk_used_[c]);
    for (size_t at = 0; at < chunk_used_[c];) {
      const auto h = static_cast<Handle>(c * kChunkUnits + at);
      const uint8_t* e = entry(h);
      const bool live = (e[1] & kLiveFlag) != 0;
      w.u8(live ? 1 : 0);
      if (live) {
        w.str(name(h));
      } else {
        w.varint(units(e[0]));
      }
      at += units(e[0]);
    }
  }
  for (size_t size = 1; size <= kMaxUnits; ++size) {
    if (free_by_units_[size].empty()) continue;
    w.varint(size);
    w.varint(free_by_units_[size].size());
    for (const Handle h : free_by_units_[size]) w.varint(h);
  }
  w.varint(0);
}

bool UserTable::deserialize(ByteReader& r, std::string& error) {
  auto fail = [&error](const char* what) {
    error = what;
    return false;
  };
  uint64_t chunk_count = 0;
  if (!r.varint(chunk_count) || chunk_count > r.remaining() ||
      chunk_count * kChunkUnits > kMaxHandle + kChunkUnits) {
    return fail("bad user chunk count");
  }
  std::vector<bool> free_entry;  // by handle, to check the free lists
  for (uint64_t c = 0; c < chunk_count; ++c) {
    uint64_t used = 0;
    if (!r.varint(used) || used > kChunkUnits) return fail("bad user chunk size");
    chunks_.push_back(std::make_unique<uint8_t[]>(kChunkBytes));
    chunk_used_.push_back(static_cast<uint32_t>(used));
    free_entry.resize((c + 1) * kChunkUnits, false);
    for (size_t at = 0; at < used;) {
      uint8_t kind = 0;
      std::string_view n;
      uint64_t size = 0;
      if (!r.u8(kind) || kind > 1) return fail("bad user entry");
      if (kind == 1) {
        if (!r.str(n, kMaxNameBytes) || n.empty()) return fail("bad user name");
        size = units(n.size());
      } else if (!r.varint(size) || size == 0 || size > kMaxUnits) {
        return fail("bad free user entry");
      }
      if (at + size > used) return fail("user entry overruns its chunk");
      const auto h = static_cast<Handle>(c * kChunkUnits + at);
      uint8_t* e = entry(h);
      if (kind == 1) {
        if (find(n) != kNone) return fail("duplicate user");
        e[0] = static_cast<uint8_t>(n.size());
        e[1] = kLiveFlag;
        std::memcpy(e + kHeaderBytes, n.data(), n.size());
        if ((live_ + 1) * 4 > index_.size() * 3) grow_index();
        index_insert(h);
        ++live_;
      } else {
        // A free entry keeps only its size: the longest name that fits it.
        e[0] = static_cast<uint8_t>(std::min(size * kUnitBytes - kHeaderBytes, kMaxNameBytes));
        free_entry[h] = true;
      }
      at += size;
    }
  }
  for (uint64_t previous = 0;;) {
    uint64_t size = 0;
    uint64_t count = 0;
    if (!r.varint(size)) return fail("bad user free list");
    if (size == 0) break;
    if (size <= previous || size > kMaxUnits || !r.varint(count) || count > r.remaining()) {
      return fail("bad user free list");
    }
    previous = size;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t h = 0;
      if (!r.varint(h) || h >= free_entry.size() || !free_entry[h] ||
          units(entry(static_cast<Handle>(h))[0]) != size) {
        return fail("bad user free list entry");
      }
      free_entry[h] = false;  // on one list, once
      free_by_units_[size].push_back(static_cast<Handle>(h));
    }
  }
  for (const bool orphan : free_entry) {
    if (orphan) return fail("free user entry off its free list");
  }
  return true;
}

}  // namespace boxoffice::booking
