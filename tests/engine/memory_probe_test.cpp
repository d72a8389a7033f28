#include "erdtree/engine/memory_probe.h"

#include <gtest/gtest.h>

#include <memory>


using erdtree::engine::usedMemory;

TEST(MemoryProbe, UsedMemorySeesAllocations) {
  const uint64_t before = usedMemory();
  auto block = std::make_unique<char[]>(8 << 20);
  block[0] = 1;
  EXPECT_GE(usedMemory(), before + (4 << 20));
}
