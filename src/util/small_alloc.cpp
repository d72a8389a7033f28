#include "erdtree/util/small_alloc.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "erdtree/util/alloc_counter.h"

#if defined(__SANITIZE_ADDRESS__)
#define ERDTREE_SMALL_ALLOC_ASAN 1
#include <sanitizer/asan_interface.h>
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ERDTREE_SMALL_ALLOC_ASAN 1
#include <sanitizer/asan_interface.h>
#endif
#endif

namespace erdtree::util {
namespace {

constexpr size_t kGranule = 8;
constexpr size_t kClasses = kMaxSmallBytes / kGranule;
constexpr size_t kHeaderBytes = 64;
constexpr size_t kArenaBytes = size_t{32} << 20;

struct Page {
  Page* prev;
  Page* next;
  void* freeList;      // freed slots, linked through their first 8 bytes
  uint32_t live;       // slots handed out and not freed
  uint32_t bump;       // slots [0, bump) were handed out at least once
  uint32_t capacity;
  uint32_t slotSize;
  uint32_t cls;
};
static_assert(sizeof(Page) <= kHeaderBytes);

struct SizeClass {
  Page* head = nullptr;  // pages with a free slot; allocation takes the first
  Page* tail = nullptr;
};

void poison(void* p, size_t n) {
#ifdef ERDTREE_SMALL_ALLOC_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#else
  (void)p;
  (void)n;
#endif
}

void unpoison(void* p, size_t n) {
#ifdef ERDTREE_SMALL_ALLOC_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p;
  (void)n;
#endif
}

size_t classOf(size_t n) { return (n - 1) / kGranule; }
size_t slotOf(size_t n) { return (n + kGranule - 1) & ~(kGranule - 1); }

Page* pageOf(const void* p) {
  return reinterpret_cast<Page*>(reinterpret_cast<uintptr_t>(p) & ~(uintptr_t{kSmallPageBytes} - 1));
}

class SmallAllocator {
 public:
  void* allocate(size_t n) {
    SizeClass& c = classes_[classOf(n)];
    Page* page = c.head;
    if (page == nullptr) {
      // Blocks other threads freed may refill this class before a new page.
      if (backlog_ != nullptr || remoteHead_.load(std::memory_order_relaxed) != nullptr) {
        reclaimRemote(kReclaimOnMiss);
        page = c.head;
      }
      if (page == nullptr) page = newPage(c, classOf(n));
    }
    void* slot;
    if (page->freeList != nullptr) {
      slot = page->freeList;
      unpoison(slot, page->slotSize);
      page->freeList = *static_cast<void**>(slot);
    } else {
      slot = reinterpret_cast<char*>(page) + kHeaderBytes + size_t{page->bump} * page->slotSize;
      unpoison(slot, page->slotSize);
      ++page->bump;
    }
    if (++page->live == page->capacity) unlink(c, page);
    ++liveBlocks_;
    liveBytes_ += page->slotSize;
    countMapped(static_cast<int64_t>(page->slotSize));
    return slot;
  }

  void release(void* slot) {
    Page* page = pageOf(slot);
    countMapped(-static_cast<int64_t>(page->slotSize));
    putBack(page, slot);
  }

  void releaseRemote(void* slot, size_t n) {
    countMapped(-static_cast<int64_t>(slotOf(n)));
    remotePending_.fetch_add(1, std::memory_order_relaxed);
    void* head = remoteHead_.load(std::memory_order_relaxed);
    do {
      *static_cast<void**>(slot) = head;
    } while (!remoteHead_.compare_exchange_weak(head, slot, std::memory_order_release, std::memory_order_relaxed));
  }

  bool reclaimRemote(size_t budget) {
    if (backlog_ == nullptr) backlog_ = remoteHead_.exchange(nullptr, std::memory_order_acquire);
    size_t done = 0;
    while (done < budget && backlog_ != nullptr) {
      void* slot = backlog_;
      backlog_ = *static_cast<void**>(slot);  // read before putBack reuses the link
      putBack(pageOf(slot), slot);
      ++done;
    }
    remotePending_.fetch_sub(done, std::memory_order_relaxed);
    return backlog_ != nullptr || remoteHead_.load(std::memory_order_relaxed) != nullptr;
  }

  SmallAllocStats stats() const {
    SmallAllocStats s;
    s.pages = pagesInUse_;
    s.freePages = freePages_.size();
    s.arenaBytes = arenaBytes_;
    s.liveBlocks = liveBlocks_;
    s.liveBytes = liveBytes_;
    s.remotePending = remotePending_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  static constexpr size_t kReclaimOnMiss = 4096;

  void putBack(Page* page, void* slot) {
    SizeClass& c = classes_[page->cls];
    *static_cast<void**>(slot) = page->freeList;
    page->freeList = slot;
    poison(slot, page->slotSize);
    --liveBlocks_;
    liveBytes_ -= page->slotSize;
    if (page->live-- == page->capacity) {
      linkTail(c, page);
    } else if (page->live == 0 && (c.head != page || page->next != nullptr)) {
      unlink(c, page);  // empty and not the class's last page
      freePage(page);
    }
  }

  Page* newPage(SizeClass& c, size_t cls) {
    Page* page = takePage();
    page->prev = page->next = nullptr;
    page->freeList = nullptr;
    page->live = 0;
    page->bump = 0;
    page->slotSize = static_cast<uint32_t>((cls + 1) * kGranule);
    page->capacity = static_cast<uint32_t>((kSmallPageBytes - kHeaderBytes) / page->slotSize);
    page->cls = static_cast<uint32_t>(cls);
    poison(reinterpret_cast<char*>(page) + kHeaderBytes, kSmallPageBytes - kHeaderBytes);
    linkTail(c, page);
    ++pagesInUse_;
    return page;
  }

  static void linkTail(SizeClass& c, Page* page) {
    page->prev = c.tail;
    page->next = nullptr;
    if (c.tail != nullptr) c.tail->next = page; else c.head = page;
    c.tail = page;
  }

  static void unlink(SizeClass& c, Page* page) {
    if (page->prev != nullptr) page->prev->next = page->next; else c.head = page->next;
    if (page->next != nullptr) page->next->prev = page->prev; else c.tail = page->prev;
    page->prev = page->next = nullptr;
  }

#ifdef ERDTREE_SMALL_ALLOC_ASAN
  // A heap block per page: LeakSanitizer scans it for the pointers entries hold.
  Page* takePage() {
    void* mem = std::aligned_alloc(kSmallPageBytes, kSmallPageBytes);
    if (mem == nullptr) throw std::bad_alloc();
    arenaBytes_ += kSmallPageBytes;
    return static_cast<Page*>(mem);
  }
  void freePage(Page* page) {
    unpoison(page, kSmallPageBytes);
    std::free(page);
    arenaBytes_ -= kSmallPageBytes;
    --pagesInUse_;
  }
#else
  Page* takePage() {
    if (!freePages_.empty()) {
      Page* page = freePages_.back();
      freePages_.pop_back();
      return page;
    }
    if (arenaNext_ == arenaEnd_) mapArena();
    Page* page = reinterpret_cast<Page*>(arenaNext_);
    arenaNext_ += kSmallPageBytes;
    return page;
  }
  void freePage(Page* page) {
    // The kernel takes the memory back; the address range stays ours.
    madvise(page, kSmallPageBytes, MADV_DONTNEED);
    freePages_.push_back(page);
    --pagesInUse_;
  }
  void mapArena() {
    // Over-map by one page to align the arena to the page size.
    size_t bytes = kArenaBytes + kSmallPageBytes;
    void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) throw std::bad_alloc();
    uintptr_t start = reinterpret_cast<uintptr_t>(mem);
    uintptr_t aligned = (start + kSmallPageBytes - 1) & ~(uintptr_t{kSmallPageBytes} - 1);
    if (aligned > start) munmap(mem, aligned - start);
    uintptr_t end = aligned + kArenaBytes;
    uintptr_t mappedEnd = start + bytes;
    if (mappedEnd > end) munmap(reinterpret_cast<void*>(end), mappedEnd - end);
    arenaNext_ = reinterpret_cast<char*>(aligned);
    arenaEnd_ = reinterpret_cast<char*>(end);
    arenaBytes_ += kArenaBytes;
  }
  char* arenaNext_ = nullptr;
  char* arenaEnd_ = nullptr;
#endif

  SizeClass classes_[kClasses];
  std::vector<Page*> freePages_;
  size_t pagesInUse_ = 0;
  size_t arenaBytes_ = 0;
  size_t liveBlocks_ = 0;
  size_t liveBytes_ = 0;
  std::atomic<void*> remoteHead_{nullptr};
  std::atomic<size_t> remotePending_{0};
  void* backlog_ = nullptr;  // a chain taken off remoteHead_, not yet put back
};

// Never destroyed: blocks may be freed during static destruction.
SmallAllocator& allocator() {
  static SmallAllocator* instance = new SmallAllocator();
  return *instance;
}

thread_local bool tRemoteFreeThread = false;

}  // namespace

size_t blockSize(const void* p, size_t n) {
  if (n <= kMaxSmallBytes) return slotOf(n);
  // glibc: an 8-byte header per chunk, chunks in 16-byte steps.
  return p != nullptr ? allocationSize(p) : ((n + 8 + 15) & ~size_t{15}) - 8;
}

void* allocBlock(size_t n) {
  if (n > kMaxSmallBytes) {
    void* p = countedMalloc(n);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  return allocator().allocate(n);
}

void freeBlock(void* p, size_t n) {
  if (n > kMaxSmallBytes) {
    countedFree(p);
  } else if (tRemoteFreeThread) {
    allocator().releaseRemote(p, n);
  } else {
    allocator().release(p);
  }
}

void* resizeBlock(void* p, size_t oldN, size_t newN) {
  if (oldN > kMaxSmallBytes && newN > kMaxSmallBytes) {
    void* q = countedRealloc(p, newN);
    if (q == nullptr) throw std::bad_alloc();
    return q;
  }
  if (oldN <= kMaxSmallBytes && newN <= kMaxSmallBytes && slotOf(oldN) == slotOf(newN)) return p;
  void* q = allocBlock(newN);
  std::memcpy(q, p, oldN < newN ? oldN : newN);
  freeBlock(p, oldN);
  return q;
}

void markRemoteFreeThread() { tRemoteFreeThread = true; }

bool reclaimRemoteFrees(size_t budget) { return allocator().reclaimRemote(budget); }

SmallAllocStats smallAllocStats() { return allocator().stats(); }

}  // namespace erdtree::util
