#pragma once
// Used memory as eviction reads it: the one place maxmemory looks at how much
// the process holds. It is util::usedMemory(), the allocation counter kept
// by operator new/delete and the counted C allocator (util/alloc_counter.h),
// so reading it is one atomic load and eviction measures what each delete
// freed. kUsedMemoryIsCheap says so; were the source ever expensive again
// (it was mallinfo2, which walks every free chunk: ~250 ms with a million of
// them), flipping it makes UsedMemoryCache read once per event-loop iteration
// (and not again before ten times the read's duration) and eviction estimate
// what it frees meanwhile.
#include <cstdint>

#include "erdtree/util/alloc_counter.h"
#include "erdtree/util/clock.h"

namespace erdtree::engine {

// Bytes allocated by the process (Redis's used_memory).
inline uint64_t usedMemory() { return util::usedMemory(); }
inline constexpr bool kUsedMemoryIsCheap = true;

// usedMemory() for the eviction loop. When the source is cheap every get()
// reads it; otherwise see the header comment: refresh() marks the value stale
// (the server calls it once per loop iteration) and noteFreed() lowers it by
// what a caller knows it released meanwhile.
class UsedMemoryCache {
 public:
  static constexpr int64_t kSpacingFactor = 10;

  uint64_t get() {
    if constexpr (kUsedMemoryIsCheap) {
      return usedMemory();
    } else {
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
