// The allocator of one worker thread's nghttp2 sessions. nghttp2 allocates and frees a handful of
// small objects per request (the stream, its frames, copies of headers); with a thousand streams
// in flight glibc's per-thread cache overflows and most frees take its slow path. Here each
// size class keeps a free list of its own, capped, in front of malloc.
#pragma once

#include <nghttp2/nghttp2.h>

#include <array>
#include <cstddef>

namespace boxoffice::gateway::server {

class SessionAllocator {
 public:
  // Blocks of up to kMaxPooledBytes come from the size classes; larger ones from malloc.
  static constexpr size_t kMaxPooledBytes = 2048;
  // Blocks a class keeps for reuse; beyond that they go back to malloc.
  static constexpr size_t kMaxFreePerClass = 2048;

  SessionAllocator();
  ~SessionAllocator();
  SessionAllocator(const SessionAllocator&) = delete;
  SessionAllocator& operator=(const SessionAllocator&) = delete;

  // For nghttp2_session_server_new3. Only for sessions on the thread that owns this allocator.
  nghttp2_mem* mem() { return &mem_; }

  void* allocate(size_t size);
  void release(void* p);
  void* reallocate(void* p, size_t size);

 private:
  static constexpr size_t kClasses = 8;  // 16 B .. 2 KiB, powers of two

  // A free block holds the link to the next one of its class.
  struct FreeList {
    void* head = nullptr;
    size_t count = 0;
  };

  std::array<FreeList, kClasses> free_;
  nghttp2_mem mem_;
};

}  // namespace boxoffice::gateway::server
