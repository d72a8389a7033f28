#pragma once
// used_memory, counted as Redis's zmalloc counts it: the sum of the usable
// sizes (malloc_usable_size) of the live heap allocations. Every global
// operator new/delete form is replaced (src/util/alloc_counter.cpp) and adds
// or subtracts the usable size of its block; the few places that call the C
// allocator directly (entries, collection nodes, buffers, libuv) go through
// countedMalloc & co. below, and the bucket arrays that are mmap()ed directly
// report their size with countMapped(). One relaxed atomic: reading it is a
// load, so the eviction check can run before every write command.
//
// Sanitizer builds keep the replacement: ASan's operator new is bypassed (so
// its new/delete mismatch reports are lost there) but its malloc still checks
// every access, and its malloc_usable_size reports the requested size, so the
// count stays meaningful in tests. See docs/memory.md.
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace erdtree::util {

namespace detail {
// Signed: a block freed by another library's free() after a counted
// allocation could make a transient negative; usedMemory() clamps.
inline std::atomic<int64_t> gUsedMemory{0};
}  // namespace detail

// Bytes currently allocated (O(1)).
inline size_t usedMemory() {
  const int64_t v = detail::gUsedMemory.load(std::memory_order_relaxed);
  return v > 0 ? static_cast<size_t>(v) : 0;
}

// The usable size of a block from the C allocator (0 for nullptr).
size_t allocationSize(const void* p);

// The C allocator, counted. Blocks from these must be released with
// countedFree/countedRealloc (and blocks from malloc with free).
void* countedMalloc(size_t n);
void* countedCalloc(size_t count, size_t n);
void* countedRealloc(void* p, size_t n);
void countedFree(void* p);

// Memory obtained outside malloc (mmap'ed arrays): +bytes when mapped,
// -bytes when unmapped.
inline void countMapped(int64_t bytes) { detail::gUsedMemory.fetch_add(bytes, std::memory_order_relaxed); }

// The highest usedMemory() seen by updatePeakMemory(), which the server calls
// from its cron and from INFO/MEMORY STATS (cheap: no work in the allocator).
size_t updatePeakMemory();
size_t peakMemory();
// CONFIG RESETSTAT: the peak restarts from the current figure.
void resetPeakMemory();

}  // namespace erdtree::util
