// The allocation counter behind used_memory: every operator new/delete form
// and the counted C allocator move it by the block's usable size.
#include "erdtree/util/alloc_counter.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace erdtree::util {
namespace {

// The test body allocates nothing else between the two reads (gtest's own
// bookkeeping happens outside them).
TEST(AllocCounter, NewAndDeleteMoveTheCounterByTheUsableSize) {
  const size_t before = usedMemory();
  auto* p = static_cast<char*>(::operator new(1000));
  const size_t usable = allocationSize(p);
  EXPECT_GE(usable, 1000u);
  EXPECT_EQ(usedMemory(), before + usable);
  ::operator delete(p);
  EXPECT_EQ(usedMemory(), before);
}

TEST(AllocCounter, EveryNewFormIsCounted) {
  const size_t before = usedMemory();
  {
    auto a = std::make_unique<char[]>(300);                          // new[] / delete[]
    auto* b = new (std::nothrow) int[50];                            // nothrow new[]
    auto* c = ::operator new(200, std::align_val_t{64});             // aligned
    auto* d = ::operator new(100, std::nothrow);                     // nothrow
    std::vector<int> v(1000);                                        // allocator (sized delete)
    EXPECT_GE(usedMemory(), before + 300 + 200 + 200 + 100 + 4000);
    delete[] b;
    ::operator delete(c, std::align_val_t{64});
    ::operator delete(d, std::nothrow);
  }
  EXPECT_EQ(usedMemory(), before);
}

TEST(AllocCounter, CountedCAllocatorTracksReallocations) {
  const size_t before = usedMemory();
  void* p = countedMalloc(100);
  EXPECT_EQ(usedMemory(), before + allocationSize(p));
  p = countedRealloc(p, 100000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(usedMemory(), before + allocationSize(p));
  p = countedRealloc(p, 10);
  EXPECT_EQ(usedMemory(), before + allocationSize(p));
  countedFree(p);
  void* z = countedCalloc(10, 100);
  EXPECT_EQ(usedMemory(), before + allocationSize(z));
  countedFree(z);
  countedFree(nullptr);
  EXPECT_EQ(usedMemory(), before);
}

TEST(AllocCounter, MappedBytesAreCounted) {
  const size_t before = usedMemory();
  countMapped(1 << 20);
  EXPECT_EQ(usedMemory(), before + (1 << 20));
  countMapped(-(1 << 20));
  EXPECT_EQ(usedMemory(), before);
}

TEST(AllocCounter, ThreadsAllocatingAndFreeingLeaveItBalanced) {
  const size_t before = usedMemory();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      for (int i = 0; i < 20000; ++i) {
        std::string s(static_cast<size_t>(16 + i % 500), 'x');
        auto* q = new long[static_cast<size_t>(1 + i % 7)];
        delete[] q;
      }
    });
  for (auto& th : threads) th.join();
  threads.clear();
  threads.shrink_to_fit();
  EXPECT_EQ(usedMemory(), before);
}

TEST(AllocCounter, PeakFollowsTheHighestReading) {
  resetPeakMemory();
  const size_t base = updatePeakMemory();
  void* p = countedMalloc(1 << 20);
  EXPECT_GE(updatePeakMemory(), base + (1 << 20));
  countedFree(p);
  EXPECT_GE(peakMemory(), base + (1 << 20));
  EXPECT_LT(usedMemory(), peakMemory());
  resetPeakMemory();
  EXPECT_EQ(peakMemory(), usedMemory());
}

}  // namespace
}  // namespace erdtree::util
