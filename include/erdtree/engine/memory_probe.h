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

#include "erdtree/util/clock.h"

namespace erdtree::engine {

// Bytes allocated by the process (Redis's used_memory).
uint64_t usedMemory();
inline constexpr bool kUsedMemoryIsCheap = false;

// Resident set size from /proc (used_memory_rss).
uint64_t residentMemory();

// usedMemory() read at most once per event-loop iteration: refresh() marks
// the value stale (the server calls it before each iteration's work), and
// noteFreed() lowers it by what a caller knows it released meanwhile. A read
// that took d microseconds is not repeated before 10 * d have passed, so the
// probe costs at most about a tenth of the loop's time: mallinfo2 walks every
// free chunk, and a heap fragmented by evictions can hold millions (measured
// ~250 ms with 1M free chunks).
class UsedMemoryCache {
 public:
  static constexpr int64_t kSpacingFactor = 10;

  uint64_t get() {
    if (kUsedMemoryIsCheap) return usedMemory();
    if (stale_) {
      const int64_t start = util::monotonicUs();
      if (start >= nextReadUs_) {
        value_ = usedMemory();
        const int64_t end = util::monotonicUs();
        nextReadUs_ = end + kSpacingFactor * (end - start);
        stale_ = false;
      }
    }
    return value_;
  }
  void refresh() { stale_ = true; }
  void noteFreed(uint64_t bytes) {
    if (!kUsedMemoryIsCheap) value_ = value_ > bytes ? value_ - bytes : 0;
  }

 private:
  uint64_t value_ = 0;
  int64_t nextReadUs_ = 0;
  bool stale_ = true;
};

}  // namespace erdtree::engine
