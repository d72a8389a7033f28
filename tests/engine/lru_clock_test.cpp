// The LRU field's two stamp forms (access_clock.h) and LruAger.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "erdtree/engine/access_clock.h"
#include "erdtree/engine/eviction.h"
#include "erdtree/engine/lru_ager.h"

using namespace erdtree::engine;

namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;  // a fixed wall clock
constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

// The field an access at unixMs leaves.
uint32_t accessedAt(int64_t unixMs) {
  Entry* e = Entry::makeString("k", "v");
  touchEntry(e, AccessPolicy{}, unixMs);
  const uint32_t field = e->lru();
  Entry::destroy(e);
  return field;
}

}  // namespace

TEST(LruClock, AnAccessWritesARecentStampInThirtySecondsOfASecond) {
  const uint32_t field = accessedAt(kNowMs);
  EXPECT_EQ(field & kLruOldStamp, 0u);
  EXPECT_EQ(field, lruStampFromMs(kNowMs));
  EXPECT_EQ(lruIdleTicks(field, kNowMs), 0u);
  EXPECT_EQ(lruIdleTicks(field, kNowMs + 31), 0u);  // one tick is 31.25 ms
  EXPECT_EQ(lruIdleTicks(field, kNowMs + 32), 1u);
  EXPECT_EQ(lruIdleTicks(field, kNowMs + 1000), 32u);
  EXPECT_EQ(lruIdleSeconds(field, kNowMs + 999), 0u);
  EXPECT_EQ(lruIdleSeconds(field, kNowMs + 7000), 7u);
}

TEST(LruClock, KeysAccessedWithinOneSecondAreOrdered) {
  // What the 1 s clock could not tell apart: eviction scores them in order.
  const uint64_t older = lruIdleTicks(accessedAt(kNowMs), kNowMs + 900);
  const uint64_t newer = lruIdleTicks(accessedAt(kNowMs + 400), kNowMs + 900);
  EXPECT_GT(older, newer);
  EvictionConfig cfg;
  cfg.policy = EvictionPolicy::kAllKeysLru;
  Entry* a = Entry::makeString("a", "v");
  Entry* b = Entry::makeString("b", "v");
  touchEntry(a, AccessPolicy{}, kNowMs);
  touchEntry(b, AccessPolicy{}, kNowMs + 400);
  EXPECT_GT(evictionScore(a, cfg, kNowMs + 900), evictionScore(b, cfg, kNowMs + 900));
  Entry::destroy(a);
  Entry::destroy(b);
}

TEST(LruClock, RecentStampsWrapAfterThreeDays) {
  const uint32_t field = lruStampFromMs(kNowMs);
  const int64_t wrapMs = (int64_t{1} << 23) * 1000 / kLruTicksPerSecond;
  EXPECT_EQ(wrapMs, 262144 * int64_t{1000});  // 3.03 days
  EXPECT_EQ(lruIdleSeconds(field, kNowMs + wrapMs - 1000), 262143u);
  EXPECT_EQ(lruIdleSeconds(field, kNowMs + wrapMs + 5000), 5u);  // why LruAger exists
}

TEST(LruClock, AgedFieldKeepsIdleTimeInTheOldForm) {
  const uint32_t field = accessedAt(kNowMs);
  // Not yet due.
  EXPECT_EQ(lruAgedField(field, kNowMs + 11 * kHourMs), field);
  const int64_t later = kNowMs + 13 * kHourMs + 5000;
  const uint32_t aged = lruAgedField(field, later);
  ASSERT_NE(aged & kLruOldStamp, 0u);
  EXPECT_EQ(lruAgedField(aged, later + kDayMs), aged);  // old stays old
  // Seconds within the old form's 2 s unit, now and long after the recent
  // form would have wrapped.
  for (int64_t at : {later, later + 5 * kDayMs, kNowMs + 190 * kDayMs}) {
    const int64_t want = (at - kNowMs) / 1000;
    const int64_t got = lruIdleSeconds(aged, at);
    EXPECT_LE(std::abs(got - want), 2) << at;
    EXPECT_EQ(lruIdleTicks(aged, at) / kLruTicksPerSecond, static_cast<uint64_t>(got));
  }
  // The old form outranks a recent stamp for eviction.
  EXPECT_GT(lruIdleTicks(aged, later), lruIdleTicks(accessedAt(later - 11 * kHourMs), later));
}

TEST(LruAger, StepVisitsEveryKeyWithinAPassAndAgesOnlyIdleOnes) {
  Keyspace ks{2};
  const int64_t start = kNowMs;
  for (int i = 0; i < 3000; ++i) {
    Entry* e = Entry::makeString("k" + std::to_string(i), "v");
    touchEntry(e, AccessPolicy{}, start);
    ks.db(i % 2).insert(e);
  }
  Entry* fresh = ks.db(0).table().find("k0");
  LruAger ager;
  // Ticks at 10 Hz over one pass, 13 h after the writes; k0 is read just
  // before, so only it stays recent.
  const int64_t tickMs = 100;
  const int64_t t0 = start + 13 * kHourMs;
  touchEntry(fresh, AccessPolicy{}, t0);
  size_t rewritten = 0;
  for (int64_t t = t0; t < t0 + LruAger::kPassMs; t += tickMs * 1000) {
    // A thousand ticks at a time: the same share as a thousand steps.
    for (int i = 0; i < ks.count(); ++i) {
      Db& d = ks.db(i);
      const uint64_t buckets = (d.table().bucketCount() * tickMs * 1000 + LruAger::kPassMs - 1) / LruAger::kPassMs;
      rewritten += ager.visit(d, static_cast<size_t>(buckets), t);
    }
  }
  EXPECT_EQ(rewritten, 2999u);
  for (int i = 0; i < 3000; ++i) {
    const Entry* e = ks.db(i % 2).table().find("k" + std::to_string(i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ((e->lru() & kLruOldStamp) != 0, i != 0) << i;
  }
  // A second pass has nothing left to do, and step() runs over both dbs.
  EXPECT_EQ(ager.step(ks, t0 + LruAger::kPassMs, LruAger::kPassMs), 0u);
  EXPECT_EQ(lruIdleSeconds(fresh->lru(), t0 + 1000), 1u);
}

TEST(LruAger, EmptyKeyspaceIsANoOp) {
  Keyspace ks{1};
  LruAger ager;
  EXPECT_EQ(ager.step(ks, kNowMs, 100), 0u);
}
