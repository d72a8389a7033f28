// The allocation counter behind used_memory (see alloc_counter.h). The global
// operator new/delete forms live here so the linker pulls them in with
// usedMemory(): a program linking erdtree_core counts every C++ allocation,
// including those made inside libstdc++, spdlog and toml11.
#include "erdtree/util/alloc_counter.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace erdtree::util {
namespace {

std::atomic<size_t> gPeak{0};

inline void add(void* p) {
  if (p != nullptr)
    detail::gUsedMemory.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}
inline void sub(void* p) {
  if (p != nullptr)
    detail::gUsedMemory.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}

// operator new's contract: retry through the new-handler, else throw.
void* newOrThrow(size_t n) {
  if (n == 0) n = 1;
  for (;;) {
    void* p = std::malloc(n);
    if (p != nullptr) {
      add(p);
      return p;
    }
    std::new_handler h = std::get_new_handler();
    if (h == nullptr) throw std::bad_alloc();
    h();
  }
}

void* alignedNewOrThrow(size_t n, std::align_val_t al) {
  size_t align = static_cast<size_t>(al);
  if (align < sizeof(void*)) align = sizeof(void*);
  if (n == 0) n = 1;
  for (;;) {
    void* p = nullptr;
    if (posix_memalign(&p, align, n) == 0) {
      add(p);
      return p;
    }
    std::new_handler h = std::get_new_handler();
    if (h == nullptr) throw std::bad_alloc();
    h();
  }
}

inline void release(void* p) {
  sub(p);
  std::free(p);
}

}  // namespace

size_t allocationSize(const void* p) { return p ? malloc_usable_size(const_cast<void*>(p)) : 0; }

void* countedMalloc(size_t n) {
  void* p = std::malloc(n);
  add(p);
  return p;
}

void* countedCalloc(size_t count, size_t n) {
  void* p = std::calloc(count, n);
  add(p);
  return p;
}

void* countedRealloc(void* p, size_t n) {
  const size_t before = allocationSize(p);
  void* q = std::realloc(p, n);
  // A failed realloc leaves p as it was; realloc(p, 0) may free p.
  if (q == nullptr && n != 0) return nullptr;
  detail::gUsedMemory.fetch_add(static_cast<int64_t>(allocationSize(q)) - static_cast<int64_t>(before),
                                std::memory_order_relaxed);
  return q;
}

void countedFree(void* p) { release(p); }

size_t updatePeakMemory() {
  const size_t now = usedMemory();
  size_t peak = gPeak.load(std::memory_order_relaxed);
  while (now > peak && !gPeak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  return now > peak ? now : peak;
}

size_t peakMemory() { return gPeak.load(std::memory_order_relaxed); }

void resetPeakMemory() { gPeak.store(usedMemory(), std::memory_order_relaxed); }

}  // namespace erdtree::util

using erdtree::util::countedFree;

void* operator new(size_t n) { return erdtree::util::newOrThrow(n); }
void* operator new[](size_t n) { return erdtree::util::newOrThrow(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return erdtree::util::newOrThrow(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return erdtree::util::newOrThrow(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t al) { return erdtree::util::alignedNewOrThrow(n, al); }
void* operator new[](size_t n, std::align_val_t al) { return erdtree::util::alignedNewOrThrow(n, al); }
void* operator new(size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return erdtree::util::alignedNewOrThrow(n, al);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return erdtree::util::alignedNewOrThrow(n, al);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { countedFree(p); }
void operator delete[](void* p) noexcept { countedFree(p); }
void operator delete(void* p, size_t) noexcept { countedFree(p); }
void operator delete[](void* p, size_t) noexcept { countedFree(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { countedFree(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { countedFree(p); }
void operator delete(void* p, std::align_val_t) noexcept { countedFree(p); }
void operator delete[](void* p, std::align_val_t) noexcept { countedFree(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { countedFree(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { countedFree(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { countedFree(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { countedFree(p); }
