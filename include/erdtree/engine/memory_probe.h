#pragma once
// Used memory: the one place Erdtree reads how much the process holds. INFO,
// maxmemory eviction and the RDB's used-mem aux field all ask here, so the
// way it is measured can change in one function.
//
// Today the body asks glibc (mallinfo2), which walks the allocator's free
// lists: too slow to call per key. kUsedMemoryIsCheap says so, and callers
// then read it once per event-loop iteration (UsedMemoryCache) and estimate
// what they free in between. A counter kept by operator new/delete would make
// it cheap and exact; flip the constant with the body.
#include <cstdint>

namespace erdtree::engine {

// Bytes allocated by the process (Redis's used_memory).
uint64_t usedMemory();
inline constexpr bool kUsedMemoryIsCheap = false;

// Resident set size from /proc (used_memory_rss).
uint64_t residentMemory();

// usedMemory() read at most once per event-loop iteration: refresh() marks
// the value stale (the server calls it before each iteration's work), and
// noteFreed() lowers it by what a caller knows it released meanwhile.
class UsedMemoryCache {
 public:
  uint64_t get() {
    if (stale_ || kUsedMemoryIsCheap) {
      value_ = usedMemory();
      stale_ = false;
    }
    return value_;
  }
  void refresh() { stale_ = true; }
  void noteFreed(uint64_t bytes) {
    if (!kUsedMemoryIsCheap) value_ = value_ > bytes ? value_ - bytes : 0;
  }

 private:
  uint64_t value_ = 0;
  bool stale_ = true;
};

}  // namespace erdtree::engine
