#include "gateway/server/session_allocator.h"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace boxoffice::gateway::server {
namespace {

// In front of every block: its class and usable size. Sixteen bytes keep the block aligned as
// malloc's are.
struct alignas(16) BlockHeader {
  uint32_t size_class;
  size_t size;
};
static_assert(sizeof(BlockHeader) == 16);

constexpr uint32_t kUnpooled = std::numeric_limits<uint32_t>::max();

BlockHeader* header_of(void* p) { return static_cast<BlockHeader*>(p) - 1; }

size_t class_of(size_t size) { return size <= 16 ? 0 : std::bit_width(size - 1) - 4; }

void* new_block(uint32_t size_class, size_t size) {
  auto* h = static_cast<BlockHeader*>(std::malloc(sizeof(BlockHeader) + size));
  if (h == nullptr) return nullptr;
  h->size_class = size_class;
  h->size = size;
  return h + 1;
}

SessionAllocator* from(void* user_data) { return static_cast<SessionAllocator*>(user_data); }

}  // namespace

SessionAllocator::SessionAllocator()
    : mem_{this, [](size_t size, void* ud) { return from(ud)->allocate(size); },
           [](void* p, void* ud) { from(ud)->release(p); },
           [](size_t n, size_t size, void* ud) -> void* {
             if (size != 0 && n > std::numeric_limits<size_t>::max() / size) return nullptr;
             void* p = from(ud)->allocate(n * size);
             if (p != nullptr) std::memset(p, 0, n * size);
             return p;
           },
           [](void* p, size_t size, void* ud) { return from(ud)->reallocate(p, size); }} {}

SessionAllocator::~SessionAllocator() {
  for (FreeList& list : free_) {
    while (list.head != nullptr) {
      void* p = list.head;
      list.head = *static_cast<void**>(p);
      std::free(header_of(p));
    }
  }
}

void* SessionAllocator::allocate(size_t size) {
  if (size > kMaxPooledBytes) return new_block(kUnpooled, size);
  const size_t c = class_of(size);
  FreeList& list = free_[c];
  if (list.head == nullptr) return new_block(static_cast<uint32_t>(c), size_t{16} << c);
  void* p = list.head;
  list.head = *static_cast<void**>(p);
  --list.count;
  return p;
}

void SessionAllocator::release(void* p) {
  if (p == nullptr) return;
  BlockHeader* h = header_of(p);
  if (h->size_class == kUnpooled || free_[h->size_class].count >= kMaxFreePerClass) {
    std::free(h);
    return;
  }
  FreeList& list = free_[h->size_class];
  *static_cast<void**>(p) = list.head;
  list.head = p;
  ++list.count;
}

void* SessionAllocator::reallocate(void* p, size_t size) {
  if (p == nullptr) return allocate(size);
  const size_t old_size = header_of(p)->size;
  if (size <= old_size) return p;
  void* q = allocate(size);
  if (q == nullptr) return nullptr;  // p stays valid, as with realloc
  std::memcpy(q, p, old_size);
  release(p);
  return q;
}

}  // namespace boxoffice::gateway::server
