#include "erdtree/engine/memory_probe.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>


using erdtree::engine::UsedMemoryCache;
using erdtree::engine::usedMemory;

TEST(MemoryProbe, UsedMemorySeesAllocations) {
  const uint64_t before = usedMemory();
  auto block = std::make_unique<char[]>(8 << 20);
  block[0] = 1;
  EXPECT_GE(usedMemory(), before + (4 << 20));
}

TEST(MemoryProbe, CacheLowersByFreedBytesUntilRefreshed) {
  UsedMemoryCache cache;
  const uint64_t first = cache.get();
  ASSERT_GT(first, 1000u);
  if (erdtree::engine::kUsedMemoryIsCheap) GTEST_SKIP() << "reads every time";
  cache.noteFreed(1000);
  EXPECT_EQ(cache.get(), first - 1000);  // not re-read within the iteration
  cache.noteFreed(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(cache.get(), 0u);
}
