#include "erdtree/engine/eviction.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "erdtree/engine/access_clock.h"

using namespace erdtree::engine;

namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;  // a fixed wall clock

Entry* stringEntry(const std::string& key, uint32_t lru, int64_t expireAt = kNoExpire) {
  Entry* e = Entry::makeString(key, "v", expireAt);
  e->setLru(lru);
  return e;
}

}  // namespace

TEST(EvictionPool, KeepsTheSixteenHighestScoresInOrder) {
  EvictionPool pool;
  for (int i = 0; i < 40; ++i) pool.offer(static_cast<uint64_t>((i * 7) % 40), 0, "k" + std::to_string(i));
  ASSERT_EQ(pool.size(), EvictionPool::kSize);
  for (size_t i = 0; i < pool.size(); ++i) EXPECT_EQ(pool.scoreAt(i), 24 + i);  // 24..39, ascending
  int db = -1;
  std::string key;
  ASSERT_TRUE(pool.popBest(db, key));
  EXPECT_EQ(key, "k" + std::to_string((39 * 23) % 40));  // i with i*7 % 40 == 39
  EXPECT_EQ(pool.size(), EvictionPool::kSize - 1);
}

TEST(EvictionPool, RejectsWorseThanAllWhenFullAndRescoresDuplicates) {
  EvictionPool pool;
  for (int i = 0; i < 16; ++i) pool.offer(100 + static_cast<uint64_t>(i), 1, "k" + std::to_string(i));
  pool.offer(5, 1, "low");  // full and worse than everything: ignored
  EXPECT_EQ(pool.scoreAt(0), 100u);
  pool.offer(1000, 1, "k0");  // already pooled: moved to its new score, not duplicated
  EXPECT_EQ(pool.size(), 16u);
  EXPECT_EQ(pool.scoreAt(0), 101u);
  int db = -1;
  std::string key;
  ASSERT_TRUE(pool.popBest(db, key));
  EXPECT_EQ(key, "k0");
  EXPECT_EQ(db, 1);
  // Same key in another database is another candidate.
  pool.offer(2000, 2, "k1");
  ASSERT_TRUE(pool.popBest(db, key));
  EXPECT_EQ(db, 2);
  EXPECT_EQ(pool.size(), 15u);
}

TEST(EvictionPool, LongKeysAndEmptyPool) {
  EvictionPool pool;
  int db = 0;
  std::string key;
  EXPECT_FALSE(pool.popBest(db, key));
  const std::string longKey(1000, 'x');
  pool.offer(1, 0, longKey);
  ASSERT_TRUE(pool.popBest(db, key));
  EXPECT_EQ(key, longKey);
}

TEST(LfuCounter, LogarithmicIncrementProbability) {
  // Up to the initial value every access counts.
  EXPECT_EQ(lfuLogIncr(0, 10, 0.999), 1);
  EXPECT_EQ(lfuLogIncr(kLfuInitVal, 10, 0.999), kLfuInitVal + 1);
  // Above it, p = 1 / ((counter - 5) * factor + 1): counter 6, factor 10 -> 1/11.
  EXPECT_EQ(lfuLogIncr(6, 10, 1.0 / 11 - 1e-9), 7);
  EXPECT_EQ(lfuLogIncr(6, 10, 1.0 / 11 + 1e-9), 6);
  EXPECT_EQ(lfuLogIncr(255, 0, 0.0), 255);  // saturates
  EXPECT_EQ(lfuLogIncr(100, 0, 0.5), 101);  // factor 0: a plain counter
}

TEST(LfuCounter, DecaysByElapsedMinutesOverDecayTime) {
  const uint32_t minutes = lfuMinutesFromMs(kNowMs);
  const uint32_t field = lfuField(minutes - 10, 20);  // last touched 10 minutes ago
  EXPECT_EQ(lfuDecayedCounter(field, kNowMs, 1), 10);
  EXPECT_EQ(lfuDecayedCounter(field, kNowMs, 3), 17);  // 3 periods of 3 minutes
  EXPECT_EQ(lfuDecayedCounter(field, kNowMs, 0), 20);  // 0: never decays
  EXPECT_EQ(lfuDecayedCounter(lfuField(minutes - 100, 20), kNowMs, 1), 0);
  // The 16-bit minute clock wraps.
  EXPECT_EQ(lfuMinutesElapsed(kLfuMinutesMask - 2, kNowMs - static_cast<int64_t>(minutes) * 60000 + 60000), 3u);
}

TEST(LfuCounter, TouchIncrementsFromInitialValueUnderLfu) {
  AccessPolicy lfu{true, 0, 1};  // factor 0: every access increments
  Entry* e = Entry::makeString("k", "v");
  e->setLru(initialAccessField(lfu, kNowMs));
  EXPECT_EQ(lfuDecayedCounter(e->lru(), kNowMs, 1), kLfuInitVal);
  for (int i = 0; i < 10; ++i) touchEntry(e, lfu, kNowMs);
  EXPECT_EQ(lfuDecayedCounter(e->lru(), kNowMs, 1), kLfuInitVal + 10);
  AccessPolicy lru{};
  touchEntry(e, lru, kNowMs);
  EXPECT_EQ(lruIdleSeconds(e->lru(), kNowMs + 5000), 5u);
  Entry::destroy(e);
}

TEST(LfuCounter, DefaultFactorNeedsManyAccessesToClimb) {
  AccessPolicy lfu{true, 10, 1};
  Entry* e = Entry::makeString("k", "v");
  e->setLru(initialAccessField(lfu, kNowMs));
  for (int i = 0; i < 1000; ++i) touchEntry(e, lfu, kNowMs);
  // Redis's table: factor 10, 1k hits -> about 18 (well under 40, over 10).
  const int c = lfuDecayedCounter(e->lru(), kNowMs, 1);
  EXPECT_GT(c, 10);
  EXPECT_LT(c, 40);
  Entry::destroy(e);
}

class EvictorTest : public ::testing::Test {
 protected:
  Keyspace ks{2};
  Evictor evictor;
  EvictionConfig cfg;
  int db = -1;
  std::string key;
};

TEST_F(EvictorTest, NoevictionAndEmptyKeyspacePickNothing) {
  cfg.policy = EvictionPolicy::kAllKeysLru;
  EXPECT_FALSE(evictor.pick(ks, cfg, kNowMs, db, key));
  ks.db(0).insert(stringEntry("a", 0));
  cfg.policy = EvictionPolicy::kNoEviction;
  EXPECT_FALSE(evictor.pick(ks, cfg, kNowMs, db, key));
}

TEST_F(EvictorTest, AllKeysLruPicksTheIdlestAmongManySamples) {
  const uint32_t now = lruStampFromMs(kNowMs);
  for (int i = 0; i < 200; ++i) ks.db(0).insert(stringEntry("fresh" + std::to_string(i), now));
  ks.db(1).insert(stringEntry("old", now - 1000));
  cfg.policy = EvictionPolicy::kAllKeysLru;
  cfg.samples = 64;  // with 64 samples per round over 201 keys, "old" is met quickly
  std::set<std::string> firstPicks;
  for (int i = 0; i < 200 && !firstPicks.count("old"); ++i) {
    ASSERT_TRUE(evictor.pick(ks, cfg, kNowMs, db, key));
    firstPicks.insert(key);
  }
  EXPECT_TRUE(firstPicks.count("old"));
}

TEST_F(EvictorTest, VolatilePoliciesOnlyPickKeysWithTtl) {
  const uint32_t now = lruStampFromMs(kNowMs);
  for (int i = 0; i < 500; ++i) ks.db(0).insert(stringEntry("plain" + std::to_string(i), now - 5000));
  for (int i = 0; i < 5; ++i) ks.db(0).insert(stringEntry("ttl" + std::to_string(i), now, kNowMs + 10000));
  for (EvictionPolicy p : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu, EvictionPolicy::kVolatileRandom,
                           EvictionPolicy::kVolatileTtl}) {
    cfg.policy = p;
    evictor.reset();
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(evictor.pick(ks, cfg, kNowMs, db, key));
      EXPECT_EQ(key.rfind("ttl", 0), 0u) << key;
    }
  }
  // Evicting them all leaves nothing a volatile policy may take.
  for (int i = 0; i < 5; ++i) ks.db(0).remove("ttl" + std::to_string(i), kNowMs);
  cfg.policy = EvictionPolicy::kVolatileLru;
  EXPECT_FALSE(evictor.pick(ks, cfg, kNowMs, db, key));
}

TEST_F(EvictorTest, VolatileRandomSpreadsOverAllTtlKeys) {
  // Every key with a TTL (uniform draws) and one in 20 (bucket walks): the
  // picks cover most TTL keys, not one per bucket.
  cfg.policy = EvictionPolicy::kVolatileRandom;
  for (int i = 0; i < 700; ++i) ks.db(0).insert(stringEntry("t" + std::to_string(i), 0, kNowMs + 10000));
  for (int i = 0; i < 2000; ++i) ks.db(1).insert(stringEntry("p" + std::to_string(i), 0));
  for (int i = 0; i < 100; ++i) ks.db(1).insert(stringEntry("s" + std::to_string(i), 0, kNowMs + 10000));
  std::set<std::string> dense, sparse;
  for (int i = 0; i < 4000; ++i) {
    ASSERT_TRUE(evictor.pick(ks, cfg, kNowMs, db, key));
    ASSERT_TRUE(key[0] == 't' || key[0] == 's') << key;
    (db == 0 ? dense : sparse).insert(key);
  }
  // 2000 uniform picks of 700 cover ~660; the first slot of each bucket ~130.
  EXPECT_GT(dense.size(), 550u);
  EXPECT_GT(sparse.size(), 90u);
}

TEST_F(EvictorTest, VolatileTtlPicksTheNearestExpiryFirst) {
  for (int i = 0; i < 10; ++i)
    ks.db(0).insert(stringEntry("t" + std::to_string(i), 0, kNowMs + 1000 * (10 - i)));
  cfg.policy = EvictionPolicy::kVolatileTtl;
  cfg.samples = 10;
  std::vector<std::string> order;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(evictor.pick(ks, cfg, kNowMs, db, key));
    order.push_back(key);
    ks.db(db).remove(key, kNowMs);
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], "t" + std::to_string(9 - i));
}

TEST_F(EvictorTest, AllKeysLfuPicksTheLeastFrequent) {
  const uint32_t minutes = lfuMinutesFromMs(kNowMs);
  for (int i = 0; i < 20; ++i) ks.db(0).insert(stringEntry("hot" + std::to_string(i), lfuField(minutes, 200)));
  ks.db(0).insert(stringEntry("cold", lfuField(minutes, 1)));
  cfg.policy = EvictionPolicy::kAllKeysLfu;
  cfg.samples = 64;
  // Each round samples 64 of 21 keys: "cold" is met within a few rounds
  // (missing it in one round has probability (20/21)^64, about 4%).
  bool found = false;
  for (int i = 0; i < 10 && !found; ++i) {
    ASSERT_TRUE(evictor.pick(ks, cfg, kNowMs, db, key));
    found = key == "cold";
  }
  EXPECT_TRUE(found);
}

TEST(EvictionPolicy, NamesAndKinds) {
  EXPECT_EQ(evictionPolicyFromName("allkeys-lfu"), EvictionPolicy::kAllKeysLfu);
  EXPECT_EQ(evictionPolicyFromName("volatile-ttl"), EvictionPolicy::kVolatileTtl);
  EXPECT_FALSE(evictionPolicyFromName("lru").has_value());
  EXPECT_TRUE(isLfuPolicy(EvictionPolicy::kVolatileLfu));
  EXPECT_FALSE(isLfuPolicy(EvictionPolicy::kAllKeysLru));
  EXPECT_TRUE(isVolatilePolicy(EvictionPolicy::kVolatileRandom));
  EXPECT_FALSE(isVolatilePolicy(EvictionPolicy::kAllKeysRandom));
}
