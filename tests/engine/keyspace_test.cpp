#include "erdtree/engine/keyspace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace erdtree::engine;

TEST(Keyspace, LookupHidesAndDeletesExpiredKeys) {
  Keyspace ks(16);
  std::vector<std::string> expired;
  ks.setExpiredListener([&](int db, std::string_view key) {
    EXPECT_EQ(db, 3);
    expired.emplace_back(key);
  });
  Db& db = ks.db(3);
  db.insert(Entry::makeString("a", "1", 1000));
  db.insert(Entry::makeString("b", "2"));
  EXPECT_EQ(db.expiresCount(), 1u);
  EXPECT_NE(db.lookup("a", 999), nullptr);
  EXPECT_EQ(db.lookup("a", 1000), nullptr);
  EXPECT_EQ(db.size(), 1u);
  EXPECT_EQ(db.expiresCount(), 0u);
  EXPECT_EQ(expired, std::vector<std::string>{"a"});
  EXPECT_EQ(ks.expiredKeys(), 1u);
  EXPECT_EQ(ks.db(0).size(), 0u);
}

TEST(Keyspace, RemoveReportsOnlyLiveKeys) {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.insert(Entry::makeString("live", "1"));
  db.insert(Entry::makeString("dead", "1", 10));
  EXPECT_TRUE(db.remove("live", 100));
  EXPECT_FALSE(db.remove("dead", 100));  // expired: gone, but not a user delete
  EXPECT_FALSE(db.remove("missing", 100));
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expiresCount(), 0u);
}

TEST(Keyspace, ReplaceKeepsExpiresCountRight) {
  Keyspace ks(1);
  Db& db = ks.db(0);
  db.insert(Entry::makeString("k", "v"));
  Entry** ref = db.lookupRef("k", 0);
  ASSERT_NE(ref, nullptr);
  db.setExpire(ref, 5000);
  EXPECT_EQ(db.expiresCount(), 1u);
  EXPECT_EQ(db.lookup("k", 0)->expireAt(), 5000);
  ref = db.lookupRef("k", 0);
  db.setExpire(ref, kNoExpire);
  EXPECT_EQ(db.expiresCount(), 0u);
  ref = db.lookupRef("k", 0);
  db.replace(ref, Entry::makeString("k", "new", 7000));
  EXPECT_EQ(db.expiresCount(), 1u);
  EXPECT_EQ(db.lookup("k", 0)->stringValue(), "new");
}

TEST(ActiveExpiry, ReclaimsUnreadKeysWithinBoundedCycles) {
  Keyspace ks(2);
  size_t listened = 0;
  ks.setExpiredListener([&](int, std::string_view) { ++listened; });
  for (int i = 0; i < 200000; ++i) {
    ks.db(0).insert(Entry::makeString("v" + std::to_string(i), "x", 100));
    ks.db(1).insert(Entry::makeString("p" + std::to_string(i), "x"));
  }
  ks.db(1).insert(Entry::makeString("late", "x", 1'000'000));
  int cycles = 0;
  while (ks.db(0).size() > 0 && cycles < 10000) {
    auto st = ks.activeExpireCycle(200, 2000, 1);  // 2 ms per cycle
    ++cycles;
    EXPECT_LE(st.expired, st.sampled);
  }
  EXPECT_EQ(ks.db(0).size(), 0u);
  EXPECT_EQ(ks.db(1).size(), 200001u);  // nothing live was touched
  EXPECT_EQ(listened, 200000u);
  EXPECT_EQ(ks.expiredKeys(), 200000u);
  EXPECT_GT(cycles, 1);  // 200k deletions cannot fit one 2 ms cycle: spread, not one stall
}

TEST(ActiveExpiry, StopsAtItsTimeBudget) {
  Keyspace ks(1);
  for (int i = 0; i < 200000; ++i) ks.db(0).insert(Entry::makeString("k" + std::to_string(i), "x", 1));
  auto st = ks.activeExpireCycle(10, 0, 1);  // zero budget: one round, then stop
  EXPECT_TRUE(st.timedOut);
  EXPECT_LT(st.expired, 200000u);
  EXPECT_GT(st.expired, 0u);
}
