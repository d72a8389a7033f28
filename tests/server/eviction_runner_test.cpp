#include "erdtree/server/eviction_runner.h"

#include <gtest/gtest.h>

#include <limits>

using erdtree::server::EvictionRunner;

TEST(EvictionTimeLimit, TenacityAsRedis) {
  EXPECT_EQ(EvictionRunner::timeLimitUs(0), 0);
  EXPECT_EQ(EvictionRunner::timeLimitUs(10), 500);  // the default
  EXPECT_EQ(EvictionRunner::timeLimitUs(11), 575);  // +15% per step above 10
  EXPECT_GT(EvictionRunner::timeLimitUs(99), 100'000'000);
  EXPECT_EQ(EvictionRunner::timeLimitUs(100), std::numeric_limits<int64_t>::max());
}
