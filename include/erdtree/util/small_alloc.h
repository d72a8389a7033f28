#pragma once
// Size-class slab allocator for the engine's millions of small blocks
// (keyspace entries), so that a 26-byte entry costs 32 bytes instead of the
// 48 of a glibc chunk (8-byte header, 16-byte rounding).
//
// Blocks of up to kMaxSmallBytes are rounded up to a multiple of 8 and taken
// from 64 KiB pages that hold one size class each; a page's header (its
// first 64 bytes) has the class, the live count and the page's free list, and
// a block finds its page by masking its address. No per-block header: the
// caller passes the block's size back when freeing it (every engine block
// knows its own length), which is why this is not a malloc replacement.
// Larger blocks go to the counted C allocator (countedMalloc & co.).
//
// Pages. A class allocates from the first page of its list of pages with
// free slots (bump allocation in a fresh page, then freed slots); a page that
// fills leaves the list, a page that gets a slot back rejoins it at the end.
// A page whose last block is freed goes back to a pool of free pages, its
// memory returned to the kernel (madvise DONTNEED), unless it is its class's
// only page. Pages are carved from 32 MiB mmap'ed arenas, never unmapped.
//
// Accounting. used_memory counts the slot size of each live block (as Redis
// counts a jemalloc size class); the unused slots of partly filled pages are
// fragmentation (RSS / used_memory), as with any allocator.
//
// Threads. Allocation and freeing happen on the event loop thread, except
// that the lazy-free thread frees entries: a thread that calls
// markRemoteFreeThread() pushes its frees onto a lock-free stack (and takes
// them off used_memory at once); the loop thread puts them back into their
// pages in bounded slices (reclaimRemoteFrees, from the cron and whenever a
// class runs out of pages). Everything else is unsynchronised, by design.
//
// Sanitizer builds (ERDTREE_SANITIZE) take each page from aligned_alloc, so
// LeakSanitizer scans entries for the pointers they hold, and poison free
// slots, so AddressSanitizer still reports a use after free.
#include <cstddef>
#include <cstdint>

namespace erdtree::util {

constexpr size_t kMaxSmallBytes = 256;
constexpr size_t kSmallPageBytes = size_t{64} << 10;

// The bytes a block of n bytes really takes: its slot, or for a large block
// malloc's usable size of p (glibc's rounding of n when p is null).
size_t blockSize(const void* p, size_t n);

// n >= 1. Throws std::bad_alloc when out of memory.
void* allocBlock(size_t n);
// p was returned by allocBlock/resizeBlock for a block of n bytes.
void freeBlock(void* p, size_t n);
// The block p of oldN bytes as a block of newN bytes, keeping the first
// min(oldN, newN) bytes; in place when both sizes share a slot.
void* resizeBlock(void* p, size_t oldN, size_t newN);

// For the lazy-free thread, once, before it frees anything.
void markRemoteFreeThread();
// Loop thread: puts back up to `budget` blocks freed by other threads.
// Returns true while some remain.
bool reclaimRemoteFrees(size_t budget);

struct SmallAllocStats {
  size_t pages = 0;          // pages holding blocks (or kept as a class's last)
  size_t freePages = 0;      // pages in the pool, returned to the kernel
  size_t arenaBytes = 0;     // address space reserved for pages
  size_t liveBlocks = 0;
  size_t liveBytes = 0;      // sum of slot sizes of live blocks
  size_t remotePending = 0;  // freed by another thread, not yet reclaimed
};
SmallAllocStats smallAllocStats();

}  // namespace erdtree::util
