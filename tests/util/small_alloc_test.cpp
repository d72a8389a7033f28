// The slab allocator behind keyspace entries: 8-byte size classes, exact
// used_memory accounting, pages returned when empty, frees from another
// thread reclaimed by the owning one.
#include "erdtree/util/small_alloc.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "erdtree/util/alloc_counter.h"

namespace erdtree::util {
namespace {

TEST(SmallAlloc, SmallBlocksTakeTheirSizeRoundedToEightBytes) {
  EXPECT_EQ(blockSize(nullptr, 1), 8u);
  EXPECT_EQ(blockSize(nullptr, 26), 32u);
  EXPECT_EQ(blockSize(nullptr, 32), 32u);
  EXPECT_EQ(blockSize(nullptr, 33), 40u);
  EXPECT_EQ(blockSize(nullptr, kMaxSmallBytes), kMaxSmallBytes);

  freeBlock(allocBlock(26), 26);  // the allocator's own first-use allocations
  const size_t before = usedMemory();
  void* p = allocBlock(26);
  EXPECT_EQ(usedMemory(), before + 32);
  freeBlock(p, 26);
  EXPECT_EQ(usedMemory(), before);
}

TEST(SmallAlloc, LargeBlocksGoToTheCountedMalloc) {
  const size_t before = usedMemory();
  void* p = allocBlock(kMaxSmallBytes + 1);
  EXPECT_GE(blockSize(p, kMaxSmallBytes + 1), kMaxSmallBytes + 1);
  EXPECT_EQ(usedMemory(), before + allocationSize(p));
  freeBlock(p, kMaxSmallBytes + 1);
  EXPECT_EQ(usedMemory(), before);
}

TEST(SmallAlloc, LiveBlocksNeverOverlapAndKeepTheirBytes) {
  std::mt19937 rng(7);
  struct Block {
    unsigned char* p;
    size_t n;
    unsigned char fill;
  };
  std::vector<Block> live;
  live.reserve(200000);
  const size_t before = usedMemory();
  const size_t liveBytesBefore = smallAllocStats().liveBytes;
  for (int round = 0; round < 200000; ++round) {
    if (!live.empty() && rng() % 3 == 0) {
      size_t i = rng() % live.size();
      Block b = live[i];
      for (size_t k = 0; k < b.n; ++k) ASSERT_EQ(b.p[k], b.fill) << "block of " << b.n << " bytes overwritten";
      freeBlock(b.p, b.n);
      live[i] = live.back();
      live.pop_back();
    } else {
      size_t n = 1 + rng() % 300;  // small and large
      auto* p = static_cast<unsigned char*>(allocBlock(n));
      auto fill = static_cast<unsigned char>(rng());
      std::memset(p, fill, n);
      live.push_back({p, n, fill});
    }
  }
  {
    std::set<uintptr_t> starts;
    for (const Block& b : live) starts.insert(reinterpret_cast<uintptr_t>(b.p));
    EXPECT_EQ(starts.size(), live.size());
  }
  for (const Block& b : live) {
    for (size_t k = 0; k < b.n; ++k) ASSERT_EQ(b.p[k], b.fill);
    freeBlock(b.p, b.n);
  }
  EXPECT_EQ(smallAllocStats().liveBytes, liveBytesBefore);
  // live's storage was reserved up front; the page pool's list may have grown.
  EXPECT_NEAR(static_cast<double>(usedMemory()), static_cast<double>(before), 4096);
}

TEST(SmallAlloc, ResizeKeepsThePrefixAndStaysInPlaceWithinASlot) {
  auto* p = static_cast<char*>(allocBlock(20));
  std::memcpy(p, "0123456789abcdefghij", 20);
  EXPECT_EQ(resizeBlock(p, 20, 24), p);  // same 24-byte slot
  auto* q = static_cast<char*>(resizeBlock(p, 24, 100));
  EXPECT_EQ(std::memcmp(q, "0123456789abcdefghij", 20), 0);
  auto* r = static_cast<char*>(resizeBlock(q, 100, 1000));  // to malloc
  EXPECT_EQ(std::memcmp(r, "0123456789abcdefghij", 20), 0);
  auto* s = static_cast<char*>(resizeBlock(r, 1000, 10));  // back to a slab
  EXPECT_EQ(std::memcmp(s, "0123456789", 10), 0);
  freeBlock(s, 10);
}

TEST(SmallAlloc, EmptyPagesGoBackToThePool) {
  const SmallAllocStats start = smallAllocStats();
  std::vector<void*> blocks;
  for (int i = 0; i < 100000; ++i) blocks.push_back(allocBlock(120));  // ~190 pages of 544 slots
  const SmallAllocStats full = smallAllocStats();
  EXPECT_GE(full.pages, start.pages + 150);
  EXPECT_EQ(full.liveBlocks, start.liveBlocks + 100000);
  for (void* p : blocks) freeBlock(p, 120);
  const SmallAllocStats after = smallAllocStats();
  EXPECT_LE(after.pages, start.pages + 1);  // the class keeps one page
  EXPECT_EQ(after.liveBytes, start.liveBytes);
}

TEST(SmallAlloc, FreesFromAnotherThreadAreReclaimedByTheOwner) {
  std::vector<void*> blocks;
  for (int i = 0; i < 50000; ++i) blocks.push_back(allocBlock(40));
  const size_t before = usedMemory();
  const size_t liveBefore = smallAllocStats().liveBlocks;
  std::thread freer([&] {
    markRemoteFreeThread();
    for (void* p : blocks) freeBlock(p, 40);
  });
  freer.join();
  // used_memory drops at once; the slots come back when the owner reclaims.
  // (Slack: the first std::thread leaves a few hundred bytes of its own.)
  EXPECT_NEAR(static_cast<double>(usedMemory()), static_cast<double>(before - 50000 * 40), 1024);
  EXPECT_EQ(smallAllocStats().remotePending, 50000u);
  EXPECT_EQ(smallAllocStats().liveBlocks, liveBefore);
  EXPECT_TRUE(reclaimRemoteFrees(1000));
  EXPECT_EQ(smallAllocStats().liveBlocks, liveBefore - 1000);
  while (reclaimRemoteFrees(4096)) {
  }
  EXPECT_EQ(smallAllocStats().remotePending, 0u);
  EXPECT_EQ(smallAllocStats().liveBlocks, liveBefore - 50000);
  EXPECT_NEAR(static_cast<double>(usedMemory()), static_cast<double>(before - 50000 * 40), 1024);
}

}  // namespace
}  // namespace erdtree::util
